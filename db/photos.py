"""Photos attached to complaints: type checked by their first bytes (not by the name the client gave),
size limited, and stored content-addressed under `var/uploads`, so the same photo sent twice (a retried
request) is one file and one attachment."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from workflows.contracts import AttachmentRef
from workflows.errors import InvalidInput

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


def store_photo(root: Path, filename: str, data: bytes, max_bytes: int) -> AttachmentRef:
    if len(data) > max_bytes:
        raise InvalidInput(
            f"รูปภาพ {filename} ใหญ่เกิน {max_bytes // (1024 * 1024)} MB / "
            f"photo {filename} is larger than {max_bytes // (1024 * 1024)} MB"
        )
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(
            f"ไฟล์ {filename} ไม่ใช่รูปภาพ (JPEG, PNG, WebP, GIF) / {filename} is not a JPEG, PNG, WebP or GIF image"
        )
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
