"""The LINE Messaging API channel: the webhook at `/webhooks/line` checks `X-Line-Signature` (HMAC-SHA256
of the raw body with the channel secret, 401 on mismatch), takes each event once by its
`webhookEventId`, answers 200 at once and does the work in a background task: it turns the event into
the dialogue's inbound message (text, postback, image fetched from the content API, location), runs
the turn, and answers with the reply token, or by push (with `X-Line-Retry-Key`) when the token has
expired or the reply failed. Quick replies become LINE postback buttons (at most 13, labels cut to
LINE's 20 characters). The API bases are settings, so tests run a fake LINE platform on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import APIRouter, Header, HTTPException, Request
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    ImageMessage,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhook import SignatureValidator

from chatbot.messages import MAX_BODY_TEXT, MAX_QUICK_REPLIES, Image, Inbound, Link, Location, QuickReplies, Reply, Text
from db.photos import store_photo
from intake.text import FORBIDDEN
from workflows.errors import InvalidInput

log = logging.getLogger("chat.line")
router = APIRouter()
RETRY_KEYS = uuid.UUID("8d4b1f3e-3c1a-4f0e-9b7e-2f6a51c0d7a4")
REPLY_TOKEN_LIFETIME = 50  # seconds; LINE's tokens last about a minute, a margin avoids a sure failure
MAX_MESSAGES = 5  # per reply or push request
TEXT_LIMIT = 5000
LABEL_LIMIT = 20
UNFINISHED_KEPT = timedelta(hours=1)


def to_line(replies: list[Reply], public_base_url: str = "") -> list:
    """The replies as at most five LINE messages; the quick replies ride on the last one. Links to this
    app are made absolute with the public base URL, and left out when there is none (LINE users cannot
    open a relative link); LINE shows only JPEG and PNG images over HTTPS, others go as links."""
    messages: list = []
    quick = None
    for r in replies:
        if isinstance(r, QuickReplies):
            quick = r
            continue
        if isinstance(r, Text):
            messages.append(TextMessage(text=r.text[:TEXT_LIMIT]))
            continue
        url = public_base_url + r.url if r.url.startswith("/") and public_base_url else r.url
        if not url.startswith(("https://", "http://")):
            continue
        if isinstance(r, Image) and url.startswith("https://") and url.lower().endswith((".png", ".jpg", ".jpeg")):
            messages.append(ImageMessage(original_content_url=url, preview_image_url=url))
        else:
            title = r.title if isinstance(r, Link) else r.alt
            messages.append(TextMessage(text=f"{title}\n{url}".strip()[:TEXT_LIMIT]))
    while len(messages) > MAX_MESSAGES:
        # Fold the earliest texts together rather than drop anything.
        first, second = messages[0], messages[1]
        if isinstance(first, TextMessage) and isinstance(second, TextMessage):
            messages[:2] = [TextMessage(text=f"{first.text}\n\n{second.text}"[:TEXT_LIMIT])]
        else:
            messages.pop(0)
    if quick and quick.items:
        if not messages:
            messages.append(TextMessage(text="…"))
        items = [
            QuickReplyItem(
                action=PostbackAction(label=c.label[:LABEL_LIMIT], data=c.action[:300], display_text=c.label[:300])
            )
            for c in quick.items[:MAX_QUICK_REPLIES]
        ]
        messages[-1].quick_reply = QuickReply(items=items)
    return messages


class LineChannel:
    def __init__(self, service, settings) -> None:
        self.service, self.settings = service, settings
        self.validator = SignatureValidator(settings.line_channel_secret) if settings.line_channel_secret else None
        self.tasks: set[asyncio.Task] = set()
        self.http: httpx.AsyncClient | None = None
        self.client: AsyncApiClient | None = None
        self.api: AsyncMessagingApi | None = None

    async def open(self) -> None:
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=30.0))
        config = Configuration(
            host=self.settings.line_api_base.rstrip("/"), access_token=self.settings.line_channel_access_token
        )
        self.client = AsyncApiClient(config)
        self.api = AsyncMessagingApi(self.client)

    async def close(self) -> None:
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=10)
        if self.http is not None:
            await self.http.aclose()
        if self.client is not None:
            await self.client.close()

    def verify(self, body: bytes, signature: str) -> bool:
        if self.validator is None or not signature:
            return False
        try:
            return self.validator.validate(body.decode("utf-8"), signature)
        except (UnicodeDecodeError, ValueError):
            return False

    def spawn(self, events: list[dict]) -> None:
        task = asyncio.create_task(self._process(events))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _process(self, events: list[dict]) -> None:
        # One user's events in order; different users side by side.
        by_user: dict[str, list[dict]] = {}
        for e in events:
            by_user.setdefault(e["source"]["userId"], []).append(e)
        await asyncio.gather(*(self._user_events(evs) for evs in by_user.values()))

    async def _user_events(self, events: list[dict]) -> None:
        for event in events:
            try:
                await self._event(event)
            except Exception:  # one bad event must not stop the others
                log.exception("LINE event %s failed", event.get("webhookEventId"))
            await asyncio.to_thread(self.service.finished, "line", event["webhookEventId"])

    async def resume(self) -> int:
        """Finish the events a crash or restart left taken-in but unhandled: LINE got its 200 for
        them and will not send them again. Older ones than a reply token's hour are let go."""
        events = await asyncio.to_thread(self.service.unfinished, "line", UNFINISHED_KEPT)
        if events:
            log.info("resuming %d LINE events left unfinished", len(events))
            self.spawn(events)
        return len(events)

    async def _event(self, event: dict) -> None:
        user = event["source"]["userId"]
        inbound = await self._inbound(event)
        if inbound is None:
            return
        replies = await self.service.handle("line", user, inbound, client=f"line:{user}", claim=False)
        if replies:
            await self._answer(event, user, to_line(replies, self.settings.public_base_url))

    async def _inbound(self, event: dict) -> Inbound | None:
        base = {"at": _when(event), "event_id": event["webhookEventId"]}
        kind = event.get("type")
        if kind == "follow":  # a new friend: greet and show the menu
            return Inbound(**base, action="resume")
        if kind == "postback":
            return Inbound(**base, action=str(event.get("postback", {}).get("data", ""))[:200])
        if kind != "message":
            return None
        m = event.get("message", {})
        if m.get("type") == "text":
            # LINE must get its 200 whatever the text holds: control characters are dropped, not refused.
            return Inbound(**base, text=FORBIDDEN.sub("", str(m.get("text", "")))[:MAX_BODY_TEXT])
        if m.get("type") == "location":
            return Inbound(
                **base,
                location=Location(
                    float(m.get("latitude", 0)), float(m.get("longitude", 0)), str(m.get("address", ""))[:500]
                ),
            )
        if m.get("type") == "image":
            photo, problem = await self._photo(m)
            return Inbound(**base, photos=(photo,) if photo else (), problem=problem)
        return Inbound(**base, problem="ส่งได้เฉพาะข้อความ รูปภาพ และตำแหน่ง / please send text, photos or a location")

    async def _photo(self, message: dict):
        """Fetch a user's image from the content API, refusing it past the size limit."""
        limit = self.settings.max_photo_bytes
        url = f"{self.settings.line_data_api_base.rstrip('/')}/v2/bot/message/{message['id']}/content"
        headers = {"Authorization": f"Bearer {self.settings.line_channel_access_token}"}
        try:
            async with self.http.stream("GET", url, headers=headers) as got:
                if got.status_code != 200:
                    return (
                        None,
                        "ดึงรูปจาก LINE ไม่ได้ กรุณาส่งใหม่ / could not fetch the photo from LINE; please send it again",
                    )
                data = bytearray()
                async for chunk in got.aiter_bytes():
                    data += chunk
                    if len(data) > limit:
                        break
        except httpx.HTTPError:
            return None, "ดึงรูปจาก LINE ไม่ได้ กรุณาส่งใหม่ / could not fetch the photo from LINE; please send it again"
        try:
            return await asyncio.to_thread(
                store_photo, self.settings.upload_dir, f"line-{message['id']}.jpg", bytes(data), limit
            ), ""
        except InvalidInput as err:
            return None, err.message

    async def _answer(self, event: dict, user: str, messages: list) -> None:
        token = event.get("replyToken")
        age = (datetime.now(UTC).timestamp() * 1000 - event.get("timestamp", 0)) / 1000
        if token and age < REPLY_TOKEN_LIFETIME and not event.get("deliveryContext", {}).get("isRedelivery"):
            try:
                await self.api.reply_message(ReplyMessageRequest(reply_token=token, messages=messages))
                return
            except ApiException as err:
                log.info("reply to %s failed (%s); pushing instead", event["webhookEventId"], err.status)
            except Exception as err:  # network errors: the push below retries with a key
                log.info("reply to %s failed (%s); pushing instead", event["webhookEventId"], err)
        key = str(uuid.uuid5(RETRY_KEYS, event["webhookEventId"]))
        for attempt in range(3):
            try:
                await self.api.push_message(PushMessageRequest(to=user, messages=messages), x_line_retry_key=key)
                return
            except ApiException as err:
                if err.status == 409:  # accepted before under this retry key
                    return
                if err.status < 500 and err.status != 429:
                    log.error("push for %s refused: %s", event["webhookEventId"], err.status)
                    return
            except Exception as err:
                log.warning("push for %s failed: %s", event["webhookEventId"], err)
            await asyncio.sleep(0.5 * (attempt + 1))


