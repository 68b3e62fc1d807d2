"""The complaint's whole life on the time-skipping server, projected into a real SQLite read model:
linked and unlinked agencies, every clock, pausing for information, validators, and the fallback
when a linked agency stays down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import Case, CaseClock, CaseEvent, OutboxMessage, Task
from db.session import make_engine, make_sessions
from tests.conftest import running_worker
from tests.support import EndingGateway, Guess, KeywordClassifier
from workflows import contracts as c
from workflows.errors import InvalidInput, InvalidTransition

SECRET = "test-secret"


def draft(text: str, **kw) -> c.ComplaintInput:
    base = dict(
        tracking_number="",
        pin_hash="",
        text=text,
        filed_at=datetime.now(UTC).isoformat(),
        province_code="92",
        district_code="9205",
        contact=c.Contact(name="สมชาย", phone="0812345678"),
    )
    base.update(kw)
    return c.ComplaintInput(**base)


def read(url: str, fn):
    engine = make_engine(url)
    try:
        with make_sessions(engine)() as s:
            return fn(s)
    finally:
        engine.dispose()


async def until(predicate, timeout: float = 20.0):
    """Poll the read model until the projection has caught up."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = predicate()
        if got:
            return got
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the read model never reached the expected state")
        await asyncio.sleep(0.1)


def case_row(url: str, number: str) -> Case | None:
    return read(url, lambda s: s.get(Case, number))


def status_is(url: str, number: str, status: str):
    return lambda: (row := case_row(url, number)) is not None and row.status == status and row


def open_tasks(url: str, number: str) -> list[str]:
    return read(
        url,
        lambda s: [t.kind for t in s.scalars(select(Task).where(Task.tracking_number == number, Task.state == "open"))],
    )


def outbox_kinds(url: str, number: str) -> list[str]:
    return read(
        url,
        lambda s: [
            m.kind
            for m in s.scalars(
                select(OutboxMessage).where(OutboxMessage.tracking_number == number).order_by(OutboxMessage.id)
            )
        ],
    )


@pytest.fixture
async def world(time_env, sqlite_url, fake_agency):
    fake_agency.mode = "ok"
    async with running_worker(time_env.client, sqlite_url) as queue:
        gw = EndingGateway(time_env.client, SECRET, queue)
        yield time_env, gw, sqlite_url, fake_agency
        await gw.end_all()


async def test_linked_agency_happy_path(world):
    env, gw, url, agency = world
    filed = await gw.file(draft("ซื้อสินค้าออนไลน์แล้วไม่ได้รับของ ร้านค้าไม่ติดต่อกลับ"), None)
    row = await until(status_is(url, filed.tracking_number, c.FORWARDED))
    assert row.agency_code == "ocpb" and row.category == "consumer"
    sent = agency.for_case(filed.tracking_number)
    assert sent and sent[0]["path"] == "/ocpb/complaints" and sent[0]["headers"]["Idempotency-Key"]
    await gw.signal(filed.tracking_number, "agency_event", c.AgencyEvent("ev-1", "progress", "นัดไกล่เกลี่ยแล้ว"))
    await gw.signal(filed.tracking_number, "agency_event", c.AgencyEvent("ev-1", "progress", "นัดไกล่เกลี่ยแล้ว"))
    await until(status_is(url, filed.tracking_number, c.IN_PROGRESS))
    await gw.signal(filed.tracking_number, "agency_event", c.AgencyEvent("ev-2", "resolved", "คืนเงินครบแล้ว"))
    await until(status_is(url, filed.tracking_number, c.RESOLVED))
    await gw.signal(filed.tracking_number, "rate", c.Rating(5, "ขอบคุณ"))
    result = await env.client.get_workflow_handle(
        f"complaint-{filed.tracking_number}", result_type=c.CaseOutcome
    ).result()
    assert result.status == c.CLOSED
    await until(status_is(url, filed.tracking_number, c.CLOSED))
    progress = read(
        url,
        lambda s: s.scalars(
            select(CaseEvent).where(CaseEvent.tracking_number == filed.tracking_number, CaseEvent.kind == "progress")
        ).all(),
    )
    assert len(progress) == 1, "a redelivered agency event must not be recorded twice"
    assert outbox_kinds(url, filed.tracking_number)[0] == "acknowledgement"
    assert "result" in outbox_kinds(url, filed.tracking_number)


