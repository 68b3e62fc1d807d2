"""The front desk every door files through: build the workflow's input (`intake.filing`), apply the one
idempotency rule, allocate the tracking number from the one table that holds them all (the filings
queue, unique numbers; numbers of cases already in the read model are skipped too), commit the filing
and acknowledge. The dispatcher (`intake.dispatcher`) starts its workflow right after; a crash in
between loses nothing and starts nothing twice.

Idempotency: a key is scoped to its door and caller (`Door.scope`) and expires after
`db.filings.KEY_TTL`; the filing's body hash is stored with it. The same key with the same body is the
same filing (its number again, and its PIN only to a caller the door identified); the same key with
another body is refused with `KeyReused`, so a second complaint is never silently folded into the
first. The PIN is derived from the scoped key and the number with the server secret, so it can be
shown again to the same caller without being stored."""

from __future__ import annotations

import secrets
import threading
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from db import filings
from db.models import Case
from intake.filing import ComplaintFiling, Door, complaint_input
from workflows.contracts import RECEIVED, ComplaintInput
from workflows.domain import tracking
from workflows.errors import InvalidInput, Unavailable

# SQLite has one writer; threads that queue on its busy handler sleep in growing steps, which turned a
# burst's p99 into seconds. Taking turns in-process first keeps each write a millisecond long.
SQLITE_WRITER = threading.Lock()
_CASE_EXISTS = select(exists().where(Case.tracking_number == bindparam("number")))
_STATUS = select(Case.status).where(Case.tracking_number == bindparam("number"))
ATTEMPTS = 8


class KeyReused(InvalidInput):
    """The idempotency key was used before with another complaint."""

    def __init__(self) -> None:
        super().__init__(
            "Idempotency-Key นี้ใช้ยื่นเรื่องอื่นไปแล้ว กรุณาใช้คีย์ใหม่ / "
            "this Idempotency-Key was already used for a different complaint; use a new key"
        )


@dataclass(frozen=True)
class Receipt:
    tracking_number: str
    pin: str | None  # None on a replay to a caller the door did not identify
    status: str
    created: bool


def file(
    directory: Session, queue: Session, filing: ComplaintFiling, door: Door, key: str | None, secret: str
) -> Receipt:
    """Accept a complaint from any door and commit it to the filings queue."""
    draft = complaint_input(directory, filing, door)
    if queue.get_bind().dialect.name != "sqlite":
        return _accept(directory, queue, draft, filing.body_hash(), door, key, secret)
    with SQLITE_WRITER:
        return _accept(directory, queue, draft, filing.body_hash(), door, key, secret)


def replay(queue: Session, door: Door, key: str, secret: str) -> Receipt | None:
    """What a key filed at this door, with its PIN when the door identified the caller; None if nothing."""
    scoped = _scoped(door, key)
    first = filings.for_key(queue, tracking.key_fingerprint(secret, scoped))
    if first is None:
        return None
    return _receipt(first.tracking_number, door, scoped, secret, created=False)


def _accept(
    directory: Session,
    queue: Session,
    draft: ComplaintInput,
    body_hash: str,
    door: Door,
    key: str | None,
    secret: str,
) -> Receipt:
    scoped = _scoped(door, key or secrets.token_hex(16))
    fingerprint = tracking.key_fingerprint(secret, scoped)
    if key:
        first = filings.for_key(queue, fingerprint)
        if first is not None and datetime.now(UTC) - first.accepted_at > filings.KEY_TTL:
            filings.release_key(queue, fingerprint)
        elif first is not None:
            return _again(directory, first, body_hash, door, scoped, secret)
    year = datetime.fromisoformat(draft.filed_at).astimezone(UTC).year
    for _ in range(ATTEMPTS):
        number = _new_number(year)
        if directory.connection().execute(_CASE_EXISTS, {"number": number}).scalar():
            continue  # a case filed before this table held every number
        pin = tracking.pin_for(secret, scoped, number)
        inp = replace(draft, tracking_number=number, pin_hash=tracking.pin_hash(secret, number, pin))
        try:
            first = filings.accept(queue, number, fingerprint, inp.pin_hash, _payload(inp), door.channel, body_hash)
        except filings.NumberTaken:
            continue
        queue.commit()
        if first is not None:  # the same key arrived twice at once; the other one won
            return _again(directory, first, body_hash, door, scoped, secret)
        return Receipt(number, pin, RECEIVED, created=True)
    raise Unavailable("ออกเลขเรื่องไม่ได้ กรุณาลองใหม่ / could not allocate a tracking number; please try again")


def _again(
    directory: Session, first: filings.KeyedFiling, body_hash: str, door: Door, scoped: str, secret: str
) -> Receipt:
    if first.body_hash is not None and first.body_hash != body_hash:
        raise KeyReused()
    status = directory.connection().execute(_STATUS, {"number": first.tracking_number}).scalar()
    return _receipt(first.tracking_number, door, scoped, secret, created=False, status=status or RECEIVED)


def _receipt(number: str, door: Door, scoped: str, secret: str, created: bool, status: str = RECEIVED) -> Receipt:
    pin = tracking.pin_for(secret, scoped, number) if door.proven else None
    return Receipt(number, pin, status, created=created)


def _new_number(gregorian_year: int) -> str:
    """A fresh random number; the filings table's unique key decides whether it is free."""
    suffix = "".join(secrets.choice(tracking.ALPHABET) for _ in range(6))
    return f"{tracking.buddhist_year(gregorian_year)}-{suffix}"


def _scoped(door: Door, key: str) -> str:
    return f"{door.scope}\x1f{key}"


def _payload(inp: ComplaintInput) -> dict:
    return asdict(inp)
