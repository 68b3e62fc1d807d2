"""The web chat at `/chat`: a mobile-first htmx page (Sarabun, Thai and English) over the same chat
service as every channel. The browser keeps its chat session in a cookie; each message (text, a tapped
quick reply, photos) is posted to `/chat/send`, which answers with the fragment of the turn; the page
polls `/chat/pushed` for messages pushed to the session (status changes, officers' replies, answers).
All user text is escaped by Jinja's autoescape; links are made clickable only after escaping."""

from __future__ import annotations

import asyncio
import re
import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from chatbot.messages import MAX_BODY_TEXT, Image, Inbound, Link, QuickReplies, Text
from intake import uploads
from intake.clients import client_address
from intake.rates import Throttled
from intake.text import clean
from workflows.domain import tracking
from workflows.errors import CaseNotFound, InvalidInput

router = APIRouter(include_in_schema=False)
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
TEMPLATES.env.autoescape = True
FAQ_IMAGES = Path(__file__).resolve().parents[1] / "nlp" / "data" / "faq_images"
COOKIE = "chat_session"
SESSION = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
URL = re.compile(r"(https?://[^\s<>\"']+|/chat\?track=[0-9A-Z-]+)")


def linkify(text: str) -> Markup:
    """Escape, then turn URLs into links that open in a new tab."""
    out, last = [], 0
    for m in URL.finditer(text):
        out.append(escape(text[last : m.start()]))
        url = m.group(0).rstrip(".,)")
        tail = m.group(0)[len(url) :]
        out.append(Markup('<a href="{0}" target="_blank" rel="noopener noreferrer">{0}</a>').format(url))
        out.append(escape(tail))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


TEMPLATES.env.filters["linkify"] = linkify


def _bubbles(replies) -> tuple[list[dict], list[dict]]:
    bubbles, quick = [], []
    for r in replies:
        if isinstance(r, Text):
            bubbles.append({"kind": "text", "text": r.text})
        elif isinstance(r, Link):
            bubbles.append({"kind": "link", "url": r.url, "title": r.title})
        elif isinstance(r, Image):
            bubbles.append({"kind": "image", "url": r.url, "alt": r.alt})
        elif isinstance(r, QuickReplies):
            quick = [{"label": c.label, "action": c.action} for c in r.items]
    return bubbles, quick


# The cookie is the key to "my complaints" on this browser: HttpOnly, SameSite=Lax, a week long and renewed
# whenever the chat is used (the page or a message; not the 2-second poll), so an idle one soon expires.
# Secure in production and over HTTPS or any non-loopback host (a TLS proxy); only a developer's
# plain-HTTP laptop gets it without, or the browser would drop it.
COOKIE_LIFETIME = 7 * 24 * 3600
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def keep_session(response: Response, request: Request, session: str) -> None:
    settings = getattr(request.app.state, "settings", None)
    secure = (
        bool(getattr(settings, "production", False))
        or request.url.scheme == "https"
        or request.url.hostname not in LOOPBACK
    )
    response.set_cookie(
        COOKIE, session, max_age=COOKIE_LIFETIME, httponly=True, samesite="lax", secure=secure, path="/"
    )


def _session_of(chat_session: str | None) -> tuple[str, bool]:
    if chat_session and SESSION.match(chat_session):
        return chat_session, False
    return secrets.token_urlsafe(24), True


