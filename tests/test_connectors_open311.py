"""The `open311` connector end to end on the time-skipping server against a GeoReport v2 server on
loopback: the request form-encoded with the agency's api_key and the mapped service_code, the
reference from `service_request_id` or from a token resolved later, statuses found by the polling
workflow reaching the case as agency events (once each), refusals and a missing service_code falling
back to manual forwarding with the reason, the polling schedule made at a worker's start (the polling
itself on the dev server, whose sleeps a signal between workflows cannot upset); and, beside
our test server, the project's own Open311 server (written apart from this client) taking a request."""

from __future__ import annotations

import json
import threading
import uuid
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from api.settings import Settings
from db.models import CaseEvent, Filing
from db.open311 import issue
from db.session import filings_url, make_engine, make_sessions
from tests.conftest import ready_database
from tests.connectors_world import connector_world
from tests.live import served
from tests.support import _Handler, _Loopback
from tests.test_complaint_lifecycle import case_row, draft, read, status_is, until
from workflows import contracts as c
from workflows.agency_polling_client import SCHEDULE_ID, ensure_agency_polling

AGENCY = "PAO-92"  # Trang's provincial administrative organisation: by letter until linked here
API_KEY = "open311-test-key"
TEXT = "ถนนหน้าโรงเรียนเป็นหลุมลึก รถจักรยานยนต์ล้มทุกวัน"
T0 = "2026-12-05T09:00:00+07:00"


class GeoReport(_Loopback):
    """A GeoReport v2 server: services `pothole` and `streetlight`; answers a token instead of an id
    when `token_after` is set (the token resolves after that many asks)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.posted: list[dict[str, str]] = []
        self.requests: dict[str, dict] = {}
        self.tokens: dict[str, list] = {}  # token -> [asks left, request id]
        self.token_after: int | None = None
        self.asked: list[dict] = []  # the query strings of GET requests/{id}.json
        server = self

        class Handler(_Handler):
            def _reply(self, status: int, payload) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                assert self.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                if urlparse(self.path).path != "/requests.json":
                    return self._reply(404, [{"code": 404, "description": "not found"}])
                if form.get("api_key") != API_KEY:
                    return self._reply(403, [{"code": 403, "description": "Invalid api_key"}])
                if form.get("service_code") not in ("pothole", "streetlight"):
                    return self._reply(400, [{"code": 400, "description": "service_code not found"}])
                with server.lock:
                    server.posted.append(form)
                    rid = f"R{len(server.posted):05d}"
                    server.requests[rid] = {"service_request_id": rid, "status": "open", "status_notes": None,
                                            "requested_datetime": T0, "updated_datetime": T0,
                                            "service_code": form["service_code"]}  # fmt: skip
                    if server.token_after is not None:
                        token = uuid.uuid4().hex
                        server.tokens[token] = [server.token_after, rid]
                        return self._reply(201, [{"token": token}])
                self._reply(201, [{"service_request_id": rid, "service_notice": "", "account_id": None}])

            def do_GET(self) -> None:  # noqa: N802
                path = urlparse(self.path).path
                with server.lock:
                    if path.startswith("/tokens/"):
                        entry = server.tokens.get(path[len("/tokens/") : -len(".json")])
                        if entry is None:
                            return self._reply(404, [{"code": 404, "description": "no such token"}])
                        entry[0] -= 1
                        ready = entry[0] < 0
                        return self._reply(
                            200, [{"token": path[8:-5], "service_request_id": entry[1] if ready else None}]
                        )
                    if path.startswith("/requests/"):
                        server.asked.append(parse_qs(urlparse(self.path).query))
                        found = server.requests.get(path[len("/requests/") : -len(".json")])
                        if found is None:
                            return self._reply(404, [{"code": 404, "description": "no such request"}])
                        return self._reply(200, [dict(found)])
                self._reply(404, [{"code": 404, "description": "not found"}])

        super().__init__(Handler)

    def update(self, rid: str, **fields) -> None:
        with self.lock:
            self.requests[rid].update(fields)


@pytest.fixture(scope="module")
def georeport():
    server = GeoReport()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    with ready_database("sqlite", tmp_path_factory.mktemp("open311"), "http://127.0.0.1:9") as url:
        yield url


SETTINGS = {"service_codes": {"infrastructure": "pothole"}, "jurisdiction_id": "trang.test"}


@asynccontextmanager
async def open311_world(env, db_url, tmp_path, georeport, monkeypatch):
    monkeypatch.setenv("AGENCY_SECRET_PAO92", API_KEY)
    georeport.token_after = None
    async with connector_world(env, db_url, tmp_path) as w:
        w.link_agency(
            AGENCY, "open311", {**SETTINGS, "endpoint": georeport.base_url}, credential_ref="AGENCY_SECRET_PAO92"
        )
        yield w


@pytest.fixture
async def world(time_env, db_url, tmp_path, georeport, monkeypatch):
    async with open311_world(time_env, db_url, tmp_path, georeport, monkeypatch) as w:
        yield w


@pytest.fixture
async def polled(dev_env, db_url, tmp_path, georeport, monkeypatch):
    """Polling on the dev server: the polling workflow signals cases from another workflow, and after
    that the time-skipping test server's sleeps could hang for the tests that follow it."""
    async with open311_world(dev_env, db_url, tmp_path, georeport, monkeypatch) as w:
        yield w


