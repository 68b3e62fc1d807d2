"""Read queries the fronts use: one case with its clocks, public timeline, outbox and agency; directory
lookups for validating what a citizen or officer names. Nothing here writes or commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.models import Agency, Attachment, Case, CaseClock, CaseEvent, Category, Center, OutboxMessage


def aware(t: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=UTC)
    return t


@dataclass
class CaseDetail:
    case: Case
    clocks: list[CaseClock]
    events: list[CaseEvent]
    messages: list[OutboxMessage]
    agency: Agency | None
    center: Center | None
    attachments: int


def case_by_number(s: Session, number: str) -> Case | None:
    return s.get(Case, number)


def case_detail(s: Session, case: Case, public_only: bool = True) -> CaseDetail:
    number = case.tracking_number
    events = select(CaseEvent).where(CaseEvent.tracking_number == number).order_by(CaseEvent.seq)
    if public_only:
        events = events.where(CaseEvent.public.is_(True))
    return CaseDetail(
        case=case,
        clocks=list(s.scalars(select(CaseClock).where(CaseClock.tracking_number == number).order_by(CaseClock.due_at))),
        events=list(s.scalars(events)),
        messages=list(
            s.scalars(select(OutboxMessage).where(OutboxMessage.tracking_number == number).order_by(OutboxMessage.id))
        ),
        agency=s.get(Agency, case.agency_code) if case.agency_code else None,
        center=s.get(Center, case.center_code) if case.center_code else None,
        attachments=s.scalar(select(func.count()).select_from(Attachment).where(Attachment.tracking_number == number))
        or 0,
    )


def agency(s: Session, code: str) -> Agency | None:
    return s.get(Agency, code)


def center(s: Session, code: str) -> Center | None:
    return s.get(Center, code)


def category(s: Session, code: str) -> Category | None:
    return s.get(Category, code)


def categories(s: Session) -> list[Category]:
    return list(s.scalars(select(Category).order_by(Category.code)))


def centers(s: Session, parent: str | None, level: str | None, limit: int, offset: int) -> list[Center]:
    q = select(Center).order_by(Center.code).limit(limit).offset(offset)
    if parent:
        q = q.where(Center.parent_code == parent)
    if level:
        q = q.where(Center.level == level)
    return list(s.scalars(q))


def agencies(
    s: Session, agency_type: str | None, province: str | None, linked: bool | None, limit: int, offset: int
) -> list[Agency]:
    q = select(Agency).order_by(Agency.code).limit(limit).offset(offset)
    if agency_type:
        q = q.where(Agency.agency_type == agency_type)
    if province:
        q = q.where(Agency.province_code == province)
    if linked is not None:
        q = q.where(Agency.linked.is_(linked))
    return list(s.scalars(q))


def ping(s: Session) -> None:
    s.execute(text("SELECT 1"))
