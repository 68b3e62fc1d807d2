"""The filings queue's writes and reads, and the one table tracking numbers are allocated from: accept a
filing (once per scoped idempotency key, once per tracking number), find what a key was accepted as,
release expired keys, list the filings due to be handed to their workflow, mark them started, count a
failed attempt and dead-letter a filing given up on. The caller commits: a filing is accepted exactly
when its transaction commits, and only then does the citizen get a number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, bindparam, exists, func, insert, inspect, literal, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Filing

# How long an idempotency key names its filing: a client retrying a lost response does so within
# minutes; after a day the same key files a new complaint.
KEY_TTL = timedelta(hours=24)


def ensure_schema(engine: Engine) -> None:
    """The queue's own SQLite file (see `db.session.filings_url`) gets its table here, and the columns
    later releases added to it; in the read model the migrations do this."""
    Filing.__table__.create(engine, checkfirst=True)
    have = {col["name"] for col in inspect(engine).get_columns("filings")}
    with engine.begin() as conn:
        for column in Filing.__table__.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=engine.dialect)
                default = " NOT NULL DEFAULT ''" if column.name == "door" else ""
                conn.execute(text(f"ALTER TABLE filings ADD COLUMN {column.name} {kind}{default}"))


class NumberTaken(Exception):
    """Another filing already holds this tracking number."""


@dataclass(frozen=True)
class KeyedFiling:
    """What an idempotency key was accepted as."""

    tracking_number: str
    body_hash: str | None
    accepted_at: datetime


# Built once: a burst of filings is what this module serves, and composing the ORM's statements anew
# for each filing cost more CPU (about 1.4 ms) than everything else the front door does for it.
_BY_KEY = select(Filing.tracking_number, Filing.body_hash, Filing.accepted_at).where(
    Filing.key_fingerprint == bindparam("fingerprint")
)
_INSERT = insert(Filing)
_NUMBER_TAKEN = select(exists().where(Filing.tracking_number == bindparam("number")))


def for_key(s: Session, fingerprint: str) -> KeyedFiling | None:
    row = s.connection().execute(_BY_KEY, {"fingerprint": fingerprint}).first()
    return KeyedFiling(row[0], row[1], _aware(row[2])) if row is not None else None


def release_key(s: Session, fingerprint: str) -> None:
    """An expired key no longer names its filing; the filing and its number stay."""
    s.execute(
        update(Filing)
        .where(Filing.key_fingerprint == fingerprint)
        .values(key_fingerprint=literal("released:").concat(Filing.tracking_number))
    )


def number_taken(s: Session, number: str) -> bool:
    return bool(s.connection().execute(_NUMBER_TAKEN, {"number": number}).scalar())


def accept(
    s: Session, number: str, fingerprint: str, pin_hash: str, payload: dict, door: str, body_hash: str
) -> KeyedFiling | None:
    """Insert the filing in a savepoint. None when it was inserted; a clash on the key (the same
    filing arriving twice at once) returns what that key was accepted as; a clash on the number
    raises NumberTaken."""
    row = {
        "tracking_number": number,
        "key_fingerprint": fingerprint,
        "pin_hash": pin_hash,
        "payload": payload,
        "accepted_at": datetime.now(UTC),
        "attempts": 0,
        "door": door[:16],
        "body_hash": body_hash,
    }
    try:
        with s.begin_nested():
            s.connection().execute(_INSERT, row)
    except IntegrityError:
        first = for_key(s, fingerprint)
        if first is not None:
            return first
        raise NumberTaken(number) from None
    return None


def pending(s: Session, limit: int, now: datetime | None = None) -> list[Filing]:
    """Filings waiting for their workflow, oldest first: not started, not given up, not backing off."""
    now = now or datetime.now(UTC)
    return list(
        s.scalars(
            select(Filing)
            .where(
                Filing.started_at.is_(None),
                Filing.dead_at.is_(None),
                or_(Filing.next_attempt_at.is_(None), Filing.next_attempt_at <= now),
            )
            .order_by(Filing.accepted_at)
            .limit(limit)
        )
    )


def mark_started(s: Session, numbers: list[str]) -> None:
    """One statement for the whole batch: on SQLite the write lock is then held for a moment, not
    for a loop of row updates that a busy machine can stretch into seconds of blocked filings.
    The payload (the complaint, with the complainant's name, phone and chat address) goes: the
    workflow holds the complaint now, the read model's `personal_data` the person (the workflow only
    its key), erased on the PDPA timer, which a copy left here would outlive. Until then the queue
    holds them in our own database, never in Temporal. The row stays, as the record that its
    idempotency key and tracking number are taken."""
    if numbers:
        s.execute(
            update(Filing)
            .where(Filing.tracking_number.in_(numbers), Filing.started_at.is_(None))
            .values(started_at=datetime.now(UTC), payload={})
        )


def mark_failed(s: Session, number: str, error: str, retry_at: datetime | None, now: datetime | None = None) -> None:
    """Count a failed attempt. With no `retry_at` the filing is given up: dead-lettered with its error,
    its personal data (the payload) wiped, its number kept so nobody else draws it."""
    row = s.get(Filing, number)
    if row is None:
        return
    row.attempts += 1
    row.last_error = error[:2000]
    row.next_attempt_at = retry_at
    if retry_at is None:
        row.dead_at, row.payload = now or datetime.now(UTC), {}


def dead_letters(s: Session, limit: int = 100) -> list[Filing]:
    return list(
        s.scalars(select(Filing).where(Filing.dead_at.is_not(None)).order_by(Filing.dead_at.desc()).limit(limit))
    )


def waiting_count(s: Session) -> int:
    return s.scalar(
        select(func.count()).select_from(Filing).where(Filing.started_at.is_(None), Filing.dead_at.is_(None))
    )


def pin_hash_for(s: Session, number: str) -> str | None:
    row = s.get(Filing, number)
    return row.pin_hash if row is not None and row.dead_at is None else None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
