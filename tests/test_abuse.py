"""Abuse at the front door that must not lock out the owner (issue 11, item 4), against the real app
on SQLite and PostgreSQL with the dev Temporal server: wrong PINs slow and then refuse the guessing
client (429, `Retry-After`, doubling) while the owner with the right PIN still gets in from anywhere;
two app processes on one database share the count; `X-Forwarded-For` is believed from a trusted proxy
only; Thai and full-width digits work for PINs, tracking numbers, phones and national IDs, in the API
and in the chat; filing, new chat sessions and tracking are rate-limited per client, 429 with
`Retry-After`. Each client is a fresh address, so no test's guesses count against another's."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from db.models import PinAttempt
from db.session import make_engine, make_sessions
from intake.clients import client_key, resolve, trusted_networks
from intake.pins import PinGuard, PinPolicy
from intake.rates import Rate, RateLimits, Throttled
from tests.chatbot.conftest import Chat
from workflows.domain import tracking
from workflows.domain.identity import valid_national_id, valid_thai_phone
from workflows.errors import CaseNotFound

BODY = {
    "text": "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว",
    "province": "ตรัง",
    "district": "สิเกา",
    "contact": {"name": "สมหญิง ใจดี", "phone": "0812345678"},
}
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Small delays so a test of growing waits takes seconds, not minutes.
FAST = PinPolicy(client_free=5, client_wait=1.0, number_free=3, number_delay=0.05, number_delay_max=0.3)


def address() -> str:
    """A fresh client address from the documentation range: nobody else's count."""
    return f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def make_app(database_url, dev_env, tmp_path):
    """`async with make_app(**settings) as app`: the real app on the test database; no dispatcher, so
    a filing waits in the queue and is tracked from there."""

    @asynccontextmanager
    async def opened(**overrides):
        settings = Settings(
            database_url=database_url,
            temporal_address=dev_env.client.service_client.config.target_host,
            task_queue=f"abuse-{uuid.uuid4().hex[:8]}",
            var_dir=tmp_path,
            secret="abuse-test-secret",
            dispatch_in_app=False,
            **{"trusted_proxies": "127.0.0.1", "pin_policy": FAST, **overrides},
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            yield app

    return opened


def client_of(app, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 40000)), base_url="http://test")


async def file_one(http: httpx.AsyncClient) -> tuple[str, str]:
    r = await http.post("/api/complaints", json=BODY, headers={"X-Forwarded-For": address()})
    assert r.status_code == 201, r.text
    return r.json()["tracking_number"], r.json()["pin"]


async def track(http, number: str, pin: str, client: str) -> httpx.Response:
    # In a POST body: Thai digits need no header encoding, and the body is as throttled as the header.
    return await http.post(f"/api/complaints/{number}/track", json={"pin": pin}, headers={"X-Forwarded-For": client})


# --- the owner is never locked out; the guesser is -----------------------------------------------


async def test_owner_gets_in_after_twelve_wrong_guesses_from_other_clients(make_app):
    async with make_app() as app, client_of(app) as http:
        number, pin = await file_one(http)
        slowest = 0.0
        for _ in range(12):
            started = time.monotonic()
            assert (await track(http, number, wrong(pin), address())).status_code == 404
            slowest = max(slowest, time.monotonic() - started)
        assert slowest >= FAST.number_delay_max * 0.9, "attempts on a number under attack are slowed"

        started = time.monotonic()
        r = await track(http, number, pin, address())
        assert r.status_code == 200, r.text
        assert r.json()["tracking_number"] == number
        assert time.monotonic() - started < FAST.number_delay_max + 2.0, "the owner waits a capped delay"


async def test_the_guessing_client_waits_longer_and_longer_even_with_the_right_pin(make_app):
    async with make_app() as app, client_of(app) as http:
        number, pin = await file_one(http)
        guesser = address()
        codes = [(await track(http, number, wrong(pin), guesser)).status_code for _ in range(5)]
        assert codes == [404] * 5
        refused = await track(http, number, wrong(pin), guesser)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) == 1 and " / " in refused.json()["detail"]
        assert (await track(http, number, pin, guesser)).status_code == 429, "the guesser is refused, unchecked"

        await asyncio.sleep(1.1)  # waited out: one more guess is checked, and the wait doubles
        assert (await track(http, number, wrong(pin), guesser)).status_code == 404
        again = await track(http, number, pin, guesser)
        assert again.status_code == 429 and int(again.headers["Retry-After"]) == 2
        assert (await track(http, number, pin, address())).status_code == 200, "the owner, elsewhere, gets in"


