"""A fuzz run of the published OpenAPI document, owning the "no 500" promise of the front door: the
whole app served by uvicorn on loopback (a read model of its own, SQLite and then PostgreSQL, where a
NUL byte or a 32-bit overflow is an error; a real worker on the dev server), the document validated
and loaded by schemathesis, and every operation sent valid and malformed examples. Half of them carry
the officer's bearer token, an administrator's staff session and LINE's and the agencies' signatures
(each agency its own secret, over a timestamp and a fresh nonce)
(authenticated operations get past 401 and the sign-in redirect); half are aimed at a real, routed
case (its number, PIN and real action names get past 404). Any 5xx fails the test with the operation,
the request as curl and the server's traceback; so does an exception logged after the answer, or a
body schemathesis cannot read. Hypothesis is derandomized and bounded: repeatable and quick in CI."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import re
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup

from api.actions import CITIZEN_EVENTS
from api.agency_signing import signed_headers
from api.settings import DEV_OFFICER_TOKEN, Settings
from db import staff
from db.credentials import linked_agency_refs
from db.session import make_engine, make_sessions
from intake.pins import PinPolicy
from tests.conftest import ready_database, running_worker
from tests.live import served
from tests.support import FakeLine
from workflows.client import UPDATES

EXAMPLES = 20  # per operation, generation mode and database: the whole run stays under ~90 s on 2 cores
OFFICER = f"Bearer {DEV_OFFICER_TOKEN}"
ADMIN, PASSWORD = "fuzz.admin", "correct horse battery"
LINE_SECRET = "fuzz-line-channel-secret"


@dataclass(frozen=True)
class Finding:
    operation: str
    mode: str
    status: int
    request: str
    traceback: str

    def __str__(self) -> str:
        # The app's own frames and the error; the framework's frames between them say nothing new.
        lines = self.traceback.strip().splitlines()
        ours = [line for line in lines if line.startswith('  File "') and "site-packages" not in line]
        return f"{self.operation} [{self.mode}] -> {self.status}\n  {self.request}\n" + "\n".join(ours + lines[-1:])


@dataclass
class ServerErrors:
    """What the app logged while it was fuzzed. uvicorn reports an unhandled exception in a request on
    `uvicorn.error`, and requests are sent one at a time, so the latest traceback belongs to the latest
    5xx. Anything else logged as an error with an exception (a LINE event or a queued filing failing
    after the request was answered) is kept too, with the operation fuzzed when it was logged."""

    tracebacks: list[str] = field(default_factory=list)
    background: list[Finding] = field(default_factory=list)
    operation: str = ""

    @contextmanager
    def listening(self) -> Iterator[None]:
        errors = self

        class _Requests(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if record.exc_info:
                    errors.tracebacks.append("".join(traceback.format_exception(*record.exc_info)))

        class _Background(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if record.exc_info:
                    trace = "".join(traceback.format_exception(*record.exc_info))
                    at = f"{errors.operation} (logged by {record.name})"
                    errors.background.append(Finding(at, "background", 0, record.getMessage(), trace))

        requests_, background = _Requests(level=logging.ERROR), _Background(level=logging.ERROR)
        logging.getLogger("uvicorn.error").addHandler(requests_)  # uvicorn's loggers do not propagate
        logging.getLogger().addHandler(background)
        try:
            yield
        finally:
            logging.getLogger("uvicorn.error").removeHandler(requests_)
            logging.getLogger().removeHandler(background)

    def take(self, wait: float = 0.0) -> str:
        # uvicorn logs after the 500 has been sent, so a caller who saw one waits a moment for it.
        deadline = time.monotonic() + wait
        while not self.tracebacks and time.monotonic() < deadline:
            time.sleep(0.01)
        got = "\n".join(self.tracebacks) or "(no traceback logged)"
        self.tracebacks.clear()
        return got


class Signer(requests.auth.AuthBase):
    """Signs what the app only takes signed, as LINE and a linked agency would (the seeded agencies use the
    development secret), so that their bodies are fuzzed beyond the signature check."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        path = urlsplit(request.url).path
        if path == "/webhooks/line":
            request.headers["X-Line-Signature"] = line_signature(body)
        elif found := re.fullmatch(r"/api/agencies/([^/]+)/(?:callbacks|cases)", path):
            # Each agency its own secret (the fixture sets the seeded linked ones'), a fresh nonce each time.
            secret = os.environ.get(f"AGENCY_SECRET_{unquote(found.group(1)).upper()}", "unknown-agency")
            request.headers.update(signed_headers(secret, body))
        return request