@router.get("/chat", response_class=HTMLResponse)
async def chat_page(
    request: Request,
    chat_session: Annotated[str | None, Cookie()] = None,
    track: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    session, _ = _session_of(chat_session)
    service = request.app.state.chat
    lang, after = await asyncio.gather(
        asyncio.to_thread(service.language, "web", session), asyncio.to_thread(service.last_delivered, "web", session)
    )
    number = tracking.normalise(track) if track else ""
    start = f"track:{number}" if number and tracking.PATTERN.match(number) else "resume"
    page = TEMPLATES.TemplateResponse(request, "chat.html", {"lang": lang or "th", "after": after, "start": start})
    keep_session(page, request, session)  # new or renewed: a week from its last use
    return page


async def _read_form(request: Request, settings) -> tuple[dict, list, str]:
    """The page's form: multipart when the composer sends photos, urlencoded for a quick reply."""
    kind = request.headers.get("content-type", "")
    if uploads.is_multipart(kind):
        limits = uploads.PartLimits("image", settings.max_photos, settings.max_photo_bytes)
        form = await uploads.read_form(kind, request.stream(), limits, strict=False)
        return form.fields, form.photos, form.problem
    if kind.split(";", 1)[0].strip().lower() not in ("", "application/x-www-form-urlencoded"):
        raise uploads.unsupported(kind)
    try:
        body = (await request.body()).decode()
    except UnicodeDecodeError as err:
        raise InvalidInput("ข้อความไม่ใช่ UTF-8 / the form is not UTF-8") from err
    return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}, [], ""


@router.post("/chat/send", response_class=HTMLResponse)
async def chat_send(request: Request, chat_session: Annotated[str | None, Cookie()] = None) -> Response:
    session, _ = _session_of(chat_session)
    settings = request.app.state.settings
    # Read within the door's limits, as the JSON chat endpoint does: photos held in memory until the
    # whole message is read, a refused one left out and explained, text with control characters a 422.
    fields, held, problem = await _read_form(request, settings)
    refused_photos = 1 if problem else 0
    try:
        text = clean(str(fields.get("text") or ""), "text", MAX_BODY_TEXT)
    except InvalidInput as err:  # said in the chat, like a refused photo
        text, problem = "", err.message
    action = str(fields.get("action") or "")[:200]
    label = str(fields.get("label") or "")[:200]
    message_id = str(fields.get("message_id") or "")[:100]
    photos = await uploads.store(request.app.state.sessions, settings.upload_dir, held, f"chat:web:{session}")
    inbound = Inbound(
        at=datetime.now(UTC),
        event_id=message_id or uuid.uuid4().hex,
        text=text,
        action=action,
        photos=tuple(photos),
        problem=problem,
    )
    # Limits and wrong PINs count per client address, never per chat session (the cookie is the caller's).
    client = client_address(request, settings.trusted_proxies)
    try:
        request.app.state.rates.new_chat_session(client, f"web:{session}")
    except Throttled as err:
        replies = [Text(err.message)]  # said in the chat, politely, like any other answer
    else:
        replies = await request.app.state.chat.handle("web", session, inbound, client=client, claim=bool(message_id))
        if replies is None:  # a message sent again (its answer was lost): the same answer again
            replies = await asyncio.to_thread(request.app.state.chat.replayed, "web", session, message_id)
    bubbles, quick = _bubbles(replies or [])
    shown = label if action else text
    page = TEMPLATES.TemplateResponse(
        request,
        "_turn.html",
        {
            "said": shown if len(shown) <= 2000 else shown[:2000] + "…",
            "photos": len(photos) + refused_photos,
            "bubbles": bubbles,
            "quick": quick,
            "duplicate": replies is None,
        },
    )
    keep_session(page, request, session)  # new or renewed: a week from its last use
    return page


@router.get("/chat/pushed", response_class=HTMLResponse)
async def chat_pushed(
    request: Request,
    chat_session: Annotated[str | None, Cookie()] = None,
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,  # outbox ids are 32-bit: past them the query fails
) -> Response:
    if not chat_session or not SESSION.match(chat_session):
        return HTMLResponse("")
    got = await asyncio.to_thread(request.app.state.chat.pushed, "web", chat_session, after)
    return TEMPLATES.TemplateResponse(request, "_pushed.html", {"messages": got, "after": got[-1].id if got else after})


@router.get("/chat/faq-images/{name}")
async def faq_image(name: str) -> FileResponse:
    path = FAQ_IMAGES / name
    if not re.fullmatch(r"[A-Za-z0-9_-]+\.(svg|png|jpg|jpeg|webp)", name) or not path.is_file():
        raise CaseNotFound("ไม่พบรูป / no such image")
    return FileResponse(path)