async def test_a_new_chat_session_buys_no_extra_guesses(make_app):
    async with make_app() as app, client_of(app) as http:
        number, pin = await file_one(http)
        guesser = address()
        for _ in range(5):
            assert (await track(http, number, wrong(pin), guesser)).status_code == 404
        chat = {"session_id": f"fresh-{uuid.uuid4().hex}", "action": f"track:{number}"}
        headers = {"X-Forwarded-For": guesser}
        assert (await http.post("/api/chat/messages", json=chat, headers=headers)).status_code == 200
        r = await http.post("/api/chat/messages", json={**chat, "action": "", "text": pin}, headers=headers)
        said = "\n".join(x.get("text", "") for x in r.json()["replies"])
        assert "ใส่รหัสผิดหลายครั้ง" in said and number not in said.replace(f"track:{number}", "")


async def test_two_app_processes_on_one_database_share_the_count(make_app):
    async with make_app() as first, make_app() as second:
        async with client_of(first) as one, client_of(second) as other:
            number, pin = await file_one(one)
            guesser = address()
            for _ in range(5):
                assert (await track(one, number, wrong(pin), guesser)).status_code == 404
            refused = await track(other, number, wrong(pin), guesser)
            assert refused.status_code == 429 and "Retry-After" in refused.headers


async def test_parallel_guesses_from_one_client_are_not_all_checked(make_app):
    async with make_app(pin_policy=PinPolicy(client_free=3, in_flight=2, number_delay_max=0.05)) as app:
        async with client_of(app) as http:
            number, pin = await file_one(http)
            guesser = address()
            codes = await asyncio.gather(*(track(http, number, wrong(pin), guesser) for _ in range(20)))
            checked = sum(1 for r in codes if r.status_code == 404)
            assert checked <= 3 + 2 and sum(1 for r in codes if r.status_code == 429) >= 15


# --- the client address ----------------------------------------------------------------------------


async def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(make_app):
    async with make_app(trusted_proxies="10.0.0.0/8") as app, client_of(app) as filer:
        number, pin = await file_one(filer)
        async with client_of(app, peer=address()) as http:  # not a proxy: its header is its own invention
            for _ in range(5):
                assert (await track(http, number, wrong(pin), address())).status_code == 404
            refused = await track(http, number, wrong(pin), address())
            assert refused.status_code == 429, "a new X-Forwarded-For per guess bought nothing"


async def test_a_forwarded_for_from_a_trusted_proxy_is_honoured(make_app):
    async with make_app(trusted_proxies="10.0.0.0/8", rate_tracking="3/60") as app:
        async with client_of(app, peer="10.1.2.3") as proxy:
            for _ in range(3):
                assert (
                    await proxy.get("/api/complaints/2569-ZZZZZZ", headers={"X-Forwarded-For": "192.0.2.1"})
                ).status_code == 404
            over = await proxy.get("/api/complaints/2569-ZZZZZZ", headers={"X-Forwarded-For": "192.0.2.1"})
            assert over.status_code == 429
            # Another citizen behind the same proxy is another client; a client's own header, left of
            # what the proxy appended, does not change who it is.
            other = await proxy.get("/api/complaints/2569-ZZZZZZ", headers={"X-Forwarded-For": "192.0.2.2"})
            assert other.status_code == 404
            forged = await proxy.get(
                "/api/complaints/2569-ZZZZZZ", headers={"X-Forwarded-For": "203.0.113.9, 192.0.2.1"}
            )
            assert forged.status_code == 429


def test_client_address_is_the_right_most_untrusted_hop():
    proxies = trusted_networks("10.0.0.0/8, 127.0.0.1")
    assert resolve("198.51.100.4", ["1.2.3.4"], proxies) == "198.51.100.4"  # not a proxy: header ignored
    assert resolve("198.51.100.4", ["1.2.3.4"], ()) == "198.51.100.4"  # no proxies configured
    assert resolve("10.0.0.5", ["1.2.3.4, 192.0.2.7"], proxies) == "192.0.2.7"
    assert resolve("10.0.0.5", ["1.2.3.4", "192.0.2.7, 10.9.9.9"], proxies) == "192.0.2.7"  # two proxies
    assert resolve("10.0.0.5", ["not-an-ip, 10.9.9.9"], proxies) == "10.9.9.9"
    assert resolve("10.0.0.5", [], proxies) == "10.0.0.5"
    assert resolve("10.0.0.5", ["[2001:db8::1]:443"], proxies) == "2001:db8::1"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_key("192.0.2.7") == "192.0.2.7" and client_key("line:U123") == "line:U123"


