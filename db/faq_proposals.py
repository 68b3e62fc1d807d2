"""FAQ entries that grow from answered questions (issue 14, part 6): an officer proposes one from a
question of their center (paraphrases of the question and the answer, Thai and English), an
administrator edits it, approves or rejects it, and every step is kept in the row's `history` (who,
when, what, and the fields as they were before an edit). Approved entries are what the chat's FAQ
retriever merges with the shipped knowledge base; `version` is the cheap stamp each app process
compares to know when to rebuild it. The caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import FaqProposal

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
MAX_PARAPHRASES = 20
MAX_QUESTION = 300
MAX_ANSWER = 3000
TEXT_FIELDS = ("questions_th", "questions_en", "answer_th", "answer_en")


class ProposalRefused(ValueError):
    """A proposal or review that cannot be taken; `message` is "ไทย / English" for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Wording:
    """What an entry says: paraphrases of the question per language, and the answer per language."""

    questions_th: tuple[str, ...]
    questions_en: tuple[str, ...]
    answer_th: str
    answer_en: str


def paraphrases(text: str) -> tuple[str, ...]:
    """One paraphrase a line; blank lines and repeats dropped."""
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line:
            seen.setdefault(line, None)
    return tuple(seen)


def wording(questions_th: str, questions_en: str, answer_th: str, answer_en: str) -> Wording:
    """The form's fields checked: every side filled, within the limits; else `ProposalRefused`."""
    th, en = paraphrases(questions_th), paraphrases(questions_en)
    a_th, a_en = (answer_th or "").strip(), (answer_en or "").strip()
    if not th or not en:
        raise ProposalRefused("ใส่คำถามอย่างน้อยหนึ่งแบบทั้งภาษาไทยและภาษาอังกฤษ / give the question in Thai and in English")
    if not a_th or not a_en:
        raise ProposalRefused("ใส่คำตอบทั้งภาษาไทยและภาษาอังกฤษ / give the answer in Thai and in English")
    if len(th) > MAX_PARAPHRASES or len(en) > MAX_PARAPHRASES:
        raise ProposalRefused(
            f"คำถามได้ไม่เกิน {MAX_PARAPHRASES} แบบต่อภาษา / at most {MAX_PARAPHRASES} wordings per language"
        )
    if any(len(q) > MAX_QUESTION for q in th + en):
        raise ProposalRefused(
            f"คำถามแต่ละบรรทัดยาวได้ไม่เกิน {MAX_QUESTION} ตัวอักษร / each wording at most {MAX_QUESTION} characters"
        )
    if len(a_th) > MAX_ANSWER or len(a_en) > MAX_ANSWER:
        raise ProposalRefused(f"คำตอบยาวได้ไม่เกิน {MAX_ANSWER} ตัวอักษร / an answer at most {MAX_ANSWER} characters")
    return Wording(th, en, a_th, a_en)


def _fields(w: Wording) -> dict[str, str]:
    return {
        "questions_th": "\n".join(w.questions_th),
        "questions_en": "\n".join(w.questions_en),
        "answer_th": w.answer_th,
        "answer_en": w.answer_en,
    }


def _note(row: FaqProposal, by: str, action: str, at: datetime, **extra) -> None:
    row.history = [*(row.history or []), {"at": at.isoformat(), "by": by, "action": action, **extra}]


def propose(
    s: Session, w: Wording, by: str, question_id: str | None = None, center_code: str | None = None
) -> FaqProposal:
    now = datetime.now(UTC)
    row = FaqProposal(
        question_id=question_id,
        center_code=center_code,
        status=PENDING,
        proposed_by=by,
        proposed_at=now,
        **_fields(w),
    )
    _note(row, by, "proposed", now)
    s.add(row)
    s.flush()
    return row


def pending(s: Session) -> list[FaqProposal]:
    return list(s.scalars(select(FaqProposal).where(FaqProposal.status == PENDING).order_by(FaqProposal.id)))


def reviewed(s: Session, limit: int = 50) -> list[FaqProposal]:
    return list(
        s.scalars(
            select(FaqProposal)
            .where(FaqProposal.status != PENDING)
            .order_by(FaqProposal.reviewed_at.desc(), FaqProposal.id.desc())
            .limit(limit)
        )
    )


def of_question(s: Session, question_id: str) -> list[FaqProposal]:
    return list(s.scalars(select(FaqProposal).where(FaqProposal.question_id == question_id).order_by(FaqProposal.id)))


def approved(s: Session) -> list[FaqProposal]:
    return list(s.scalars(select(FaqProposal).where(FaqProposal.status == APPROVED).order_by(FaqProposal.id)))


def _pending_row(s: Session, proposal_id: int) -> FaqProposal:
    row = s.get(FaqProposal, proposal_id, with_for_update=True)
    if row is None:
        raise LookupError(proposal_id)
    if row.status != PENDING:
        raise ProposalRefused("รายการนี้ได้รับการพิจารณาแล้ว / this proposal has been reviewed already")
    return row


def approve(s: Session, proposal_id: int, w: Wording, by: str, note: str = "") -> FaqProposal:
    """Approve, with the administrator's edits (the fields before an edit are kept in the history)."""
    row = _pending_row(s, proposal_id)
    now = datetime.now(UTC)
    new = _fields(w)
    before = {k: getattr(row, k) for k in TEXT_FIELDS if getattr(row, k) != new[k]}
    if before:
        _note(row, by, "edited", now, before=before)
        for k, v in new.items():
            setattr(row, k, v)
    row.status, row.reviewed_by, row.reviewed_at, row.review_note = APPROVED, by, now, note.strip() or None
    _note(row, by, "approved", now)
    return row


def reject(s: Session, proposal_id: int, by: str, note: str) -> FaqProposal:
    if not (note or "").strip():
        raise ProposalRefused("กรุณาระบุเหตุผล / give a reason")
    row = _pending_row(s, proposal_id)
    now = datetime.now(UTC)
    row.status, row.reviewed_by, row.reviewed_at, row.review_note = REJECTED, by, now, note.strip()
    _note(row, by, "rejected", now, note=note.strip())
    return row


def version(s: Session) -> tuple[int, str]:
    """A stamp that changes whenever the approved set does: how many, and the latest review."""
    count, latest = s.execute(
        select(func.count(FaqProposal.id), func.max(FaqProposal.reviewed_at)).where(FaqProposal.status == APPROVED)
    ).one()
    return int(count or 0), str(latest or "")


def entry_id(row: FaqProposal) -> str:
    """The id the chat and the "did this help?" counts know an approved entry by."""
    return f"db-{row.id}"
