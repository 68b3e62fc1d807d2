"""What the PDPA retention schedule erases, kind by kind (`workflows.pdpa` names the kinds and their
periods): a closed case keeps its complainant's personal data, its text, its officers' notes, its photos
and its chat references until each kind's period after closure has run out; then that kind goes, in
batches, and the case row stays for the statistics (its text replaced by `REDACTED`). Messages to
citizens, staff sign-in attempts, reveal logs and access requests' answers go a period after they were
written. Each function erases at most `batch` items of its kind and returns how many; the caller
commits and calls again while the answer equals `batch`. `erase_expired` and `prune_login_attempts` are
the older entry points, kept for their callers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from db.chat import ChatEvent, ChatSession
from db.data_requests import DataRequest, delete_photos
from db.models import Attachment, Case, CaseEvent, OutboxMessage, PersonalData
from db.staff import LoginAttempt, PersonalDataReveal

# The sign-in throttle reads the last 15 minutes; the rest is only for looking into a break-in attempt.
LOGIN_ATTEMPTS_KEPT = timedelta(days=90)
REDACTED = "[ลบตามระยะเวลาเก็บรักษา / erased: retention period over]"


def erase_expired(s: Session, now: datetime, batch: int = 500, days: int | None = None) -> int:
    """Erase up to `batch` people whose retention has run out (their row's `erase_after`, or `days`
    after their case closed); returns how many."""
    due = [PersonalData.erase_after.is_not(None) & (PersonalData.erase_after <= now)]
    if days is not None:
        closed = select(Case.tracking_number).where(Case.closed_at <= now - timedelta(days=days))
        due.append(PersonalData.tracking_number.in_(closed))
    rows = list(
        s.scalars(
            select(PersonalData)
            .where(or_(*due), PersonalData.erased_at.is_(None))
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.name = row.phone = row.national_id = row.email = row.channel_ref = None
        row.erased_at = now
    return len(rows)


def prune_login_attempts(s: Session, now: datetime, keep: timedelta = LOGIN_ATTEMPTS_KEPT) -> int:
    """Delete sign-in attempts older than `keep`; returns how many. The caller commits."""
    return s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - keep)).rowcount or 0


def _closed_before(cutoff: datetime):
    return select(Case.tracking_number).where(Case.closed_at.is_not(None), Case.closed_at <= cutoff)


def redact_texts(s: Session, now: datetime, days: int, batch: int) -> int:
    """The complaint's text and the public notes on its timeline (the citizen's words, replies)."""
    cutoff = now - timedelta(days=days)
    numbers = s.scalars(
        select(Case.tracking_number)
        .where(Case.closed_at.is_not(None), Case.closed_at <= cutoff, Case.text != REDACTED)
        .limit(batch)
    ).all()
    if numbers:
        s.execute(update(Case).where(Case.tracking_number.in_(numbers)).values(text=REDACTED))
        s.execute(
            update(CaseEvent)
            .where(CaseEvent.tracking_number.in_(numbers), CaseEvent.public.is_(True), CaseEvent.note.is_not(None))
            .values(note=REDACTED)
        )
    return len(numbers)


def redact_notes(s: Session, now: datetime, days: int, batch: int) -> int:
    """Officers' internal notes (timeline entries not shown to the citizen)."""
    ids = s.scalars(
        select(CaseEvent.id)
        .where(
            CaseEvent.tracking_number.in_(_closed_before(now - timedelta(days=days))),
            CaseEvent.public.is_(False),
            CaseEvent.note.is_not(None),
            CaseEvent.note != REDACTED,
        )
        .limit(batch)
    ).all()
    if ids:
        s.execute(update(CaseEvent).where(CaseEvent.id.in_(ids)).values(note=REDACTED))
    return len(ids)


def erase_photos(s: Session, now: datetime, days: int, batch: int, photos_root: Path) -> int:
    numbers = s.scalars(
        select(Attachment.tracking_number)
        .where(Attachment.tracking_number.in_(_closed_before(now - timedelta(days=days))))
        .distinct()
        .limit(batch)
    ).all()
    return delete_photos(s, list(numbers), photos_root) if numbers else 0


def erase_chat_references(s: Session, now: datetime, days: int, batch: int) -> int:
    """The LINE user id or web chat session on closed cases and their messages, and chats idle that long."""
    cutoff = now - timedelta(days=days)
    numbers = s.scalars(
        select(Case.tracking_number)
        .where(Case.closed_at.is_not(None), Case.closed_at <= cutoff, Case.channel_ref.is_not(None))
        .limit(batch)
    ).all()
    erased = len(numbers)
    if numbers:
        s.execute(update(Case).where(Case.tracking_number.in_(numbers)).values(channel_ref=None))
        # the intake's copy (part A: the dispatcher keeps the chat address there before the workflow starts)
        s.execute(update(PersonalData).where(PersonalData.tracking_number.in_(numbers)).values(channel_ref=None))
        erased += (
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.tracking_number.in_(numbers), OutboxMessage.channel_ref.is_not(None))
                .values(channel_ref=None)
            ).rowcount
            or 0
        )
    idle = s.scalars(select(ChatSession.session_key).where(ChatSession.updated_at <= cutoff).limit(batch)).all()
    if idle:
        erased += s.execute(delete(ChatSession).where(ChatSession.session_key.in_(idle))).rowcount or 0
    old = s.scalars(select(ChatEvent.event_key).where(ChatEvent.received_at <= cutoff).limit(batch)).all()
    if old:
        erased += s.execute(delete(ChatEvent).where(ChatEvent.event_key.in_(old))).rowcount or 0
    return erased


def _delete_older(s: Session, model, stamp, cutoff: datetime, batch: int) -> int:
    key = model.__mapper__.primary_key[0]
    ids = s.scalars(select(key).where(stamp <= cutoff).limit(batch)).all()
    return (s.execute(delete(model).where(key.in_(ids))).rowcount or 0) if ids else 0


def clear_request_answers(s: Session, now: datetime, days: int, batch: int) -> int:
    rows = s.scalars(
        select(DataRequest)
        .where(
            DataRequest.answer.is_not(None),
            DataRequest.decided_at.is_not(None),
            DataRequest.decided_at <= now - timedelta(days=days),
        )
        .limit(batch)
    ).all()
    for row in rows:
        row.answer, row.answer_erased_at = None, now
    return len(rows)


def eraser(kind: str, photos_root: Path) -> Callable[[Session, datetime, int, int], int]:
    """The function that erases one batch of `kind` (a `workflows.pdpa` retention kind)."""
    erasers: dict[str, Callable[[Session, datetime, int, int], int]] = {
        "personal_data": lambda s, now, days, batch: erase_expired(s, now, batch, days),
        "complaint_text": redact_texts,
        "internal_notes": redact_notes,
        "photos": lambda s, now, days, batch: erase_photos(s, now, days, batch, photos_root),
        "chat_references": erase_chat_references,
        "outbox_messages": lambda s, now, days, batch: _delete_older(
            s, OutboxMessage, OutboxMessage.created_at, now - timedelta(days=days), batch
        ),
        "sign_in_logs": lambda s, now, days, batch: _delete_older(
            s, LoginAttempt, LoginAttempt.at, now - timedelta(days=days), batch
        ),
        "reveal_logs": lambda s, now, days, batch: _delete_older(
            s, PersonalDataReveal, PersonalDataReveal.at, now - timedelta(days=days), batch
        ),
        "request_answers": clear_request_answers,
    }
    return erasers[kind]
