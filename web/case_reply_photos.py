"""Photos and documents an officer sends with a reply to the citizen from the case page: the reply
form's `photos` files, held to the door's limits (how many, how big; JPEG/PNG/WebP/GIF, or a PDF, by
their first bytes, never by name or declared type), stored content-addressed beside every other photo
and recorded as uploads of that officer, so they reach the workflow as attachments of the `reply`
update and the citizen as thumbnails (a PDF as a link) in the web chat and image messages (a PDF as a
link) on LINE. Nothing is stored when any of them is refused. Only officers may send a PDF: the
citizens' doors still take images only."""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from starlette.datastructures import FormData, UploadFile

from db.photos import photo_path, record_uploads, sniff, too_big
from workflows.contracts import AttachmentRef
from workflows.errors import InvalidInput

FIELD = "photos"
PDF = "application/pdf"


def kind_of(data: bytes) -> str | None:
    return sniff(data[:16]) or (PDF if data.startswith(b"%PDF-") else None)


def not_accepted(filename: str) -> InvalidInput:
    return InvalidInput(
        f"ไฟล์ {filename} ไม่ใช่รูปภาพ (JPEG, PNG, WebP, GIF) หรือ PDF / {filename} is not a JPEG, PNG, WebP, "
        "GIF image or a PDF"
    )


async def reply_photos(state, form: FormData, officer: str) -> list[AttachmentRef]:
    settings = state.settings
    files = [v for k, v in form.multi_items() if k == FIELD and isinstance(v, UploadFile) and v.filename]
    if len(files) > settings.max_photos:
        raise InvalidInput(
            f"ส่งไฟล์ได้ไม่เกิน {settings.max_photos} ไฟล์ต่อข้อความ / at most {settings.max_photos} files per reply"
        )
    held = []
    for f in files:
        data = await f.read(settings.max_photo_bytes + 1)
        name = Path(f.filename or "file").name[:200] or "file"
        if len(data) > settings.max_photo_bytes:
            raise too_big(name, settings.max_photo_bytes)
        kind = kind_of(data)
        if kind is None:
            raise not_accepted(name)
        held.append((name, kind, data))
    if not held:
        return []
    return await asyncio.to_thread(_store, state.sessions, settings.upload_dir, held, f"staff:{officer}")


def _store(sessions, root: Path, held: list[tuple[str, str, bytes]], scope: str) -> list[AttachmentRef]:
    refs = []
    for name, kind, data in held:
        digest = hashlib.sha256(data).hexdigest()
        path = photo_path(root, digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.part")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        refs.append(AttachmentRef(sha256=digest, filename=name, content_type=kind, size=len(data)))
    with sessions.begin() as s:
        record_uploads(s, refs, scope, datetime.now(UTC))  # the orphan sweep knows them like any upload
    return refs
