"""The PIN throttle's rows (`PinAttempt` in the read model): the recent wrong-PIN counts of a few keys,
one more wrong PIN counted (one upsert, so two app processes counting the same key at once both
count), and the pruning of rows quiet for longer than the window. Plain SQL on SQLite and PostgreSQL;
who waits how long is `intake.pins`'s policy. The caller owns the transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import PinAttempt


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def recent_failures(s: Session, keys: list[str], since: datetime) -> dict[str, tuple[int, datetime]]:
    """key -> (wrong PINs, the last one's time), for the keys whose last wrong PIN is after `since`."""
    rows = s.execute(
        select(PinAttempt.key, PinAttempt.failures, PinAttempt.last_failed_at).where(
            PinAttempt.key.in_(keys), PinAttempt.last_failed_at > since
        )
    )
    return {key: (failures, _aware(at)) for key, failures, at in rows}


def count_failure(s: Session, keys: list[str], now: datetime, since: datetime) -> None:
    """One more wrong PIN on each key; a key quiet since `since` starts again at one."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    # Sorted, so two transactions upserting the same keys lock them in the same order.
    stmt = insert(PinAttempt).values([{"key": k, "failures": 1, "last_failed_at": now} for k in sorted(set(keys))])
    s.execute(
        stmt.on_conflict_do_update(
            index_elements=[PinAttempt.key],
            set_={
                "failures": case((PinAttempt.last_failed_at <= since, 1), else_=PinAttempt.failures + 1),
                "last_failed_at": now,
            },
        )
    )


def prune(s: Session, before: datetime) -> int:
    """Forget the keys quiet since `before`; returns how many rows went."""
    return s.execute(delete(PinAttempt).where(PinAttempt.last_failed_at <= before)).rowcount or 0
