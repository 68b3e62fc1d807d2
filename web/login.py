"""Signing in and out, and the language toggle. Sign-in checks the argon2 hash under the sign-in delays
of `web.sign_in_delays` (a guessing client waits longer after each wrong try; an account under attack
only slows; nobody is locked out of their own account by others), then opens a session whose random
token goes into an HttpOnly, SameSite cookie (Secure over HTTPS or outside development). A user with a
second factor (`web.account`) gets no session for the password: a half-done sign-in (a cookie scoped
to /login that opens nothing else, five minutes, five wrong codes) leads to a form asking for the
authenticator's code; a right code, used once, opens the session, and a wrong one counts toward the
delays. The sign-in forms carry a double-submit token against login CSRF, since there is no session
yet."""

from __future__ import annotations

import asyncio
import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session, sessionmaker

from db import staff
from intake.rates import Throttled
from web import i18n, totp
from web.auth import COOKIE, LOOPBACK, ActingStaff, set_session_cookie
from web.deps import DbSession
from web.pages import WebRoute, render
from web.sign_in_delays import client_of, guard_of

router = APIRouter(route_class=WebRoute)
LOGIN_CSRF = "login_csrf"
HALF_SIGNED_IN = "staff_sign_in"  # the half-done sign-in's token; scoped to /login, so it opens nothing else

i18n.add_texts(
    {
        "login_code_title": ("ยืนยันตัวตนขั้นที่สอง", "Second step"),
        "login_code_hint": (
            "ใส่รหัส 6 หลักจากแอปยืนยันตัวตนในโทรศัพท์ของคุณ",
            "Enter the 6-digit code from the authenticator app on your phone",
        ),
        "login_code": ("รหัสยืนยัน", "Code"),
        "login_code_submit": ("ยืนยัน", "Verify"),
        "login_code_wrong": ("รหัสยืนยันไม่ถูกต้องหรือใช้ไปแล้ว", "Wrong or already used code"),
        "login_code_expired": (
            "การเข้าสู่ระบบหมดเวลา กรุณาใส่รหัสผ่านอีกครั้ง",
            "The sign-in has expired; enter your password again",
        ),
    }
)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or a scheme, so sign-in cannot bounce elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/inbox"
    return target


def _form_page(request: Request, template: str, status_code: int = 200, **values):
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
    response = render(request, template, status_code=status_code, login_csrf=token, **values)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", path="/login")
    return response


def _login_page(request: Request, next_: str, error: str = "", username: str = "", status_code: int = 200):
    return _form_page(request, "login.html", status_code, next=next_, error=error, username=username)


def _code_page(request: Request, error: str = "", status_code: int = 200):
    return _form_page(request, "login_code.html", status_code, error=error)


def _refused(response, err: Throttled):
    response.headers["Retry-After"] = str(err.retry_after)
    return response


def _csrf_ok(request: Request, submitted: str) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    # bytes, not str: compare_digest raises TypeError on a non-ASCII str (a forged token was a 500)
    return bool(cookie) and hmac.compare_digest(cookie.encode("utf-8", "replace"), submitted.encode("utf-8", "replace"))


def _signed_in(request: Request, token: str, target: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, token)
    response.delete_cookie(LOGIN_CSRF, path="/login")
    response.delete_cookie(HALF_SIGNED_IN, path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    return _login_page(request, safe_next(next))


def _check_password(sessions: sessionmaker[Session], username: str, password: str, client: str, target: str):
    """("session", token), ("code", half-done sign-in token) or None for a wrong password."""
    with sessions.begin() as s:
        account = staff.account(s, username)
        if not (staff.verify_password(account, password) and account.active):
            staff.record_attempt(s, username, client, False)
            return None
        if staff.has_second_factor(s, account.username):
            # Not yet a success: only the code wipes this client's slate for the account.
            return "code", staff.open_challenge(s, account.username, target)
        staff.record_attempt(s, username, client, True)
        return "session", staff.open_session(s, account.username).token


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/inbox",
):
    lang, target = i18n.language(request), safe_next(next)
    if not _csrf_ok(request, csrf_token):
        return _login_page(request, target, i18n.text("csrf_failed", lang), username, 403)
    client = client_of(request)
    try:
        async with guard_of(request).turn(client, username):
            checked = await asyncio.to_thread(
                _check_password, request.app.state.sessions, username, password, client, target
            )
    except Throttled as err:
        return _refused(_login_page(request, target, err.message, username, 429), err)
    if checked is None:
        return _login_page(request, target, i18n.text("login_failed", lang), username, 401)
    kind, token = checked
    if kind == "session":
        return _signed_in(request, token, target)
    response = RedirectResponse("/login/code", status_code=303)
    response.set_cookie(
        HALF_SIGNED_IN,
        token,
        max_age=int(staff.CHALLENGE_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https"
        or request.url.hostname not in LOOPBACK
        or bool(getattr(request.app.state, "staff_secure_cookies", False)),
        path="/login",
    )
    return response


@router.get("/login/code")
def code_form(request: Request, s: DbSession):
    if staff.challenge(s, request.cookies.get(HALF_SIGNED_IN, "")) is None:
        return RedirectResponse("/login", status_code=303)
    return _code_page(request)


def _challenged(sessions: sessionmaker[Session], token: str) -> str | None:
    with sessions() as s:
        pending = staff.challenge(s, token)
        return pending.username if pending else None


def _check_code(sessions: sessionmaker[Session], token: str, code: str, client: str, app_secret: str):
    """(session token, where to go) for a right code not used before; None for a wrong one (counted)."""
    with sessions.begin() as s:
        pending = staff.challenge(s, token)
        if pending is None:
            return None
        factor = staff.second_factor(s, pending.username)
        secret = totp.unseal(factor.sealed_secret, app_secret) if factor and factor.confirmed_at else None
        step = totp.matching_step(secret, code, factor.last_step) if secret else None
        if step is None or not staff.spend_step(s, factor, step):
            pending.wrong_codes += 1
            staff.record_attempt(s, pending.username, client, False)
            return None
        staff.close_challenge(s, token)
        staff.record_attempt(s, pending.username, client, True)
        return staff.open_session(s, pending.username).token, pending.next_path


@router.post("/login/code")
async def login_code(
    request: Request, code: Annotated[str, Form(max_length=16)], csrf_token: Annotated[str, Form()] = ""
):
    lang, token = i18n.language(request), request.cookies.get(HALF_SIGNED_IN, "")
    if not _csrf_ok(request, csrf_token):
        return _code_page(request, i18n.text("csrf_failed", lang), 403)
    sessions = request.app.state.sessions
    username = await asyncio.to_thread(_challenged, sessions, token)
    if username is None:
        return _login_page(request, "/inbox", i18n.text("login_code_expired", lang), status_code=401)
    client = client_of(request)
    try:
        async with guard_of(request).turn(client, username):
            checked = await asyncio.to_thread(
                _check_code, sessions, token, code, client, request.app.state.settings.secret
            )
    except Throttled as err:
        return _refused(_code_page(request, err.message, 429), err)
    if checked is None:
        return _code_page(request, i18n.text("login_code_wrong", lang), 401)
    return _signed_in(request, *checked)


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