def road_case(**kw) -> c.ComplaintInput:
    base = dict(category="infrastructure", agency_code=AGENCY, contact=c.Contact(name="สมหญิง ใจดี", phone="0898765432"))
    base.update(kw)
    return draft(TEXT, **base)


async def poll(world) -> c.AgencyPollResult:
    return await world.env.client.execute_workflow(
        c.AGENCY_POLL_WORKFLOW_NAME,
        c.AgencyPollRequest(),
        id=f"poll-{uuid.uuid4().hex[:8]}",
        task_queue=world.queue,
        result_type=c.AgencyPollResult,
    )


def events(url: str, number: str, kind: str) -> list[CaseEvent]:
    return read(
        url,
        lambda s: s.scalars(select(CaseEvent).where(CaseEvent.tracking_number == number, CaseEvent.kind == kind)).all(),
    )


async def test_a_request_is_filed_and_its_polled_statuses_move_the_case(polled, georeport):
    world = polled
    photo = world.photo()
    filed = await world.gw.file(road_case(share_contact_with_agency=True, attachments=[photo]), None)
    n = filed.tracking_number
    await until(status_is(world.url, n, c.FORWARDED))
    form = georeport.posted[-1]
    assert form["api_key"] == API_KEY and form["service_code"] == "pothole" and form["jurisdiction_id"] == "trang.test"
    assert TEXT in form["description"] and n in form["description"]
    assert form["address_string"] == "อำเภอสิเกา จังหวัดตรัง"
    assert (form["first_name"], form["last_name"], form["phone"]) == ("สมหญิง", "ใจดี", "0898765432")
    assert form["media_url"].startswith("http://app.test/api/agency-photos/")
    rid = f"R{len(georeport.posted):05d}"
    assert events(world.url, n, "forwarded")[0].data == {"agency": AGENCY, "reference": rid, "via": "open311"}

    assert (await poll(world)).delivered == 0, "open and untouched is nothing new"
    assert georeport.asked[-1] == {"jurisdiction_id": ["trang.test"]}, "no api_key in a URL unless asked"
    georeport.update(rid, status_notes="ส่งช่างออกสำรวจแล้ว", updated_datetime="2026-12-06T10:00:00+07:00")
    assert (await poll(world)).delivered == 1
    await until(status_is(world.url, n, c.IN_PROGRESS))
    await poll(world)  # the same account again: the workflow takes it once
    georeport.update(rid, status="closed", status_notes="ซ่อมเสร็จแล้ว", updated_datetime="2026-12-08T16:00:00+07:00")
    await poll(world)
    await until(status_is(world.url, n, c.RESOLVED))
    assert [e.note for e in events(world.url, n, "progress")] == ["ส่งช่างออกสำรวจแล้ว"]
    assert [e.actor for e in events(world.url, n, "resolved")] == [f"agency:{AGENCY}"]
    assert events(world.url, n, "resolved")[0].note == "ซ่อมเสร็จแล้ว"


async def test_without_consent_no_contact_fields_are_posted(world, georeport):
    filed = await world.gw.file(road_case(), None)
    await until(status_is(world.url, filed.tracking_number, c.FORWARDED))
    form = georeport.posted[-1]
    assert not {"first_name", "last_name", "phone", "email"} & set(form)
    assert "สมหญิง" not in json.dumps(form, ensure_ascii=False)


async def test_a_token_is_resolved_at_once_or_later_by_polling(polled, georeport):
    world = polled
    settings = {**SETTINGS, "endpoint": georeport.base_url, "poll_with_api_key": True}
    world.link_agency(AGENCY, "open311", settings, credential_ref="AGENCY_SECRET_PAO92")
    georeport.token_after = 1  # the second ask names the request
    quick = await world.gw.file(road_case(), None)
    await until(status_is(world.url, quick.tracking_number, c.FORWARDED))
    assert events(world.url, quick.tracking_number, "forwarded")[0].data["reference"].startswith("R")

    georeport.token_after = 10  # not within the send: the reference stays the token
    slow = await world.gw.file(road_case(), None)
    await until(status_is(world.url, slow.tracking_number, c.FORWARDED))
    reference = events(world.url, slow.tracking_number, "forwarded")[0].data["reference"]
    assert reference.startswith("token:")
    rid = f"R{len(georeport.posted):05d}"
    georeport.tokens[reference[len("token:") :]][0] = 0
    georeport.update(rid, status="closed", status_notes="แก้ไขแล้ว", updated_datetime="2026-12-07T09:00:00+07:00")
    await poll(world)
    await until(status_is(world.url, slow.tracking_number, c.RESOLVED))
    assert georeport.asked[-1]["api_key"] == [API_KEY], "asked for: the server shows its own client's requests"
    assert events(world.url, slow.tracking_number, "resolved")[0].note == "แก้ไขแล้ว"