def line_signature(body: bytes) -> str:
    return base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()


def staff_session(base_url: str) -> tuple[dict, dict]:
    """Sign in as the administrator the way a browser does; the cookies and the CSRF header to send."""
    with requests.Session() as browser:
        browser.get(f"{base_url}/login", timeout=30)
        r = browser.post(
            f"{base_url}/login",
            data={"username": ADMIN, "password": PASSWORD, "csrf_token": browser.cookies.get("login_csrf", "")},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 303, r.text
        page = browser.get(f"{base_url}/inbox", timeout=30)
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
        return dict(browser.cookies), {"X-CSRF-Token": csrf}


# A filing the directory knows (Sikao, Trang), for the examples aimed at a real case.
FILING = {
    "text": "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว",
    "province": "ตรัง",
    "district": "สิเกา",
    "contact": {"name": "สมหญิง ใจดี", "phone": "0812345678"},
}
WORDS = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=2000)  # what the door lets through
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@dataclass(frozen=True)
class RealCase:
    """A case filed before the run. Half the examples are aimed at it (its number, its PIN, a real
    action or event name), so that the workflow's updates and signals meet fuzzed bodies, not only the
    404 of a number that does not exist; a filing example is then this filing with one field changed."""

    number: str
    pin: str

    @classmethod
    def file(cls, base_url: str, http: requests.Session) -> RealCase:
        r = http.post(f"{base_url}/api/complaints", json=FILING, timeout=30)
        assert r.status_code == 201, r.text
        case = cls(r.json()["tracking_number"], r.json()["pin"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # routed to an agency: its workflow is running and takes updates
            got = http.get(f"{base_url}/api/complaints/{case.number}", headers={"X-Tracking-Pin": case.pin})
            if got.status_code == 200 and got.json().get("agency"):
                break
            time.sleep(0.2)
        return case

    def aim(self, case, data: st.DataObject) -> None:
        params = dict(case.path_parameters or {})
        if "number" in params:
            params["number"] = self.number
        if "action" in params:
            params["action"] = data.draw(st.sampled_from(sorted(UPDATES)))
        if "name" in params and "/events/" in case.operation.path:  # withdrawing would close it for the rest
            params["name"] = data.draw(st.sampled_from(sorted(CITIZEN_EVENTS - {"withdraw"})))
        case.path_parameters = params
        if _has_header(case.operation, "x-tracking-pin"):
            case.headers = {**(case.headers or {}), "x-tracking-pin": self.pin}
        if case.operation.label == "POST /api/complaints":
            # Mostly new words (a filing that goes through, to the queue and the workflow), else one
            # field of any JSON kind.
            field = data.draw(st.sampled_from(["text", "text", "text", *FILING, "category", "agency", "anonymous"]))
            value = FILING["text"] + data.draw(WORDS) if field == "text" else data.draw(JSON_VALUES)
            case.body = {**FILING, field: value}
            case.media_type = "application/json"
            case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-key"}


class Fuzzer:
    """Sends each operation's examples one at a time and keeps the 5xx answers, one per distinct error."""

    def __init__(self, base_url: str, server_errors: ServerErrors) -> None:
        self.base_url, self.server_errors = base_url, server_errors
        self.cookies, self.csrf = staff_session(base_url)
        self.http = requests.Session()
        self.real = RealCase.file(base_url, self.http)
        self.findings: list[Finding] = []
        self.by_operation: dict[str, dict[int, int]] = {}
        self.seconds: dict[str, float] = {}
        self.figures = {"operations": 0, "examples": 0, "statuses": {}, "skipped": [], "nothing_to_negate": []}

    def run(self) -> None:
        schema = schemathesis.openapi.from_url(f"{self.base_url}/openapi.json", timeout=30)
        schema.config.update(base_url=self.base_url)
        schema.validate()  # the document itself against the OpenAPI specification's own schema
        for result in schema.get_all_operations():
            operation = result.ok()  # an operation schemathesis cannot read is itself a failure
            self.figures["operations"] += 1
            self.figures["skipped"] += [f"{operation.label}: {p}" for p in operation.skipped_parameters]
            self.server_errors.operation = operation.label
            started = time.monotonic()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                self.operation(operation, mode)
            self.seconds[operation.label] = round(time.monotonic() - started, 1)
        self.http.close()

    def operation(self, operation, mode: GenerationMode) -> None:
        auth = {"authorization": OFFICER} if _has_header(operation, "authorization") else {}
        # Signing out would end the session every later operation is fuzzed with; it is fuzzed signed out.
        session = self.cookies if operation.label != "POST /logout" else None
        seen: set[str] = set()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        )
        @given(case=operation.as_strategy(generation_mode=mode), signed_in=st.booleans(), data=st.data())
        def probe(case, signed_in, data):
            # Half the examples carry the officer's token and the staff session, half whatever was generated;
            # half are aimed at the real case.
            if data.draw(st.booleans()):
                self.real.aim(case, data)
            if signed_in and auth:
                case.headers = {**(case.headers or {}), **auth}
            headers = {"Authorization": OFFICER, **self.csrf} if signed_in and not auth else {}
            self.server_errors.take()
            response = case.call(
                session=self.http,
                headers=headers,
                cookies=session if signed_in else None,
                auth=Signer() if signed_in else None,
                allow_redirects=False,
                timeout=30,
            )
            self.figures["examples"] += 1
            for statuses in (self.figures["statuses"], self.by_operation.setdefault(operation.label, {})):
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except (AssertionError, FailureGroup):
                trace = self.server_errors.take(wait=2.0)
                last = trace.strip().splitlines()[-1] if trace.strip() else str(response.status_code)
                if last not in seen:
                    seen.add(last)
                    self.findings.append(
                        Finding(operation.label, mode.value, response.status_code, case.as_curl_command(), trace)
                    )

        try:
            probe()
        except Unsatisfiable:
            # Nothing in this operation can be made invalid (no parameters, no body): no negative examples.
            assert mode is GenerationMode.NEGATIVE, operation.label
            self.figures["nothing_to_negate"].append(operation.label)


def _has_header(operation, name: str) -> bool:
    return any(p.location == "header" and p.name.lower() == name for p in operation.iter_parameters())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def app_on_loopback(request, dev_env, tmp_path_factory, fake_agency):
    """The app on a read model of its own (PostgreSQL's created and dropped), for the run's writes."""
    tmp_path = tmp_path_factory.mktemp("fuzz")
    for ref in linked_agency_refs():  # each linked agency its own secret, as a deployment has
        os.environ.setdefault(ref, f"fuzz-{ref.lower()}-secret")
    with ready_database(request.param, tmp_path, fake_agency.base_url) as url:
        engine = make_engine(url)
        with make_sessions(engine).begin() as s:
            staff.add_account(s, ADMIN, "Fuzz admin", "admin", "MOI", PASSWORD)
        engine.dispose()
        line = FakeLine()  # replies and pushes to LINE users stay on loopback
        line.start()
        async with running_worker(dev_env.client, url) as queue:
            settings_ = Settings(
                database_url=url,
                temporal_address=dev_env.client.service_client.config.target_host,
                task_queue=queue,
                var_dir=tmp_path,
                secret="fuzz-secret",
                dispatch_in_app=True,
                line_channel_secret=LINE_SECRET,
                line_channel_access_token="fuzz-line-token",
                line_api_base=line.base_url,
                line_data_api_base=line.base_url,
                # The door's rate limits and PIN waits would answer most examples 429 (their own tests
                # cover them); the fuzz is after what lies behind them.
                rate_filings="off",
                rate_chat_sessions="off",
                rate_tracking="off",
                pin_policy=PinPolicy(client_free=10**9, number_free=10**9),
            )
            async with served(settings_) as base_url:
                yield base_url
        line.stop()


# What earlier fuzz runs found, pinned here so that a smaller example budget can never lose them.
FOUND = [
    "/api/centers?offset=797636597035182754250096640",  # SQLite: OverflowError
    "/api/agencies?offset=28640437237860192120706433024",
    "/api/chat/sessions/SQaqm0OuBr7G/messages?after=498784708903427768320",
    "/api/chat/sessions/0JRCY_XeU0/messages?after=9223372036854775807",  # PostgreSQL: outbox.id is INTEGER
    "/api/centers?level=%C2%AB%00%C2%97",  # PostgreSQL: text cannot hold a NUL
    "/api/agencies?province=%00",
    "/api/agencies/DO-%00",
    "/api/directory/search?q=%E0%B8%95%00",
]


@pytest.mark.parametrize("path", FOUND)
async def test_what_the_database_cannot_hold_is_refused_in_thai_and_english(app_on_loopback, path):
    async with httpx.AsyncClient(base_url=app_on_loopback, timeout=30) as client:
        r = await client.get(path)
    assert r.status_code in (400, 422), r.text  # 400: the door refuses a control character in the address
    assert " / " in r.json()["detail"]


# Found on the staff pages: a center code or a search word holding a NUL reached PostgreSQL.
STAFF_FOUND = [
    "/board?at=%00%C3%AE",
    "/board/compliance?at=%C2%A7C%00",
    "/board.csv?at=C%00",
    "/directory/agencies?q=%F3%92%A2%A1%00",
]


async def test_staff_pages_answer_a_nul_without_failing(app_on_loopback):
    cookies, _ = await asyncio.to_thread(staff_session, app_on_loopback)
    async with httpx.AsyncClient(base_url=app_on_loopback, cookies=cookies, timeout=30) as client:
        for path in STAFF_FOUND:
            r = await client.get(path)
            assert r.status_code in (200, 400, 404), (path, r.status_code, r.text[:300])


async def test_line_events_with_broken_ids_or_times_do_not_fail(app_on_loopback):
    events = [
        {"type": "follow", "webhookEventId": "nul-in-user", "timestamp": 1, "source": {"userId": "U\x00x"}},
        {"type": "follow", "webhookEventId": "\x00", "timestamp": 1, "source": {"userId": "U1"}},
        {"type": "follow", "webhookEventId": "far-future", "timestamp": 10**20, "source": {"userId": "Ufuzz1"}},
        {"type": "follow", "webhookEventId": "far-past", "timestamp": -(10**16), "source": {"userId": "Ufuzz2"}},
    ]
    errors = ServerErrors()
    with errors.listening():
        r = await _signed_line(app_on_loopback, {"destination": "fuzz", "events": events})
        await asyncio.sleep(2.0)  # the events are handled after the 200
    assert r.status_code == 200, r.text
    assert not errors.background, "\n\n".join(str(f) for f in errors.background)


@pytest.mark.parametrize("events", [None, 65537, True])
async def test_a_line_body_whose_events_are_not_a_list_is_a_400(app_on_loopback, events):
    r = await _signed_line(app_on_loopback, {"events": events, "destination": 65537})
    assert r.status_code == 400, r.text
    assert " / " in r.json()["detail"]


async def _signed_line(base_url: str, payload: dict) -> httpx.Response:
    body = json.dumps(payload).encode()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        headers = {"X-Line-Signature": line_signature(body), "Content-Type": "application/json"}
        return await client.post("/webhooks/line", content=body, headers=headers)


async def test_no_malformed_or_valid_request_makes_the_server_fail(app_on_loopback):
    errors = ServerErrors()
    started = time.monotonic()
    with errors.listening():
        # Blocking HTTP runs off the loop: the worker shares this event loop and must keep serving.
        fuzzer = await asyncio.to_thread(Fuzzer, app_on_loopback, errors)
        await asyncio.to_thread(fuzzer.run)
        await asyncio.sleep(1.0)  # the last LINE events and queued filings are handled after their answer
    figures, findings = fuzzer.figures, fuzzer.findings + errors.background
    print(f"\nfuzzed {figures} in {time.monotonic() - started:.1f} s")
    for label, statuses in fuzzer.by_operation.items():
        print(f"  {label}: {dict(sorted(statuses.items()))} in {fuzzer.seconds.get(label)} s")
    report = "\n\n".join(str(f) for f in findings)
    assert not findings, f"{len(findings)} server errors:\n\n{report}"
    assert figures["operations"] > 30 and not figures["skipped"], figures["skipped"]
