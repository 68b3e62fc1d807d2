"""Read queries for similar complaints together (issue 14 part 5): the open cases a case may be about
the same problem as (same category, same area: the tambon when the case names one, else the district),
the cases that follow a leading case, and the clusters on the supervisors' board (a lead, how many
cases follow it, its area and category, the oldest filing among them). The link itself is written
only by the projection of the cases' workflows (`cases.lead_tracking_number`); nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session, aliased

from db.models import Case

OPEN_STATUSES = ("RECEIVED", "TRIAGE", "FORWARDED", "IN_PROGRESS", "NEEDS_INFO", "RETURNED")
# The newest open cases of the area and category are compared: a district has tens of open cases
# of one kind at a time, and an older duplicate than these is rare and costs every page view.
MAX_CANDIDATES = 300


def candidates(s: Session, case: Case, visible: ColumnElement[bool] | None = None) -> list[Case]:
    """Open cases of the same category and area as `case` (never itself), newest first."""
    if not case.category or not (case.subdistrict_code or case.district_code):
        return []
    area = (
        Case.subdistrict_code == case.subdistrict_code
        if case.subdistrict_code
        else Case.district_code == case.district_code
    )
    q = (
        select(Case)
        .where(
            Case.tracking_number != case.tracking_number,
            Case.category == case.category,
            Case.status.in_(OPEN_STATUSES),
            area,
        )
        .order_by(Case.filed_at.desc())
        .limit(MAX_CANDIDATES)
    )
    if visible is not None:
        q = q.where(visible)
    return list(s.scalars(q))


def followers(s: Session, lead: str) -> list[Case]:
    return list(s.scalars(select(Case).where(Case.lead_tracking_number == lead).order_by(Case.filed_at)))


@dataclass(frozen=True)
class Cluster:
    lead: str
    status: str
    category: str | None
    province_code: str | None
    district_code: str | None
    subdistrict_code: str | None
    cases: int  # the lead and its followers
    open_cases: int
    oldest: datetime


def clusters(s: Session, visible: ColumnElement[bool] | None = None, limit: int = 50) -> list[Cluster]:
    """Leads with followers, largest first: counts over the lead and every case linked to it."""
    lead = Case  # the scope's clause is said of `Case`: here, of the lead
    member = aliased(Case)
    in_cluster = (member.lead_tracking_number == lead.tracking_number) | (
        member.tracking_number == lead.tracking_number
    )
    q = (
        select(
            lead.tracking_number,
            lead.status,
            lead.category,
            lead.province_code,
            lead.district_code,
            lead.subdistrict_code,
            func.count(member.tracking_number),
            func.sum(_one_if(member.status.in_(OPEN_STATUSES))),
            func.min(member.filed_at),
        )
        .join(member, in_cluster)
        .where(
            lead.tracking_number.in_(select(Case.lead_tracking_number).where(Case.lead_tracking_number.is_not(None)))
        )
        .group_by(
            lead.tracking_number,
            lead.status,
            lead.category,
            lead.province_code,
            lead.district_code,
            lead.subdistrict_code,
        )
        .order_by(func.count(member.tracking_number).desc(), func.min(member.filed_at))
        .limit(limit)
    )
    if visible is not None:
        q = q.where(visible)
    return [Cluster(*row[:6], int(row[6]), int(row[7] or 0), row[8]) for row in s.execute(q)]


def _one_if(condition: ColumnElement[bool]):
    return when((condition, 1), else_=0)
