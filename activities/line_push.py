"""Delivers the outbox to LINE: every message for a case or question that came in through LINE
(status changes, requests for information, results, officers' replies and answers) is pushed to the
user with the Messaging API's push endpoint, then stamped delivered. The relay runs beside the worker
and polls; a failed push is tried again with the same `X-Line-Retry-Key`, so LINE never shows it
twice, and several relays share the work by skipping rows another one has locked (PostgreSQL)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime

import urllib3.exceptions
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    TextMessage,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import OutboxMessage

log = logging.getLogger("line-push")
LINE_TEXT_LIMIT = 5000
RETRY_KEY_NAMESPACE = uuid.UUID("5b0f7d0e-4a8e-4c57-9a59-3a1b2f5e6c01")


class LinePushRelay:
    def __init__(self, sessions: sessionmaker[Session], api_base: str, access_token: str, batch: int = 20) -> None:
        self.sessions = sessions
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
            for row in rows:
                if not self._push(row):
                    break  # LINE or the network is down: keep the order, try again on the next round
                row.delivered_at = datetime.now(UTC)
                done += 1
        return done

    def _push(self, row: OutboxMessage) -> bool:
        text = row.text_en if row.language == "en" else row.text_th
        request = PushMessageRequest(to=row.channel_ref, messages=[TextMessage(text=text[:LINE_TEXT_LIMIT])])
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
