"""The retention schedule's activities: erase one batch of one kind of data past its period
(`db/retention.py` decides what goes), and record what a run erased. Synchronous, on the worker's
thread pool; each batch is its own short transaction, so a backlog never holds a long one.
`erase_due_now` and `prune_due_now` erase everything due at once, outside Temporal (tests, scripts)."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from db.data_requests import record_run
from db.retention import erase_expired, eraser, prune_login_attempts
from workflows import pdpa

log = logging.getLogger("retention")
ROOT = Path(__file__).resolve().parents[1]


def photos_root() -> Path:
    """Where the app stores photos (the app's `Settings.upload_dir`: VAR_DIR/uploads)."""
    return Path(os.environ.get("VAR_DIR", ROOT / "var")) / "uploads"


class RetentionActivities:
    def __init__(self, sessions: sessionmaker[Session], photos: Path | None = None) -> None:
        self.sessions = sessions
        self.photos = photos or photos_root()

    @activity.defn(name=pdpa.ERASE_DUE)
    def erase_due(self, batch: pdpa.ErasureBatch) -> pdpa.ErasureCount:
        if batch.kind not in pdpa.RETENTION_KINDS:
            return pdpa.ErasureCount(batch.kind, 0)
        erase = eraser(batch.kind, self.photos)
        with self.sessions.begin() as s:
            count = erase(s, datetime.fromisoformat(batch.now), max(1, batch.days), batch.batch)
        return pdpa.ErasureCount(batch.kind, count)

    @activity.defn(name=pdpa.RECORD_RETENTION_RUN)
    def record_retention_run(self, run: pdpa.RetentionRunRecord) -> None:
        with self.sessions.begin() as s:
            record_run(
                s,
                run.run_id,
                datetime.fromisoformat(run.started_at),
                datetime.fromisoformat(run.finished_at),
                run.counts,
            )
        erased = {kind: n for kind, n in run.counts.items() if n}
        if erased:
            log.info("retention run %s erased %s", run.run_id, erased)

    def all(self) -> list:
        return [self.erase_due, self.record_retention_run]


def erase_due_now(sessions: sessionmaker[Session], batch: int = 500) -> int:
    total = 0
    while True:
        with sessions.begin() as s:
            n = erase_expired(s, datetime.now(UTC), batch)
        total += n
        if n < batch:
            return total


def prune_due_now(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as s:
        return prune_login_attempts(s, datetime.now(UTC))
