"""Loading a directory feed by hand at /admin/directory/feed (issue 13 §2 and §4), for nationwide
administrators only: upload a feed file; it is checked (`db.directory_feed.parse_feed`: the schema and
the semantic checks, every error with its JSON path) and compared with the directory
(`db.directory_sync.diff`); an invalid feed shows its errors and changes nothing. A valid one is kept
as a pending sync run (`db.directory_runs`, where the scheduled sync leaves its differences too), so
what is applied is exactly what was reviewed; applying it (`apply_run`, which writes the audit log,
in one transaction) or dismissing it takes a reason. Pending runs of the scheduled sync are reviewed
and applied here the same way."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from db import directory_runs, directory_sync
from db.directory_feed import FeedInvalid, parse_feed
from db.models import DirectorySyncRun
from web import i18n
from web.deps import DbSession
from web.directory_reach import DirectoryReach, Keeper
from web.directory_texts import REASON_MAX, ROW_ID_MAX, both
from web.pages import WebRoute, render

router = APIRouter(route_class=WebRoute)
Reason = Annotated[str, Form(max_length=REASON_MAX)]
RunId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
MAX_FEED = 16 * 1024 * 1024  # the door (api/door.py) holds the body to this too


def _page(request: Request, s, reach: DirectoryReach, status_code: int = 200, **extra) -> HTMLResponse:
    return render(
        request,
        "directory_feed.html",
        "_directory_feed.html",
        status_code=status_code,
        pending=directory_runs.pending_runs(s)[:20],
        recent=directory_runs.recent_runs(s, 10),
        reach=reach,
        nav="directory",
        **extra,
    )


@router.get("/admin/directory/feed", response_class=HTMLResponse)
def feed_page(
    request: Request, s: DbSession, reach: Keeper, run: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None
):
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
    source = f"upload:{feed.filename[:200]} ({reach.user.username})"
    return await run_in_threadpool(_compare, request, s, reach, data, source)


def _compare(request: Request, s, reach: DirectoryReach, data: bytes, source: str) -> HTMLResponse:
    """Check and compare (CPU and a read of the whole directory: off the event loop); keep the run
    pending (it supersedes an older pending one, as the scheduled sync's do)."""
    try:
        document = _read(data)
        found = directory_sync.diff(s, parse_feed(document, source))
    except FeedInvalid as err:
        s.rollback()
        return _page(request, s, reach, 422, error=both("feed_invalid"), feed_errors=err.errors)
    run = directory_runs.record_run(s, source, directory_runs.PENDING, diff=found, feed=document)
    s.commit()
    return _page(request, s, reach, run=run)


def _decided(request: Request, s, reach: DirectoryReach, run_id: int, reason: str, decide) -> HTMLResponse:
    """Apply or dismiss a pending run with a reason; a run decided meanwhile is a 409."""
    lang = i18n.language(request)
    if not reason.strip():
        return _page(request, s, reach, 422, error=both("reason_required"), run=s.get(DirectorySyncRun, run_id))
    try:
        decide(s, run_id, reach.user.username, reason.strip())
        s.commit()
    except directory_runs.RunNotPending:
        s.rollback()
        return _page(request, s, reach, 409, error=both("feed_run_gone"), run=s.get(DirectorySyncRun, run_id))
    except FeedInvalid as err:
        # The directory moved since the review (a code the feed names is gone, say): nothing applied.
        s.rollback()
        run = s.get(DirectorySyncRun, run_id)
        return _page(request, s, reach, 422, error=both("feed_invalid"), feed_errors=err.errors, run=run)
    key = "feed_applied" if decide is directory_runs.apply_run else "feed_dismissed"
    return _page(request, s, reach, flash=i18n.text(key, lang), run=s.get(DirectorySyncRun, run_id))


@router.post("/admin/directory/feed/{run_id}/apply", response_class=HTMLResponse)
def apply_feed(request: Request, run_id: RunId, s: DbSession, reach: Keeper, reason: Reason = ""):
    reach.ensure_nationwide()
    return _decided(request, s, reach, run_id, reason, directory_runs.apply_run)


@router.post("/admin/directory/feed/{run_id}/dismiss", response_class=HTMLResponse)
def dismiss_feed(request: Request, run_id: RunId, s: DbSession, reach: Keeper, reason: Reason = ""):
    reach.ensure_nationwide()
    return _decided(request, s, reach, run_id, reason, directory_runs.dismiss_run)
