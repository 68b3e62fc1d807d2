"""Headers and cookies (issue 15 §4), against the live app: every GET route the app serves (walked from
the app's own routes, path parameters filled with a real case), signed in as an administrator, answers
with a CSP that forbids framing, X-Frame-Options, Referrer-Policy, Permissions-Policy and nosniff,
whatever its status; refusals and static files too. HSTS only in production. The web chat cookie is
HttpOnly, SameSite, a week long and renewed on use, and Secure in production or behind TLS. In a real
browser the CSP breaks nothing: the inbox's htmx filters, the letter's print button and the chat run
without a CSP violation."""

from __future__ import annotations

import re
from types import SimpleNamespace

import httpx
import pytest
from fastapi.responses import Response
from starlette.requests import Request

from api.app import create_app
from api.security import SecurityHeaders
from api.settings import Settings
from chatbot.webchat import COOKIE, COOKIE_LIFETIME, keep_session
from tests.web.conftest import sign_in
from workflows import contracts as c

WANTED = {
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
}
FILLERS = {
    "sha256": "0" * 64,
    "name": "missing.svg",
    "lang": "th",
    "question_id": "no-such-question",
    "request_id": "no-such-request",
    "session_id": "a" * 24,
    "code": "MOI",
    "token": "no-such-token",  # an agency's status link (web/status_link.py) and other signed links
    "service_code": "infrastructure",  # Open311 (api/open311.py)
    "service_request_id": "2569-NOSUCH",
    "kind": "center",  # a directory record (web/directory_admin.py): with "code", the ministry's center
}


def get_routes(app) -> list[str]:
    """Every GET path the app serves, through included routers (FastAPI may include them lazily)."""

    def walk(routes):
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                prefix = getattr(getattr(route, "include_context", None), "prefix", "") or ""
                yield from (prefix + path for path in walk(inner.routes))
            elif "GET" in (getattr(route, "methods", None) or ()):
                yield route.path

    return sorted(set(walk(app.routes)))


def assert_protected(response: httpx.Response, where: str) -> None:
    for name, value in WANTED.items():
        got = response.headers.get(name)
        # A page whose address holds a token (an agency's status link) sends no referrer at all: stricter.
        stricter = name == "referrer-policy" and got == "no-referrer"
        assert got == value or stricter, f"{where}: {name} is {got!r}"
    csp = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, f"{where}: CSP {csp!r}"
    assert "camera=()" in response.headers.get("permissions-policy", ""), where
    assert "strict-transport-security" not in response.headers, f"{where}: HSTS on a development server"


@pytest.fixture(scope="module")
async def a_case(web_stack) -> str:
    number = await web_stack.file("ขอความช่วยเหลือ หัวข้อความปลอดภัย")
    await web_stack.wait_case(number, lambda r: r.status == c.TRIAGE)
    return number


async def test_every_page_and_answer_carries_the_security_headers(web_stack, a_case):
    paths = get_routes(create_app(Settings(secret="x" * 40)))
    assert {"/login", "/inbox", "/cases/{number}", "/board", "/chat", "/admin/users"} <= set(paths)
    async with web_stack.signed_in("root") as client:
        for path in paths:
            url = re.sub(r"\{(\w+)\}", lambda m: a_case if m.group(1) == "number" else FILLERS[m.group(1)], path)
            response = await client.get(url)
            assert response.status_code < 500, f"{url}: {response.status_code}"
            assert_protected(response, f"GET {url} ({response.status_code})")
        assert_protected(await client.get("/static/htmx.min.js"), "a static file")
        assert_protected(await client.get("/no/such/page"), "a 404")
        refused = await client.post(f"/cases/{a_case}/actions/note", data={"text": "x"})  # no CSRF token
        assert refused.status_code == 403
        assert_protected(refused, "a refused post")
    async with web_stack.client() as visitor:
        assert_protected(await visitor.get("/inbox"), "a visitor's redirect to sign in")