# --- Thai digits wherever digits are typed ------------------------------------------------------


async def test_a_pin_in_thai_digits_opens_the_case_in_the_api(make_app):
    async with make_app() as app, client_of(app) as http:
        number, pin = await file_one(http)
        thai_number = number.translate(THAI).lower()  # "๒๕๖๙-k7q3mx"
        by_body = await track(http, thai_number, pin.translate(THAI), address())
        assert by_body.status_code == 200, by_body.text
        header = {"X-Tracking-Pin": pin.translate(THAI).encode(), "X-Forwarded-For": address()}
        by_header = await http.get(f"/api/complaints/{number}", headers=header)
        assert by_header.status_code == 200, by_header.text
        assert (await track(http, number, pin.translate(FULL_WIDTH), address())).status_code == 200


async def test_a_pin_in_thai_digits_opens_the_case_in_the_chat(make_app):
    async with make_app() as app, client_of(app) as http:
        number, pin = await file_one(http)
        session = {"session_id": f"thai-{uuid.uuid4().hex}"}
        headers = {"X-Forwarded-For": address()}

        async def say(**message) -> str:
            r = await http.post("/api/chat/messages", json={**session, **message}, headers=headers)
            assert r.status_code == 200, r.text
            return "\n".join(x.get("text", "") for x in r.json()["replies"])

        await say(action="menu:track")
        asked = await say(text=f"เลขที่ {number.translate(THAI)}")
        assert "PIN" in asked, asked
        said = await say(text=f"{pin[:3].translate(THAI)} {pin[3:].translate(THAI)}")
        assert number in said and "ไม่ถูกต้อง" not in said, said


def test_thai_and_full_width_digits_read_as_digits():
    assert valid_thai_phone("๐๘๑ ๒๓๔ ๕๖๗๘") == "0812345678"
    assert valid_thai_phone("＋６６ ８１ ２３４ ５６７８") == "0812345678"
    assert valid_national_id("๑-๑๐๓๗-๐๒๑๓๑-๑๑-๓") == valid_national_id("1103702131113") == "1103702131113"
    assert tracking.normalise("๒๕๖๙k7q3mx") == "2569-K7Q3MX" and tracking.PATTERN.match("2569-K7Q3MX")
    assert not tracking.PATTERN.match("๒๕๖๙-K7Q3MX")
    assert tracking.normalise_pin(" ๑๒๓-４５６ ") == "123456"


async def test_a_phone_and_national_id_in_thai_digits_file_a_complaint(make_app):
    async with make_app() as app, client_of(app) as http:
        contact = {"name": "สมชาย ใจดี", "phone": "๐๘๑-๒๓๔-๕๖๗๘", "national_id": "๑๑๐๓๗๐๒๑๓๑๑๑๓"}
        r = await http.post(
            "/api/complaints", json={**BODY, "contact": contact}, headers={"X-Forwarded-For": address()}
        )
        assert r.status_code == 201, r.text


# --- rate limits per client ------------------------------------------------------------------------


async def test_filing_over_the_rate_is_429_with_retry_after_for_that_client_only(make_app):
    async with make_app(rate_filings="2/60") as app, client_of(app) as http:
        busy = {"X-Forwarded-For": address()}
        for _ in range(2):
            assert (await http.post("/api/complaints", json=BODY, headers=busy)).status_code == 201
        over = await http.post("/api/complaints", json=BODY, headers=busy)
        assert over.status_code == 429, over.text
        assert 1 <= int(over.headers["Retry-After"]) <= 60
        assert "ยื่นเรื่อง" in over.json()["detail"] and "too many complaints" in over.json()["detail"]
        other = await http.post("/api/complaints", json=BODY, headers={"X-Forwarded-For": address()})
        assert other.status_code == 201, "the limit is per client, not global"


