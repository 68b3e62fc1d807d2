"""The outbox relay to LINE against a fake LINE platform on loopback: messages reach the right user in
the citizen's language with a stable retry key, an outage leaves them waiting and retried with the
same key, a permanent refusal is not retried forever, and web-chat rows are left to the web chat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from activities.line_push import LinePushRelay
from db.models import OutboxMessage
from db.session import make_engine, make_sessions
from tests.support import FakeLine


@pytest.fixture
def line():
    fake = FakeLine()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def relay(sqlite_url, line):
    engine = make_engine(sqlite_url)
    sessions = make_sessions(engine)
    with sessions.begin() as s:  # earlier tests' LINE rows are not this test's business
        for row in s.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == "line", OutboxMessage.delivered_at.is_(None))
        ):
            row.delivered_at = datetime.now(UTC)
    yield LinePushRelay(sessions, line.base_url, "token-123"), sessions
    engine.dispose()


def add(sessions, channel: str, user: str, language: str = "th") -> str:
    key = f"question:{uuid.uuid4().hex[:10]}:answer"
    with sessions.begin() as s:
        s.add(
            OutboxMessage(
                message_key=key,
                question_id=key.split(":")[1],
                kind="answer",
                text_th="คำตอบภาษาไทย",
                text_en="The answer in English",
                channel=channel,
                channel_ref=user,
                language=language,
                created_at=datetime.now(UTC),
            )
        )
    return key


def delivered(sessions, key: str) -> bool:
    with sessions() as s:
        return s.scalar(select(OutboxMessage.delivered_at).where(OutboxMessage.message_key == key)) is not None


def test_pushes_line_rows_in_the_citizens_language(relay, line):
    r, sessions = relay
    th, en = add(sessions, "line", "U111"), add(sessions, "line", "U222", "en")
    web = add(sessions, "web", "session-1")
    assert r.deliver_once() == 2
    assert [m["body"]["to"] for m in line.requests] == ["U111", "U222"]
    assert line.requests[0]["body"]["messages"][0]["text"] == "คำตอบภาษาไทย"
    assert line.requests[1]["body"]["messages"][0]["text"] == "The answer in English"
    assert line.requests[0]["path"] == "/v2/bot/message/push"
    assert line.requests[0]["headers"]["Authorization"] == "Bearer token-123"
    assert delivered(sessions, th) and delivered(sessions, en) and not delivered(sessions, web)
    assert r.deliver_once() == 0, "a delivered message is never pushed again"


def test_outage_keeps_messages_and_retries_with_the_same_key(relay, line):
    r, sessions = relay
    key = add(sessions, "line", "U333")
    line.push_status = 503
    assert r.deliver_once() == 0 and not delivered(sessions, key)
    line.push_status = 200
    assert r.deliver_once() == 1 and delivered(sessions, key)
    keys = {m["headers"]["X-Line-Retry-Key"] for m in line.requests}
    assert len(line.requests) == 2 and len(keys) == 1
    uuid.UUID(keys.pop())  # LINE wants a UUID


def test_permanent_refusal_is_not_retried_forever(relay, line):
    r, sessions = relay
    key = add(sessions, "line", "Ublocked")
    line.push_status = 400
    assert r.deliver_once() == 1 and delivered(sessions, key)
    assert r.deliver_once() == 0 and len(line.requests) == 1
