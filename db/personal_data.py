"""The complainant's personal data as the intake hands it over: the filings dispatcher keeps a filing's
contact details and chat address in `personal_data` before it starts the case's workflow, which then
carries only the row's key (DESIGN §4.9); a filing given up on before its case existed has its row
removed. The projection reads the row when the case first appears. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Case, PersonalData

_INSERT = insert(PersonalData)


@dataclass(frozen=True)
class Complainant:
    """Who filed and where the case's messages go back to; empty strings for what was not given."""

    tracking_number: str
    anonymous: bool = False
    name: str = ""
    phone: str = ""
    national_id: str = ""
    email: str = ""
    channel_ref: str = ""


def keep(s: Session, people: list[Complainant]) -> None:
    """Insert each complainant's row unless one exists: a retried dispatch, or another dispatcher, writes
    the same filing again, and a row already there is never overwritten (nor one the PDPA timer or a
    request has erased)."""
    if not people:
        return
    numbers = [p.tracking_number for p in people]
    have = set(s.scalars(select(PersonalData.tracking_number).where(PersonalData.tracking_number.in_(numbers))))
    for p in people:
        if p.tracking_number in have:
            continue
        have.add(p.tracking_number)
        row = {
            "tracking_number": p.tracking_number,
            "anonymous": p.anonymous,
            "name": p.name or None,
            "phone": p.phone or None,
            "national_id": p.national_id or None,
            "email": p.email or None,
            "channel_ref": p.channel_ref or None,
        }
        try:
            with s.begin_nested():  # another dispatcher may be writing the same filing this moment
                s.connection().execute(_INSERT, row)
        except IntegrityError:
            pass  # it did: the row is there, as this one would have been


def forget_unfiled(s: Session, numbers: list[str]) -> None:
    """Delete the rows of filings given up on before their case reached the read model: nobody will
    ever look at them, and the PDPA timer only erases the data of closed cases."""
    if numbers:
        s.execute(
            delete(PersonalData).where(
                PersonalData.tracking_number.in_(numbers),
                ~exists().where(Case.tracking_number == PersonalData.tracking_number),
            )
        )
