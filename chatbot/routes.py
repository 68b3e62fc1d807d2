"""The chat front's HTTP surface: the channel-neutral JSON endpoint (`POST /api/chat/messages`, JSON
or multipart with an image; `GET /api/chat/sessions/{id}/messages` for what was pushed to the chat),
and, from their own modules, the web chat page (`/chat`) and the LINE webhook (`/webhooks/line`).
`start(app)` builds the chat service once (classifier and FAQ loaded, LINE client opened) after the
read model and the gateway are open; `stop(app)` closes it."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from chatbot import case_photos, doors, line, webchat
from chatbot.faq_live import LiveFaq
from chatbot.messages import MAX_BODY_TEXT, Inbound, Location, as_json
from chatbot.senses import ReadModelSenses
from chatbot.service import ChatService
from intake import uploads
from intake.clients import client_address
from intake.rates import Throttled
from intake.text import Clean, load_json

router = APIRouter()
SESSION_ID = r"^[A-Za-z0-9_-]{8,100}$"


class ChatMessageIn(BaseModel):
    session_id: str = Field(pattern=SESSION_ID, description="the chat session (web chat, or any client's own id)")
    text: Clean("text", MAX_BODY_TEXT) = ""
    action: str = Field(default="", max_length=200, description="a quick reply's action, when one was tapped")
    message_id: str = Field(default="", max_length=100, description="the client's id: a retry is answered once")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    address: Clean("address", 500) = ""


def chat_service(request: Request) -> ChatService:
    return request.app.state.chat


async def read_message(request: Request) -> tuple[ChatMessageIn, list, str]:
    """The message, the photos it carries (stored), and why a photo was refused ("" when none was).
    Read within the door's limits (`intake.uploads`): a refused photo is left out and explained, a
    malformed body or a text with control characters is a 4xx."""
    settings = request.app.state.settings
    kind = request.headers.get("content-type", "")
    if uploads.is_multipart(kind):
        limits = uploads.PartLimits("image", settings.max_photos, settings.max_photo_bytes)
        form = await uploads.read_form(kind, request.stream(), limits, strict=False)
        msg = ChatMessageIn.model_validate(form.fields)
        scope = f"chat:web:{msg.session_id}"
        photos = await uploads.store(request.app.state.sessions, settings.upload_dir, form.photos, scope)
        return msg, photos, form.problem
    media = kind.split(";", 1)[0].strip().lower()
    if media not in ("", "application/json"):
        raise uploads.unsupported(kind)
    return ChatMessageIn.model_validate(load_json(await request.body())), [], ""


# The body the route reads itself (JSON, or multipart with photos as `image`), published so that
# clients and the OpenAPI fuzz (tests/test_openapi_fuzz.py) see it.
MESSAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ChatMessageIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["session_id"],
                    "properties": {
                        **ChatMessageIn.model_json_schema()["properties"],
                        "image": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
        },
    }
}


@router.post("/api/chat/messages", tags=["chat"], openapi_extra=MESSAGE_BODY)
async def post_message(request: Request) -> dict:
    """One message from the citizen -> `{"replies": [{"type": "text"|"image"|"link"|"quick_replies", ...}]}`."""
    msg, photos, problem = await read_message(request)
    location = (
        Location(msg.latitude, msg.longitude, msg.address)
        if msg.latitude is not None and msg.longitude is not None
        else None
    )
    inbound = Inbound(
        at=datetime.now(UTC),
        event_id=msg.message_id or uuid.uuid4().hex,
        text=msg.text,
        action=msg.action,
        photos=tuple(photos),
        location=location,
        problem=problem,
    )
    # Limits and wrong PINs count per client address, never per chat session: the caller names that,
    # so a new session buys no extra guesses and no extra filings.
    client = client_address(request, request.app.state.settings.trusted_proxies)
    try:
        request.app.state.rates.new_chat_session(client, f"web:{msg.session_id}")
    except Throttled as err:
        reply = {"type": "text", "text": err.message}
        headers = {"Retry-After": str(err.retry_after)}
        return JSONResponse({"session_id": msg.session_id, "replies": [reply]}, status_code=429, headers=headers)
    replies = await chat_service(request).handle(
        "web", msg.session_id, inbound, client=client, claim=bool(msg.message_id)
    )
    if replies is None:  # a retry of a message already answered: the same answer again
        again = await asyncio.to_thread(chat_service(request).replayed, "web", msg.session_id, msg.message_id)
        return {"session_id": msg.session_id, "replies": [as_json(r) for r in again or []], "duplicate": True}
    return {"session_id": msg.session_id, "replies": [as_json(r) for r in replies]}


@router.get("/api/chat/sessions/{session_id}/messages", tags=["chat"])
async def pushed_messages(
    request: Request,
    session_id: Annotated[str, Path(pattern=SESSION_ID)],
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,  # outbox ids are 32-bit: past them the query fails
) -> dict:
    """Messages pushed to this chat (status changes, officers' replies, answers) after id `after`."""
    got = await asyncio.to_thread(chat_service(request).pushed, "web", session_id, after)
    return {
        "messages": [
            {
                "id": m.id,
                "text": m.text,
                "kind": m.kind,
                "at": m.at,
                "photos": list(m.photos),
                "quick_replies": [{"label": q.label, "action": q.action} for q in m.quick],
            }
            for m in got
        ],
        "last_id": got[-1].id if got else after,
    }


async def start(app: FastAPI) -> None:
    from nlp.classifier import load_default
    from nlp.faq import load_faq

    settings = app.state.settings
    # Built once: the model and the FAQ index take seconds to load, a turn takes milliseconds.
    classifier, faq = await asyncio.gather(asyncio.to_thread(load_default), asyncio.to_thread(load_faq))
    # The shipped FAQ merged with the entries administrators approve; approving one refreshes it at once.
    faq = LiveFaq(app.state.sessions, faq)
    app.state.faq_changed = faq.invalidate
    senses = ReadModelSenses(app.state.sessions, classifier, faq)
    app.state.chat = ChatService(
        app.state.sessions,
        app.state.filing_sessions,
        app.state.gateway,
        senses,
        app.state.throttle,
        settings.secret,
        settings.public_base_url,
        rates=app.state.rates,
        on_filed=lambda: app.state.dispatcher.nudge.set() if app.state.dispatcher is not None else None,
        photo_key=case_photos.link_keys(settings.var_dir)[0],
    )
    app.state.line = line.LineChannel(app.state.chat, settings)
    await app.state.line.open()
    await app.state.line.resume()
    app.state.chat_pruning = asyncio.create_task(app.state.chat.prune_forever())


async def stop(app: FastAPI) -> None:
    pruning = getattr(app.state, "chat_pruning", None)
    if pruning is not None:
        pruning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pruning
    channel = getattr(app.state, "line", None)
    if channel is not None:
        await channel.close()


router.include_router(webchat.router)
router.include_router(doors.router)  # each center's chat door, public page and poster
router.include_router(line.router)
router.include_router(case_photos.router)  # photos of the case conversation, by signed link
