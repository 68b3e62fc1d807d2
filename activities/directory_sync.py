"""The scheduled directory sync's activity: load the feed from its URL, check it, compare it with the
directory, and store the difference for review, or apply it when the schedule says so
(db/directory_sync.py, db/directory_runs.py). Synchronous, on the worker's thread pool."""

from __future__ import annotations

import logging

import httpx
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from db import directory_runs as runs
from db.directory_sync import FeedInvalid, apply, diff, load_feed
from workflows.directory_schedule import CHECK_DIRECTORY_FEED, DirectorySyncInput, DirectorySyncOutcome

log = logging.getLogger("directory_sync")
SCHEDULE_ACTOR = "directory-sync schedule"


class DirectorySyncActivities:
    def __init__(self, sessions: sessionmaker[Session], http: httpx.Client | None = None) -> None:
        self.sessions = sessions
        self.http = http

    @activity.defn(name=CHECK_DIRECTORY_FEED)
    def check_directory_feed(self, inp: DirectorySyncInput) -> DirectorySyncOutcome:
        try:
            feed = load_feed(inp.source, self.http)
            with self.sessions.begin() as s:
                if inp.auto_apply:
                    found = apply(s, feed, SCHEDULE_ACTOR, f"scheduled sync from {inp.source}")
                    status = runs.APPLIED if not found.empty else runs.UNCHANGED
                    run = runs.record_run(s, inp.source, status, found, decided_by=SCHEDULE_ACTOR)
                else:
                    found = diff(s, feed)
                    status = runs.PENDING if not found.empty else runs.UNCHANGED
                    run = runs.record_run(s, inp.source, status, found, feed=feed.document)
                run_id = run.id
        except FeedInvalid as err:
            with self.sessions.begin() as s:
                run_id = runs.record_run(s, inp.source, runs.FAILED, errors=err.errors).id
            log.warning("directory feed %s refused: %d error(s)", inp.source, len(err.errors))
            return DirectorySyncOutcome(run_id=run_id, status=runs.FAILED, errors=len(err.errors))
        log.info("directory feed %s: %s (run %s)", inp.source, status, run_id)
        return DirectorySyncOutcome(
            run_id=run_id,
            status=status,
            added=len(found.added),
            changed=len(found.changed),
            deactivated=len(found.deactivated),
        )

    def all(self) -> list:
        return [self.check_directory_feed]
