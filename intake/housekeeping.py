"""The door's housekeeping, hourly while the app runs: photos nobody holds any more (a refused filing's,
an abandoned chat's) are deleted after their grace time (`intake.uploads.prune`), wrong-PIN counts
past their quiet window are forgotten (`intake.pins`), and so are the nonces of signed agency requests
too old to pass the clock check anyway (`db.nonces`). A failed round (the database restarting) is
logged and tried again next hour; nothing here can stop the app."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from db import nonces
from intake import uploads

log = logging.getLogger("housekeeping")


def sweep(sessions, filing_sessions, upload_root: Path, pins=None) -> int:
    """One round; the number of orphaned photos deleted."""
    deleted = uploads.prune(sessions, filing_sessions, upload_root)
    if pins is not None:
        pins.prune()
    with sessions.begin() as s:
        nonces.sweep(s)  # agencies' request nonces past the point a replay could pass the clock check
    return deleted


async def sweep_forever(sessions, filing_sessions, upload_root: Path, pins=None, every_seconds: float = 3600.0) -> None:
    while True:
        try:
            deleted = await asyncio.to_thread(sweep, sessions, filing_sessions, upload_root, pins)
            if deleted:
                log.info("deleted %d orphaned photos", deleted)
        except Exception:  # the database may be restarting; try again next round
            log.exception("housekeeping failed")
        await asyncio.sleep(every_seconds)
