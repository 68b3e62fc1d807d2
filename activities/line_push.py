"""Delivers the outbox to LINE: every message for a case or question that came in through LINE
(status changes, requests for information, results, officers' replies and answers) is pushed to the
user with the Messaging API's push endpoint, then stamped delivered. The relay runs beside the worker
and polls; a failed push is tried again with the same `X-Line-Retry-Key`, so LINE never shows it
twice, and several relays share the work by skipping rows another one has locked (PostgreSQL).

A message that came with photos (an officer's reply, a result) is followed by LINE image messages whose
URLs are signed, expiring links to our photo endpoint (db/chat_photos.py; LINE shows JPEG and PNG over
HTTPS only, other photos go as links); a result carries the quick replies to rate it or dispute it
(postbacks the chat's webhook takes, workflows/domain/rating.py)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import UTC, datetime

import urllib3.exceptions
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    ImageMessage,
    MessagingApi,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.chat_photos import LINE_SHOWS, ChatPhoto, photos_of_messages
from db.models import OutboxMessage
from workflows.domain.rating import result_choices

log = logging.getLogger("line-push")
LINE_TEXT_LIMIT = 5000
LINE_MESSAGES = 5  # per push request
LABEL_LIMIT = 20
RETRY_KEY_NAMESPACE = uuid.UUID("5b0f7d0e-4a8e-4c57-9a59-3a1b2f5e6c01")


class LinePushRelay:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        api_base: str,
        access_token: str,
        batch: int = 20,
        photo_key: bytes | None = None,
        public_base_url: str = "",
    ) -> None:
        self.sessions = sessions
        # Photos are pushed by link: without a key or the app's public address they are left out.
        self.photo_key = photo_key if public_base_url else None
        self.public_base_url = public_base_url.rstrip("/")
        # The same SDK the chat's webhook answers with.
        config = Configuration(host=api_base.rstrip("/"), access_token=access_token)
        self.api = MessagingApi(ApiClient(config))
        self.batch = batch

    def deliver_once(self) -> int:
        """Push what is waiting; returns how many messages LINE accepted (or refused for good)."""
        done = 0
        with self.sessions.begin() as s:
            rows = list(
                s.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.channel == "line",
                        OutboxMessage.delivered_at.is_(None),
                        OutboxMessage.channel_ref.is_not(None),
                    )
                    .order_by(OutboxMessage.id)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            )
            photos = photos_of_messages(s, rows, self.photo_key, time.time())
            for row in rows:
                if not self._push(row, photos.get(row.id, [])):
                    break  # LINE or the network is down: keep the order, try again on the next round
                row.delivered_at = datetime.now(UTC)
                done += 1
        return done

    def messages(self, row: OutboxMessage, photos: list[ChatPhoto] = ()) -> list:
        """The LINE messages for one outbox row: its text, its photos, a result's rating buttons."""
        text = row.text_en if row.language == "en" else row.text_th
        messages: list = [TextMessage(text=text[:LINE_TEXT_LIMIT])]
        links = []
        for photo in photos:
            url = self.public_base_url + photo.path
            if url.startswith("https://") and photo.content_type in LINE_SHOWS and len(messages) < LINE_MESSAGES:
                messages.append(ImageMessage(original_content_url=url, preview_image_url=url))
            else:
                links.append(url)
        if links:  # LINE will not show these inline (not HTTPS, not JPEG or PNG, or past five): as links
            messages[0] = TextMessage(text=(text + "\n" + "\n".join(links))[:LINE_TEXT_LIMIT])
        if row.kind == "result" and row.tracking_number:
            items = [
                QuickReplyItem(action=PostbackAction(label=label[:LABEL_LIMIT], data=action, display_text=label))
                for label, action in result_choices(row.tracking_number, row.language)
            ]
            messages[-1].quick_reply = QuickReply(items=items)
        return messages

    def _push(self, row: OutboxMessage, photos: list[ChatPhoto] = ()) -> bool:
        request = PushMessageRequest(to=row.channel_ref, messages=self.messages(row, photos))
        key = str(uuid.uuid5(RETRY_KEY_NAMESPACE, row.message_key))
        try:
            # A push that hangs must not hold the locked rows for long.
            self.api.push_message(request, x_line_retry_key=key, _request_timeout=10)
            return True
        except ApiException as err:
            status = err.status
        except (urllib3.exceptions.HTTPError, OSError) as err:
            log.warning("push of %s failed: %s", row.message_key, err)
            return False
        if status == 409:  # this retry key was accepted before
            return True
        if status == 429 or status >= 500:
            log.warning("push of %s deferred: LINE answered %s", row.message_key, status)
            return False
        # 4xx: LINE will never take it (the user blocked the account, the id is wrong): do not retry.
        log.error("push of %s refused for good: %s", row.message_key, status)
        return True

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        while not stop.is_set():
            try:
                sent = await asyncio.to_thread(self.deliver_once)
            except Exception:  # the database may be restarting; the relay must outlive it
                log.exception("outbox relay round failed")
                sent = 0
            if sent == 0:
                try:
                    async with asyncio.timeout(interval):
                        await stop.wait()
                except TimeoutError:
                    pass
