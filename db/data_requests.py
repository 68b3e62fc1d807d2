"""The PDPA's records in the read model: each data subject's access or erasure request (who asked, how
their identity was checked, when the 30-day answer is due, what was decided and by whom, what the
answer listed or the erasure removed) and each retention run (how many items of each kind it erased).
Written by the `DataRequestWorkflow`'s and the retention run's activities, read by the staff page.
Also what a request does: `access_answer` gathers what the read model holds about one complainant,
`erase_subject` erases their personal data, chat references and photos at once (the case stays, its
personal-data row marked erased). The caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, DateTime, Integer, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.chat import ChatEvent, ChatSession, session_key
from db.models import Attachment, Base, Case, CaseEvent, OutboxMessage, PersonalData, Task, Upload
from db.photos import photo_path
from workflows.domain import tracking

Stamp = DateTime(timezone=True)


class DataRequest(Base):
    """A data subject's request; `answer` (an access request's answer) holds personal data and is
    cleared by the retention schedule 90 days after it was given."""

    __tablename__ = "data_requests"
    request_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(80), index=True)
    run_id: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(8))  # access | erasure
    tracking_number: Mapped[str] = mapped_column(String(16), index=True)
    center_code: Mapped[str | None] = mapped_column(String(16), index=True)
    filed_by: Mapped[str] = mapped_column(String(64))
    identity_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)  # open | fulfilled | refused
    filed_at: Mapped[datetime] = mapped_column(Stamp)
    due_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(Stamp)
    decided_at: Mapped[datetime | None] = mapped_column(Stamp)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    answer: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    answer_erased_at: Mapped[datetime | None] = mapped_column(Stamp)


class RetentionRun(Base):
    """One run of the retention schedule and how many items of each kind it erased."""

    __tablename__ = "retention_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(100), unique=True)
    started_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    finished_at: Mapped[datetime] = mapped_column(Stamp)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)


def record_transition(
    s: Session,
    request_id: str,
    workflow_id: str,
    event: str,
    at: datetime,
    *,
    kind: str,
    number: str,
    filed_by: str,
    identity_note: str,
    due_at: datetime | None,
    status: str,
    decided_by: str = "",
    reason: str = "",
    counts: dict | None = None,
    run_id: str = "",
) -> DataRequest:
    """Project one transition; idempotent (a retried projection writes the same values again)."""
    row = s.get(DataRequest, request_id)
    if row is None:
        case = s.get(Case, number)
        row = DataRequest(
            request_id=request_id,
            workflow_id=workflow_id,
            run_id=run_id,
            kind=kind,
            tracking_number=number,
            center_code=(case.center_code or case.filed_with) if case else None,
            filed_by=filed_by,
            identity_note=identity_note or None,
            status=status,
            filed_at=at,
            due_at=due_at or at,
            counts={},
        )
        s.add(row)
    if event == "escalated":
        row.escalated_at = row.escalated_at or at
        _open_supervisor_task(s, row, at)
    if event in ("fulfilled", "refused"):
        row.status, row.decided_at = status, row.decided_at or at
        row.decided_by, row.reason = decided_by or None, reason or None
        row.counts = dict(counts or row.counts or {})
        s.execute(
            update(Task)
            .where(Task.task_key == _task_key(request_id), Task.state == "open")
            .values(state="done", closed_at=at)
        )
    return row


def _task_key(request_id: str) -> str:
    return f"data-request:{request_id}"


def _open_supervisor_task(s: Session, row: DataRequest, at: datetime) -> None:
    if s.get(Case, row.tracking_number) is None or s.scalar(
        select(Task.id).where(Task.task_key == _task_key(row.request_id))
    ):
        return
    s.add(
        Task(
            task_key=_task_key(row.request_id),
            tracking_number=row.tracking_number,
            kind="data_request_overdue",
            center_code=row.center_code,
            reason=f"คำขอ {row.request_id} เกิน 30 วัน / data request {row.request_id} is past its 30 days",
            opened_at=at,
        )
    )


def access_answer(s: Session, number: str) -> dict:
    """What the read model holds about the complainant of case `number`, to hand over to them."""
    case = s.get(Case, number)
    if case is None:
        return {}
    person = s.get(PersonalData, number)
    events = s.scalars(select(CaseEvent).where(CaseEvent.tracking_number == number).order_by(CaseEvent.seq)).all()
    messages = s.scalars(
        select(OutboxMessage).where(OutboxMessage.tracking_number == number).order_by(OutboxMessage.id)
    ).all()
    photos = s.scalars(select(Attachment).where(Attachment.tracking_number == number)).all()
    contact = {}
    if person is not None:
        contact = {
            k: v
            for k, v in (
                ("name", person.name),
                ("phone", person.phone),
                ("national_id", person.national_id),
                ("email", person.email),
            )
            if v
        }
    return {
        "tracking_number": number,
        "personal_data": contact,
        "personal_data_erased_at": person.erased_at.isoformat() if person and person.erased_at else None,
        "complaint": {
            "text": case.text,
            "status": case.status,
            "filed_at": case.filed_at.isoformat(),
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            "channel": case.channel,
            "chat_reference": case.channel_ref,
        },
        "timeline": [
            {"at": e.at.isoformat(), "kind": e.kind, "status": e.status, "note": e.note} for e in events if e.public
        ],
        "messages": [{"at": m.created_at.isoformat(), "text_th": m.text_th, "text_en": m.text_en} for m in messages],
        "photos": [{"filename": p.filename, "content_type": p.content_type, "size": p.size} for p in photos],
    }


def answer_counts(answer: dict) -> dict[str, int]:
    """How many items of each kind an access answer lists (what the workflow may know of it)."""
    if not answer:
        return {}
    return {
        "personal_data": len(answer.get("personal_data") or {}),
        "complaint": 1,
        "chat_reference": 1 if (answer.get("complaint") or {}).get("chat_reference") else 0,
        "timeline": len(answer.get("timeline") or []),
        "messages": len(answer.get("messages") or []),
        "photos": len(answer.get("photos") or []),
    }


def erase_subject(s: Session, number: str, at: datetime, photos_root: Path) -> dict[str, int]:
    """Erase the personal data, chat references and photos of case `number`'s complainant at once;
    the case, its text and its timeline stay, the personal-data row marked erased. Idempotent."""
    case = s.get(Case, number)
    if case is None:
        return {}
    counts = {"personal_data": 0, "chat_references": 0, "photos": 0}
    person = s.get(PersonalData, number)
    if person is None:
        person = PersonalData(tracking_number=number, anonymous=case.anonymous)
        s.add(person)
    counts["personal_data"] = sum(1 for v in (person.name, person.phone, person.national_id, person.email) if v)
    person.name = person.phone = person.national_id = person.email = person.channel_ref = None
    person.erased_at = person.erased_at or at
    if case.channel_ref:
        key = session_key(case.channel, case.channel_ref)
        counts["chat_references"] += 1 + (
            s.execute(delete(ChatSession).where(ChatSession.session_key == key)).rowcount or 0
        )
        counts["chat_references"] += s.execute(delete(ChatEvent).where(ChatEvent.session_key == key)).rowcount or 0
        case.channel_ref = None
    counts["chat_references"] += (
        s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.tracking_number == number, OutboxMessage.channel_ref.is_not(None))
            .values(channel_ref=None)
        ).rowcount
        or 0
    )
    counts["photos"] = delete_photos(s, [number], photos_root)
    return counts


def delete_photos(s: Session, numbers: list[str], photos_root: Path) -> int:
    """Delete the attachments of these cases, and each file (and its upload rows) no other case holds."""
    rows = s.scalars(select(Attachment).where(Attachment.tracking_number.in_(numbers))).all()
    for row in rows:
        s.delete(row)
    s.flush()
    for sha256 in {r.sha256 for r in rows}:
        if s.scalar(select(Attachment.id).where(Attachment.sha256 == sha256).limit(1)) is None:
            photo_path(photos_root, sha256).unlink(missing_ok=True)
            s.execute(delete(Upload).where(Upload.sha256 == sha256))
    return len(rows)


def visible_requests(s: Session, clause, limit: int = 200) -> list[DataRequest]:
    """Requests on cases within `clause` (the staff member's scope), open ones first by due date."""
    return list(
        s.scalars(
            select(DataRequest)
            .where(clause)
            .order_by((DataRequest.status == "open").desc(), DataRequest.due_at)
            .limit(limit)
        )
    )


def record_run(s: Session, run_id: str, started_at: datetime, finished_at: datetime, counts: dict[str, int]) -> None:
    if s.scalar(select(RetentionRun.id).where(RetentionRun.run_id == run_id)) is None:
        s.add(RetentionRun(run_id=run_id, started_at=started_at, finished_at=finished_at, counts=dict(counts)))


def case_opened_by_pin(s: Session, number: str, pin: str, secret: str) -> Case | None:
    """Case `number` when `pin` opens it (a case in the read model only: a request needs its data)."""
    if not pin or not tracking.PATTERN.match(number):
        return None
    case = s.get(Case, number)
    if case is None or not tracking.pin_matches(secret, number, pin, case.pin_hash):
        return None
    return case
