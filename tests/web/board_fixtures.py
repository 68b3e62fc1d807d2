"""Cases for the board's query tests, written into a real migrated read model through the real
projection (`db.projection.apply_event`): an intake event, then one event carrying the state the board
reads (status, clocks with due times relative to now, the holder, open tasks). Every case gets a fresh
tracking number, so tests on the shared session databases see only their own cases through `mine`."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_

from db.models import Case
from db.projection import apply_event
from workflows import contracts as c
from workflows.domain.tracking import ALPHABET

NOW = datetime.now(UTC)


def new_number() -> str:
    return "2569-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


def iso(t: datetime) -> str:
    return t.isoformat()


def clock(name: str, due_in: timedelta, state: str = "running", overdue: bool | None = None) -> c.ClockState:
    """A clock due `due_in` from now (negative: already past); past-due running clocks are flagged
    overdue, as the workflow flags them when they fire."""
    due = NOW + due_in
    flagged = (state == "running" and due < NOW) if overdue is None else overdue
    return c.ClockState(
        name=name, state=state, due_at=iso(due), overdue=flagged, remaining_seconds=3600 if state == "paused" else None
    )


def seed_case(
    s,
    center: str,
    *,
    status: str = c.IN_PROGRESS,
    clocks: list[c.ClockState] = (),
    filed_ago: timedelta = timedelta(days=20),
    category: str = "infrastructure",
    assignee: str | None = None,
    tasks: tuple[str, ...] = (),
    escalated_to: str | None = None,
) -> str:
    """One case at `center` (a center code: "D9205", "P92", "MOI"), projected as the workflow would."""
    number = new_number()
    filed = NOW - filed_ago
    province = center[1:3] if center[0] in "DP" else None
    district = center[1:] if center[0] == "D" else None
    intake = c.ComplaintInput(
        tracking_number=number,
        pin_hash="0" * 64,
        text=f"ถนนชำรุด {number}",
        filed_at=iso(filed),
        province_code=province,
        district_code=district,
        category=category,
        center_code=center,
    )
    base = c.CaseState(center_code=center)
    apply_event(
        s, c.CaseEventRecord(number, f"complaint-{number}", 1, "received", iso(filed), "citizen", base, intake=intake)
    )
    state = c.CaseState(
        status=status,
        category=category,
        center_code=center,
        clocks=list(clocks),
        assignee=assignee,
        escalated_to=escalated_to,
        seq=2,
        tasks=[
            c.TaskState(key=f"{number}:{kind}:2", kind=kind, center_code=center, opened_at=iso(filed)) for kind in tasks
        ],
    )
    apply_event(
        s,
        c.CaseEventRecord(
            number, f"complaint-{number}", 2, "progress", iso(filed + timedelta(hours=1)), "system", state
        ),
    )
    s.flush()
    return number


def only(numbers, visible=None):
    """A `visible` clause limited to these cases (the session databases hold other tests' cases too)."""
    mine = Case.tracking_number.in_(list(numbers))
    return mine if visible is None else and_(visible, mine)
