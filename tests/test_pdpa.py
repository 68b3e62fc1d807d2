"""PDPA by design (issue 15, item 5), on SQLite and PostgreSQL with real Temporal: the retention
schedule (a Temporal Schedule) erases each kind of data once its period after closure has run out,
leaves younger data alone and records every run; a data subject's erasure request, by tracking number
and PIN, erases their personal data, chat references and photos within its workflow while the case
stays; an access request's answer lists what the read model holds; a request left unanswered escalates
to a supervisor after 30 days (time-skipping server); a wrong PIN files nothing."""

from __future__ import annotations

import base64
import hashlib
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from api.settings import Settings
from db.chat import ChatSession
from db.data_requests import DataRequest, RetentionRun
from db.models import Attachment, Case, CaseEvent, OutboxMessage, PersonalData, Task, Upload
from db.photos import photo_path
from db.retention import REDACTED
from db.session import make_engine, make_sessions
from db.staff import LoginAttempt, PersonalDataReveal
from intake.pins import PinPolicy
from tests.conftest import BIN, running_worker
from tests.test_complaint_lifecycle import read, until
from workflows import codec, pdpa
from workflows.domain import tracking
from workflows.errors import InvalidInput
from workflows.pdpa_client import DataRequestGateway, ensure_retention_schedule

SECRET = "pdpa-test-secret"
FAST = PinPolicy(client_free=5, client_wait=1.0, number_free=3, number_delay=0.05, number_delay_max=0.3)
NAME, PHONE, NATIONAL_ID, EMAIL = "สมศรี ใจดี", "0812345678", "1101700230705", "somsri@example.com"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def photos_in(tmp_path: Path, monkeypatch) -> Path:
    """The worker's photo root (VAR_DIR) under `tmp_path`, Temporal's payload keys kept those of the
    test servers (the development key lives in VAR_DIR too)."""
    keys = codec.configured_keys()
    monkeypatch.setenv(codec.KEYS_ENV, ",".join(f"{kid}:{base64.b64encode(key).decode()}" for kid, key in keys.items()))
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    return tmp_path / "uploads"


def sessions_of(url: str):
    return make_sessions(make_engine(url))


def new_number() -> str:
    return "2569-" + "".join(uuid.uuid4().hex.upper().translate(str.maketrans("01IOL", "23456"))[:6])


