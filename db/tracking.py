"""What a citizen sees when tracking a case: status in Thai and English, the responsible agency, each
clock's due time (Buddhist era) and whether it is overdue, the public timeline and the messages sent.
A case still in the filings queue, or whose intake the read model has not caught up with (its workflow
vouching for the PIN), shows as just received."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from db import filings, queries
from db.models import Case
from db.queries import aware
from workflows.contracts import RECEIVED
from workflows.domain import tracking
from workflows.domain.calendar import format_datetime_en, format_datetime_th
from workflows.domain.transitions import STATUS_LABELS
from workflows.errors import CaseNotFound


class ClockOut(BaseModel):
    name: str
    state: str
    due_at: str | None
    due_th: str | None
    due_en: str | None
    overdue: bool


class EventOut(BaseModel):
    at: str
    kind: str
    status: str
    note: str | None


class MessageOut(BaseModel):
    at: str
    kind: str
    text_th: str
    text_en: str


class AgencyOut(BaseModel):
    code: str
    name_th: str
    name_en: str
    linked: bool


class TrackingOut(BaseModel):
    tracking_number: str
    status: str
    status_th: str
    status_en: str
    category: str | None
    filed_at: str
    agency: AgencyOut | None
    center: str | None
    center_name_th: str | None
    clocks: list[ClockOut]
    timeline: list[EventOut]
    messages: list[MessageOut]
    attachments: int


async def track_with_pin(
    sessions: sessionmaker[Session],
    queue: sessionmaker[Session],
    number: str,
    pin: str,
    secret: str,
    vouch: Callable[[str, str], Awaitable[bool]],
) -> TrackingOut:
    """The view when the PIN opens the case, else CaseNotFound. A case the read model does not have
    yet (filed a moment ago, or waiting in a burst's backlog) is shown as received when
    `vouch(number, pin)` confirms the PIN: the gateway's `pin_matches`, asked of the case's workflow."""

    def read() -> TrackingOut:
        with sessions() as s:
            return tracking_view_with_pin(s, queue, number, pin, secret)

    try:
        return await asyncio.to_thread(read)
    except CaseNotFound:
        if not await vouch(number, pin):
            raise
        return received_view(number)


def tracking_view_with_pin(s: Session, queue: sessionmaker[Session], number: str, pin: str, secret: str) -> TrackingOut:
    """The view when the PIN matches, else CaseNotFound (a wrong PIN looks like no such case)."""
    if not pin or not tracking.PATTERN.match(number):
        raise CaseNotFound()
    case = queries.case_by_number(s, number)
    if case is not None:
        stored = case.pin_hash
    else:
        with queue() as q:
            stored = filings.pin_hash_for(q, number)
    if stored is None or not tracking.pin_matches(secret, number, pin, stored):
        raise CaseNotFound()
    return tracking_view(s, case, number)


def received_view(number: str) -> TrackingOut:
    """A case accepted but not in the read model yet: received, and nothing more to show."""
    th, en = STATUS_LABELS[RECEIVED]
    return TrackingOut(
        tracking_number=number,
        status=RECEIVED,
        status_th=th,
        status_en=en,
        category=None,
        filed_at="",
        agency=None,
        center=None,
        center_name_th=None,
        clocks=[],
        timeline=[],
        messages=[],
        attachments=0,
    )


def tracking_view(s: Session, case: Case | None, number: str) -> TrackingOut:
    if case is None:
        return received_view(number)
    d = queries.case_detail(s, case)
    now = datetime.now(UTC)
    th, en = STATUS_LABELS[case.status]
    clocks = []
    for k in d.clocks:
        due = aware(k.due_at)
        clocks.append(
            ClockOut(
                name=k.name,
                state=k.state,
                due_at=due.isoformat() if due else None,
                due_th=format_datetime_th(due) if due else None,
                due_en=format_datetime_en(due) if due else None,
                overdue=bool(k.overdue or (k.state == "running" and due is not None and due < now)),
            )
        )
    return TrackingOut(
        tracking_number=case.tracking_number,
        status=case.status,
        status_th=th,
        status_en=en,
        category=case.category,
        filed_at=aware(case.filed_at).isoformat(),
        agency=AgencyOut(code=d.agency.code, name_th=d.agency.name_th, name_en=d.agency.name_en, linked=d.agency.linked)
        if d.agency
        else None,
        center=case.center_code,
        center_name_th=d.center.name_th if d.center else None,
        clocks=clocks,
        timeline=[EventOut(at=aware(e.at).isoformat(), kind=e.kind, status=e.status, note=e.note) for e in d.events],
        messages=[
            MessageOut(at=aware(m.created_at).isoformat(), kind=m.kind, text_th=m.text_th, text_en=m.text_en)
            for m in d.messages
        ],
        attachments=d.attachments,
    )
