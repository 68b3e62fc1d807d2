"""Staff sign-in that an attacker cannot turn against staff (issue 15): others guessing at
`sikao.officer` from other addresses, behind the deployment's proxy, do not stop the owner from theirs;
the guessing client waits, longer after each wrong try, and is told how long in Thai and English; one
address trying many officers' names waits too; a supervisor with a TOTP second factor cannot reach the
inbox with the password alone, a right code signs in, a used code is refused, wrong codes count toward
the waits, and enrolment needs a valid code. The app runs behind a trusted proxy (127.0.0.1) on a
read model of its own, so these guesses slow no other test's accounts."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from api.settings import Settings
from db import staff
from db.session import make_engine, make_sessions
from tests.conftest import ready_database
from tests.live import served
from web import totp

PASSWORD = "correct horse battery"
OWNER_ADDRESS = "198.51.100.10"


@pytest.fixture(scope="module")
async def door(dev_env, fake_agency, tmp_path_factory) -> AsyncIterator[str]:
    """The app behind a trusted proxy, with a Sikao officer, a Kantang officer and Trang's supervisor."""
    with ready_database("sqlite", tmp_path_factory.mktemp("signin"), fake_agency.base_url) as url:
        engine = make_engine(url)
        with make_sessions(engine).begin() as s:
            for username, role, center in (
                ("sikao.officer", "officer", "D9205"),
                ("kantang.officer", "officer", "D9202"),
                ("trang.supervisor", "supervisor", "P92"),
                ("trang.deputy", "supervisor", "P92"),
                ("trang.admin", "admin", "P92"),
            ):
                staff.add_account(s, username, username, role, center, PASSWORD)
        engine.dispose()
        settings = Settings(
            database_url=url,
            temporal_address=dev_env.client.service_client.config.target_host,
            task_queue="sign-in-tests",
            var_dir=tmp_path_factory.mktemp("signinvar"),
            secret="sign-in-test-secret",
            dispatch_in_app=False,
            trusted_proxies="127.0.0.1",
        )
        async with served(settings) as base_url:
            yield base_url


def browser_at(base_url: str, address: str) -> httpx.AsyncClient:
    """A client at `address`, as the trusted proxy reports it."""
    return httpx.AsyncClient(
        base_url=base_url, follow_redirects=False, timeout=60, headers={"X-Forwarded-For": address}
    )


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    await client.get("/login")
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": client.cookies.get("login_csrf", "")},
    )


