"""Business-day clocks of a real case on the time-skipping server, across the Thai calendar: a case
screened over the substitution day for 5 December 2569 (a Saturday, so Monday 7 December is off), and
one over Songkran 2570 (13-15 April). The server's clock is moved to each filing time first, so the
workflow's own calendar arithmetic meets the real holidays."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from db.models import CaseClock
from tests.conftest import BIN, running_worker
from tests.test_complaint_lifecycle import SECRET, draft, read, status_is, until
from workflows import contracts as c
from workflows.client import ComplaintGateway

BANGKOK = timezone(timedelta(hours=7))


@pytest.fixture
async def calendar_env():
    # Its own server: this test moves the clock months ahead, which no other test should inherit.
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(BIN / "temporal-test-server"))
    yield env
    await env.shutdown()


async def skip_to(env: WorkflowEnvironment, when: datetime) -> None:
    now = await env.get_current_time()
    assert when > now, f"the server is already at {now}"
    await env.sleep(when - now)


def screening(url: str, number: str) -> CaseClock | None:
    return read(
        url,
        lambda s: s.scalar(select(CaseClock).where(CaseClock.tracking_number == number, CaseClock.name == c.SCREENING)),
    )


async def file_unsure(gw: ComplaintGateway, url: str) -> str:
    """A case the classifier cannot place: it waits in triage with its screening clock running."""
    filed = await gw.file(draft("ขอร้องเรียนเรื่องนี้ด้วยครับ เดือดร้อนมาก"), None)
    await until(status_is(url, filed.tracking_number, c.TRIAGE))
    return filed.tracking_number


async def test_screening_clock_skips_the_substitution_day_and_songkran(calendar_env, sqlite_url):
    env = calendar_env
    async with running_worker(env.client, sqlite_url) as queue:
        gw = ComplaintGateway(env.client, SECRET, queue)

        # Friday 4 December 2569, 10:00: one business day later is Tuesday 8 December, 10:00.
        await skip_to(env, datetime(2026, 12, 4, 10, 0, tzinfo=BANGKOK))
        december = await file_unsure(gw, sqlite_url)
        due = screening(sqlite_url, december).due_at.astimezone(BANGKOK)
        assert abs(due - datetime(2026, 12, 8, 10, 0, tzinfo=BANGKOK)) < timedelta(minutes=1)
        await skip_to(env, datetime(2026, 12, 7, 16, 0, tzinfo=BANGKOK))
        assert not screening(sqlite_url, december).overdue, "late on the substitution day"
        await skip_to(env, due + timedelta(minutes=5))
        late = await until(lambda: (k := screening(sqlite_url, december)) is not None and k.overdue and k)
        assert late.overdue
        await env.client.get_workflow_handle(f"complaint-{december}").terminate("test over")

        # Monday 12 April 2570, 10:00: Songkran is Tuesday to Thursday, so screening is due Friday 10:00.
        await skip_to(env, datetime(2027, 4, 12, 10, 0, tzinfo=BANGKOK))
        april = await file_unsure(gw, sqlite_url)
        due = screening(sqlite_url, april).due_at.astimezone(BANGKOK)
        assert abs(due - datetime(2027, 4, 16, 10, 0, tzinfo=BANGKOK)) < timedelta(minutes=1)
        await skip_to(env, datetime(2027, 4, 15, 16, 0, tzinfo=BANGKOK))
        assert not screening(sqlite_url, april).overdue, "late during Songkran"
        await env.client.get_workflow_handle(f"complaint-{april}").terminate("test over")
