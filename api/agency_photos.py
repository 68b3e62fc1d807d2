"""Photos for the agency a case was sent to, by a signed, expiring link (db/photo_links.py) that the
connector put in what it sent: no account, no session. The link is for one photo of one case and stops
working when it expires or when the case is no longer with that agency (returned, transferred). A bad
link is a plain 404, an expired one 410; the file is served as the type its own bytes show."""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import SessionDep, SettingsDep
from db.models import Attachment, Case
from db.photo_links import BadPhotoLink, link_keys, verify
from db.photos import photo_path, sniff
from workflows import codec

router = APIRouter(prefix="/api/agency-photos", tags=["agency photos"])
NOT_FOUND = "ไม่พบรูปภาพ / no such photo"
EXPIRED = "ลิงก์รูปภาพหมดอายุแล้ว / this photo link has expired"


@lru_cache(maxsize=4)
def _keys(var_dir: Path) -> tuple[bytes, ...]:
    return tuple(link_keys(codec.configured_keys(var_dir).values()))


def _attachment(s: Session, agency: str, number: str, sha256: str) -> Attachment | None:
    held = s.scalar(select(Case.agency_code).where(Case.tracking_number == number))
    if held != agency:  # the case went back or elsewhere: this agency's links end with it
        return None
    return s.scalar(select(Attachment).where(Attachment.tracking_number == number, Attachment.sha256 == sha256))


@router.get("/{token}")
async def agency_photo(token: str, s: SessionDep, settings: SettingsDep) -> FileResponse:
    try:
        grant = verify(_keys(settings.var_dir), token, time.time())
    except BadPhotoLink as err:
        raise HTTPException(410 if err.expired else 404, EXPIRED if err.expired else NOT_FOUND) from err
    row = await run_in_threadpool(_attachment, s, grant.agency_code, grant.tracking_number, grant.sha256)
    path = photo_path(settings.upload_dir, grant.sha256)
    if row is None or not path.exists():
        raise HTTPException(404, NOT_FOUND)
    with path.open("rb") as f:
        kind = sniff(f.read(16))
    return FileResponse(
        path,
        media_type=kind or "application/octet-stream",
        content_disposition_type="inline" if kind else "attachment",
        filename=f"{grant.tracking_number}-{grant.sha256[:12]}",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
