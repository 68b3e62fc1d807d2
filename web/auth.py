"""Who is signed in to the staff front, and whether an unsafe request really comes from our own page.

`StaffUser` is the signed-in person (from the session cookie, looked up in `db.staff`). Pages depend on
`CurrentStaff`: a visitor without a session is sent to /login (303), an htmx fragment request gets 401
with `HX-Redirect`. Every unsafe request depends on `ActingStaff`, which also checks the session's CSRF
token, sent by htmx in the `X-CSRF-Token` header (`hx-headers` on <body>) or by a plain form in the
hidden field `csrf_token`. `require_role(...)` narrows a page to roles. The officer named in a workflow
update is always `StaffUser.username`, never a form field."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from db import staff
from web.deps import DbSession

COOKIE = "staff_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class StaffUser:
    username: str
    display_name: str
    role: str  # officer | supervisor | admin
    center_code: str
    csrf_token: str

    @property
    def supervises(self) -> bool:
        return self.role in ("supervisor", "admin")


def is_fragment(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def login_required(request: Request) -> HTTPException:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = f"/login?next={quote(target, safe='')}"
    if is_fragment(request):
        return HTTPException(401, "ต้องเข้าสู่ระบบ / sign-in required", headers={"HX-Redirect": login})
    return HTTPException(303, "ต้องเข้าสู่ระบบ / sign-in required", headers={"Location": login})


def current_staff(request: Request, s: DbSession) -> StaffUser:
    found = staff.session_account(s, request.cookies.get(COOKIE, ""))
    if found is None:
        raise login_required(request)
    account, csrf = found
    user = StaffUser(account.username, account.display_name, account.role, account.center_code, csrf)
    request.state.staff = user  # the layout shows who is signed in
    return user


CurrentStaff = Annotated[StaffUser, Depends(current_staff)]


async def submitted_csrf(request: Request) -> str:
    given = request.headers.get(CSRF_HEADER, "")
    if not given and "form" in request.headers.get("content-type", ""):
        given = str((await request.form()).get(CSRF_FIELD, ""))  # Starlette caches the parsed form
    return given


async def acting_staff(request: Request, user: CurrentStaff) -> StaffUser:
    if request.method in UNSAFE:
        given = await submitted_csrf(request)
        # bytes, not str: compare_digest raises TypeError on a non-ASCII str (a forged token was a 500)
        if not given or not hmac.compare_digest(given.encode("utf-8", "replace"), user.csrf_token.encode()):
            raise HTTPException(403, "CSRF token ไม่ถูกต้อง / missing or wrong CSRF token")
    return user


ActingStaff = Annotated[StaffUser, Depends(acting_staff)]


def require_role(*roles: str):
    """A dependency that lets only these roles through (after the sign-in, and the CSRF check on unsafe
    methods), for pages and actions alike."""

    async def check(user: ActingStaff) -> StaffUser:
        if user.role not in roles:
            raise HTTPException(403, "ไม่มีสิทธิ์ / not allowed for your role")
        return user

    return check


Supervisor = Annotated[StaffUser, Depends(require_role("supervisor", "admin"))]
Admin = Annotated[StaffUser, Depends(require_role("admin"))]


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def set_session_cookie(response, request: Request, token: str) -> None:
    """Secure everywhere but plain HTTP on a developer's own machine (a loopback host), or always when
    APP_ENV=production says so, which also covers a TLS proxy that forwards to us over loopback."""
    secure = (
        request.url.scheme == "https"
        or request.url.hostname not in LOOPBACK
        or bool(getattr(request.app.state, "staff_secure_cookies", False))
    )
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(staff.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