async def test_unlinked_agency_by_letter_then_rating_window_closes(world):
    env, gw, url, _ = world
    filed = await gw.file(draft("ถนนหน้าบ้านเป็นหลุมเป็นบ่อ รถล้มบ่อยมาก"), None)
    n = filed.tracking_number
    await until(lambda: "forward_letter" in open_tasks(url, n))
    assert case_row(url, n).agency_code == "PAO-92"
    with pytest.raises(InvalidInput):
        await gw.act(n, "forward", c.ForwardRecord("officer.a", reference="", sent_on="2026-11-23"))
    await gw.act(n, "forward", c.ForwardRecord("officer.a", reference="ตง 0017/123", sent_on="2026-11-23"))
    await until(status_is(url, n, c.FORWARDED))
    assert open_tasks(url, n) == []
    await gw.act(n, "record_progress", c.ProgressRecord("officer.a", "อบจ. ส่งช่างสำรวจแล้ว"))
    await gw.act(n, "resolve", c.ResolutionRecord("officer.a", "ซ่อมถนนเรียบร้อย"))
    await until(status_is(url, n, c.RESOLVED))
    await env.sleep(timedelta(days=7, minutes=1))
    await until(status_is(url, n, c.CLOSED))


class ChannelMinded(KeywordClassifier):
    """Labels as a model trained per channel may: on LINE a complaint about a road is a traffic one."""

    def classify(self, text: str, channel: str = "") -> Guess:
        if channel == "line" and "ถนน" in text:
            return Guess("traffic", 0.9, False, [("traffic", 0.9)])
        return super().classify(text, channel)


async def test_the_intake_channel_reaches_the_classifier(time_env, sqlite_url, fake_agency):
    fake_agency.mode = "ok"
    async with running_worker(time_env.client, sqlite_url, classifier=ChannelMinded()) as queue:
        gw = EndingGateway(time_env.client, SECRET, queue)
        try:
            by_line = await gw.file(draft("ถนนหน้าบ้านเป็นหลุม", channel="line"), None)
            by_web = await gw.file(draft("ถนนหน้าบ้านเป็นหลุม", channel="web"), None)
            categorised = lambda n: lambda: (row := case_row(sqlite_url, n)) is not None and row.category  # noqa: E731
            assert await until(categorised(by_line.tracking_number)) == "traffic"
            assert await until(categorised(by_web.tracking_number)) == "infrastructure"
        finally:
            await gw.end_all()


async def test_uncertain_classification_goes_to_triage_then_routes(world):
    env, gw, url, _ = world
    filed = await gw.file(draft("ขอร้องเรียนเรื่องนี้ด้วยครับ เดือดร้อนมาก"), None)
    n = filed.tracking_number
    await until(status_is(url, n, c.TRIAGE))
    assert open_tasks(url, n) == ["triage"]
    with pytest.raises(InvalidTransition):
        await gw.act(n, "resolve", c.ResolutionRecord("officer.a", "done"))
    await gw.act(n, "triage", c.TriageDecision("officer.a", category="land"))
    row = await until(status_is(url, n, c.FORWARDED))
    assert row.agency_code == "lands"


async def test_statutory_notice_on_day_15_and_escalation(world):
    env, gw, url, _ = world
    filed = await gw.file(draft("ที่ดินถูกบุกรุก โฉนดทับซ้อนกับเพื่อนบ้าน"), None)
    n = filed.tracking_number
    await until(status_is(url, n, c.FORWARDED))
    await env.sleep(timedelta(days=14))
    assert "progress_notice" not in outbox_kinds(url, n)
    await env.sleep(timedelta(days=1, hours=1))
    await until(lambda: "progress_notice" in outbox_kinds(url, n))
    clock = read(url, lambda s: s.get(CaseClock, (n, c.STATUTORY)))
    assert clock.overdue
    assert case_row(url, n).escalated_to == "P92"


async def test_stale_progress_reminds_at_15_days_and_escalates_at_30(world):
    env, gw, url, _ = world
    filed = await gw.file(draft("ซื้อสินค้าแล้วชำรุด ร้านไม่ยอมเปลี่ยนสินค้า"), None)
    n = filed.tracking_number
    await until(status_is(url, n, c.FORWARDED))
    await env.sleep(timedelta(days=15, hours=1))
    await until(lambda: "follow_up" in open_tasks(url, n))
    await env.sleep(timedelta(days=15))
    await until(lambda: read(url, lambda s: s.get(CaseClock, (n, c.PROGRESS))).overdue)
    kinds = read(url, lambda s: [e.kind for e in s.scalars(select(CaseEvent).where(CaseEvent.tracking_number == n))])
    assert "progress_reminder" in kinds and kinds.count("escalated") >= 2


