"""A signed-in user's own sign-in security: the optional TOTP second factor (`web.totp`), offered to
supervisors and administrators. `/account/security` shows whether it is on; enrolling makes a new
secret, shown as text and as an otpauth:// URI for an authenticator app until it is confirmed with a
code from that app (never shown again after that: it is kept sealed with the app secret); turning it
off takes a code too. Wrong codes here count toward the sign-in delays like wrong codes at sign-in, so
a borrowed session cannot guess its way to turning the second factor off."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session, sessionmaker

from db import staff
from intake.rates import Throttled
from web import i18n, totp
from web.auth import ActingStaff, CurrentStaff, StaffUser
from web.deps import DbSession
from web.pages import WebRoute, render
from web.sign_in_delays import client_of, guard_of

router = APIRouter(route_class=WebRoute)
SECOND_FACTOR_ROLES = ("supervisor", "admin")
PAGE = "/account/security"

i18n.add_texts(
    {
        "nav_account": ("ความปลอดภัยของบัญชี", "Account security"),
        "second_factor": ("การยืนยันตัวตนสองขั้นตอน", "Two-step sign-in"),
        "second_factor_on": (
            "เปิดใช้แล้ว: เข้าสู่ระบบต้องใช้รหัสจากแอปยืนยันตัวตนทุกครั้ง",
            "On: every sign-in asks for a code from your authenticator app",
        ),
        "second_factor_off": ("ยังไม่ได้เปิดใช้", "Off"),
        "second_factor_not_offered": (
            "การยืนยันตัวตนสองขั้นตอนเปิดให้หัวหน้าและผู้ดูแลระบบ",
            "Two-step sign-in is offered to supervisors and administrators",
        ),
        "second_factor_start": ("เริ่มตั้งค่า", "Set it up"),
        "second_factor_pending": (
            "เพิ่มรหัสลับนี้ในแอปยืนยันตัวตน (เช่น Google Authenticator) แล้วใส่รหัส 6 หลักที่แอปแสดงเพื่อยืนยัน รหัสลับจะไม่แสดงอีกหลังยืนยันแล้ว",
            "Add this secret to your authenticator app (e.g. Google Authenticator), then enter the 6-digit code"
            " it shows to confirm. The secret is not shown again once confirmed",
        ),
        "second_factor_secret": ("รหัสลับ", "Secret"),
        "second_factor_uri": ("ลิงก์สำหรับแอป", "Link for the app"),
        "second_factor_confirm": ("ยืนยันและเปิดใช้", "Confirm and turn on"),
        "second_factor_disable": ("ปิดการใช้ (ต้องใช้รหัสจากแอป)", "Turn off (needs a code from the app)"),
        "second_factor_enabled": ("เปิดใช้การยืนยันตัวตนสองขั้นตอนแล้ว", "Two-step sign-in is on"),
        "second_factor_disabled": ("ปิดการยืนยันตัวตนสองขั้นตอนแล้ว", "Two-step sign-in is off"),
        "second_factor_already": ("เปิดใช้อยู่แล้ว", "It is already on"),
    }
)


def _page(request: Request, s: Session, user: StaffUser, error: str = "", status_code: int = 200, **extra):
    factor = staff.second_factor(s, user.username)
    state, secret = "off", None
    if factor is not None and factor.confirmed_at is not None:
        state = "on"
    elif factor is not None:
        # Still being enrolled: the user may need the secret again (a reload); once confirmed, never.
        secret = totp.unseal(factor.sealed_secret, request.app.state.settings.secret)
        state = "pending" if secret else "off"
    return render(
        request,
        "account_security.html",
        status_code=status_code,
        nav="account",
        state=state,
        secret=secret,
        uri=totp.otpauth_uri(secret, user.username) if secret else "",
        offered=user.role in SECOND_FACTOR_ROLES,
        error=error,
        done=request.query_params.get("done", ""),
        **extra,
    )


@router.get(PAGE, response_class=HTMLResponse)
def security(request: Request, s: DbSession, user: CurrentStaff):
    return _page(request, s, user)


@router.post(PAGE + "/enrol", response_class=HTMLResponse)
def enrol(request: Request, s: DbSession, user: ActingStaff):
    if user.role not in SECOND_FACTOR_ROLES:
        raise HTTPException(403, "ไม่มีสิทธิ์ / not allowed for your role")
    if staff.has_second_factor(s, user.username):
        return _page(request, s, user, i18n.text("second_factor_already", i18n.language(request)), 409)
    staff.start_enrolment(s, user.username, totp.seal(totp.new_secret(), request.app.state.settings.secret))
    s.commit()
    return RedirectResponse(PAGE, status_code=303)


def _spend_code(
    sessions: sessionmaker[Session], username: str, code: str, client: str, app_secret: str, turning_off: bool
) -> bool:
    """Checks a code against the pending secret (confirming it) or the enrolled one (removing it)."""
    with sessions.begin() as s:
        factor = staff.second_factor(s, username)
        if factor is None or (factor.confirmed_at is not None) != turning_off:
            return False
        secret = totp.unseal(factor.sealed_secret, app_secret)
        step = totp.matching_step(secret, code, factor.last_step) if secret else None
        if step is None or not staff.spend_step(s, factor, step):
            staff.record_attempt(s, username, client, False)
            return False
        if turning_off:
            staff.remove_second_factor(s, username)
        return True


async def _with_code(request: Request, user: StaffUser, code: str, turning_off: bool):
    lang, client = i18n.language(request), client_of(request)
    try:
        async with guard_of(request).turn(client, user.username):
            ok = await asyncio.to_thread(
                _spend_code,
                request.app.state.sessions,
                user.username,
                code,
                client,
                request.app.state.settings.secret,
                turning_off,
            )
    except Throttled as err:
        with request.app.state.sessions() as s:
            response = _page(request, s, user, err.message, 429)
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    if not ok:
        with request.app.state.sessions() as s:
            return _page(request, s, user, i18n.text("login_code_wrong", lang), 422)
    return RedirectResponse(f"{PAGE}?done={'off' if turning_off else 'on'}", status_code=303)


@router.post(PAGE + "/confirm", response_class=HTMLResponse)
async def confirm(request: Request, user: ActingStaff, code: Annotated[str, Form(max_length=16)]):
    return await _with_code(request, user, code, turning_off=False)


@router.post(PAGE + "/disable", response_class=HTMLResponse)
async def disable(request: Request, user: ActingStaff, code: Annotated[str, Form(max_length=16)]):
    return await _with_code(request, user, code, turning_off=True)
