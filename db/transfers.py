"""Cases linked agencies sent us (a transfer from the 1111 center, say), under the sender's own
reference: one case per (agency, reference) for good, however often it is sent, and the case page
says where it came from. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Agency, AgencyTransfer


@dataclass(frozen=True)
class Transfer:
    agency_code: str
    agency_th: str
    agency_en: str
    reference: str
    tracking_number: str


def known(s: Session, agency_code: str, reference: str) -> str | None:
    """The tracking number of the case this reference made, if any."""
    row = s.get(AgencyTransfer, (agency_code, reference))
    return row.tracking_number if row is not None else None


def record(s: Session, agency_code: str, reference: str, number: str) -> str:
    """Keep (agency, reference) -> number; when another request kept it first, that number."""
    try:
        with s.begin_nested():
            s.add(
                AgencyTransfer(
                    agency_code=agency_code, reference=reference, tracking_number=number, received_at=datetime.now(UTC)
                )
            )
    except IntegrityError:
        return known(s, agency_code, reference) or number
    return number


def of_case(s: Session, number: str) -> Transfer | None:
    row = s.execute(
        select(AgencyTransfer, Agency.name_th, Agency.name_en)
        .outerjoin(Agency, Agency.code == AgencyTransfer.agency_code)
        .where(AgencyTransfer.tracking_number == number)
    ).first()
    if row is None:
        return None
    t, th, en = row
    return Transfer(t.agency_code, th or t.agency_code, en or t.agency_code, t.reference, t.tracking_number)
