"""The chat's rows on SQLite and on PostgreSQL, migrated from scratch: a channel event is taken once
(a redelivery is refused without spoiling the transaction), a chat's state is saved and loaded, and
the messages pushed to a chat are found by channel and identity, after an id, and stamped delivered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db import chat as store
from db.models import OutboxMessage
from db.session import make_engine, make_sessions


@pytest.fixture(params=["sqlite", "postgres"])
def sessions(request):
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    yield make_sessions(engine)
    engine.dispose()


def test_a_channel_event_is_taken_once(sessions):
    event = uuid.uuid4().hex
    with sessions.begin() as s:
        assert store.claim_event(s, "line", event, "U1")
        assert not store.claim_event(s, "line", event, "U1")  # the same delivery twice in one go
        assert store.claim_event(s, "web", event, "U1")  # another channel's id space
    with sessions.begin() as s:
        assert not store.claim_event(s, "line", event, "U1")


def test_a_chat_state_is_saved_and_loaded(sessions):
    ref = uuid.uuid4().hex
    with sessions.begin() as s:
        store.save_session(s, "web", ref, {"step": "province", "draft": {"text": "ถนนพัง"}}, "th")
    with sessions.begin() as s:
        store.save_session(s, "web", ref, {"step": "district", "draft": {"text": "ถนนพัง"}}, "en")
    with sessions() as s:
        row = store.load_session(s, "web", ref)
        assert row.state["step"] == "district" and row.language == "en"


def test_pushed_messages_are_found_by_chat_and_stamped_delivered(sessions):
    ref, other = uuid.uuid4().hex, uuid.uuid4().hex
    now = datetime.now(UTC)
    with sessions.begin() as s:
        for i, (channel, chat) in enumerate([("web", ref), ("web", other), ("line", ref), ("web", ref)]):
            s.add(
                OutboxMessage(
                    message_key=f"{ref}-{i}",
                    question_id=f"q-{ref[:8]}",
                    kind="answer",
                    text_th=f"ข้อความ {i}",
                    text_en=f"message {i}",
                    channel=channel,
                    channel_ref=chat,
                    created_at=now,
                )
            )
    with sessions.begin() as s:
        mine = store.pushed_messages(s, "web", ref)
        assert [m.text_en for m in mine] == ["message 0", "message 3"]
        assert [m.text_en for m in store.pushed_messages(s, "web", ref, after=mine[0].id)] == ["message 3"]
        store.mark_delivered(s, [mine[0].id])
    with sessions() as s:
        assert store.last_delivered_id(s, "web", ref) == mine[0].id
        undelivered = s.scalars(
            select(OutboxMessage.text_en).where(
                OutboxMessage.channel_ref == other, OutboxMessage.delivered_at.is_(None)
            )
        ).all()
        assert undelivered == ["message 1"]


def test_old_events_and_idle_chats_are_pruned(sessions):
    now = datetime.now(UTC)
    old, recent = uuid.uuid4().hex, uuid.uuid4().hex
    with sessions.begin() as s:
        store.claim_event(s, "line", old, "U2", now=now - timedelta(days=8))
        store.claim_event(s, "line", recent, "U2", now=now - timedelta(hours=2))
        store.save_session(
            s, "web", old, {"step": "phone", "draft": {"name": "สมชาย"}}, "th", now=now - timedelta(days=2)
        )
        store.save_session(s, "web", recent, {"step": "menu"}, "th", now=now - timedelta(hours=2))
    with sessions.begin() as s:
        store.prune(s, now)
    with sessions.begin() as s:
        assert store.claim_event(s, "line", old, "U2")  # forgotten
        assert not store.claim_event(s, "line", recent, "U2")
        assert store.load_session(s, "web", old) is None and store.load_session(s, "web", recent) is not None
