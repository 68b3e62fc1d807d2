"""The front door for a burst of complaints: a filing is accepted by committing it to the filings
queue (tracking number and PIN derived from its idempotency key, so the same key is the same case)
and answered at once; the dispatcher (`api/dispatcher.py`) hands it to its workflow right after. A
crash between the two loses nothing: the dispatcher picks up what is still waiting, and a start that happened already is
recognised by the workflow ID, so no case is started twice."""

from __future__ import annotations

import secrets
import threading
from dataclasses import asdict, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from db import filings
from workflows.client import Filed
from workflows.contracts import ComplaintInput
from workflows.domain import tracking
from workflows.errors import Unavailable

# SQLite has one writer; threads that queue on its busy handler sleep in growing steps, which turned a
# burst's p99 into seconds. Taking turns in-process first keeps each write a millisecond long.
SQLITE_WRITER = threading.Lock()


def accept(s: Session, draft: ComplaintInput, key: str | None, secret: str) -> Filed:
    if s.get_bind().dialect.name != "sqlite":
        return accept_filing(s, draft, key, secret)
    with SQLITE_WRITER:
        return accept_filing(s, draft, key, secret)


def accept_filing(s: Session, draft: ComplaintInput, key: str | None, secret: str) -> Filed:
    """Commit the filing; returns its number and PIN (the first filing's, for a repeated key)."""
    key = key or secrets.token_hex(16)
    fingerprint = tracking.key_fingerprint(secret, key)
    first = filings.existing_for_key(s, fingerprint)
    if first is not None:
        return Filed(first, tracking.pin_for(secret, key, first), created=False)
    year = datetime.fromisoformat(draft.filed_at).astimezone(UTC).year
    for number, pin in tracking.candidates(secret, key, year):
        inp = replace(draft, tracking_number=number, pin_hash=tracking.pin_hash(secret, number, pin))
        try:
            number, created = filings.accept(s, number, fingerprint, inp.pin_hash, asdict(inp))
        except filings.NumberTaken:
            continue
        s.commit()
        return Filed(number, tracking.pin_for(secret, key, number), created=created)
    raise Unavailable("ออกเลขเรื่องไม่ได้ / could not allocate a tracking number")
