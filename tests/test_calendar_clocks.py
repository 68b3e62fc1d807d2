"""Business-day clocks of a real case on the time-skipping server, across the Thai calendar: a case
filed on the next Friday whose Monday is a day off (a holiday or its substitution day, e.g. Monday 22
February 2570 for Makha Bucha), and one filed just before the next Songkran. The dates come from the
days off the product itself uses (activities/days_off.py, the `holidays` package plus the `days_off`
table), found after the server's current time, so the test never dates; the expected due times are
counted here by hand from those days off, not by the calendar code under test. The server's clock is
moved to each filing time first, so the workflow's own calendar arithmetic meets the real holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from activities.days_off import load_days_off
from db.models import CaseClock
from tests.conftest import BIN, running_worker
from tests.support import DirectGateway
from tests.test_complaint_lifecycle import SECRET, draft, read, status_is, until
from workflows import contracts as c

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


async def file_unsure(gw: DirectGateway, url: str) -> str:
    """A case the classifier cannot place: it waits in triage with its screening clock running."""
    filed = await gw.file(draft("ขอร้องเรียนเรื่องนี้ด้วยครับ เดือดร้อนมาก"), None)
    await until(status_is(url, filed.tracking_number, c.TRIAGE))
    return filed.tracking_number


def days_off_from(url: str, first_year: int) -> set[date]:
    """The product's days off (public, substitution and declared) for this year and the next two."""
    return set(read(url, lambda s: load_days_off(s, range(first_year, first_year + 3))))


def office_day(d: date, days_off: set[date]) -> bool:
    return d.weekday() < 5 and d not in days_off


def next_office_day(d: date, days_off: set[date]) -> date:
    d += timedelta(days=1)
    while not office_day(d, days_off):
        d += timedelta(days=1)
    return d


def friday_before_a_monday_off(after: date, days_off: set[date]) -> date:
    """The first office Friday after `after` whose Monday is a holiday or a substitution day."""
    d = after + timedelta(days=(4 - after.weekday()) % 7 or 7)
    while not (office_day(d, days_off) and d + timedelta(days=3) in days_off):
        d += timedelta(days=7)
    return d


def eve_of_songkran(after: date, url: str) -> tuple[date, date]:
    """The office day just before the next Songkran after `after`, and the last day of that Songkran."""
    for year in range(after.year, after.year + 3):
        named = read(url, lambda s, y=year: load_days_off(s, [y]))
        songkran = sorted(d for d, name in named.items() if "สงกรานต์" in name)
        if not songkran:
            continue
        eve = songkran[0] - timedelta(days=1)
        while not office_day(eve, set(named)):
            eve -= timedelta(days=1)
        if eve > after:
            return eve, songkran[-1]
    raise AssertionError(f"no Songkran found in the three years after {after}")


def at(d: date, hour: int) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=BANGKOK)


async def test_screening_clock_skips_the_substitution_day_and_songkran(calendar_env, sqlite_url):
    env = calendar_env
    # A day's margin: the worker and the first filing must not start after the first filing time.
    after = ((await env.get_current_time()) + timedelta(days=1)).astimezone(BANGKOK).date()
    days_off = days_off_from(sqlite_url, after.year)
    friday = friday_before_a_monday_off(after, days_off)
    songkran_eve, songkran_end = eve_of_songkran(after, sqlite_url)
    days_off |= days_off_from(sqlite_url, songkran_eve.year)

    async def the_day_off_is_not_counted(filed_at: datetime, off_at: datetime, what: str) -> None:
        number = await file_unsure(gw, sqlite_url)
        due = screening(sqlite_url, number).due_at.astimezone(BANGKOK)
        # One business day: the same hour on the next office day, past the weekend and the days off.
        expected = at(next_office_day(filed_at.date(), days_off), filed_at.hour)
        assert off_at < expected, "the day off must lie between filing and due"
        assert abs(due - expected) < timedelta(minutes=1), f"screening due {due}, expected {expected}"
        await skip_to(env, off_at)
        assert not screening(sqlite_url, number).overdue, f"late {what}"
        await skip_to(env, due + timedelta(minutes=5))
        late = await until(lambda: (k := screening(sqlite_url, number)) is not None and k.overdue and k)
        assert late.overdue
        await env.client.get_workflow_handle(f"complaint-{number}").terminate("test over")

    cases = sorted(
        [
            # Friday 10:00: one business day later is the next office day after the Monday off, 10:00.
            (at(friday, 10), at(friday + timedelta(days=3), 16), "on the Monday off"),
            # The office day before Songkran, 10:00: due the first office day after it, 10:00.
            (at(songkran_eve, 10), at(songkran_end, 16), "during Songkran"),
        ]
    )
    async with running_worker(env.client, sqlite_url) as queue:
        gw = DirectGateway(env.client, SECRET, queue)
        for filed_at, off_at, what in cases:
            await skip_to(env, filed_at)
            await the_day_off_is_not_counted(filed_at, off_at, what)
