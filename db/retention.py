"""The PDPA retention timer: a closed case keeps its complainant's personal data until `erase_after`
(set by the projection when the case closes), then the name, phone, national ID and e-mail are erased
and the erasure stamped. The case, its timeline and its statistics stay; only the person goes. Staff
sign-in attempts (a username and the client's address) are kept for 90 days, for audit, then deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import PersonalData
from db.staff import LoginAttempt

# The sign-in throttle reads the last 15 minutes; the rest is only for looking into a break-in attempt.
LOGIN_ATTEMPTS_KEPT = timedelta(days=90)


def erase_expired(s: Session, now: datetime, batch: int = 500) -> int:
    """Erase up to `batch` people whose retention has run out; returns how many. The caller commits
    and calls again while the answer equals `batch`."""
    rows = list(
        s.scalars(
            select(PersonalData)
            .where(
                PersonalData.erase_after.is_not(None), PersonalData.erase_after <= now, PersonalData.erased_at.is_(None)
            )
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.name = row.phone = row.national_id = row.email = None
        row.erased_at = now
    return len(rows)


def prune_login_attempts(s: Session, now: datetime, keep: timedelta = LOGIN_ATTEMPTS_KEPT) -> int:
    """Delete sign-in attempts older than `keep`; returns how many. The caller commits."""
    return s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - keep)).rowcount or 0
