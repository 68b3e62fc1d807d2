"""Photos and form fields at the door: a streaming multipart reader (python-multipart's push parser fed
chunk by chunk from the request) that holds every part to its limit while it arrives. A photo past
`max_photo_bytes`, a photo more than `max_photos`, or a file whose first bytes are not JPEG, PNG, WebP
or GIF (an SVG or HTML page with a `.jpg` name) is refused as soon as that is known, naming the file;
nothing is spooled to disk. Photos stay in memory until the whole request has been read and the caller
has validated it; only then does `store` write them (content-addressed, `db.photos`) and record each
as an upload issued to its door and caller, so files of a filing the intake refuses afterwards can be
found and removed (`db.photos.prune_orphans`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from db.photos import (
    ORPHANS_KEPT,
    held_by_chats,
    held_by_queue,
    not_an_image,
    prune_orphans,
    record_uploads,
    sniff,
    store_photo,
    too_big,
)
from workflows.contracts import AttachmentRef
from workflows.errors import InvalidInput

SNIFF_BYTES = 12  # enough for every signature in `db.photos.sniff` (WebP's is at bytes 8-11)
FIELD_BYTES = 64 * 1024
MAX_FIELDS = 32


class UnsupportedMedia(InvalidInput):
    """A body in a format the door does not take (e.g. JSON sent as text/plain)."""

    status_code = 415


def unsupported(content_type: str) -> UnsupportedMedia:
    media = content_type.split(";", 1)[0].strip()[:100] or "none"
    return UnsupportedMedia(
        f"ส่งข้อมูลเป็น JSON หรือ multipart/form-data เท่านั้น (ได้รับ {media}) / "
        f"send application/json or multipart/form-data, not {media}"
    )


def is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


@dataclass(frozen=True)
class PartLimits:
    photo_field: str  # the form field that carries photos ("photos" on the API, "image" in the chat)
    max_photos: int
    max_photo_bytes: int
    max_field_bytes: int = FIELD_BYTES
    max_fields: int = MAX_FIELDS


@dataclass(frozen=True)
class Photo:
    """A photo read and sniffed, not yet stored."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    photos: list[Photo] = field(default_factory=list)
    problem: str = ""  # why a photo was left out, when the reader is lenient (the chat answers it)


class _Reader:
    """The parser's callbacks: one part at a time, its bytes kept only while it is within its limits."""

    def __init__(self, limits: PartLimits, strict: bool) -> None:
        self.limits, self.strict = limits, strict
        self.form = Form()
        self.fields = 0
        self.ended = False
        self.refusal: InvalidInput | None = None
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._name, self._filename, self._is_file = "", "", False
        self._data = bytearray()
        self._skipping = False

    # -- python-multipart callbacks ---------------------------------------------------------------
    def on_part_begin(self) -> None:
        self._headers, self._data, self._skipping = {}, bytearray(), False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field, self._header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._is_file = filename is not None
        self._filename = (filename or b"").decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1][:200]
        if self._is_file:
            if not self._filename:
                self._skipping = True  # a browser's empty file input
            elif self._name != self.limits.photo_field:
                self._refuse(InvalidInput(f"ไม่รับไฟล์ในช่อง {self._name} / no files are taken in field '{self._name}'"))
            elif len(self.form.photos) >= self.limits.max_photos:
                n = self.limits.max_photos
                self._refuse(InvalidInput(f"แนบรูปได้ไม่เกิน {n} รูป / at most {n} photos"))
        else:
            self.fields += 1
            if self.fields > self.limits.max_fields:
                self.refusal = InvalidInput("ข้อมูลในฟอร์มมากเกินไป / too many form fields")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._skipping or self.refusal is not None:
            return
        self._data += data[start:end]
        if self._is_file:
            if len(self._data) > self.limits.max_photo_bytes:
                self._refuse(too_big(self._filename, self.limits.max_photo_bytes))
            elif len(self._data) >= SNIFF_BYTES and sniff(bytes(self._data[:SNIFF_BYTES])) is None:
                self._refuse(not_an_image(self._filename))
        elif len(self._data) > self.limits.max_field_bytes:
            self.refusal = InvalidInput(f"ช่อง {self._name} ยาวเกินไป / field '{self._name}' is too long")

    def on_part_end(self) -> None:
        if self._skipping or self.refusal is not None:
            return
        data = bytes(self._data)
        self._data = bytearray()
        if self._is_file:
            kind = sniff(data)
            if kind is None:
                self._refuse(not_an_image(self._filename))
                return
            self.form.photos.append(Photo(self._filename, kind, data))
            return
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError:
            self.refusal = InvalidInput(f"ช่อง {self._name} ไม่ใช่ UTF-8 / field '{self._name}' is not UTF-8")
            return
        self.form.fields[self._name] = value

    def on_end(self) -> None:
        self.ended = True

    def _refuse(self, err: InvalidInput) -> None:
        """A bad photo: the whole request when strict, else this photo only (its bytes are dropped)."""
        self._data, self._skipping = bytearray(), True
        if self.strict:
            self.refusal = err
        else:
            self.form.problem = err.message

    def callbacks(self) -> dict:
        names = ("part_begin", "header_field", "header_value", "header_end", "headers_finished")
        names += ("part_data", "part_end", "end")
        return {f"on_{n}": getattr(self, f"on_{n}") for n in names}


async def read_form(content_type: str, chunks: AsyncIterable[bytes], limits: PartLimits, strict: bool = True) -> Form:
    """The form's text fields and photos, read as the body streams in. Strict (the API): the first bad
    photo refuses the request at once. Lenient (the chat): a bad photo is left out, the rest is read
    (within the door's body limit) and `Form.problem` says why, for the dialogue to answer."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise InvalidInput("multipart ไม่มี boundary / the multipart body has no boundary")
    reader = _Reader(limits, strict)
    try:
        parser = MultipartParser(boundary, reader.callbacks())
        async for chunk in chunks:
            parser.write(chunk)
            if reader.refusal is not None:
                raise reader.refusal
            if reader.ended:
                break
        parser.finalize()
    except FormParserError as err:
        raise InvalidInput("ข้อมูล multipart ไม่ถูกต้อง / malformed multipart body") from err
    if reader.refusal is not None:
        raise reader.refusal
    if not reader.ended:
        raise InvalidInput("ข้อมูล multipart ไม่ครบ / the multipart body ended early")
    return reader.form


async def store(sessions, root, photos: list[Photo], scope: str) -> list[AttachmentRef]:
    """Write photos already read and validated, and record each as an upload issued to `scope` (the
    door and caller, e.g. `api:<client>` or `chat:web:<session>`)."""
    if not photos:
        return []

    def write() -> list[AttachmentRef]:
        refs = [store_photo(root, p.filename, p.data, len(p.data)) for p in photos]
        with sessions.begin() as s:
            record_uploads(s, refs, scope, datetime.now(UTC))
        return refs

    return await asyncio.to_thread(write)


def prune(sessions, filing_sessions, root: Path, now: datetime | None = None, kept: timedelta = ORPHANS_KEPT) -> int:
    """Delete the photos no case took, `kept` after their last upload: not named by an attachment, a
    filing still in the queue or a chat's unfiled complaint. Blocking; call it now and then (e.g. from
    the chat's hourly `prune_forever`, in a thread). Returns how many files were deleted."""
    with filing_sessions() as queue:
        held = held_by_queue(queue)
    with sessions.begin() as s:
        held |= held_by_chats(s)
        return prune_orphans(s, root, now or datetime.now(UTC), kept, held)
