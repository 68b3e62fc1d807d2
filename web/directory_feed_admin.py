"""Loading a directory feed by hand at /admin/directory/feed (issue 13 §2 and §4), for nationwide
administrators only: upload a feed file; it is checked (`db.directory_feed.parse_feed`: the schema and
the semantic checks, every error with its JSON path) and compared with the directory
(`db.directory_sync.diff`); an invalid feed shows its errors and changes nothing. A valid one is kept
as a pending sync run (the same table the scheduled sync leaves its differences in), so what is
applied is exactly what was reviewed; applying it takes a reason and runs `db.directory_sync.apply`,
which writes the audit log, in one transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from db.directory_feed import FeedInvalid, parse_feed
from db.models import DirectorySyncRun
from web import i18n
from web.deps import DbSession
from web.directory_reach import DirectoryReach, Keeper
from web.directory_texts import REASON_MAX, both
from web.pages import WebRoute, render
from workflows.errors import InvalidInput

router = APIRouter(route_class=WebRoute)
MAX_FEED = 16 * 1024 * 1024  # the door (api/door.py) holds the body to this too
PENDING = "pending"


def _pending(s) -> list[DirectorySyncRun]:
    stmt = select(DirectorySyncRun).where(DirectorySyncRun.status == PENDING).order_by(DirectorySyncRun.id.desc())
    return list(s.scalars(stmt.limit(20)))


def _page(request: Request, s, reach: DirectoryReach, status_code: int = 200, **extra) -> HTMLResponse:
    return render(
        request,
        "directory_feed.html",
        "_directory_feed.html",
        status_code=status_code,
        pending=_pending(s),
        reach=reach,
        nav="directory",
        **extra,
    )


@router.get("/admin/directory/feed", response_class=HTMLResponse)
def feed_page(request: Request, s: DbSession, reach: Keeper, run: int | None = None):
    reach.ensure_nationwide()
    shown = s.get(DirectorySyncRun, run) if run else None
    return _page(request, s, reach, run=shown)


def _read(data: bytes) -> dict:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FeedInvalid([f"$: not a JSON document in UTF-8: {err}"]) from err


@router.post("/admin/directory/feed", response_class=HTMLResponse)
async def upload_feed(request: Request, s: DbSession, reach: Keeper, feed: UploadFile | None = None):
    reach.ensure_nationwide()
    if feed is None or not feed.filename:
        return _page(request, s, reach, 422, error=both("feed_missing"))
    data = await feed.read(MAX_FEED + 1)
    if len(data) > MAX_FEED:
        return _page(request, s, reach, 413, error=both("feed_too_big"))
    source = f"upload:{feed.filename[:200]}"
    try:
        run = await run_in_threadpool(_compare, s, _read(data), source)
    except FeedInvalid as err:
        s.rollback()
        return _page(request, s, reach, 422, error=both("feed_invalid"), feed_errors=err.errors)
    return _page(request, s, reach, run=run)


def _compare(s, document: dict, source: str) -> DirectorySyncRun:
    """Check and compare (CPU and a read of the whole directory: off the event loop); keep the run."""
    from db import directory_sync  # D1's sync service

    feed = parse_feed(document, source)
    found = directory_sync.diff(s, feed)
    run = DirectorySyncRun(
        source=source, fetched_at=datetime.now(UTC), status=PENDING, diff=found.to_json(), feed=document
    )
    s.add(run)
    s.commit()
    return run


@router.post("/admin/directory/feed/{run_id}/apply", response_class=HTMLResponse)
async def apply_feed(
    request: Request,
    run_id: int,
    s: DbSession,
    reach: Keeper,
    reason: Annotated[str, Form(max_length=REASON_MAX)] = "",
):
    reach.ensure_nationwide()
    lang = i18n.language(request)
    run = s.get(DirectorySyncRun, run_id)
    try:
        if run is None or run.status != PENDING or not run.feed:
            raise InvalidInput(both("feed_run_gone"))
        if not reason.strip():
            raise InvalidInput(both("reason_required"))
    except InvalidInput as err:
        return _page(request, s, reach, 409 if run is not None else 404, error=err.message, run=run)
    try:
        await run_in_threadpool(_apply, s, run, reach.user.username, reason.strip())
    except FeedInvalid as err:
        # The directory moved since the review (a code the feed names was removed meanwhile, say).
        s.rollback()
        return _page(request, s, reach, 422, error=both("feed_invalid"), feed_errors=err.errors, run=run)
    return _page(request, s, reach, flash=i18n.text("feed_applied", lang), run=run)


def _apply(s, run: DirectorySyncRun, actor: str, reason: str) -> None:
    from db import directory_sync

    feed = parse_feed(run.feed, run.source)
    applied = directory_sync.apply(s, feed, actor, reason)
    run.status, run.decided_by, run.decided_at, run.reason = "applied", actor, datetime.now(UTC), reason
    run.diff = applied.to_json()
    s.commit()
