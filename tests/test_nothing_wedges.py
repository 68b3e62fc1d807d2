"""Nothing wedges a case (issue 11, item 6, the workflow's side), on the time-skipping server with the
real activities and a real SQLite read model: a classifier that always fails sends the case to triage
with the error after a bounded number of tries, while an officer's note goes through meanwhile; a
projection that keeps failing is parked, shown to officers as a `system_fault` task, and lands later;
numbers an officer or citizen types (clock extensions, business days, ratings) are bounded before they
reach the case. The flaky projection here also drives the `projection_parked_then_recovered` history
of tests/test_replay.py."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.case_activities import CaseActivities
from activities.question_activities import QuestionActivities
from activities.worker import RUNNER, build_worker
from db.models import CaseEvent, Question, Task
from db.session import make_engine, make_sessions
from tests.conftest import BIN
from tests.support import EndingGateway, KeywordClassifier
from tests.test_complaint_lifecycle import SECRET, case_row, draft, read, status_is, until
from workflows import codec
from workflows import contracts as c
from workflows.errors import InvalidInput

FLAKY = re.compile(r"\[flaky:(\d+)\]")
REFUSED = "the read model refused the write"


class FlakyProjection(CaseActivities):
    """The real activities, except that an event whose note says `[flaky:N]` fails its first N writes,
    as a record the database will not take (a NUL byte on PostgreSQL, a full disk) would."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.failed: Counter[tuple[str, int]] = Counter()

    @activity.defn(name=c.PROJECT_CASE_EVENT)
    def project_case_event(self, record: c.CaseEventRecord) -> None:
        flaky = FLAKY.search(record.note or "")
        key = (record.tracking_number, record.seq)
        if flaky and self.failed[key] < int(flaky[1]):
            self.failed[key] += 1
            raise RuntimeError(f"{REFUSED} (attempt {self.failed[key]})")
        super().project_case_event(record)


class FlakyQuestions(QuestionActivities):
    """The question's projection, except that an answer saying `[flaky:N]` fails its first N writes."""

    def __init__(self, sessions) -> None:
        super().__init__(sessions)
        self.failed: Counter[tuple[str, int]] = Counter()

    @activity.defn(name=c.PROJECT_QUESTION_EVENT)
    def project_question_event(self, record: c.QuestionEventRecord) -> None:
        flaky = FLAKY.search(record.view.answer or "")
        key = (record.question.question_id, record.seq)
        if flaky and self.failed[key] < int(flaky[1]):
            self.failed[key] += 1
            raise RuntimeError(f"{REFUSED} (attempt {self.failed[key]})")
        super().project_question_event(record)


class NoCalendar(FlakyProjection):
    """The holiday calendar cannot be loaded at all (the `days_off` table is gone)."""

    @activity.defn(name=c.LOAD_DAYS_OFF)
    def load_days_off(self, req: c.DaysOffRequest) -> c.DaysOff:
        raise RuntimeError("no such table: days_off")


class BrokenClassifier:
    def classify(self, text: str, channel: str = ""):
        raise RuntimeError("the classifier's model file is missing")


@pytest.fixture
async def wedge_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of each test's own: these tests skip minutes of back-off, and a clock
    another test left locked (a workflow or an activity that never finished) would hold them still."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"), data_converter=codec.data_converter()
    )
    yield env
    await env.shutdown()


@asynccontextmanager
async def flaky_worker(
    client, database_url: str, classifier=None, queue: str | None = None, activities=FlakyProjection
) -> AsyncIterator[str]:
    """`tests.conftest.running_worker`, with `FlakyProjection` (or `activities`) for the activities."""
    import uuid

    queue = queue or f"q-{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url)
    acts = activities(make_sessions(engine), classifier or KeywordClassifier(), httpx.Client(timeout=5.0))
    async with build_worker(client, acts, task_queue=queue, threads=8):
        yield queue
    engine.dispose()


def events(url: str, number: str) -> list[str]:
    return read(
        url,
        lambda s: list(
            s.scalars(select(CaseEvent.kind).where(CaseEvent.tracking_number == number).order_by(CaseEvent.seq))
        ),
    )


def tasks(url: str, number: str, state: str = "open") -> dict[str, str]:
    rows = read(url, lambda s: s.scalars(select(Task).where(Task.tracking_number == number, Task.state == state)).all())
    return {t.kind: t.reason or "" for t in rows}


async def skip_until(env, done, step: timedelta = timedelta(seconds=30), most: int = 60) -> None:
    """Move the server's clock in steps until `done()`: back-off timers and parked retries fire."""
    for _ in range(most):
        if done():
            return
        await env.sleep(step)
        await asyncio.sleep(0.2)
    assert done(), "the case never got there"


