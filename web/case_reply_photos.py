"""Photos an officer sends with a reply to the citizen from the case page: the reply form's `photos`
files, held to the door's limits (how many, how big, JPEG/PNG/WebP/GIF by their first bytes), stored
content-addressed like every other photo (intake/uploads.py) and recorded as uploads of that officer,
so they reach the workflow as attachments of the `reply` update and the citizen as thumbnails in the web
chat and image messages on LINE. Nothing is stored when any of them is refused."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from db.photos import not_an_image, sniff, too_big
from intake import uploads
from workflows.contracts import AttachmentRef
from workflows.errors import InvalidInput

FIELD = "photos"


async def reply_photos(state, form: FormData, officer: str) -> list[AttachmentRef]:
    settings = state.settings
    files = [v for k, v in form.multi_items() if k == FIELD and isinstance(v, UploadFile) and v.filename]
    if len(files) > settings.max_photos:
        raise InvalidInput(
            f"ส่งรูปได้ไม่เกิน {settings.max_photos} รูปต่อข้อความ / at most {settings.max_photos} photos per reply"
        )
    held = []
    for f in files:
        data = await f.read(settings.max_photo_bytes + 1)
        name = (f.filename or "photo")[:255]
        if len(data) > settings.max_photo_bytes:
            raise too_big(name, settings.max_photo_bytes)
        kind = sniff(data)
        if kind is None:
            raise not_an_image(name)
        held.append(uploads.Photo(name, kind, data))
    return await uploads.store(state.sessions, settings.upload_dir, held, f"staff:{officer}")
