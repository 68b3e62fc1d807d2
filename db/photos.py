"""Photos attached to complaints: type checked by their first bytes (not by the name the client gave),
size limited, and stored content-addressed under `var/uploads`, so the same photo sent twice (a retried
request) is one file and one attachment. Each photo stored at a door is recorded as an upload issued
to that door and caller (`uploads`); `prune_orphans` deletes the files no case ever took (a filing the
intake refused after its photos were stored, a chat abandoned before filing)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.chat import ChatSession
from db.models import Attachment, Filing, Upload
from workflows.contracts import AttachmentRef
from workflows.errors import InvalidInput

ORPHANS_KEPT = timedelta(hours=72)  # longer than a chat session lives idle (a day) and a queue outage

SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def sniff(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), None)


def too_big(filename: str, max_bytes: int) -> InvalidInput:
    mb = max_bytes // (1024 * 1024)
    return InvalidInput(f"รูปภาพ {filename} ใหญ่เกิน {mb} MB / photo {filename} is larger than {mb} MB")


def not_an_image(filename: str) -> InvalidInput:
    return InvalidInput(
        f"ไฟล์ {filename} ไม่ใช่รูปภาพ (JPEG, PNG, WebP, GIF) / {filename} is not a JPEG, PNG, WebP or GIF image"
    )


def store_photo(root: Path, filename: str, data: bytes, max_bytes: int) -> AttachmentRef:
    if len(data) > max_bytes:
        raise too_big(filename, max_bytes)
    kind = sniff(data)
    if kind is None:
        raise not_an_image(filename)
    digest = hashlib.sha256(data).hexdigest()
    path = root / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    safe_name = Path(filename or "photo").name[:200] or "photo"
    return AttachmentRef(sha256=digest, filename=safe_name, content_type=kind, size=len(data))


def photo_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def record_uploads(s: Session, refs: Iterable[AttachmentRef], scope: str, at: datetime) -> None:
    """Each stored photo as an upload issued to `scope` (door and caller); the caller commits."""
    s.add_all(
        Upload(sha256=r.sha256, scope=scope[:200], content_type=r.content_type, size=r.size, stored_at=at) for r in refs
    )


def held_by_queue(queue: Session) -> set[str]:
    """Photos of filings still waiting in the queue: no attachment row names them yet."""
    held: set[str] = set()
    for payload in queue.scalars(select(Filing.payload).where(Filing.started_at.is_(None))):
        for ref in (payload or {}).get("attachments") or ():
            if isinstance(ref, dict) and ref.get("sha256"):
                held.add(ref["sha256"])
    return held


def held_by_chats(s: Session) -> set[str]:
    """Photos a chat holds for a complaint it has not filed yet (the dialogue's state)."""
    held: set[str] = set()
    for state in s.scalars(select(ChatSession.state)):
        for ref in (state or {}).get("photos") or ():
            if isinstance(ref, dict) and ref.get("sha256"):
                held.add(ref["sha256"])
    return held


def prune_orphans(
    s: Session, root: Path, now: datetime, kept: timedelta = ORPHANS_KEPT, held: Iterable[str] = ()
) -> int:
    """Delete stored photos that no case took: uploaded more than `kept` ago (their latest upload),
    named by no attachment and not `held` (`held_by_queue`, `held_by_chats`). Returns how many files went; the
    caller commits the deleted upload rows."""
    held = set(held)
    taken = select(Attachment.sha256).where(Attachment.sha256 == Upload.sha256).exists()
    stale = select(Upload.sha256).where(~taken).group_by(Upload.sha256).having(func.max(Upload.stored_at) < now - kept)
    gone = 0
    for sha256 in [h for h in s.scalars(stale) if h not in held]:
        path = photo_path(root, sha256)
        if path.exists():
            path.unlink()
            gone += 1
        s.execute(delete(Upload).where(Upload.sha256 == sha256))
    return gone
