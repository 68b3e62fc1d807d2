"""The chat front's own rows and reads: a chat session per chat identity (a web chat session or a LINE
user) holding the dialogue's state, so a half-written complaint survives an app restart; the channel
events already seen, so a redelivered LINE webhook or a retried web message is handled once; and the
read queries the chat needs: the messages pushed to a chat (outbox rows for its channel and identity),
the complaints it filed, and whether a complaint belongs to it; and the pruning of old events and idle
chats. The caller owns the transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import JSON, DateTime, Index, String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.models import Base, Case, OutboxMessage

Stamp = DateTime(timezone=True)


class ChatSession(Base):
    """One chat identity's dialogue state (JSON owned by `chatbot.state`)."""

    __tablename__ = "chat_sessions"
    session_key: Mapped[str] = mapped_column(String(240), primary_key=True)  # "<channel>:<ref>"
    channel: Mapped[str] = mapped_column(String(16))
    channel_ref: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    updated_at: Mapped[datetime] = mapped_column(Stamp, index=True)


class ChatEvent(Base):
    """A channel event already taken in (LINE webhookEventId, web message id): seen once only."""

    __tablename__ = "chat_events"
    event_key: Mapped[str] = mapped_column(String(240), primary_key=True)  # "<channel>:<event id>"
    session_key: Mapped[str] = mapped_column(String(240))
    received_at: Mapped[datetime] = mapped_column(Stamp)
    # An event answered 200 before it was handled is kept until handled, so a restart finishes it.
    payload: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    done_at: Mapped[datetime | None] = mapped_column(Stamp)
    # What the event was answered, so a retried message (its response lost) gets the same answer.
    replies: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    __table_args__ = (Index("ix_chat_events_received_at", "received_at"),)


def session_key(channel: str, ref: str) -> str:
    return f"{channel}:{ref}"


def load_session(s: Session, channel: str, ref: str) -> ChatSession | None:
    return s.get(ChatSession, session_key(channel, ref))


def save_session(
    s: Session, channel: str, ref: str, state: dict, language: str | None, now: datetime | None = None
) -> None:
    now = now or datetime.now(UTC)
    row = s.get(ChatSession, session_key(channel, ref))
    if row is None:
        s.add(
            ChatSession(
                session_key=session_key(channel, ref),
                channel=channel,
                channel_ref=ref,
                language=language,
                state=state,
                created_at=now,
                updated_at=now,
            )
        )
        return
    row.state, row.language, row.updated_at = state, language, now


def claim_event(
    s: Session, channel: str, event_id: str, ref: str, now: datetime | None = None, payload: dict | None = None
) -> bool:
    """True the first time this channel event is seen, False for a redelivery (in a savepoint, so the
    caller's transaction goes on either way). With a payload, the event waits in the table until
    `event_done` (see `unfinished_events`)."""
    row = ChatEvent(
        event_key=session_key(channel, event_id)[:240],
        session_key=session_key(channel, ref)[:240],
        received_at=now or datetime.now(UTC),
        payload=payload,
    )
    try:
        with s.begin_nested():
            s.add(row)
    except IntegrityError:
        return False
    return True


def event_done(s: Session, channel: str, event_id: str, now: datetime | None = None) -> None:
    row = s.get(ChatEvent, session_key(channel, event_id)[:240])
    if row is not None:
        row.done_at, row.payload = now or datetime.now(UTC), None


def keep_replies(s: Session, channel: str, event_id: str, replies: list) -> None:
    row = s.get(ChatEvent, session_key(channel, event_id)[:240])
    if row is not None:
        row.replies = replies


def kept_replies(s: Session, channel: str, event_id: str, ref: str) -> list | None:
    """The replies an event of this chat got, while they are kept; None for another chat's event."""
    row = s.get(ChatEvent, session_key(channel, event_id)[:240])
    if row is None or row.session_key != session_key(channel, ref)[:240]:
        return None
    return row.replies


def unfinished_events(s: Session, channel: str, since: datetime) -> list[dict]:
    """Events taken in (and answered 200) since `since` whose handling never finished: a crash or a
    restart came in between. Oldest first."""
    rows = s.scalars(
        select(ChatEvent)
        .where(
            ChatEvent.event_key.startswith(f"{channel}:"),
            ChatEvent.done_at.is_(None),
            ChatEvent.payload.is_not(None),
            ChatEvent.received_at >= since,
        )
        .order_by(ChatEvent.received_at)
    )
    return [r.payload for r in rows]


# A redelivered LINE event comes within hours; an idle chat's state (a draft may hold a name and a
# phone number) is worth nothing after its 60-minute expiry, so neither is kept long.
EVENTS_KEPT = timedelta(days=7)
SESSIONS_KEPT = timedelta(days=1)
# A lost response is retried within minutes; the replies (a confirm echoes the name and phone) go soon.
REPLIES_KEPT = timedelta(hours=1)


def prune(s: Session, now: datetime | None = None) -> tuple[int, int]:
    """Forget old channel events and idle chats; (events, sessions) deleted."""
    now = now or datetime.now(UTC)
    events = s.execute(delete(ChatEvent).where(ChatEvent.received_at < now - EVENTS_KEPT)).rowcount
    s.execute(
        update(ChatEvent)
        .where(ChatEvent.received_at < now - REPLIES_KEPT, ChatEvent.replies.is_not(None))
        .values(replies=None)
    )
    sessions = s.execute(delete(ChatSession).where(ChatSession.updated_at < now - SESSIONS_KEPT)).rowcount
    return events or 0, sessions or 0


def pushed_messages(s: Session, channel: str, ref: str, after: int = 0, limit: int = 50) -> list[OutboxMessage]:
    """Messages for this chat (status changes, officer replies, answers), oldest first."""
    return list(
        s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.channel_ref == ref, OutboxMessage.id > after)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def last_delivered_id(s: Session, channel: str, ref: str) -> int:
    """Where a reopened chat page starts: after what it has shown, so nothing undelivered is skipped."""
    found = s.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel == channel, OutboxMessage.channel_ref == ref, OutboxMessage.delivered_at.is_not(None)
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return found or 0


def mark_delivered(s: Session, ids: list[int], now: datetime | None = None) -> None:
    if ids:
        s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.delivered_at.is_(None))
            .values(delivered_at=now or datetime.now(UTC))
        )


def cases_of_chat(s: Session, channel: str, ref: str, limit: int = 10) -> list[Case]:
    """The complaints this chat identity filed, newest first."""
    return list(
        s.scalars(
            select(Case)
            .where(Case.channel == channel, Case.channel_ref == ref)
            .order_by(Case.filed_at.desc())
            .limit(limit)
        )
    )


def case_of_chat(s: Session, number: str, channel: str, ref: str) -> Case | None:
    case = s.get(Case, number)
    if case is None or case.channel != channel or case.channel_ref != ref:
        return None
    return case
