"""Movable deadlines: starting, pausing, resuming and extending a case's clocks, and when each one next
needs attention. Pure functions over `ClockState`; business-day clocks count office time on the
business calendar, so a pause over a weekend gives back exactly the office time that was left.

Escalation steps per clock: screening, statutory and resolution fire once when due; progress fires a
reminder at its first due time and an escalation at its second; rating closes the case."""

from __future__ import annotations

from datetime import datetime, timedelta

from workflows.contracts import PROGRESS, ClockState
from workflows.domain.calendar import BusinessCalendar

STEPS = {PROGRESS: 2}
# Every number a person types is bounded before a handler sees it: an extension of more than a year is
# a typo, and an unbounded one overflows the datetime arithmetic inside the handler.
MAX_EXTENSION_DAYS = 365
MAX_EXTENSION_SECONDS = MAX_EXTENSION_DAYS * 86400
# No deadline moves further than this past now, however many extensions pile up.
MAX_DUE_AHEAD = timedelta(days=5 * 365)


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


def iso(t: datetime) -> str:
    return t.isoformat()


def start_wall(name: str, start: datetime, seconds: int) -> ClockState:
    return ClockState(name=name, due_at=iso(start + timedelta(seconds=seconds)))


def start_business(name: str, start: datetime, days: int, cal: BusinessCalendar) -> ClockState:
    return ClockState(name=name, due_at=iso(cal.add_business_days(start, days)), business=True)


def next_fire(clock: ClockState) -> datetime | None:
    """When this clock next needs the workflow's attention, or None."""
    if clock.state != "running" or clock.due_at is None:
        return None
    if clock.stage >= STEPS.get(clock.name, 1):
        return None
    return parse(clock.due_at)


def pause(clock: ClockState, now: datetime, cal: BusinessCalendar) -> None:
    if clock.state != "running" or clock.due_at is None:
        return
    due = parse(clock.due_at)
    if clock.business:
        left = cal.office_seconds_between(now, due) if due > now else 0
    else:
        left = max(0, int((due - now).total_seconds()))
    clock.remaining_seconds = left
    clock.state = "paused"


def resume(clock: ClockState, now: datetime, cal: BusinessCalendar) -> None:
    if clock.state != "paused":
        return
    left = clock.remaining_seconds or 0
    due = cal.add_office_seconds(now, left) if clock.business else now + timedelta(seconds=left)
    clock.due_at = iso(due)
    clock.remaining_seconds = None
    clock.state = "running"


def extend(clock: ClockState, seconds: int, business_days: int, now: datetime, cal: BusinessCalendar) -> None:
    """Move the deadline later; an overdue clock that moves past now is no longer overdue."""
    if clock.state == "paused":
        clock.remaining_seconds = (clock.remaining_seconds or 0) + seconds + business_days * 8 * 3600
        return
    base = parse(clock.due_at) if clock.due_at else now
    if business_days:
        base = cal.add_business_days(base, business_days)
    due = base + timedelta(seconds=seconds)
    clock.due_at = iso(due)
    if due > now:
        clock.overdue = False
        clock.stage = 0


def _whole(n: object, most: int) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= most


def extension_refusal(clock: ClockState, seconds: int, business_days: int, now: datetime) -> str | None:
    """Why an extension cannot be made (Thai / English), or None. It is whole, positive, at most 365 days
    (wall seconds plus business days counted as days), and the deadline it makes stays within five
    years of now, so `extend` can never overflow."""
    if not (_whole(seconds, MAX_EXTENSION_SECONDS) and _whole(business_days, MAX_EXTENSION_DAYS)):
        return f"ขยายเวลาได้ครั้งละไม่เกิน {MAX_EXTENSION_DAYS} วัน / an extension is at most {MAX_EXTENSION_DAYS} days"
    if seconds + business_days * 86400 > MAX_EXTENSION_SECONDS:
        return f"ขยายเวลาได้ครั้งละไม่เกิน {MAX_EXTENSION_DAYS} วัน / an extension is at most {MAX_EXTENSION_DAYS} days"
    if seconds + business_days == 0:
        return "ต้องระบุเวลาที่ขยาย / give a positive extension"
    # Over a year, calendar days are about 1.5 times the business days: twice is a generous bound.
    reach = timedelta(seconds=seconds) + timedelta(days=2 * business_days)
    if clock.state == "paused":
        base = now + timedelta(seconds=clock.remaining_seconds or 0) * 3  # office seconds: 8 of every 24 hours
    else:
        base = parse(clock.due_at) if clock.due_at else now
    if base + reach > now + MAX_DUE_AHEAD:
        return "กำหนดเวลาจะเลยไปเกิน 5 ปี / the deadline would move more than 5 years ahead"
    return None


def settle(clock: ClockState, state: str) -> None:
    """Stop a clock for good: `met` when its goal was reached, `stopped` when it no longer applies."""
    if clock.state in ("running", "paused"):
        clock.state = state
        clock.remaining_seconds = None
