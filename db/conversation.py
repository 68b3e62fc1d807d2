"""The case conversation as the case page shows it (web/case_conversation.py): what the citizen sent
after filing (information and photos from the chat, a dispute's reason, a rating) and the officers'
replies to the citizen with their photos, in order. Internal notes are never part of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Attachment, CaseEvent

FROM_CITIZEN = ("info_added", "disputed", "rated")
TO_CITIZEN = ("officer_reply",)


@dataclass(frozen=True)
class Said:
    at: datetime
    who: str  # citizen | officer
    kind: str
    actor: str
    text: str
    photos: tuple[str, ...]  # hashes of the case's photos that came with it
    score: str = ""
    documents: tuple[tuple[str, str], ...] = ()  # (hash, file name) of the PDFs that came with it


def thread(s: Session, number: str) -> list[Said]:
    rows = s.scalars(
        select(CaseEvent)
        .where(CaseEvent.tracking_number == number, CaseEvent.kind.in_(FROM_CITIZEN + TO_CITIZEN))
        .order_by(CaseEvent.seq)
    )
    files = {a.sha256: a for a in s.scalars(select(Attachment).where(Attachment.tracking_number == number))}
    said = []
    for e in rows:
        if not e.public:  # an internal event never shows here, whatever its kind
            continue
        hashes = [h for h in (e.data or {}).get("attachments") or () if h in files]
        said.append(
            Said(
                e.at,
                "citizen" if e.kind in FROM_CITIZEN else "officer",
                e.kind,
                e.actor,
                e.note or "",
                tuple(h for h in hashes if files[h].content_type.startswith("image/")),
                str((e.data or {}).get("score", "")),
                tuple((h, files[h].filename) for h in hashes if not files[h].content_type.startswith("image/")),
            )
        )
    return said
