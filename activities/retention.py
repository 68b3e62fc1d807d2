"""Runs the PDPA retention timer beside the worker: every so often it erases the personal data of
closed cases whose retention has run out and deletes old staff sign-in attempts (`db/retention.py`
decides what goes), in small batches so a backlog never holds a long transaction."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from db.retention import erase_expired, prune_login_attempts

log = logging.getLogger("retention")


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


async def run(sessions: sessionmaker[Session], stop: asyncio.Event, interval: float = 3600.0) -> None:
    while not stop.is_set():
        try:
            erased = await asyncio.to_thread(erase_due_now, sessions)
            if erased:
                log.info("erased the personal data of %d closed cases past retention", erased)
            pruned = await asyncio.to_thread(prune_due_now, sessions)
            if pruned:
                log.info("deleted %d staff sign-in attempts past retention", pruned)
        except Exception:  # the database may be restarting; try again next round
            log.exception("retention round failed")
        try:
            async with asyncio.timeout(interval):
                await stop.wait()
        except TimeoutError:
            pass
