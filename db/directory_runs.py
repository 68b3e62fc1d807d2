"""Loaded feeds and their differences, kept for review (`directory_sync_runs`): the scheduled sync
stores each check here, and the admin pages list the pending ones, apply one (the stored feed,
exactly the document that was reviewed, compared again with the directory as it is now) or dismiss
it. A newer pending check supersedes an older one. The caller commits."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.directory_records import now
from db.directory_sync import DirectoryDiff, FeedInvalid, apply, parse_feed
from db.models import DirectorySyncRun

PENDING, APPLIED, DISMISSED, FAILED, UNCHANGED, SUPERSEDED = (
    "pending", "applied", "dismissed", "failed", "unchanged", "superseded",
)  # fmt: skip


class RunNotPending(LookupError):
    pass


def record_run(
    s: Session,
    source: str,
    status: str,
    diff: DirectoryDiff | None = None,
    feed: dict | None = None,
    errors: list[str] | None = None,
    decided_by: str | None = None,
    reason: str | None = None,
) -> DirectorySyncRun:
    """Store a check of a feed; a new pending one supersedes the pending ones before it."""
    if status == PENDING:
        s.execute(update(DirectorySyncRun).where(DirectorySyncRun.status == PENDING).values(status=SUPERSEDED))
    at = now()
    run = DirectorySyncRun(
        source=source[:500],
        fetched_at=at,
        status=status,
        diff={**diff.to_json(), "held": diff.held} if diff is not None else None,
        feed=feed if status == PENDING else None,  # only a run that may still be applied keeps its document
        errors=errors,
        decided_by=decided_by,
        decided_at=at if decided_by else None,
        reason=reason,
    )
    s.add(run)
    s.flush()
    return run


def pending_runs(s: Session) -> list[DirectorySyncRun]:
    return list(
        s.scalars(
            select(DirectorySyncRun).where(DirectorySyncRun.status == PENDING).order_by(DirectorySyncRun.id.desc())
        )
    )


def recent_runs(s: Session, limit: int = 20) -> list[DirectorySyncRun]:
    return list(s.scalars(select(DirectorySyncRun).order_by(DirectorySyncRun.id.desc()).limit(limit)))


def _pending(s: Session, run_id: int) -> DirectorySyncRun:
    run = s.get(DirectorySyncRun, run_id)
    if run is None or run.status != PENDING:
        raise RunNotPending(f"ไม่มีรายการรอตรวจนี้ / no pending directory sync run {run_id}")
    return run


def apply_run(s: Session, run_id: int, actor: str, reason: str) -> DirectoryDiff:
    """Apply a pending run's feed as `actor`; raises RunNotPending, or FeedInvalid when the directory
    has since changed so that the feed no longer fits (then nothing is applied)."""
    run = _pending(s, run_id)
    feed = parse_feed(run.feed, run.source)
    done = apply(s, feed, actor, reason)
    run.status, run.decided_by, run.decided_at, run.reason = APPLIED, actor[:100], now(), reason
    run.feed = None
    return done


def dismiss_run(s: Session, run_id: int, actor: str, reason: str) -> None:
    run = _pending(s, run_id)
    run.status, run.decided_by, run.decided_at, run.reason = DISMISSED, actor[:100], now(), reason
    run.feed = None


__all__ = ["FeedInvalid", "apply_run", "dismiss_run", "pending_runs", "recent_runs", "record_run"]
