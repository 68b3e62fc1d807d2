"""A question left for an officer, on the time-skipping server with a real SQLite read model: its
office-hours clock, the officer's answer reaching the chat's outbox, refusals, escalation when late,
and a redelivered question asking nothing twice."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from activities.days_off import load_days_off
from db.models import OutboxMessage, Question
from tests.conftest import BIN, running_worker
from tests.test_complaint_lifecycle import read, until
from workflows import contracts as c
from workflows.client import ComplaintGateway
from workflows.domain.calendar import BusinessCalendar
from workflows.errors import CaseNotFound, InvalidInput, InvalidTransition


class QuestionDesk(ComplaintGateway):
    """Ends its questions at teardown: an open question's timer would hold the time-skipping clock."""

    asked: list[str]

    async def ask_question(self, inp):
        self.asked = [*getattr(self, "asked", []), inp.question_id]
        return await super().ask_question(inp)

    async def end_all(self) -> None:
        for qid in getattr(self, "asked", []):
            try:
                await self.client.get_workflow_handle(f"question-{qid}").terminate("test over")
            except Exception:  # already finished
                pass


@asynccontextmanager
async def question_desk(env, url):
    async with running_worker(env.client, url) as queue:
        gw = QuestionDesk(env.client, "test-secret", queue)
        yield env, gw, url
        await gw.end_all()


# Refused updates run on the dev server: the time-skipping server answers a refused update's result
# poll with "update not found" now and then, which is not what a real cluster does.
@pytest.fixture
async def desk(dev_env, sqlite_url):
    async with question_desk(dev_env, sqlite_url) as got:
        yield got


@pytest.fixture
async def late_desk(sqlite_url):
    # A time-skipping server of its own: the shared one is left with its clock days ahead, and after
    # some earlier tests it stops answering a long skip at all.
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(BIN / "temporal-test-server"))
    try:
        async with question_desk(env, sqlite_url) as got:
            yield got
    finally:
        await env.shutdown()


def question(text: str, **kw) -> c.QuestionInput:
    base = dict(
        question_id=f"ev-{uuid.uuid4().hex[:12]}",
        text=text,
        asked_at=datetime.now(UTC).isoformat(),
        channel="web",
        channel_ref=f"session-{uuid.uuid4().hex[:8]}",
        center_code="D9205",
    )
    base.update(kw)
    return c.QuestionInput(**base)


def row(url: str, qid: str) -> Question | None:
    return read(url, lambda s: s.get(Question, qid))


def outbox(url: str, qid: str) -> list[OutboxMessage]:
    return read(url, lambda s: list(s.scalars(select(OutboxMessage).where(OutboxMessage.question_id == qid))))


async def test_answer_reaches_the_chat_that_asked(desk):
    env, gw, url = desk
    asked = question("ทำบัตรประชาชนใหม่ต้องใช้เอกสารอะไรบ้าง", language="th")
    view = await gw.ask_question(asked)
    assert view.status == "open" and view.due_at
    stored = await until(lambda: row(url, asked.question_id))
    assert stored.status == "open" and stored.center_code == "D9205" and stored.channel_ref == asked.channel_ref
    with pytest.raises(InvalidInput):
        await gw.answer_question(asked.question_id, c.QuestionAnswer("officer.a", "   "))
    await gw.answer_question(asked.question_id, c.QuestionAnswer("officer.a", "ใช้ทะเบียนบ้านฉบับจริงค่ะ"))
    with pytest.raises(InvalidTransition):
        await gw.answer_question(asked.question_id, c.QuestionAnswer("officer.b", "ตอบซ้ำ"))
    await until(lambda: (r := row(url, asked.question_id)) is not None and r.status == "answered")
    messages = await until(lambda: outbox(url, asked.question_id))
    assert len(messages) == 1
    m = messages[0]
    assert (m.channel, m.channel_ref, m.language, m.kind) == ("web", asked.channel_ref, "th", "answer")
    assert "ใช้ทะเบียนบ้านฉบับจริงค่ะ" in m.text_th and "ทำบัตรประชาชนใหม่" in m.text_th
    assert "ใช้ทะเบียนบ้านฉบับจริงค่ะ" in m.text_en
    result = await env.client.get_workflow_handle(f"question-{asked.question_id}", result_type=c.QuestionView).result()
    assert result.status == "answered" and result.answered_by == "officer.a"


async def test_due_time_is_one_office_day_on_the_thai_calendar(desk):
    _, gw, url = desk
    view = await gw.ask_question(question("How long does a complaint take?", language="en"))
    due = datetime.fromisoformat(view.due_at)
    now = datetime.now(UTC)
    days_off = read(url, lambda s: load_days_off(s, range(now.year - 1, now.year + 2)))
    cal = BusinessCalendar(frozenset(days_off))
    # The workflow's clock started a moment after `now`, on the server's time.
    expected = cal.add_business_days(now, 1)
    assert abs(due - expected) < timedelta(minutes=2)
    assert cal.is_business_day(due.astimezone(timezone(timedelta(hours=7))).date())


async def test_unanswered_question_escalates_and_can_still_be_answered(late_desk):
    env, gw, url = late_desk
    asked = question("ขอสอบถามเรื่องเงินช่วยเหลือน้ำท่วม")
    view = await gw.ask_question(asked)
    await env.sleep(datetime.fromisoformat(view.due_at) - await env.get_current_time() + timedelta(minutes=1))
    late = await until(lambda: (r := row(url, asked.question_id)) is not None and r.overdue and r)
    assert late.escalated_to == "P92" and late.status == "open"
    assert (await gw.question_status(asked.question_id)).overdue
    await gw.answer_question(asked.question_id, c.QuestionAnswer("supervisor.trang", "ยื่นได้ที่อำเภอค่ะ"))
    await until(lambda: row(url, asked.question_id).status == "answered")


async def test_redelivered_question_is_the_same_question(desk):
    _, gw, url = desk
    asked = question("สอบถามเวลาทำการ")
    first = await gw.ask_question(asked)
    again = await gw.ask_question(asked)
    assert first.due_at == again.due_at
    await until(lambda: row(url, asked.question_id))
    count = read(url, lambda s: len(s.scalars(select(Question).where(Question.question_id == asked.question_id)).all()))
    assert count == 1


async def test_withdrawn_question_refuses_an_answer(desk):
    _, gw, url = desk
    asked = question("ยกเลิกคำถามนี้")
    await gw.ask_question(asked)
    await gw.withdraw_question(asked.question_id, "ได้คำตอบแล้ว")
    await until(lambda: (r := row(url, asked.question_id)) is not None and r.status == "withdrawn")
    with pytest.raises(InvalidTransition):
        await gw.answer_question(asked.question_id, c.QuestionAnswer("officer.a", "สายไปแล้ว"))


async def test_bad_question_input_is_refused(desk):
    _, gw, _ = desk
    with pytest.raises(InvalidInput):
        await gw.ask_question(question("   "))
    with pytest.raises(InvalidInput):
        await gw.ask_question(question("x", question_id="bad id with spaces"))
    with pytest.raises(CaseNotFound):
        await gw.question_status("never-asked")
