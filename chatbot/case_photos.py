"""The photos of the case conversation for the citizen: `GET /chat/photos/{token}` serves one photo of
one case to whoever holds its signed, expiring link (db/chat_photos.py), which the chat put in a
message pushed to that citizen: the web chat's thumbnails and LINE's image messages (LINE fetches the
image itself, without a cookie, so the link is the permission). A bad link is a plain 404, an expired
one 410; the file is served as the type its own bytes show, never cached by a shared cache."""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from db.chat_photos import attachment, chat_link_keys, grant_of
from db.photo_links import BadPhotoLink
from db.photos import photo_path, sniff
from workflows import codec

router = APIRouter()
NOT_FOUND = "ไม่พบรูปภาพ / no such photo"
EXPIRED = "ลิงก์รูปภาพหมดอายุแล้ว / this photo link has expired"


@lru_cache(maxsize=4)
def link_keys(var_dir: Path) -> tuple[bytes, ...]:
    """The chat's link keys from the payload keys the app already holds (the first signs)."""
    return tuple(chat_link_keys(codec.configured_keys(var_dir).values()))


def _found(sessions, number: str, sha256: str) -> bool:
    with sessions() as s:
        return attachment(s, number, sha256) is not None


@router.get("/chat/photos/{token}", include_in_schema=False)
async def chat_photo(token: str, request: Request) -> FileResponse:
    settings = request.app.state.settings
    try:
        grant = grant_of(link_keys(settings.var_dir), token, time.time())
    except BadPhotoLink as err:
        raise HTTPException(410 if err.expired else 404, EXPIRED if err.expired else NOT_FOUND) from err
    path = photo_path(settings.upload_dir, grant.sha256)
    # A case erased under the PDPA takes its photos with it: the link ends there too.
    if not await run_in_threadpool(_found, request.app.state.sessions, grant.tracking_number, grant.sha256):
        raise HTTPException(404, NOT_FOUND)
    if not path.exists():
        raise HTTPException(404, NOT_FOUND)
    with path.open("rb") as f:
        head = f.read(16)
    kind = sniff(head)
    pdf = kind is None and head.startswith(b"%PDF-")  # an officer's document: downloaded, never rendered here
    return FileResponse(
        path,
        media_type=kind or ("application/pdf" if pdf else "application/octet-stream"),
        content_disposition_type="inline" if kind else "attachment",
        filename=f"{grant.tracking_number}-{grant.sha256[:12]}" + (".pdf" if pdf else ""),
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
        },
    )
