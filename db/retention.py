"""The PDPA retention timer: a closed case keeps its complainant's personal data until `erase_after`
(set by the projection when the case closes), then the name, phone, national ID and e-mail are erased
and the erasure stamped. The case, its timeline and its statistics stay; only the person goes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import PersonalData


def erase_expired(s: Session, now: datetime, batch: int = 500) -> int:
    """Erase up to `batch` people whose retention has run out; returns how many. The caller commits
    and calls again while the answer equals `batch`."""
    rows = list(s.scalars(
        select(PersonalData)
        .where(PersonalData.erase_after.is_not(None), PersonalData.erase_after <= now,
               PersonalData.erased_at.is_(None))
        .limit(batch)
        .with_for_update(skip_locked=True)))
    for row in rows:
        row.name = row.phone = row.national_id = row.email = None
        row.erased_at = now
    return len(rows)
