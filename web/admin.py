"""The administrators' page for staff accounts: list them, add one (username, name, role, center,
first password), change a user's name, role, center or whether the account is active, and reset a
password (which signs the user out everywhere). An administrator manages the accounts of the centers
within their own scope; a ministry administrator manages all."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from db import staff
from db.models import Center
from web import i18n
from web.auth import Admin, StaffUser
from web.deps import DbSession
from web.pages import WebRoute, render
from web.scope import scope_of
from workflows.errors import CaseNotFound, InvalidInput

router = APIRouter(route_class=WebRoute)
USERNAME = re.compile(r"[a-z0-9._-]{3,64}")
MIN_PASSWORD = 10


def _values(s, user: StaffUser) -> dict:
    scope = scope_of(s, user)
    accounts = [a for a in staff.accounts(s) if scope.covers(a.center_code)]
    second_factors = {a.username for a in accounts if staff.has_second_factor(s, a.username)}
    return dict(accounts=accounts, roles=staff.ROLES, nav="admin", second_factors=second_factors)


def _check(s, user: StaffUser, lang: str, role: str, center_code: str, password: str | None) -> None:
    if role not in staff.ROLES:
        raise InvalidInput("role")
    if s.get(Center, center_code) is None or not scope_of(s, user).covers(center_code):
        raise InvalidInput(i18n.text("unknown_center", lang))
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInput(i18n.text("password_too_short", lang))


def _managed(s, user: StaffUser, username: str) -> staff.StaffAccount:
    row = staff.account(s, username)
    if row is None or not scope_of(s, user).covers(row.center_code):
        raise CaseNotFound("ไม่พบผู้ใช้ / no such user")
    return row


def _page(request: Request, s, user: StaffUser, status_code: int = 200, **extra):
    return render(
        request, "admin_users.html", "_admin_users.html", status_code=status_code, **_values(s, user), **extra
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, s: DbSession, user: Admin):
    return _page(request, s, user)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    s: DbSession,
    user: Admin,
    username: Annotated[str, Form(max_length=64)],
    display_name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=16)],
    center_code: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=200)],
):
    lang = i18n.language(request)
    username, center_code = username.strip().lower(), center_code.strip().upper()
    try:
        if not USERNAME.fullmatch(username):
            raise InvalidInput(i18n.text("bad_username", lang))
        if staff.account(s, username) is not None:
            raise InvalidInput(i18n.text("user_exists", lang))
        _check(s, user, lang, role, center_code, password)
    except InvalidInput as err:
        return _page(request, s, user, 422, error=err.message)
    staff.add_account(s, username, display_name or username, role, center_code, password)
    s.commit()
    return _page(request, s, user, flash=i18n.text("user_saved", lang))


@router.post("/admin/users/{username}", response_class=HTMLResponse)
def update_user(
    request: Request,
    username: str,
    s: DbSession,
    user: Admin,
    display_name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=16)],
    center_code: Annotated[str, Form(max_length=16)],
    active: Annotated[str, Form()] = "",
):
    lang = i18n.language(request)
    row = _managed(s, user, username)
    try:
        _check(s, user, lang, role, center_code.strip().upper(), None)
    except InvalidInput as err:
        return _page(request, s, user, 422, error=err.message)
    row.display_name, row.role, row.center_code = (
        display_name.strip() or row.username,
        role,
        center_code.strip().upper(),
    )
    row.active = active == "on"
    if not row.active:
        staff.close_sessions(s, row.username)  # a deactivated account is signed out at once
    s.commit()
    return _page(request, s, user, flash=i18n.text("user_saved", lang))


@router.post("/admin/users/{username}/password", response_class=HTMLResponse)
def reset_password(
    request: Request, username: str, s: DbSession, user: Admin, password: Annotated[str, Form(max_length=200)]
):
    lang = i18n.language(request)
    row = _managed(s, user, username)
    if len(password) < MIN_PASSWORD:
        return _page(request, s, user, 422, error=i18n.text("password_too_short", lang))
    staff.set_password(s, row, password)
    s.commit()
    return _page(request, s, user, flash=i18n.text("user_saved", lang))


@router.post("/admin/users/{username}/second-factor", response_class=HTMLResponse)
def clear_second_factor(request: Request, username: str, s: DbSession, user: Admin):
    """For a user who lost their authenticator: they sign in with the password and enrol again."""
    row = _managed(s, user, username)
    staff.remove_second_factor(s, row.username)
    staff.close_sessions(s, row.username)
    s.commit()
    return _page(request, s, user, flash=i18n.text("second_factor_cleared", i18n.language(request)))