def _takeable(event) -> bool:
    """An event the chat can take in: its id and its user's are short text a database can store. LINE
    sends nothing else; a broken one (a NUL in an id was a 500 on PostgreSQL) is left out."""
    if not isinstance(event, dict) or not isinstance(event.get("source"), dict):
        return False
    ids = (event.get("webhookEventId"), event["source"].get("userId"))
    return all(isinstance(i, str) and 0 < len(i) <= 100 and not FORBIDDEN.search(i) for i in ids)


def _when(event: dict) -> datetime:
    """When LINE says the event happened (milliseconds); a timestamp no calendar holds is taken as now
    (it used to fail the whole event in the background: OverflowError, year out of range)."""
    try:
        return datetime.fromtimestamp(float(event.get("timestamp", 0)) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _object(**properties) -> dict:
    return {"type": "object", "properties": properties}


_TEXT, _NUMBER = {"type": "string"}, {"type": "number"}
# LINE's webhook body, as much of it as the chat reads, published for clients and the OpenAPI fuzz.
WEBHOOK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": _object(
                    destination=_TEXT,
                    events={
                        "type": "array",
                        "items": {
                            **_object(
                                type={"enum": ["message", "postback", "follow", "unfollow"]},
                                webhookEventId=_TEXT,
                                replyToken=_TEXT,
                                timestamp={"type": "integer"},
                                source=_object(type={"enum": ["user"]}, userId=_TEXT),
                                message=_object(
                                    type={"enum": ["text", "image", "location", "sticker"]},
                                    id=_TEXT,
                                    text=_TEXT,
                                    latitude=_NUMBER,
                                    longitude=_NUMBER,
                                    address=_TEXT,
                                ),
                                postback=_object(data=_TEXT),
                            ),
                            "required": ["type", "webhookEventId", "source"],
                        },
                    },
                )
            }
        },
    }
}


@router.post("/webhooks/line", tags=["chat"], openapi_extra=WEBHOOK_BODY)
async def line_webhook(request: Request, x_line_signature: str = Header(default="")) -> dict:
    channel: LineChannel = request.app.state.line
    body = await request.body()
    if not channel.verify(body, x_line_signature):
        raise HTTPException(401, "ลายเซ็นไม่ถูกต้อง / invalid X-Line-Signature")
    try:
        events = [e for e in json.loads(body).get("events", []) if _takeable(e)]
    except (ValueError, AttributeError, TypeError):  # not JSON, not an object, `events` not a list
        raise HTTPException(400, "ข้อมูลไม่ถูกต้อง / malformed webhook body") from None

    def claim() -> list[dict]:
        return [
            e for e in events if channel.service.claim("line", e["webhookEventId"], e["source"]["userId"], payload=e)
        ]

    fresh = await asyncio.to_thread(claim) if events else []
    if fresh:
        channel.spawn(fresh)
    return {}
