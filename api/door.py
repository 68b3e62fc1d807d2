"""Limits at the door: a pure ASGI middleware that holds every request body to its route's size limit
while it streams in, before any route reads it. A declared Content-Length over the limit is refused at
once with 413; a chunked or under-declared body is cut off the moment the count passes the limit, so
the app never takes in more than the limit plus one chunk. JSON bodies (declared `application/json`,
`+json`, or undeclared, as FastAPI reads those as JSON too) are read here in full, within their limit,
and must be UTF-8, JSON and at most `intake.text.MAX_DEPTH` deep before the route sees them: a
20,000-deep body is a 422, not a RecursionError. Every refusal is JSON `{"detail": "ไทย / English"}`.
The limits live in one table, `doors(settings)`, longest prefix first. A path or query string holding
a control character (a NUL, decoded) is a 400 for every route, bodies or not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import unquote_plus

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.text import FORBIDDEN, load_json
from workflows.errors import InvalidInput

KIB, MIB = 1024, 1024 * 1024
JSON_LIMIT = 64 * KIB
BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass(frozen=True)
class Door:
    """A route prefix and its body limits in bytes: JSON (and anything else) and multipart."""

    prefix: str
    json: int
    multipart: int

    def admits(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix.rstrip("/") + "/")


def doors(settings) -> tuple[Door, ...]:
    """The one table of body limits. A multipart door takes its photos plus 64 KiB of fields."""
    photos = settings.max_photos * settings.max_photo_bytes + JSON_LIMIT
    return (
        Door("/api/complaints", JSON_LIMIT, photos),  # filing, citizen events, officer actions
        Door("/api/chat/messages", JSON_LIMIT, photos),
        Door("/chat/send", JSON_LIMIT, photos),  # the web chat page's form
        Door("/webhooks/line", MIB, MIB),  # LINE's own limit for a webhook body
        Door("/api/agencies", JSON_LIMIT, JSON_LIMIT),  # the agency callback
        Door("/agency-link", JSON_LIMIT, settings.max_photo_bytes + JSON_LIMIT),  # a status link's post: one file
        Door("/open311", JSON_LIMIT, JSON_LIMIT),  # Open311 service requests (form-encoded or JSON)
        Door("/inbox/file-for-citizen", JSON_LIMIT, photos),  # an officer's filing for a citizen, with scans
        Door("/admin/directory/feed", MIB, 16 * MIB),  # a directory feed file (web/directory_feed_admin.py)
        Door("/cases", MIB, photos),  # an officer's reply to the citizen, with photos (web/case_reply_photos.py)
        Door("/", MIB, MIB),  # staff forms and everything else
    )


def size_text(limit: int) -> tuple[str, str]:
    if limit % MIB == 0:
        return f"{limit // MIB} MB", f"{limit // MIB} MB"
    if limit >= MIB:
        return f"{limit / MIB:.1f} MB", f"{limit / MIB:.1f} MB"
    return f"{limit // KIB} KB", f"{limit // KIB} KiB"


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes its limit: whatever reads the body (a route,
    Starlette's form parser, our multipart reader) stops there and the client gets 413."""

    def __init__(self, limit: int) -> None:
        th, en = size_text(limit)
        super().__init__(413, f"ข้อมูลที่ส่งมาใหญ่เกิน {th} / the request body is larger than {en}")


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("", "application/json") or (media.startswith("application/") and media.endswith("+json"))


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 413:
        headers.append((b"connection", b"close"))  # the rest of the body will not be read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


CONTROL_IN_ADDRESS = "ที่อยู่ (URL) มีอักขระควบคุม / the address (URL) contains a control character"


def _controls_in_address(scope: Scope) -> bool:
    query = unquote_plus(scope.get("query_string", b"").decode("latin-1"))
    return bool(FORBIDDEN.search(scope.get("path", "")) or FORBIDDEN.search(query))


class DoorLimits:
    """The middleware; `create_app` adds it with the app's settings."""

    def __init__(self, app: ASGIApp, settings) -> None:
        self.app = app
        self.doors = doors(settings)

    def limit_for(self, path: str, content_type: str) -> int:
        door = next(d for d in self.doors if d.admits(path))
        return door.multipart if content_type.lower().startswith("multipart/") else door.json

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _controls_in_address(scope):
            # a NUL in a path or query reaches a query PostgreSQL cannot run: refused for every route
            await _answer(send, 400, CONTROL_IN_ADDRESS)
            return
        if scope["type"] != "http" or scope["method"] in BODILESS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        kind = headers.get("content-type", "")
        limit = self.limit_for(scope["path"], kind)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, BodyTooLarge(limit).detail)
            return
        if is_json(kind):
            try:
                body = await _read_within(receive, limit)
                if body.strip():
                    load_json(body)
            except BodyTooLarge as err:
                await _answer(send, 413, err.detail)
                return
            except InvalidInput as err:
                await _answer(send, 422, err.message)
                return
            receive = _replay(body, receive)
        else:
            receive = _counted(receive, limit)
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except BodyTooLarge as err:
            if started:
                raise
            await _answer(send, 413, err.detail)


async def _read_within(receive: Receive, limit: int) -> bytes:
    chunks, seen = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the route will see an empty body and the disconnect
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        if seen > limit:
            raise BodyTooLarge(limit)
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted
