"""Fixtures for the staff front, shared by every test in tests/web (the board's too): a migrated and
seeded SQLite read model of its own with staff accounts at several centers, a worker on the dev server,
the whole app (`api.app.create_app`) served by uvicorn in a background thread on a free loopback port,
a gateway to file cases with, and Debian's chromium driven by Playwright (async API, one browser for the
session, a fresh context per test). Screenshots go to test-artifacts/."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from db import staff
from db.session import make_engine, make_sessions
from tests.conftest import ready_database, running_worker
from tests.live import ARTIFACTS, chromium, served
from tests.support import DirectGateway
from workflows import contracts as c
from workflows.client import ComplaintGateway

PASSWORD = "correct horse battery"
SECRET = "web-test-secret"

# username, role, center: a district officer (Sikao, Trang), a second district officer in the same
# province (Kantang), a district officer elsewhere (Mueang Krabi), Trang's provincial supervisor, the
# ministry's supervisor and admin, DOPA's officer.
ACCOUNTS = (
    ("sikao", "officer", "D9205"),
    ("kantang", "officer", "D9202"),
    ("krabi", "officer", "D8101"),
    ("trang", "supervisor", "P92"),
    ("moi", "supervisor", "MOI"),
    ("dopa", "officer", "DOPA"),
    ("root", "admin", "MOI"),
)


@dataclass
class WebStack:
    base_url: str
    database_url: str
    gateway: ComplaintGateway
    var_dir: Path

    def sessions(self):
        return make_sessions(make_engine(self.database_url))

    async def file(self, text: str, **kw) -> str:
        """File a case straight through the gateway (as the intake front does); its tracking number."""
        fields = dict(
            tracking_number="",
            pin_hash="",
            text=text,
            filed_at=datetime.now(UTC).isoformat(),
            province_code="92",
            district_code="9205",
            contact=c.Contact(name="สมชาย ใจดี", phone="0812345678", national_id="1103700012345"),
        )
        fields.update(kw)
        filed = await self.gateway.file(c.ComplaintInput(**fields), None)
        return filed.tracking_number

    async def wait_case(self, number: str, predicate, timeout: float = 30.0):
        """Poll the read model until the case row satisfies `predicate`; returns the row."""
        from db.models import Case

        engine = make_engine(self.database_url)
        try:
            deadline = time.monotonic() + timeout
            while True:
                with make_sessions(engine)() as s:
                    row = s.get(Case, number)
                    if row is not None and predicate(row):
                        return row
                if time.monotonic() > deadline:
                    raise AssertionError(f"case {number} never reached the expected state")
                await asyncio.sleep(0.2)
        finally:
            engine.dispose()

    async def wait_question(self, question_id: str, status: str = "open", timeout: float = 30.0):
        """Poll the read model until the question is projected with `status`; returns the row."""
        from db.models import Question

        engine = make_engine(self.database_url)
        try:
            deadline = time.monotonic() + timeout
            while True:
                with make_sessions(engine)() as s:
                    row = s.get(Question, question_id)
                    if row is not None and row.status == status:
                        return row
                if time.monotonic() > deadline:
                    raise AssertionError(f"question {question_id} never became {status}")
                await asyncio.sleep(0.2)
        finally:
            engine.dispose()

    def client(self) -> httpx.AsyncClient:
        """An async client: the worker shares the test's event loop, so a blocking call would stall it."""
        return httpx.AsyncClient(base_url=self.base_url, follow_redirects=False, timeout=30)

    @asynccontextmanager
    async def signed_in(self, username: str, password: str = PASSWORD) -> AsyncIterator[httpx.AsyncClient]:
        """A client signed in as `username`; `client.csrf` is the session's CSRF token."""
        async with self.client() as client:
            await client.get("/login")
            r = await client.post(
                "/login",
                data={
                    "username": username,
                    "password": password,
                    "csrf_token": client.cookies.get("login_csrf", ""),
                    "next": "/inbox",
                },
            )
            assert r.status_code == 303, r.text
            page = await client.get("/inbox")
            client.csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
            yield client


@pytest.fixture(scope="session")
def web_db_url(tmp_path_factory, fake_agency) -> Iterator[str]:
    with ready_database("sqlite", tmp_path_factory.mktemp("webdb"), fake_agency.base_url) as url:
        engine = make_engine(url)
        with make_sessions(engine).begin() as s:
            for username, role, center in ACCOUNTS:
                staff.add_account(s, username, f"{username} ({role})", role, center, PASSWORD)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
async def web_stack(dev_env, web_db_url, tmp_path_factory) -> AsyncIterator[WebStack]:
    var_dir = tmp_path_factory.mktemp("webvar")
    async with running_worker(dev_env.client, web_db_url) as queue:
        settings = Settings(
            database_url=web_db_url,
            temporal_address=dev_env.client.service_client.config.target_host,
            task_queue=queue,
            var_dir=var_dir,
            secret=SECRET,
            dispatch_in_app=False,
        )
        async with served(settings) as base_url:
            yield WebStack(base_url, web_db_url, DirectGateway(dev_env.client, SECRET, queue), var_dir)


@pytest.fixture(scope="session")
async def browser():
    async with chromium() as got:
        yield got


@pytest.fixture
async def page(browser, web_stack):
    """A fresh browser context (no cookies); `page.script_errors` collects uncaught errors and console
    errors (htmx reports a bad trigger or swap there), for a test to assert on."""
    context = await browser.new_context(
        base_url=web_stack.base_url, locale="th-TH", viewport={"width": 1280, "height": 900}
    )
    pg = await context.new_page()
    pg.script_errors = []
    pg.on("pageerror", lambda err: pg.script_errors.append(str(err)))
    pg.on("console", lambda msg: msg.type == "error" and pg.script_errors.append(msg.text))
    yield pg
    await context.close()


async def sign_in(page, username: str, password: str = PASSWORD) -> None:
    await page.goto("/inbox")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/inbox**")


async def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