async def test_new_chat_sessions_over_the_rate_get_a_polite_429(make_app):
    async with make_app(rate_chat_sessions="2/60") as app, client_of(app) as http:
        headers = {"X-Forwarded-For": address()}
        sessions = [f"flood-{uuid.uuid4().hex}" for _ in range(3)]
        for s in sessions[:2]:
            assert (
                await http.post("/api/chat/messages", json={"session_id": s, "text": "สวัสดี"}, headers=headers)
            ).status_code == 200
        over = await http.post("/api/chat/messages", json={"session_id": sessions[2], "text": "สวัสดี"}, headers=headers)
        assert over.status_code == 429 and "Retry-After" in over.headers
        assert "แชตใหม่" in over.json()["replies"][0]["text"] and "new chats" in over.json()["replies"][0]["text"]
        known = await http.post("/api/chat/messages", json={"session_id": sessions[0], "text": "เมนู"}, headers=headers)
        assert known.status_code == 200, "a session already open goes on"


def test_a_sliding_window_admits_again_as_the_oldest_leaves():
    now = [0.0]
    limits = RateLimits(filings="2/10", chat_sessions="off", tracking="off", clock=lambda: now[0])
    limits.hit("filing", "192.0.2.1")
    now[0] = 4.0
    limits.hit("filing", "192.0.2.1")
    with pytest.raises(Throttled) as refused:
        limits.hit("filing", "192.0.2.1")
    assert refused.value.retry_after == 6 and refused.value.status_code == 429
    limits.hit("filing", "192.0.2.2")  # another client
    now[0] = 10.5
    limits.hit("filing", "192.0.2.1")  # the first hit left the window
    for _ in range(1000):
        limits.hit("tracking", "192.0.2.1")  # "off"
    assert Rate.parse("20/60") == Rate(20, 60.0) and Rate.parse("off") is None
    with pytest.raises(ValueError):
        Rate.parse("0/60")


def test_pin_waits_double_and_are_capped():
    policy = PinPolicy()
    assert [policy.client_wait_after(n) for n in (4, 5, 6, 7)] == [0.0, 2.0, 4.0, 8.0]
    assert policy.client_wait_after(100) == policy.client_wait_max
    assert policy.number_delay_after(2) == 0.0 and policy.number_delay_after(1000) == policy.number_delay_max <= 5


async def test_limits_are_plumbed_as_settings(make_app):
    async with AsyncExitStack() as stack:
        app = await stack.enter_async_context(make_app(rate_filings="off"))
        assert app.state.rates.rates["filing"] is None and app.state.rates.rates["tracking"] == Rate(600, 60.0)


async def test_a_count_starts_again_after_a_quiet_window_and_old_rows_are_pruned(database_url):
    engine = make_engine(database_url)
    now = [datetime(2026, 12, 4, 12, 0, tzinfo=UTC)]
    guard = PinGuard(make_sessions(engine), PinPolicy(client_free=2, window=600), clock=lambda: now[0])
    client, number = address(), f"2569-{uuid.uuid4().hex[:6].upper()}"

    async def guess() -> None:
        with pytest.raises(CaseNotFound):
            async with guard.checking(client, number):
                raise CaseNotFound()

    await guess()
    await guess()
    with pytest.raises(Throttled):
        await guess()
    now[0] += timedelta(seconds=601)  # quiet for longer than the window: the count starts again
    await guess()
    with make_sessions(engine)() as s:
        assert s.get(PinAttempt, guard.keys(client, number)[0]).failures == 1
    now[0] += timedelta(seconds=601)
    assert guard.prune() >= 2
    with make_sessions(engine)() as s:
        assert s.get(PinAttempt, guard.keys(client, number)[0]) is None
    engine.dispose()


async def test_a_chat_confirm_over_the_filing_rate_gets_a_polite_reply(make_app):
    async with make_app(rate_filings="1/60") as app:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        headers = {"X-Forwarded-For": address()}
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as http:
            assert (await http.post("/api/complaints", json=BODY)).status_code == 201  # the client's one filing
            chat = Chat(http)
            for turn in (
                {"action": "menu:file"},
                {"action": "consent:yes"},
                {"text": "มีการลักลอบทิ้งขยะข้างทางหลวงทุกคืน ส่งกลิ่นเหม็นมาก"},
                {"action": "next"},
                {"text": "ตรัง"},
                {"text": "สิเกา"},
                {"action": "office:accept"},
                {"action": "contact:anon"},
                {"action": "confirm"},
            ):
                await chat.say(**turn)
            assert "ยื่นเรื่องจากที่อยู่นี้ถี่เกินไป" in chat.text, chat.text
            assert "confirm" in chat.actions, "the draft is kept: the citizen can confirm again later"
