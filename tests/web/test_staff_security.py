"""The staff front's defences against the live app: a visitor is sent to sign in, an unsafe request
without the session's CSRF token is refused and changes nothing, repeated wrong passwords lock the
sign-in for a while, and the scope matrix: every account against cases at its own center, a sibling
district, its province and another province, on every route that shows or changes a case; and a form
posted without a required field gets a page that names it, not the JSON API's error."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db import staff
from db.models import CaseEvent
from tests.web.conftest import ACCOUNTS, PASSWORD
from workflows import contracts as c


async def test_a_visitor_is_sent_to_sign_in(web_stack):
    async with web_stack.client() as client:
        page = await client.get("/inbox?holder=mine")
        assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Finbox%3Fholder%3Dmine"
        fragment = await client.get("/inbox", headers={"HX-Request": "true"})
        assert fragment.status_code == 401 and fragment.headers["HX-Redirect"].startswith("/login")
        assert (await client.get("/cases/2569-AAAAAA")).status_code == 303
        assert (await client.post("/inbox/assign", data={"numbers": "2569-AAAAAA"})).status_code == 303
        await client.get("/login")
        signed = await client.post(
            "/login",
            data={
                "username": "sikao",
                "password": PASSWORD,
                "csrf_token": client.cookies.get("login_csrf", ""),
                "next": "//evil.example/",
            },
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/inbox"  # never off-site
        cookie = next(v for v in signed.headers.get_list("set-cookie") if v.startswith("staff_session="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert (await client.get("/inbox")).status_code == 200


async def test_a_post_without_the_csrf_token_is_refused(web_stack):
    number = await web_stack.file("ขอความช่วยเหลือ เรื่องทั่วไป csrf")
    await web_stack.wait_case(number, lambda row: row.status == c.TRIAGE)
    async with web_stack.signed_in("sikao") as client:
        bare = await client.post(f"/cases/{number}/actions/note", data={"text": "แอบบันทึก"})
        forged = await client.post(
            f"/cases/{number}/actions/note",
            data={"text": "แอบบันทึก", "csrf_token": "forged"},
            headers={"HX-Request": "true"},
        )
        assert bare.status_code == 403 and forged.status_code == 403
        assert (await client.post("/logout")).status_code == 403
        assert (await client.post("/inbox/assign", data={"numbers": number, "assignee": "me"})).status_code == 403
        with web_stack.sessions()() as s:
            assert (
                s.scalars(
                    select(CaseEvent.kind).where(
                        CaseEvent.tracking_number == number, CaseEvent.kind.in_(("note", "assigned"))
                    )
                ).all()
                == []
            )
        by_header = await client.post(
            f"/cases/{number}/actions/note",
            data={"text": "บันทึกจริง"},
            headers={"X-CSRF-Token": client.csrf, "HX-Request": "true"},
        )
        by_field = await client.post(
            f"/cases/{number}/actions/note", data={"text": "บันทึกที่สอง", "csrf_token": client.csrf}
        )
        assert by_header.status_code == 200 and "บันทึกจริง" in by_header.text
        assert by_field.status_code == 303
        token = client.cookies.get("staff_session")
        out = await client.post("/logout", data={"csrf_token": client.csrf})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        client.cookies.set("staff_session", token)  # a copy of the old cookie is worth nothing now
        assert (await client.get("/inbox")).status_code == 303
    async with web_stack.client() as client:  # the sign-in form has its own token, as there is no session yet
        await client.get("/login")
        r = await client.post("/login", data={"username": "sikao", "password": PASSWORD, "csrf_token": "nope"})
        assert r.status_code == 403 and "staff_session" not in r.cookies


async def test_repeated_wrong_passwords_lock_the_sign_in(web_stack):
    with web_stack.sessions().begin() as s:
        staff.add_account(s, "guessme", "guessme", "officer", "D9205", PASSWORD)

    async def attempt(client, password):
        await client.get("/login")
        return await client.post(
            "/login",
            data={"username": "guessme", "password": password, "csrf_token": client.cookies.get("login_csrf", "")},
        )

    async with web_stack.client() as client:
        for i in range(5):
            assert (await attempt(client, f"wrong-{i}")).status_code == 401
        locked = await attempt(client, PASSWORD)
        assert locked.status_code == 429 and "Retry-After" in locked.headers
        assert "staff_session" not in client.cookies
    async with web_stack.client() as other:  # another account from the same client still signs in
        await other.get("/login")
        ok = await other.post(
            "/login",
            data={"username": "kantang", "password": PASSWORD, "csrf_token": other.cookies.get("login_csrf", "")},
        )
        assert ok.status_code == 303


# Which account sees which case: (center the case is filed with or routed to) -> the accounts.
SEES = {
    "D9205": {"sikao", "trang", "moi", "dopa", "root"},
    "D9202": {"kantang", "trang", "moi", "dopa", "root"},
    "P92": {"trang", "moi", "dopa", "root"},
    "D8101": {"krabi", "moi", "dopa", "root"},
}


@pytest.fixture(scope="module")
async def scoped_cases(web_stack) -> dict[str, str]:
    """One triage case per center in SEES: center -> tracking number."""
    areas = {
        "D9205": dict(province_code="92", district_code="9205"),
        "D9202": dict(province_code="92", district_code="9202"),
        "P92": dict(province_code="92", district_code="9201", center_code="P92"),
        "D8101": dict(province_code="81", district_code="8101"),
    }
    numbers = {}
    for center, area in areas.items():
        numbers[center] = await web_stack.file(f"ขอความช่วยเหลือ ขอบเขต {center}", **area)
    for center, number in numbers.items():
        row = await web_stack.wait_case(number, lambda r: r.status == c.TRIAGE)
        assert row.center_code == center
    return numbers


async def test_every_account_sees_exactly_its_centers_cases(web_stack, scoped_cases):
    for username, _, _ in ACCOUNTS:
        async with web_stack.signed_in(username) as client:
            inbox = (await client.get("/inbox?q=" + "ขอบเขต")).text
            for center, number in scoped_cases.items():
                visible = username in SEES[center]
                expected = 200 if visible else 404
                where = f"{username} -> {center} ({number})"
                assert (await client.get(f"/cases/{number}")).status_code == expected, where
                assert (await client.get(f"/cases/{number}/letter")).status_code == expected, where
                assert (number in inbox) is visible, where
                hx = {"X-CSRF-Token": client.csrf, "HX-Request": "true"}
                if not visible:
                    assert (
                        await client.post(f"/cases/{number}/actions/note", data={"text": "x"}, headers=hx)
                    ).status_code == 404
                    assert (await client.post(f"/cases/{number}/reveal/phone", headers=hx)).status_code == 404
                    assert (await client.get(f"/cases/{number}/photos/{'0' * 64}")).status_code == 404
                    assigned = await client.post(
                        "/inbox/assign", data={"numbers": number, "assignee": "me"}, headers=hx
                    )
                    assert number in assigned.text and "ไม่พบ" in assigned.text, where
    live = await web_stack.gateway.status(scoped_cases["D8101"])
    assert live.status == c.TRIAGE  # nothing out of scope reached the workflow
    with web_stack.sessions()() as s:
        assert (
            s.scalars(
                select(CaseEvent.kind).where(
                    CaseEvent.tracking_number.in_(scoped_cases.values()), CaseEvent.kind.in_(("note", "assigned"))
                )
            ).all()
            == []
        )


async def test_a_revealed_phone_number_is_logged(web_stack, scoped_cases):
    number = scoped_cases["D9205"]
    async with web_stack.signed_in("sikao") as client:
        page = (await client.get(f"/cases/{number}")).text
        assert "0812345678" not in page and "1103700012345" not in page and "5678" in page
        shown = await client.post(
            f"/cases/{number}/reveal/phone",
            headers={"X-CSRF-Token": client.csrf, "HX-Request": "true"},
            data={"reason": "โทรกลับผู้ร้อง"},
        )
        assert shown.status_code == 200 and "0812345678" in shown.text
        audit = (await client.get(f"/cases/{number}")).text
        assert "sikao · โทรศัพท์" in audit and "0812345678" not in audit  # logged, and masked again
    with web_stack.sessions()() as s:
        assert [(r.username, r.field) for r in staff.reveals(s, number)] == [("sikao", "phone")]


def test_the_session_cookie_is_secure_outside_development():
    from types import SimpleNamespace

    from fastapi.responses import Response
    from starlette.requests import Request

    from web.auth import set_session_cookie

    def cookie(scheme: str, host: str, production: bool = False) -> str:
        app = SimpleNamespace(state=SimpleNamespace(staff_secure_cookies=production))
        request = Request(
            {
                "type": "http",
                "scheme": scheme,
                "app": app,
                "path": "/",
                "server": (host, 80),
                "headers": [(b"host", host.encode())],
            }
        )
        response = Response()
        set_session_cookie(response, request, "token")
        return response.headers["set-cookie"]

    assert "Secure" not in cookie("http", "127.0.0.1")  # a developer's laptop
    assert "Secure" in cookie("http", "damrongdham.example.go.th")  # behind a TLS proxy
    assert "Secure" in cookie("http", "127.0.0.1", production=True) and "Secure" in cookie("https", "localhost")
    assert "HttpOnly" in cookie("https", "localhost") and "SameSite=lax" in cookie("https", "localhost")


async def test_a_form_missing_a_field_gets_an_html_message_not_json(web_stack):
    async with web_stack.signed_in("root") as client:
        r = await client.post("/admin/users", data={"username": "new.officer", "csrf_token": client.csrf})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("text/html")
        assert "missing or invalid" in r.text and "center_code" in r.text
    async with web_stack.client() as client:
        await client.get("/login")
        r = await client.post("/login", data={"username": "sikao", "csrf_token": client.cookies.get("login_csrf", "")})
        assert r.status_code == 422 and "password" in r.text and r.headers["content-type"].startswith("text/html")
