"""The `damrongdham-json` connector end to end on the time-skipping server, against a real HTTP agency
on loopback: the contact details travel only with the citizen's consent (and never for an anonymous
filing), photos travel as signed links the agency can fetch from the app until they expire, and a
refusal, an unreachable agency or an unusable configuration falls back to manual forwarding with the
reason on the case."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import replace
from pathlib import Path

import jsonschema_rs
import pytest
from sqlalchemy import select

from db.models import CaseEvent, Task
from db.photo_links import PhotoGrant, sign
from tests.conftest import ready_database
from tests.connectors_world import PNG, connector_world
from tests.support import _Handler, _Loopback
from tests.test_complaint_lifecycle import case_row, draft, read, status_is, until
from workflows import contracts as c

AGENCY = "ocpb"
SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "agency-protocol"


def schema(name: str):
    return jsonschema_rs.validator_for(json.loads((SCHEMAS / f"{name}.schema.json").read_text()))


TEXT = "ซื้อสินค้าออนไลน์แล้วไม่ได้รับของ ร้านค้าไม่ติดต่อกลับ"


class JsonAgency(_Loopback):
    """An agency speaking our JSON protocol; `status` makes it answer something else."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 201
        agency = self

        class Handler(_Handler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self._body()
                agency.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if agency.status >= 400:
                    self._answer(agency.status, {"error": "no"})
                    return
                self._answer(agency.status, {"reference": f"OCPB-{len(agency.received):04d}"})

        super().__init__(Handler)

    def for_case(self, number: str) -> list[dict]:
        return [r for r in self.received if r["body"].get("tracking_number") == number]


@pytest.fixture(scope="module")
def json_agency():
    agency = JsonAgency()
    agency.start()
    yield agency
    agency.stop()


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    with ready_database("sqlite", tmp_path_factory.mktemp("json"), "http://127.0.0.1:9") as url:
        yield url


@pytest.fixture
async def world(time_env, db_url, tmp_path, json_agency):
    json_agency.status = 201
    async with connector_world(time_env, db_url, tmp_path) as w:
        w.link_agency(
            AGENCY, "damrongdham-json", api_base_url=json_agency.base_url, credential_ref="AGENCY_SECRET_OCPB"
        )
        yield w


def consumer_case(**kw) -> c.ComplaintInput:
    base = dict(category="consumer", agency_code=AGENCY, contact=c.Contact(name="สมชาย ใจดี", phone="0812345678",
                national_id="1101700203451", email="somchai@example.com"))  # fmt: skip
    base.update(kw)
    return draft(TEXT, **base)


async def test_consent_sends_contact_details_and_photos_as_links_the_agency_can_fetch(world, json_agency):
    photo = world.photo()
    filed = await world.gw.file(consumer_case(share_contact_with_agency=True, attachments=[photo]), None)
    n = filed.tracking_number
    row = await until(status_is(world.url, n, c.FORWARDED))
    assert row.agency_code == AGENCY
    sent = json_agency.for_case(n)[0]
    assert sent["path"] == "/complaints" and sent["headers"]["Authorization"].startswith("Bearer ")
    body = sent["body"]
    assert body["protocol"] == "damrongdham-json/1"
    assert body["contact"] == {"name": "สมชาย ใจดี", "phone": "0812345678", "email": "somchai@example.com"}
    assert "1101700203451" not in json.dumps(body), "the national ID is never sent to an agency"
    assert body["category_name"]["en"] == "Consumer problems"
    (link,) = body["attachments"]
    assert link["sha256"] == photo.sha256 and link["content_type"] == "image/png"
    async with world.app() as app:
        got = await app.get(link["url"])
        assert got.status_code == 200 and got.content == PNG
        assert got.headers["content-type"] == "image/png"
        forged = link["url"][:-3] + ("AAA" if not link["url"].endswith("AAA") else "BBB")
        assert (await app.get(forged)).status_code == 404
        other_case = sign(world.photos.key, PhotoGrant(AGENCY, "XX-NOT-A-CASE", photo.sha256, int(time.time()) + 60))
        assert (await app.get(f"/api/agency-photos/{other_case}")).status_code == 404
    schema("request").validate(body)  # what we send is what docs/agency-protocol.md promises
    schema("receipt").validate({"reference": "OCPB-0001"})
    forwarded = read(
        world.url,
        lambda s: (
            s.scalars(select(CaseEvent).where(CaseEvent.tracking_number == n, CaseEvent.kind == "forwarded")).one().data
        ),
    )
    assert forwarded == {
        "agency": AGENCY,
        "reference": f"OCPB-{len(json_agency.received):04d}",
        "via": "damrongdham-json",
    }


async def test_a_signed_photo_link_expires(world):
    photo = world.photo("late.png", PNG + b"late")
    filed = await world.gw.file(consumer_case(attachments=[photo]), None)
    await until(status_is(world.url, filed.tracking_number, c.FORWARDED))
    expired = sign(world.photos.key, PhotoGrant(AGENCY, filed.tracking_number, photo.sha256, int(time.time()) - 1))
    live = sign(world.photos.key, PhotoGrant(AGENCY, filed.tracking_number, photo.sha256, int(time.time()) + 60))
    async with world.app() as app:
        gone = await app.get(f"/api/agency-photos/{expired}")
        assert gone.status_code == 410 and "expired" in gone.text
        assert (await app.get(f"/api/agency-photos/{live}")).status_code == 200
        # The case goes back to the center: the agency's links end with it.
        await world.gw.signal(filed.tracking_number, "agency_event", c.AgencyEvent("ret-1", "returned", "ไม่ใช่อำนาจ"))
        await until(status_is(world.url, filed.tracking_number, c.RETURNED))
        assert (await app.get(f"/api/agency-photos/{live}")).status_code == 404


async def test_without_consent_or_when_anonymous_no_contact_details_are_sent(world, json_agency):
    quiet = await world.gw.file(consumer_case(), None)
    anonymous = await world.gw.file(consumer_case(anonymous=True, contact=None, share_contact_with_agency=True), None)
    for filed in (quiet, anonymous):
        await until(status_is(world.url, filed.tracking_number, c.FORWARDED))
        body = json_agency.for_case(filed.tracking_number)[0]["body"]
        assert body["contact"] is None
        assert "0812345678" not in json.dumps(body, ensure_ascii=False)
        assert "สมชาย" not in json.dumps(body, ensure_ascii=False)


async def test_an_agency_that_refuses_the_case_falls_back_to_manual_forwarding_at_once(world, json_agency):
    json_agency.status = 422
    filed = await world.gw.file(consumer_case(), None)
    n = filed.tracking_number
    assert c.TASK_FORWARD_MANUAL in await world.fall_back(n)
    assert len(json_agency.for_case(n)) == 1, "a refusal is final: no retry"
    row = case_row(world.url, n)
    assert row.status != c.FORWARDED and "refused the case: 422" in row.forward_failure
    reason = read(world.url, lambda s: s.scalars(select(Task.reason).where(Task.tracking_number == n, Task.state == "open",
                  Task.kind == c.TASK_FORWARD_MANUAL)).one())  # fmt: skip
    assert "422" in reason, "the officer sees why"


async def test_an_unreachable_agency_is_retried_then_falls_back(world):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    world.link_agency(AGENCY, "damrongdham-json", api_base_url=f"http://127.0.0.1:{closed}")
    policy = c.ClockPolicy(agency_send_budget_seconds=120)
    filed = await world.gw.file(consumer_case(policy=policy), None)
    assert c.TASK_FORWARD_MANUAL in await world.fall_back(filed.tracking_number, minutes=30)
    assert "unreachable" in case_row(world.url, filed.tracking_number).forward_failure


async def test_an_unknown_connector_is_a_configuration_fault_shown_to_the_officer(world):
    world.link_agency(AGENCY, "carrier-pigeon")
    filed = await world.gw.file(consumer_case(), None)
    assert c.TASK_FORWARD_MANUAL in await world.fall_back(filed.tracking_number)
    assert "no connector named 'carrier-pigeon'" in case_row(world.url, filed.tracking_number).forward_failure


def test_the_intake_carries_the_consent_and_drops_it_for_an_anonymous_filing(db_url):
    from db.session import make_engine, make_sessions
    from intake.filing import ComplaintFiling, Door, complaint_input

    engine = make_engine(db_url)
    try:
        with make_sessions(engine)() as s:
            named = ComplaintFiling(TEXT, "92", "9205", contact=c.Contact(name="สมชาย", phone="0812345678"),
                                    share_contact_with_agency=True)  # fmt: skip
            assert complaint_input(s, named, Door("api")).share_contact_with_agency
            assert not complaint_input(
                s, replace(named, share_contact_with_agency=False), Door("api")
            ).share_contact_with_agency
            anonymous = replace(named, contact=None, anonymous=True)
            assert not complaint_input(s, anonymous, Door("api")).share_contact_with_agency
    finally:
        engine.dispose()


def test_the_documented_callback_is_what_the_callback_route_takes():
    from api.schemas import CallbackIn

    callback = schema("callback")
    documented = json.loads((SCHEMAS / "callback.schema.json").read_text())
    assert set(documented["properties"]) == set(CallbackIn.model_fields)
    assert set(documented["properties"]["kind"]["enum"]) == set(c.AGENCY_EVENT_KINDS)
    event = {"event_id": "ev-1", "tracking_number": "2569-K7QH2M", "kind": "progress", "note": "นัดไกล่เกลี่ย"}
    callback.validate(event)
    CallbackIn.model_validate(event)
    assert not callback.is_valid({**event, "kind": "closed"})
    assert not schema("request").is_valid({"protocol": "damrongdham-json/1"})