async def test_the_api_docs_keep_framing_forbidden_but_may_load_their_cdn(web_stack):
    async with web_stack.client() as client:
        docs = await client.get("/docs")
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
        assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]
        page = await client.get("/login")
        assert "cdn.jsdelivr.net" not in page.headers["content-security-policy"]


async def test_hsts_only_in_production():
    async def app(scope, receive, send):
        await Response("ok")(scope, receive, send)

    for production in (False, True):
        transport = httpx.ASGITransport(app=SecurityHeaders(app, production=production))
        async with httpx.AsyncClient(transport=transport, base_url="https://damrongdham.example.go.th") as client:
            r = await client.get("/login")
        assert ("strict-transport-security" in r.headers) is production
        if production:
            assert "max-age=31536000" in r.headers["strict-transport-security"]


async def test_a_header_a_route_set_itself_is_kept():
    async def app(scope, receive, send):
        await Response("photo", headers={"Content-Security-Policy": "default-src 'none'; sandbox"})(
            scope, receive, send
        )

    transport = httpx.ASGITransport(app=SecurityHeaders(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await client.get("/cases/x/photos/y")
    assert r.headers.get_list("content-security-policy") == ["default-src 'none'; sandbox"]
    assert r.headers["x-frame-options"] == "DENY"


def chat_cookie(scheme: str, host: str, production: bool = False) -> str:
    app = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(production=production)))
    request = Request(
        {
            "type": "http",
            "scheme": scheme,
            "app": app,
            "path": "/chat",
            "server": (host, 80),
            "headers": [(b"host", host.encode())],
        }
    )
    response = Response()
    keep_session(response, request, "a" * 32)
    return response.headers["set-cookie"]


def test_the_chat_cookie_is_secure_in_production_and_behind_tls():
    laptop = chat_cookie("http", "127.0.0.1")
    assert "Secure" not in laptop  # a developer's plain-HTTP laptop, or the browser would drop it
    assert "HttpOnly" in laptop and "SameSite=lax" in laptop and f"Max-Age={COOKIE_LIFETIME}" in laptop
    assert COOKIE_LIFETIME == 7 * 24 * 3600
    assert "Secure" in chat_cookie("http", "127.0.0.1", production=True)
    assert "Secure" in chat_cookie("https", "localhost")
    assert "Secure" in chat_cookie("http", "damrongdham.example.go.th")  # behind a TLS proxy


async def test_the_chat_cookie_is_short_lived_and_renewed_on_use(web_stack):
    async with web_stack.client() as client:
        first = await client.get("/chat")
        cookie = first.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=") and f"Max-Age={COOKIE_LIFETIME}" in cookie
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        session = client.cookies.get(COOKIE)
        again = await client.get("/chat")  # the same browser comes back: the same key, a week from now
        renewed = again.headers["set-cookie"]
        assert renewed.startswith(f"{COOKIE}={session};") and f"Max-Age={COOKIE_LIFETIME}" in renewed
        sent = await client.post("/chat/send", data={"text": "สวัสดี"})
        assert sent.status_code == 200 and f"{COOKIE}={session};" in sent.headers["set-cookie"]


async def test_the_csp_breaks_nothing_in_a_browser(page, web_stack, a_case):
    violations: list[str] = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    await sign_in(page, "root")
    # The inbox's `keyup[target.tagName=='INPUT']` filter is compiled by htmx: typing must search.
    async with page.expect_response(lambda r: "/inbox?" in r.url and "q=" in r.url):
        await page.locator("#inbox-q").press_sequentially(a_case, delay=20)
    await page.goto(f"/cases/{a_case}")
    await page.goto(f"/cases/{a_case}/letter")
    await page.evaluate("window.print = () => { window.printed = true }")
    await page.click("button[onclick]")
    assert await page.evaluate("window.printed === true")  # the inline handler ran: its hash is allowed
    await page.goto("/board")
    await page.goto("/chat")
    await page.wait_for_selector("#log .msg.bot", timeout=15000)  # the starter's htmx post answered
    assert violations == []
    assert [e for e in page.script_errors if not e.startswith("Failed to load resource")] == []