async def test_a_refused_request_and_a_missing_service_code_fall_back_to_manual_forwarding(world, georeport):
    world.link_agency(AGENCY, "open311", {"endpoint": georeport.base_url, "service_codes": {"infrastructure": "bridge"}},
                      credential_ref="AGENCY_SECRET_PAO92")  # fmt: skip
    refused = await world.gw.file(road_case(), None)
    assert c.TASK_FORWARD_MANUAL in await world.fall_back(refused.tracking_number)
    assert "400" in case_row(world.url, refused.tracking_number).forward_failure

    world.link_agency(AGENCY, "open311", {"endpoint": georeport.base_url, "service_codes": {}},
                      credential_ref="AGENCY_SECRET_PAO92")  # fmt: skip
    unmapped = await world.gw.file(road_case(), None)
    assert c.TASK_FORWARD_MANUAL in await world.fall_back(unmapped.tracking_number)
    assert "service_code" in case_row(world.url, unmapped.tracking_number).forward_failure


async def test_a_wrong_api_key_is_a_refusal(world, monkeypatch):
    monkeypatch.setenv("AGENCY_SECRET_PAO92", "not-the-key")
    filed = await world.gw.file(road_case(), None)
    assert c.TASK_FORWARD_MANUAL in await world.fall_back(filed.tracking_number)
    assert "403" in case_row(world.url, filed.tracking_number).forward_failure


async def test_the_polling_schedule_is_made_once_and_updated(dev_env):
    queue = f"q-{uuid.uuid4().hex[:8]}"
    await ensure_agency_polling(dev_env.client, queue, every=timedelta(minutes=5))
    await ensure_agency_polling(dev_env.client, queue, every=timedelta(minutes=3))  # a second worker's start
    described = await dev_env.client.get_schedule_handle(SCHEDULE_ID).describe()
    assert described.schedule.spec.intervals[0].every == timedelta(minutes=3)
    assert described.schedule.action.workflow == c.AGENCY_POLL_WORKFLOW_NAME
    await dev_env.client.get_schedule_handle(SCHEDULE_ID).delete()


async def test_our_client_files_into_an_open311_server_someone_else_wrote(world, monkeypatch):
    """The project's own GeoReport v2 server (/open311/v2, api/open311.py, written apart from this
    client) as the agency's: it takes our form, key and service code, answers the spec's shape, and
    the request it filed holds our text, the consented contact and the photo link."""

    with world.sessions.begin() as s:
        _, key = issue(s, "trang-pao-connector", "test")
    monkeypatch.setenv("AGENCY_SECRET_PAO92", key)
    settings = Settings(
        database_url=world.url,
        temporal_address=world.env.client.service_client.config.target_host,
        task_queue=f"elsewhere-{uuid.uuid4().hex[:6]}",  # nobody works it: the filing stays queued
        var_dir=world.var_dir,
        dispatch_in_app=False,
    )
    async with served(settings) as base:
        endpoint = f"{base}/open311/v2"
        world.link_agency(AGENCY, "open311", {"endpoint": endpoint, "service_codes": {"infrastructure": "nuisance"}},
                          credential_ref="AGENCY_SECRET_PAO92")  # fmt: skip
        photo = world.photo("pothole.png")
        filed = await world.gw.file(road_case(share_contact_with_agency=True, attachments=[photo]), None)
        await until(status_is(world.url, filed.tracking_number, c.FORWARDED))
        reference = events(world.url, filed.tracking_number, "forwarded")[0].data["reference"]
        assert reference != filed.tracking_number, "the server's own request, not ours"
    engine = make_engine(filings_url(world.url))
    try:
        with make_sessions(engine)() as s:
            payload = s.get(Filing, reference).payload
    finally:
        engine.dispose()
    assert TEXT in payload["text"] and filed.tracking_number in payload["text"]
    assert payload["category"] == "nuisance" and payload["channel"] == "open311"
    assert payload["contact"]["phone"] == "0898765432" and payload["contact"]["name"] == "สมหญิง ใจดี"
    assert "/api/agency-photos/" in payload["text"], "the photo link reached the other system"
