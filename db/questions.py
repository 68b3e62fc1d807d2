"""Writes a question left for an officer into the read model (`questions`) and, when it is answered,
the answer into the outbox towards the chat that asked. Idempotent: the row only moves forward by
sequence number and the answer's outbox key is unique. Also the reads the fronts need about questions.
The caller owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import OutboxMessage, Question
from workflows.contracts import QuestionEventRecord


def _t(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts) if ts else None


def apply_question_event(s: Session, r: QuestionEventRecord, render=None) -> bool:
    """Project one event; False when it (or a later one) was already there. `render(record)` gives
    (Thai, English) text of the answer message."""
    q, v = r.question, r.view
    row = s.get(Question, q.question_id)
    if row is None:
        row = Question(
            question_id=q.question_id,
            workflow_id=r.workflow_id,
            text=q.text,
            language=q.language or "th",
            center_code=q.center_code,
            channel=q.channel,
            channel_ref=q.channel_ref or None,
            asked_at=_t(q.asked_at) or _t(r.at),
            status=v.status,
            overdue=False,
            last_seq=0,
        )
        s.add(row)
    if r.seq <= row.last_seq:
        return False
    row.last_seq = r.seq
    row.status, row.due_at, row.overdue = v.status, _t(v.due_at), v.overdue
    row.escalated_to = v.escalated_to
    row.answer, row.answered_by, row.answered_at = v.answer, v.answered_by, _t(v.answered_at)
    if r.kind == "answered" and render is not None:
        key = f"question:{q.question_id}:answer"
        if s.scalar(select(OutboxMessage.id).where(OutboxMessage.message_key == key)) is None:
            text_th, text_en = render(r)
            s.add(
                OutboxMessage(
                    message_key=key,
                    question_id=q.question_id,
                    kind="answer",
                    text_th=text_th,
                    text_en=text_en,
                    channel=q.channel,
                    channel_ref=q.channel_ref or None,
                    language=q.language or "th",
                    created_at=_t(r.at),
                )
            )
    return True