async def test_a_classifier_that_keeps_failing_sends_the_case_to_triage_and_officers_keep_working(
    wedge_env, sqlite_url
):
    env, url = wedge_env, sqlite_url
    async with flaky_worker(env.client, url, classifier=BrokenClassifier()) as queue:
        gw = EndingGateway(env.client, SECRET, queue)
        filed = await gw.file(draft("ขอร้องเรียนเรื่องนี้ด้วยครับ เดือดร้อนมาก"), None)
        n = filed.tracking_number
        await until(status_is(url, n, c.RECEIVED))

        # The classifier is being retried, yet the case is not locked: the note is taken at once.
        done = await asyncio.wait_for(gw.act(n, "note", c.InternalNote("sikao.officer", "โทรคุยแล้ว")), 15)
        assert done.status == c.RECEIVED
        assert "note" in events(url, n)

        await skip_until(env, lambda: "triage" in tasks(url, n))
        assert case_row(url, n).status == c.TRIAGE
        reason = tasks(url, n)["triage"]
        assert "classification" in reason and "model file is missing" in reason
        assert "classification_failed" in events(url, n)
        await gw.end_all()


async def test_a_calendar_that_will_not_load_leaves_weekend_clocks_and_a_task_not_a_stuck_case(wedge_env, sqlite_url):
    env, url = wedge_env, sqlite_url
    async with flaky_worker(env.client, url, activities=NoCalendar) as queue:
        gw = EndingGateway(env.client, SECRET, queue)
        filed = await gw.file(draft("ขอร้องเรียนเรื่องนี้ด้วยครับ เดือดร้อนมาก"), None)
        n = filed.tracking_number
        await skip_until(env, lambda: c.TASK_SYSTEM_FAULT in tasks(url, n))
        assert "no such table: days_off" in tasks(url, n)[c.TASK_SYSTEM_FAULT]
        await until(status_is(url, n, c.TRIAGE))  # the case went on: classified, and waiting for screening
        screening = next(k for k in (await gw.status(n)).clocks if k.name == c.SCREENING)
        assert screening.state == "running" and screening.due_at
        await gw.end_all()


async def test_a_projection_that_fails_for_good_is_parked_shown_to_officers_and_lands_later(wedge_env, sqlite_url):
    env, url = wedge_env, sqlite_url
    async with flaky_worker(env.client, url) as queue:
        gw = EndingGateway(env.client, SECRET, queue)
        filed = await gw.file(draft("ขอร้องเรียนเรื่องนี้ด้วยครับ เดือดร้อนมาก"), None)
        n = filed.tracking_number
        await until(status_is(url, n, c.TRIAGE))

        # Ten failed writes: more than one bounded round of eight, fewer than two.
        note = asyncio.create_task(gw.act(n, "note", c.InternalNote("sikao.officer", "บันทึก [flaky:10]")))
        await skip_until(env, note.done)
        assert (await note).status == c.TRIAGE, "the officer's note is taken even though its write failed"

        view = await gw.status(n)
        assert view.unprojected == 1
        fault = next(t for t in view.tasks if t.kind == c.TASK_SYSTEM_FAULT)
        assert REFUSED in fault.reason
        assert "note" not in events(url, n)
        assert REFUSED in tasks(url, n).get(c.TASK_SYSTEM_FAULT, ""), "officers see the fault in the inbox"

        # The case keeps working while the write is parked.
        await gw.act(n, "assign", c.Assignment("sikao.officer", "sikao.officer"))

        await skip_until(env, lambda: c.TASK_SYSTEM_FAULT not in tasks(url, n), step=timedelta(minutes=1))
        kinds = events(url, n)
        assert "note" in kinds and "system_fault_cleared" in kinds, "the parked event was not lost"
        view = await gw.status(n)
        assert view.unprojected == 0 and not any(t.kind == c.TASK_SYSTEM_FAULT for t in view.tasks)
        await gw.end_all()


@pytest.mark.parametrize(
    "change",
    [
        dict(business_days=10**9),
        dict(business_days=366),
        dict(seconds=10**15),
        dict(seconds=366 * 86400),
        dict(seconds=200 * 86400, business_days=200),
        dict(seconds=-1, business_days=3),
        dict(seconds=0, business_days=0),
    ],
    ids=[
        "a billion business days",
        "366 business days",
        "1e15 seconds",
        "366 days",
        "200 + 200 days",
        "negative",
        "nothing",
    ],
)
async def test_an_extension_out_of_bounds_is_refused_before_it_reaches_the_case(wedge_env, sqlite_url, change):
    env, url = wedge_env, sqlite_url
    async with flaky_worker(env.client, url) as queue:
        gw = EndingGateway(env.client, SECRET, queue)
        filed = await gw.file(draft("ขอร้องเรียนเรื่องนี้ด้วยครับ เดือดร้อนมาก"), None)
        n = filed.tracking_number
        await until(status_is(url, n, c.TRIAGE))
        before = await gw.status(n)
        with pytest.raises(InvalidInput) as refused:
            await gw.act(n, "change_clock", c.ClockChange("o", c.SCREENING, "extend", "งบประมาณ", **change))
        assert " / " in refused.value.message, "refusals are in Thai and English"
        after = await gw.status(n)
        assert after.seq == before.seq and after.clocks == before.clocks, "nothing reached the case's history"
        # The largest extension allowed goes through, and the case still answers.
        await gw.act(n, "change_clock", c.ClockChange("o", c.SCREENING, "extend", "งบประมาณ", business_days=365))
        await gw.act(n, "note", c.InternalNote("o", "ยังทำงานได้"))
        await gw.end_all()


