"""Signing in and out, and the language toggle. Sign-in checks the argon2 hash, refuses after too
many failures for one username or from one client within 15 minutes (counted in the read model, so
every app process agrees), opens a session whose random token goes into an HttpOnly, SameSite cookie
(Secure over HTTPS or outside development). The sign-in form itself carries a double-submit token
against login CSRF, since there is no session yet."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from db import staff
from web import i18n
from web.auth import COOKIE, ActingStaff, set_session_cookie
from web.deps import DbSession
from web.pages import WebRoute, render

router = APIRouter(route_class=WebRoute)
LOGIN_CSRF = "login_csrf"
WINDOW = timedelta(minutes=15)
PER_USERNAME, PER_CLIENT = 5, 20


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or a scheme, so sign-in cannot bounce elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/inbox"
    return target


def _login_page(request: Request, next_: str, error: str = "", username: str = "", status_code: int = 200):
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
    response = render(
        request, "login.html", status_code=status_code, login_csrf=token, next=next_, error=error, username=username
    )
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    return _login_page(request, safe_next(next))


@router.post("/login")
def login(
    request: Request,
    s: DbSession,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/inbox",
):
    lang, target = i18n.language(request), safe_next(next)
    cookie = request.cookies.get(LOGIN_CSRF, "")
    # bytes, not str: compare_digest raises TypeError on a non-ASCII str (a forged token was a 500)
    if not cookie or not hmac.compare_digest(cookie.encode("utf-8", "replace"), csrf_token.encode("utf-8", "replace")):
        return _login_page(request, target, i18n.text("csrf_failed", lang), username, 403)
    client = request.client.host if request.client else "?"
    by_user, by_client = staff.recent_failures(s, username, client, WINDOW)
    if by_user >= PER_USERNAME or by_client >= PER_CLIENT:
        response = _login_page(request, target, i18n.text("login_throttled", lang), username, 429)
        response.headers["Retry-After"] = str(int(WINDOW.total_seconds()))
        return response
    account = staff.account(s, username)
    ok = staff.verify_password(account, password) and account.active
    staff.record_attempt(s, username, client, ok)
    if not ok:
        s.commit()
        return _login_page(request, target, i18n.text("login_failed", lang), username, 401)
    opened = staff.open_session(s, account.username)
    s.commit()
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, opened.token)
    response.delete_cookie(LOGIN_CSRF, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, s: DbSession, user: ActingStaff):
    staff.close_session(s, request.cookies.get(COOKIE, ""))
    s.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/lang/{lang}")
def switch_language(lang: str, next: str | None = None):
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response
