"""What the case page shows, gathered from the read model (case row, whole timeline with internal
events, photos, messages, personal data) and from the workflow's live `status` query (each clock's
time left, paused or overdue, and the open tasks). Personal data comes masked; only a logged reveal
shows a value. If the case engine cannot answer, the page falls back to the projected clocks and says
so."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import queries, staff, transfers
from db.conversation import Said, thread
from db.letters import mask_name  # one definition, shared with the letter
from db.models import Attachment, CaseEvent, PersonalData
from db.queries import CaseDetail, aware
from workflows import contracts as c
from workflows.domain.transitions import refusal

CITIZEN_EVENTS = ("received", "info_added", "disputed", "withdrawn", "rated")
REVEALABLE = ("name", "phone", "national_id", "email")
# Update name -> the transition rule it is checked against (domain/transitions.py).
ACTION_RULES = {
    "triage": "triage",
    "forward": "forward",
    "record_progress": "progress",
    "request_info": "request_info",
    "change_clock": "clock",
    "transfer": "transfer",
    "resolve": "resolve",
    "reject": "reject",
    "reply": "reply",
    "note": "note",
    "escalate": "escalate",
    "assign": "assign",
}


@dataclass
class ClockLine:
    name: str
    state: str  # running | paused | met | stopped
    due_at: datetime | None
    seconds_left: int | None  # negative when overdue; office seconds while a business clock is paused
    overdue: bool
    business: bool = False


@dataclass
class CaseSheet:
    detail: CaseDetail
    clocks: list[ClockLine]
    tasks: list[c.TaskState]
    live: bool
    events: list[CaseEvent]
    notes: list[CaseEvent]
    from_citizen: list[CaseEvent]
    conversation: list[Said]
    photos: list[Attachment]
    personal: dict[str, str] = field(default_factory=dict)  # masked values
    anonymous: bool = False
    erased: bool = False
    actions: list[str] = field(default_factory=list)  # the forms to offer in this status
    reveals: list = field(default_factory=list)  # who saw which personal data, when (PDPA log)
    transfer: transfers.Transfer | None = None  # sent to us by a linked agency, under its reference

    status: str = ""  # the workflow's own, when it answered; else the projected one

    @property
    def case(self):
        return self.detail.case


def mask(field_name: str, value: str | None) -> str:
    if not value:
        return ""
    if field_name == "name":
        return mask_name(value)
    if field_name == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return "•" * max(len(value) - 4, 2) + value[-4:]


def _line(
    name: str, state: str, due: datetime | None, remaining: int | None, overdue: bool, business: bool, now: datetime
) -> ClockLine:
    left = (
        remaining
        if state == "paused"
        else (int((due - now).total_seconds()) if due is not None and state == "running" else None)
    )
    late = overdue or (state == "running" and left is not None and left < 0)
    return ClockLine(name, state, due, left, bool(late), business)


def live_clocks(view: c.CaseView, now: datetime) -> list[ClockLine]:
    return [
        _line(
            k.name,
            k.state,
            datetime.fromisoformat(k.due_at) if k.due_at else None,
            k.remaining_seconds,
            k.overdue,
            k.business,
            now,
        )
        for k in view.clocks
    ]


def recorded_clocks(detail: CaseDetail, now: datetime) -> list[ClockLine]:
    return [_line(k.name, k.state, aware(k.due_at), k.remaining_seconds, k.overdue, False, now) for k in detail.clocks]


def case_sheet(s: Session, case, view: c.CaseView | None) -> CaseSheet:
    now = datetime.now(UTC)
    detail = queries.case_detail(s, case, public_only=False)
    personal = s.get(PersonalData, case.tracking_number)
    masked = {}
    if personal is not None and personal.erased_at is None:
        masked = {f: mask(f, getattr(personal, f)) for f in REVEALABLE}
    status = view.status if view else case.status
    tasks = view.tasks if view else []
    actions = [a for a, rule in ACTION_RULES.items() if refusal(rule, status) is None]
    if (
        "forward" in actions
        and view
        and not any(t.kind in (c.TASK_FORWARD_LETTER, c.TASK_FORWARD_MANUAL) for t in tasks)
    ):
        actions.remove("forward")
    return CaseSheet(
        detail=detail,
        clocks=live_clocks(view, now) if view else recorded_clocks(detail, now),
        tasks=tasks,
        live=view is not None,
        events=detail.events,
        notes=[e for e in detail.events if e.kind == "note"],
        from_citizen=[e for e in detail.events if e.kind in CITIZEN_EVENTS and e.actor == "citizen"],
        conversation=thread(s, case.tracking_number),  # the citizen's messages and our replies (db.conversation)
        photos=list(
            s.scalars(
                select(Attachment).where(Attachment.tracking_number == case.tracking_number).order_by(Attachment.id)
            )
        ),
        personal=masked,
        anonymous=bool(personal and personal.anonymous),
        erased=bool(personal and personal.erased_at),
        actions=actions,
        status=status,
        reveals=staff.reveals(s, case.tracking_number),
        transfer=transfers.of_case(s, case.tracking_number),
    )


def reveal(s: Session, number: str, field_name: str) -> str | None:
    """The unmasked value (the caller logs the reveal in the same transaction)."""
    personal = s.get(PersonalData, number)
    if field_name not in REVEALABLE or personal is None or personal.erased_at is not None:
        return None
    return getattr(personal, field_name) or ""


def forwarding(detail: CaseDetail) -> dict:
    """The recorded letter (reference, date, method) of the case's last forwarding, if any."""
    for e in reversed(detail.events):
        if e.kind == "forwarded" and e.data:
            return dict(e.data)
    return {}