async def test_a_rating_out_of_1_to_5_does_not_close_the_case(wedge_env, sqlite_url, fake_agency):
    env, url = wedge_env, sqlite_url
    fake_agency.mode = "ok"
    async with flaky_worker(env.client, url) as queue:
        gw = EndingGateway(env.client, SECRET, queue)
        filed = await gw.file(draft("ซื้อสินค้าออนไลน์แล้วไม่ได้รับของ", category="consumer"), None)
        n = filed.tracking_number
        await until(status_is(url, n, c.FORWARDED))
        await gw.act(n, "resolve", c.ResolutionRecord("o", "คืนเงินแล้ว"))
        for score in (99, 0, -3):
            await gw.signal(n, "rate", c.Rating(score))
        # An update after the signals runs after them: the case is still waiting for a real rating.
        assert (await gw.act(n, "note", c.InternalNote("o", "รอผลประเมิน"))).status == c.RESOLVED
        await gw.signal(n, "rate", c.Rating(5))
        done = await env.client.get_workflow_handle(f"complaint-{n}", result_type=c.CaseOutcome).result()
        assert done.status == c.CLOSED
        await until(status_is(url, n, c.CLOSED))


# --- the bound itself, as a pure rule (workflows/domain/clocks.py) ------------------------------


def test_extension_bounds_as_a_pure_rule():
    from datetime import UTC, datetime

    from workflows.domain.clocks import extension_refusal

    now = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
    running = c.ClockState(c.RESOLUTION, due_at="2027-01-15T09:30:00+00:00", business=True)
    paused = c.ClockState(c.RESOLUTION, state="paused", remaining_seconds=10 * 8 * 3600, business=True)
    assert extension_refusal(running, 0, 365, now) is None
    assert extension_refusal(running, 365 * 86400, 0, now) is None
    assert extension_refusal(paused, 0, 30, now) is None
    for seconds, days in ((0, 366), (366 * 86400, 0), (86400, 365), (-1, 1), (0, 0), (1.5, 0), (True, 0)):
        assert extension_refusal(running, seconds, days, now), (seconds, days)
    far = c.ClockState(c.RESOLUTION, due_at="2031-06-01T00:00:00+00:00")
    assert "5" in extension_refusal(far, 0, 300, now), "no deadline moves past five years"


async def test_an_answer_that_will_not_write_is_parked_and_lands_before_the_question_ends(wedge_env, sqlite_url):
    import uuid
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from temporalio.worker import Worker

    from tests.support import DirectGateway
    from workflows.complaint import ComplaintWorkflow
    from workflows.question import QuestionWorkflow

    env, url = wedge_env, sqlite_url
    queue = f"q-{uuid.uuid4().hex[:8]}"
    engine = make_engine(url)
    acts = CaseActivities(make_sessions(engine), KeywordClassifier(), httpx.Client(timeout=5.0))
    worker = Worker(
        env.client,
        task_queue=queue,
        workflows=[ComplaintWorkflow, QuestionWorkflow],
        workflow_runner=RUNNER,
        activities=acts.all() + FlakyQuestions(acts.sessions).all(),
        activity_executor=ThreadPoolExecutor(max_workers=8),
        max_concurrent_activities=8,
        max_concurrent_local_activities=8,
    )
    async with worker:
        gw = DirectGateway(env.client, SECRET, queue)
        asked = await gw.ask_question(
            c.QuestionInput(f"wedge-{uuid.uuid4().hex[:12]}", "ต่อบัตรที่ไหน", datetime.now(UTC).isoformat())
        )
        qid = asked.question_id
        answered = lambda: (q := read(url, lambda s: s.get(Question, qid))) is not None and q.answer  # noqa: E731
        reply = asyncio.create_task(gw.answer_question(qid, c.QuestionAnswer("o", "ที่ว่าการอำเภอ [flaky:10]")))
        await skip_until(env, reply.done)
        assert (await reply).status == "answered", "the officer's answer is taken though its write failed"
        assert not answered()
        await skip_until(env, answered, step=timedelta(minutes=1))
        view = await env.client.get_workflow_handle(f"question-{qid}", result_type=c.QuestionView).result()
        assert view.status == "answered"
    engine.dispose()