async def enter_code(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await client.post("/login/code", data={"code": code, "csrf_token": client.cookies.get("login_csrf", "")})


async def test_others_guessing_at_an_officer_from_elsewhere_do_not_stop_the_owner(door):
    async def guesser(n: int) -> list[int]:
        async with browser_at(door, f"203.0.113.{n}") as client:
            statuses = [(await sign_in(client, "sikao.officer", f"guess-{n}-{i}")).status_code for i in range(5)]
            # the sixth try waits, even with the right password: this client has guessed enough
            statuses.append((await sign_in(client, "sikao.officer", PASSWORD)).status_code)
            return statuses

    # Fifteen wrong passwords at the account from three addresses: the old throttle locked it for everyone.
    assert await asyncio.gather(*(guesser(n) for n in (1, 2, 3))) == [[401] * 5 + [429]] * 3
    async with browser_at(door, OWNER_ADDRESS) as owner:
        started = time.monotonic()
        signed = await sign_in(owner, "sikao.officer", PASSWORD)
        assert signed.status_code == 303 and signed.headers["location"] == "/inbox"
        assert time.monotonic() - started < 5  # slowed a little while the name is under attack, no more
        assert (await owner.get("/inbox")).status_code == 200


async def test_a_guessing_client_waits_longer_after_each_wrong_password(door):
    async with browser_at(door, "203.0.113.50") as client:
        for i in range(5):
            assert (await sign_in(client, "kantang.officer", f"wrong-{i}")).status_code == 401
        first = await sign_in(client, "kantang.officer", PASSWORD)
        assert first.status_code == 429 and first.headers["Retry-After"] == "2"
        assert "2 วินาที" in first.text and "wait 2 seconds" in first.text
        assert "staff_session" not in client.cookies
        await asyncio.sleep(2.2)
        assert (await sign_in(client, "kantang.officer", "wrong-again")).status_code == 401
        second = await sign_in(client, "kantang.officer", PASSWORD)
        assert second.status_code == 429 and int(second.headers["Retry-After"]) in (3, 4)  # twice as long
    async with browser_at(door, "203.0.113.51") as elsewhere:  # the account itself stays open
        assert (await sign_in(elsewhere, "kantang.officer", PASSWORD)).status_code == 303


async def test_one_address_trying_many_officer_names_waits(door):
    async with browser_at(door, "203.0.113.60") as client:
        for n in range(20):
            assert (await sign_in(client, f"d{9200 + n}.officer", "damrongdham")).status_code == 401
        refused = await sign_in(client, "kantang.officer", PASSWORD)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    async with browser_at(door, "203.0.113.61") as neighbour:  # keyed by the client the proxy saw, not the proxy
        assert (await sign_in(neighbour, "kantang.officer", PASSWORD)).status_code == 303


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


async def test_a_supervisor_with_a_second_factor_needs_a_fresh_code(door):
    address = "198.51.100.20"
    async with browser_at(door, address) as client:
        assert (await sign_in(client, "trang.supervisor", PASSWORD)).status_code == 303
        page = await client.get("/inbox")
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
        assert 'data-state="off"' in (await client.get("/account/security")).text
        assert (await client.post("/account/security/enrol", data={"csrf_token": csrf})).status_code == 303
        pending = (await client.get("/account/security")).text
        secret = re.search(r'id="second-factor-secret">([A-Z2-7]+)<', pending).group(1)
        assert f"otpauth://totp/Damrongdham%3Atrang.supervisor?secret={secret}" in pending

        # enrolment needs a valid code: a wrong one leaves it pending and sign-in as it was
        bad = await client.post(
            "/account/security/confirm", data={"code": wrong(totp.code_at(secret, totp.step_at())), "csrf_token": csrf}
        )
        assert bad.status_code == 422 and 'data-state="pending"' in bad.text
        async with browser_at(door, address) as other:
            assert (await sign_in(other, "trang.supervisor", PASSWORD)).status_code == 303

        step = totp.step_at()
        confirmed = await client.post(
            "/account/security/confirm", data={"code": totp.code_at(secret, step), "csrf_token": csrf}
        )
        assert confirmed.status_code == 303
        enrolled = (await client.get("/account/security")).text
        assert 'data-state="on"' in enrolled and secret not in enrolled  # never shown again

    async with browser_at(door, address) as client:
        half = await sign_in(client, "trang.supervisor", PASSWORD)
        assert half.status_code == 303 and half.headers["location"] == "/login/code"
        assert "staff_session" not in client.cookies
        assert (await client.get("/inbox")).status_code == 303  # the password alone opens nothing
        assert (await client.get("/login/code")).status_code == 200
        code = totp.code_at(secret, step + 1)  # the confirming code's step is spent; the next one is fresh
        signed = await enter_code(client, code)
        assert signed.status_code == 303 and signed.headers["location"] == "/inbox"
        assert (await client.get("/inbox")).status_code == 200

    async with browser_at(door, address) as client:
        assert (await sign_in(client, "trang.supervisor", PASSWORD)).headers["location"] == "/login/code"
        reused = await enter_code(client, code)
        assert reused.status_code == 401 and "staff_session" not in client.cookies
        assert (await client.get("/inbox")).status_code == 303
        for _ in range(4):  # wrong codes count toward this client's waits at the account
            assert (await enter_code(client, wrong(code))).status_code == 401
        assert (await sign_in(client, "trang.supervisor", PASSWORD)).status_code == 429


async def test_an_administrator_clears_the_second_factor_of_a_user_who_lost_their_phone(door):
    async with browser_at(door, "198.51.100.40") as client:
        assert (await sign_in(client, "trang.deputy", PASSWORD)).status_code == 303
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', (await client.get("/inbox")).text).group(1)
        await client.post("/account/security/enrol", data={"csrf_token": csrf})
        secret = re.search(r'id="second-factor-secret">([A-Z2-7]+)<', (await client.get("/account/security")).text)
        code = totp.code_at(secret.group(1), totp.step_at())
        assert (
            await client.post("/account/security/confirm", data={"code": code, "csrf_token": csrf})
        ).status_code == 303
    async with browser_at(door, "198.51.100.40") as client:
        assert (await sign_in(client, "trang.deputy", PASSWORD)).headers["location"] == "/login/code"

    async with browser_at(door, "198.51.100.41") as admin:
        assert (await sign_in(admin, "trang.admin", PASSWORD)).status_code == 303
        page = await admin.get("/admin/users")
        assert 'action="/admin/users/trang.deputy/second-factor"' in page.text
        assert 'action="/admin/users/sikao.officer/second-factor"' not in page.text  # nothing to clear
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
        cleared = await admin.post("/admin/users/trang.deputy/second-factor", data={"csrf_token": csrf})
        assert cleared.status_code == 200 and 'action="/admin/users/trang.deputy/second-factor"' not in cleared.text

    async with browser_at(door, "198.51.100.40") as client:
        signed = await sign_in(client, "trang.deputy", PASSWORD)
        assert signed.status_code == 303 and signed.headers["location"] == "/inbox"


async def test_an_officer_is_not_offered_a_second_factor(door):
    async with browser_at(door, "198.51.100.30") as client:
        assert (await sign_in(client, "sikao.officer", PASSWORD)).status_code == 303
        page = await client.get("/account/security")
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
        assert (await client.post("/account/security/enrol", data={"csrf_token": csrf})).status_code == 403


def test_codes_follow_rfc_6238_and_work_within_a_step_either_side():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's SHA-1 seed, "12345678901234567890"
    assert totp.code_at(secret, 59 // 30) == "287082" and totp.code_at(secret, 1111111109 // 30) == "081804"
    assert totp.matching_step(secret, "081 804", after_step=0, t=1111111109 + 30) == 1111111109 // 30
    assert totp.matching_step(secret, "081804", after_step=1111111109 // 30, t=1111111109) is None  # spent
    assert totp.matching_step(secret, "081804", after_step=0, t=1111111109 + 90) is None  # too old


def test_a_sealed_secret_opens_only_with_the_app_secret():
    sealed = totp.seal("JBSWY3DPEHPK3PXP", "app secret")
    assert "JBSWY3DPEHPK3PXP" not in sealed and totp.unseal(sealed, "app secret") == "JBSWY3DPEHPK3PXP"
    assert totp.unseal(sealed, "another secret") is None
    middle = len(sealed) // 2  # a byte of the ciphertext itself, not base64's spare bits
    tampered = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
    assert totp.unseal(tampered, "app secret") is None


@pytest.mark.parametrize("database", ["sqlite_url", "postgres_url"])
def test_the_store_spends_a_step_once_and_counts_failures_per_key(request, database):
    sessions = make_sessions(make_engine(request.getfixturevalue(database)))
    username = f"store{time.monotonic_ns() % 10**9}.supervisor"
    with sessions.begin() as s:
        staff.add_account(s, username, username, "supervisor", "P92", PASSWORD)
        s.flush()
        staff.start_enrolment(s, username, totp.seal(totp.new_secret(), "k"))
    with sessions.begin() as s:
        row = staff.second_factor(s, username)
        assert staff.spend_step(s, row, 100) and row.confirmed_at is not None
    with sessions.begin() as s:
        row = staff.second_factor(s, username)
        assert not staff.spend_step(s, row, 100) and not staff.spend_step(s, row, 99) and staff.spend_step(s, row, 101)
        for client in ("203.0.113.1", "203.0.113.1", "203.0.113.2"):
            staff.record_attempt(s, username, client, False)
        staff.record_attempt(s, username, "203.0.113.2", True)
    with sessions() as s:
        since = staff.now() - timedelta(hours=1)
        one, two = (staff.sign_in_failures(s, username, c, since) for c in ("203.0.113.1", "203.0.113.2"))
        assert one.pair[0] == 2 and one.client[0] >= 2 and one.account == 3
        assert two.pair == (0, None) and two.client[0] >= 1  # the pair's success wiped its slate, not the client's
    with sessions.begin() as s:
        token = staff.open_challenge(s, username, "/inbox")
    with sessions.begin() as s:
        assert staff.challenge(s, token) is not None
        staff.close_sessions(s, username)  # a password reset signs out half-done sign-ins too
    with sessions() as s:
        assert staff.challenge(s, token) is None
