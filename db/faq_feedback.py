"""What citizens answered to "did this help?" after an FAQ answer in the chat, per knowledge-base
entry: `record` keeps one answer (a redelivered tap, same message id, is a no-op) and `stats` counts
them per entry for the staff page, worst-rated first. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import FaqFeedback


@dataclass(frozen=True)
class EntryFeedback:
    entry_id: str
    helpful: int
    not_helpful: int
    last_at: datetime | None

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_share(self) -> float:
        return self.helpful / self.total if self.total else 0.0


def record(s: Session, *, event_id: str, entry_id: str, helpful: bool, lang: str, at: datetime) -> bool:
    """Keep one answer about FAQ entry `entry_id`, keyed by the chat message `event_id` that carried it.
    True when stored, False when that message was already counted."""
    if not event_id or not entry_id:
        raise ValueError("event_id and entry_id are required / ต้องระบุรหัสข้อความและรหัสคำถาม")
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    row = {
        "event_id": event_id[:200],
        "entry_id": entry_id[:64],
        "helpful": bool(helpful),
        "lang": "en" if lang == "en" else "th",
        "at": at,
    }
    stmt = insert(FaqFeedback).values(row).on_conflict_do_nothing(index_elements=[FaqFeedback.event_id])
    # RETURNING, not rowcount: the drivers disagree on rowcount for a conflict that did nothing.
    return s.execute(stmt.returning(FaqFeedback.event_id)).scalar() is not None


def stats(s: Session, entry_ids: list[str] | None = None) -> list[EntryFeedback]:
    """Answers per entry (only `entry_ids` when given), the least helpful first, then the most answered."""
    helpful = func.sum(case((FaqFeedback.helpful, 1), else_=0))
    total = func.count()
    query = select(FaqFeedback.entry_id, helpful, total, func.max(FaqFeedback.at)).group_by(FaqFeedback.entry_id)
    if entry_ids is not None:
        query = query.where(FaqFeedback.entry_id.in_(entry_ids))
    rows = [EntryFeedback(e, int(h or 0), int(t) - int(h or 0), at) for e, h, t, at in s.execute(query)]
    return sorted(rows, key=lambda r: (r.helpful_share, -r.total, r.entry_id))