def seed_case(url: str, photos: Path, closed_days_ago: int | None, pin: str = "123456") -> str:
    """A complaint with everything a citizen leaves behind: contact details, text, a chat identity,
    messages, an officer's note and a photo (a file under `photos`)."""
    number, now = new_number(), datetime.now(UTC)
    closed = now - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    written = closed or now
    ref = f"U{uuid.uuid4().hex}"
    data = uuid.uuid4().bytes * 4
    sha = hashlib.sha256(data).hexdigest()
    path = photo_path(photos, sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with sessions_of(url).begin() as s:
        s.add(
            Case(
                tracking_number=number,
                workflow_id=tracking.workflow_id(number),
                pin_hash=tracking.pin_hash(SECRET, number, pin),
                status="CLOSED" if closed else "IN_PROGRESS",
                text="ถนนหน้าบ้านเลขที่ 12 พังมาสามเดือน",
                center_code="D9201",
                channel="line",
                channel_ref=ref,
                filed_at=written - timedelta(days=20),
                updated_at=written,
                closed_at=closed,
                last_seq=2,
            )
        )
        s.flush()
        s.add(PersonalData(tracking_number=number, name=NAME, phone=PHONE, national_id=NATIONAL_ID, email=EMAIL))
        for seq, (public, note) in enumerate([(True, "เพิ่มเติม: บ้านเลขที่ 12"), (False, "โทรคุยกับผู้ร้องแล้ว")], 1):
            s.add(
                CaseEvent(
                    event_key=f"{number}:{seq}",
                    tracking_number=number,
                    seq=seq,
                    kind="note",
                    status="IN_PROGRESS",
                    actor="x",
                    note=note,
                    public=public,
                    data={},
                    at=written,
                )
            )
        s.add(
            OutboxMessage(
                message_key=f"{number}:msg",
                tracking_number=number,
                kind="update",
                text_th="เรื่องของท่านคืบหน้า",
                text_en="Your case moved on",
                channel="line",
                channel_ref=ref,
                created_at=written,
            )
        )
        s.add(
            Attachment(
                tracking_number=number,
                sha256=sha,
                filename="road.png",
                content_type="image/png",
                size=64,
                added_at=written,
            )
        )
        s.add(Upload(sha256=sha, scope=f"chat:line:{ref}", content_type="image/png", size=64, stored_at=written))
        s.add(
            ChatSession(
                session_key=f"line:{ref}",
                channel="line",
                channel_ref=ref,
                state={},
                created_at=written,
                updated_at=written,
            )
        )
        s.add(PersonalDataReveal(tracking_number=number, username="officer", field="phone", at=written))
    return number


def holdings(url: str, number: str, photos: Path) -> dict:
    """What the read model still holds about case `number`'s complainant."""

    def look(s):
        case, person = s.get(Case, number), s.get(PersonalData, number)
        notes = {e.public: e.note for e in s.scalars(select(CaseEvent).where(CaseEvent.tracking_number == number))}
        shas = s.scalars(select(Attachment.sha256).where(Attachment.tracking_number == number)).all()
        return {
            "case": case is not None,
            "text": case.text,
            "contact": [v for v in (person.name, person.phone, person.national_id, person.email) if v],
            "erased": person.erased_at is not None,
            "chat_ref": case.channel_ref,
            "outbox_refs": s.scalars(
                select(OutboxMessage.channel_ref).where(
                    OutboxMessage.tracking_number == number, OutboxMessage.channel_ref.is_not(None)
                )
            ).all(),
            "messages": s.scalar(select(func.count()).where(OutboxMessage.tracking_number == number)),
            "chat_sessions": s.scalar(select(func.count()).where(ChatSession.channel_ref == case.channel_ref))
            if case.channel_ref
            else 0,
            "public_note": notes.get(True),
            "internal_note": notes.get(False),
            "photos": len(shas),
            "reveals": s.scalar(select(func.count()).where(PersonalDataReveal.tracking_number == number)),
        }

    return read(url, look)


# --- the retention schedule --------------------------------------------------------------------


async def test_the_retention_schedule_erases_each_kind_when_due_and_records_it(
    database_url, dev_env, tmp_path, monkeypatch
):
    photos = photos_in(tmp_path, monkeypatch)
    old = seed_case(database_url, photos, closed_days_ago=6 * 365)
    recent = seed_case(database_url, photos, closed_days_ago=1)
    still_open = seed_case(database_url, photos, closed_days_ago=None)
    who = f"t-{uuid.uuid4().hex[:8]}"
    with sessions_of(database_url).begin() as s:
        s.add(LoginAttempt(username=who, client="203.0.113.7", at=datetime.now(UTC) - timedelta(days=100)))
        s.add(LoginAttempt(username=who, client="203.0.113.7", at=datetime.now(UTC) - timedelta(days=3)))
    old_photo = read(
        database_url, lambda s: s.scalar(select(Attachment.sha256).where(Attachment.tracking_number == old))
    )
    async with running_worker(dev_env.client, database_url) as queue:
        await ensure_retention_schedule(dev_env.client, queue)
        await ensure_retention_schedule(dev_env.client, queue)  # a second start updates, never fails
        handle = dev_env.client.get_schedule_handle(pdpa.RETENTION_SCHEDULE_ID)
        try:
            before = read(database_url, lambda s: s.scalar(select(func.count()).select_from(RetentionRun)))
            await handle.trigger()
            runs = await until(
                lambda: read(
                    database_url, lambda s: s.scalars(select(RetentionRun).order_by(RetentionRun.id)).all()[before:]
                ),
                timeout=30.0,
            )
        finally:
            await handle.delete()
    counts = runs[-1].counts
    assert set(counts) == set(pdpa.RETENTION_KINDS)
    for kind in ("personal_data", "complaint_text", "internal_notes", "photos", "chat_references", "outbox_messages"):
        assert counts[kind] >= 1, (kind, counts)
    assert counts["sign_in_logs"] >= 1 and counts["reveal_logs"] >= 1
    gone = holdings(database_url, old, photos)
    assert gone["case"] and gone["erased"] and gone["contact"] == []
    assert gone["text"] == REDACTED and gone["public_note"] == REDACTED and gone["internal_note"] == REDACTED
    assert gone["chat_ref"] is None and gone["messages"] == 0 and gone["photos"] == 0 and gone["reveals"] == 0
    assert not photo_path(photos, old_photo).exists()
    for number in (recent, still_open):
        kept = holdings(database_url, number, photos)
        assert kept["contact"] == [NAME, PHONE, NATIONAL_ID, EMAIL] and not kept["erased"]
        assert kept["text"] != REDACTED and kept["chat_ref"] and kept["photos"] == 1 and kept["messages"] == 1
    left = read(database_url, lambda s: s.scalars(select(LoginAttempt).where(LoginAttempt.username == who)).all())
    assert len(left) == 1


# --- a data subject's requests ------------------------------------------------------------------


@pytest.fixture
def served(database_url, dev_env, tmp_path, monkeypatch):
    """`async with served() as (http, gateway, photos)`: the real app and a worker on one queue."""
    photos_in(tmp_path, monkeypatch)

    @asynccontextmanager
    async def opened():
        queue = f"pdpa-{uuid.uuid4().hex[:8]}"
        settings = Settings(
            database_url=database_url,
            temporal_address=dev_env.client.service_client.config.target_host,
            task_queue=queue,
            var_dir=tmp_path,
            secret=SECRET,
            dispatch_in_app=False,
            pin_policy=FAST,
        )
        app = create_app(settings)
        async with running_worker(dev_env.client, database_url, queue=queue), app.router.lifespan_context(app):
            # A peer of its own: wrong PINs are counted per client in the shared read model.
            peer = "10." + ".".join(str(b) for b in uuid.uuid4().bytes[:3])
            transport = httpx.ASGITransport(app=app, client=(peer, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                yield http, DataRequestGateway(dev_env.client, queue), settings.upload_dir

    return opened


def request_row(url: str, request_id: str) -> DataRequest | None:
    return read(url, lambda s: s.get(DataRequest, request_id))


async def test_an_erasure_request_by_number_and_pin_erases_personal_data_and_chat_references(database_url, served):
    async with served() as (http, gateway, photos):
        number = seed_case(database_url, photos, closed_days_ago=10)
        sha = read(
            database_url, lambda s: s.scalar(select(Attachment.sha256).where(Attachment.tracking_number == number))
        )
        r = await http.post("/api/data-requests", json={"kind": "erasure", "tracking_number": number, "pin": "123456"})
        assert r.status_code == 202, r.text
        filed = r.json()
        due = datetime.fromisoformat(filed["due_at"])
        assert timedelta(days=29, hours=23) < due - datetime.now(UTC) <= timedelta(days=30)
        again = await http.post(
            "/api/data-requests",
            json={"kind": "erasure", "tracking_number": number},
            headers={"X-Tracking-Pin": "123456"},
        )
        assert again.status_code == 202 and again.json()["request_id"] == filed["request_id"], (
            "asking twice is one request"
        )
        row = await until(lambda: request_row(database_url, filed["request_id"]), timeout=30.0)
        assert row.status == "open" and row.filed_by == "citizen"
        assert holdings(database_url, number, photos)["contact"], "nothing is erased before an officer acts"
        done = await gateway.decide(row.workflow_id, row.run_id, "fulfil", pdpa.DataRequestDecision("officer.trang"))
        assert done.status == "fulfilled"
    left = holdings(database_url, number, photos)
    assert left["case"] and left["erased"] and left["contact"] == []
    assert left["chat_ref"] is None and left["outbox_refs"] == [] and left["photos"] == 0
    assert not photo_path(photos, sha).exists()
    assert left["text"] == "ถนนหน้าบ้านเลขที่ 12 พังมาสามเดือน", "the case and its text stay for the statistics"
    record = request_row(database_url, filed["request_id"])
    assert record.status == "fulfilled" and record.decided_by == "officer.trang"
    assert (
        record.counts["personal_data"] == 4 and record.counts["chat_references"] >= 2 and record.counts["photos"] == 1
    )


async def test_an_access_request_answer_lists_the_data(database_url, served):
    async with served() as (http, gateway, photos):
        number = seed_case(database_url, photos, closed_days_ago=None, pin="654321")
        r = await http.post(
            "/api/data-requests", json={"kind": "access", "tracking_number": number.lower(), "pin": "๖๕๔๓๒๑"}
        )
        assert r.status_code == 202, r.text
        row = await until(lambda: request_row(database_url, r.json()["request_id"]), timeout=30.0)
        await gateway.decide(row.workflow_id, row.run_id, "fulfil", pdpa.DataRequestDecision("officer.trang"))
    record = request_row(database_url, row.request_id)
    answer = record.answer
    assert answer["personal_data"] == {"name": NAME, "phone": PHONE, "national_id": NATIONAL_ID, "email": EMAIL}
    assert answer["complaint"]["text"].startswith("ถนนหน้าบ้าน") and answer["complaint"]["chat_reference"]
    assert [m["text_th"] for m in answer["messages"]] == ["เรื่องของท่านคืบหน้า"]
    assert [p["filename"] for p in answer["photos"]] == ["road.png"]
    assert [e["note"] for e in answer["timeline"]] == ["เพิ่มเติม: บ้านเลขที่ 12"], "officers' notes are not the subject's"
    assert record.counts["personal_data"] == 4 and record.counts["messages"] == 1
    assert holdings(database_url, number, photos)["contact"], "access erases nothing"


async def test_a_refusal_needs_a_legal_reason_and_erases_nothing(database_url, served):
    async with served() as (http, gateway, photos):
        number = seed_case(database_url, photos, closed_days_ago=None)
        r = await http.post("/api/data-requests", json={"kind": "erasure", "tracking_number": number, "pin": "123456"})
        row = await until(lambda: request_row(database_url, r.json()["request_id"]), timeout=30.0)
        with pytest.raises(InvalidInput):
            await gateway.decide(row.workflow_id, row.run_id, "refuse", pdpa.DataRequestDecision("officer.trang", " "))
        reason = "เรื่องยังอยู่ระหว่างดำเนินคดี (มาตรา 33 (5)) / the case is before a court"
        await gateway.decide(row.workflow_id, row.run_id, "refuse", pdpa.DataRequestDecision("officer.trang", reason))
    record = request_row(database_url, row.request_id)
    assert record.status == "refused" and record.reason == reason
    assert holdings(database_url, number, photos)["contact"] == [NAME, PHONE, NATIONAL_ID, EMAIL]


async def test_a_wrong_pin_files_nothing(database_url, served):
    async with served() as (http, _, photos):
        number = seed_case(database_url, photos, closed_days_ago=None)
        for body in (
            {"kind": "erasure", "tracking_number": number, "pin": "000000"},
            {"kind": "erasure", "tracking_number": number},
            {"kind": "access", "tracking_number": "2569-ZZZZZZ", "pin": "123456"},
            {"kind": "access", "tracking_number": "2569-\x00BCDEF", "pin": "123456"},  # PostgreSQL holds no NUL
        ):
            r = await http.post("/api/data-requests", json=body)
            assert r.status_code == 404, r.text
        in_url = await http.post("/api/data-requests?pin=123456", json={"kind": "erasure", "tracking_number": number})
        assert in_url.status_code == 404, "a PIN in the URL is not read"
    assert (
        read(database_url, lambda s: s.scalars(select(DataRequest).where(DataRequest.tracking_number == number)).all())
        == []
    )
    assert holdings(database_url, number, photos)["contact"]


# --- the 30-day deadline -------------------------------------------------------------------------


async def test_a_request_left_unanswered_escalates_after_30_days(sqlite_url, tmp_path):
    from temporalio.testing import WorkflowEnvironment

    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(BIN / "temporal-test-server"))
    try:
        number = seed_case(sqlite_url, tmp_path / "uploads", closed_days_ago=None)
        async with running_worker(env.client, sqlite_url) as queue:
            gateway = DataRequestGateway(env.client, queue)
            view = await gateway.file("access", number, filed_by="officer.trang", identity_note="บัตรประชาชนตัวจริง")
            row = await until(lambda: request_row(sqlite_url, view.request_id), timeout=30.0)
            assert row.escalated_at is None
            await env.sleep(timedelta(days=29))
            assert request_row(sqlite_url, view.request_id).escalated_at is None, "not late before 30 days"
            await env.sleep(timedelta(days=1, minutes=1))
            late = await until(lambda: (r := request_row(sqlite_url, view.request_id)).escalated_at and r, timeout=30.0)
            assert late.status == "open"
            task = read(sqlite_url, lambda s: s.scalars(select(Task).where(Task.tracking_number == number)).one())
            assert task.kind == pdpa.TASK_DATA_REQUEST_OVERDUE and task.state == "open"
            status = await env.client.get_workflow_handle(row.workflow_id).query(
                "status", result_type=pdpa.DataRequestView
            )
            assert status.overdue and status.status == "open"
            await env.client.get_workflow_handle(row.workflow_id).terminate("test over")
    finally:
        await env.shutdown()