async def test_needs_info_pauses_clocks_and_moves_the_due_date(world):
    env, gw, url, _ = world
    filed = await gw.file(draft("ซื้อสินค้าออนไลน์ ได้ของปลอม"), None)
    n = filed.tracking_number
    await until(status_is(url, n, c.FORWARDED))
    before = await gw.status(n)
    due_before = datetime.fromisoformat(next(k for k in before.clocks if k.name == c.STATUTORY).due_at)
    await gw.act(n, "request_info", c.InfoRequest("officer.a", "ขอสำเนาใบเสร็จ"))
    view = await gw.status(n)
    assert view.status == c.NEEDS_INFO and all(
        k.state != "running" for k in view.clocks if k.name in (c.STATUTORY, c.RESOLUTION)
    )
    await env.sleep(timedelta(days=3))
    await gw.signal(n, "add_info", c.CitizenInfo("แนบใบเสร็จแล้วครับ"))
    await until(status_is(url, n, c.FORWARDED))
    after = await gw.status(n)
    due_after = datetime.fromisoformat(next(k for k in after.clocks if k.name == c.STATUTORY).due_at)
    assert due_after - due_before >= timedelta(days=3) - timedelta(minutes=5)
    assert "info_request" in outbox_kinds(url, n)


async def test_clock_extension_needs_a_reason_and_moves_the_deadline(world):
    env, gw, url, _ = world
    filed = await gw.file(draft("ซื้อสินค้าไม่ตรงปก ขอคืนเงิน"), None)
    n = filed.tracking_number
    await until(status_is(url, n, c.FORWARDED))
    with pytest.raises(InvalidInput):
        await gw.act(n, "change_clock", c.ClockChange("officer.a", c.RESOLUTION, "extend", "", business_days=5))
    with pytest.raises(InvalidInput):
        await gw.act(n, "change_clock", c.ClockChange("officer.a", "nonsense", "extend", "why", seconds=60))
    old = next(k for k in (await gw.status(n)).clocks if k.name == c.RESOLUTION).due_at
    await gw.act(n, "change_clock", c.ClockChange("officer.a", c.RESOLUTION, "extend", "รอผลตรวจ", business_days=5))
    new = next(k for k in (await gw.status(n)).clocks if k.name == c.RESOLUTION).due_at
    assert datetime.fromisoformat(new) - datetime.fromisoformat(old) >= timedelta(days=5)


async def test_linked_agency_that_keeps_failing_falls_back_to_manual_forwarding(time_env, sqlite_url, fake_agency):
    fake_agency.mode = "fail"
    try:
        async with running_worker(time_env.client, sqlite_url) as queue:
            gw = EndingGateway(time_env.client, SECRET, queue)
            policy = c.ClockPolicy(agency_send_budget_seconds=120)
            filed = await gw.file(draft("มีปัญหาเรื่องโฉนดที่ดิน ถูกออกโฉนดทับ", policy=policy), None)
            n = filed.tracking_number
            await until(lambda: fake_agency.for_case(n))
            for _ in range(30):  # skip time in steps: each retry's backoff timer must be skipped too
                if "forward_manual" in open_tasks(sqlite_url, n):
                    break
                await time_env.sleep(timedelta(minutes=1))
                await asyncio.sleep(0.2)
            assert "forward_manual" in open_tasks(sqlite_url, n)
            row = case_row(sqlite_url, n)
            assert row.forward_failure and "503" in row.forward_failure
            assert len(fake_agency.for_case(n)) >= 2, "the send is retried before giving up"
            await gw.act(
                n, "forward", c.ForwardRecord("officer.a", reference="มท 0230/55", sent_on="2026-11-24", method="email")
            )
            await until(status_is(sqlite_url, n, c.FORWARDED))
            await gw.end_all()
    finally:
        fake_agency.mode = "ok"


async def test_withdrawn_case_refuses_further_actions(world):
    env, gw, url, _ = world
    filed = await gw.file(draft("ซื้อสินค้าแล้วโดนโกง"), None)
    n = filed.tracking_number
    await until(status_is(url, n, c.FORWARDED))
    await gw.signal(n, "withdraw", c.Withdrawal("ตกลงกันได้แล้ว"))
    await until(status_is(url, n, c.WITHDRAWN))
    with pytest.raises(InvalidTransition):
        await gw.act(n, "record_progress", c.ProgressRecord("officer.a", "note"))


async def test_same_idempotency_key_makes_one_case(world):
    env, gw, url, _ = world
    first = await gw.file(draft("ซื้อสินค้าแล้วไม่ได้ของ"), "key-123")
    second = await gw.file(draft("ซื้อสินค้าแล้วไม่ได้ของ"), "key-123")
    assert (first.tracking_number, first.pin) == (second.tracking_number, second.pin)
    assert first.created and not second.created
