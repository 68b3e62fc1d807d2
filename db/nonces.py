"""The nonces agencies sign their requests with (callbacks and case transfers), remembered until the
request's timestamp could no longer pass the freshness check: a request seen once is refused when
replayed. Taking a nonce is one insert against the (agency, nonce) key, so two copies of one request
arriving at once cannot both pass. Expired rows are swept by the app's housekeeping. The caller
commits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import CallbackNonce


def take(s: Session, agency_code: str, nonce: str, expires_at: datetime) -> bool:
    """Remember the nonce; False when it was used before (a replay)."""
    try:
        with s.begin_nested():
            s.add(CallbackNonce(agency_code=agency_code, nonce=nonce, expires_at=expires_at))
    except IntegrityError:
        return False
    return True


def give_back(s: Session, agency_code: str, nonce: str) -> None:
    """Forget a nonce whose request could not be carried out (Temporal down): the agency may resend it."""
    s.execute(delete(CallbackNonce).where(CallbackNonce.agency_code == agency_code, CallbackNonce.nonce == nonce))


def sweep(s: Session, now: datetime | None = None) -> int:
    """Delete the nonces whose requests are too old to be accepted anyway; how many went."""
    done = s.execute(delete(CallbackNonce).where(CallbackNonce.expires_at < (now or datetime.now(UTC))))
    return done.rowcount or 0
