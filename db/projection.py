"""Writes a complaint's transitions into the read model. Idempotent by construction: the event's key is
`<tracking number>:<seq>`, an event already present is skipped, and the case row, clocks and tasks are
only overwritten by a newer sequence number, so retries and out-of-order redelivery change nothing.
The caller owns the transaction.

The complainant's contact details and chat address are not in the workflow's input: the intake kept
them in `personal_data` before the workflow started (`ComplaintInput.personal_data_ref`), and the case
takes its chat address from there. Inputs recorded before that carry them, and write the row here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Attachment, Case, CaseClock, CaseEvent, OutboxMessage, PersonalData, StaffIntake, Task
from workflows.contracts import TERMINAL_STATUSES, AttachmentRef, CaseEventRecord, ComplaintInput

PERSONAL_DATA_RETENTION = timedelta(days=5 * 365)


def _t(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts) if ts else None


def apply_event(s: Session, r: CaseEventRecord, render=None) -> bool:
    """Project one event; returns False when it was already there. `render(message, record)` gives
    (Thai, English) text for a message to the citizen."""
    key = f"{r.tracking_number}:{r.seq}"
    if s.scalar(select(CaseEvent.id).where(CaseEvent.event_key == key)) is not None:
        return False
    at = _t(r.at)
    case = s.get(Case, r.tracking_number)
    if case is None:
        if r.intake is None:
            raise LookupError(f"case {r.tracking_number} has no intake yet")
        case = _insert_case(s, r.intake, r.workflow_id, at, r.state.center_code)
    s.add(
        CaseEvent(
            event_key=key,
            tracking_number=r.tracking_number,
            seq=r.seq,
            kind=r.kind,
            status=r.state.status,
            actor=r.actor,
            note=r.note or None,
            public=r.public,
            # The photos that came with this event, by hash: a pushed message shows them (db.chat_photos).
            data={**r.data, "attachments": [a.sha256 for a in r.attachments]} if r.attachments else dict(r.data),
            at=at,
        )
    )
    _add_attachments(s, r.tracking_number, (r.intake.attachments if r.intake else []) + r.attachments, at)
    if r.message is not None and render is not None:
        text_th, text_en = render(r.message, r)
        s.add(
            OutboxMessage(
                message_key=key,
                tracking_number=r.tracking_number,
                kind=r.message.kind,
                text_th=text_th,
                text_en=text_en,
                channel=case.channel,
                channel_ref=case.channel_ref,
                language=case.language,
                created_at=at,
            )
        )
    if r.seq > case.last_seq:
        _update_case(s, case, r, at)
    return True


def _insert_case(
    s: Session, inp: ComplaintInput, workflow_id: str, at: datetime, center_code: str | None = None
) -> Case:
    case = Case(
        tracking_number=inp.tracking_number,
        workflow_id=workflow_id,
        pin_hash=inp.pin_hash,
        status="RECEIVED",
        text=inp.text,
        category=inp.category,
        agency_code=inp.agency_code,
        center_code=inp.center_code,
        # filed with: the citizen's choice, else the center of their area (the intake's)
        filed_with=inp.agency_code or inp.center_code or center_code,
        province_code=inp.province_code,
        district_code=inp.district_code,
        channel=inp.channel,
        channel_ref=None,
        language=inp.language or "th",
        anonymous=inp.anonymous,
        publish=inp.publish,
        coarse_lat=inp.coarse_lat,
        coarse_long=inp.coarse_long,
        subdistrict_code=inp.subdistrict_code,
        filed_at=_t(inp.filed_at),
        updated_at=at,
        last_seq=0,
    )
    s.add(case)
    personal = s.get(PersonalData, inp.tracking_number)
    if not inp.personal_data_ref or personal is None:
        # An input from before the reference (or a row gone missing): the input holds the person, and
        # wins over a row another filing may have left under this number.
        personal = personal or PersonalData(tracking_number=inp.tracking_number)
        contact = inp.contact
        personal.anonymous = inp.anonymous
        personal.name = (contact.name or None) if contact else None
        personal.phone = (contact.phone or None) if contact else None
        personal.national_id = (contact.national_id or None) if contact else None
        personal.email = (contact.email or None) if contact else None
        personal.channel_ref = inp.channel_ref or None
        s.add(personal)
    case.channel_ref = personal.channel_ref
    if inp.consent is not None and s.get(StaffIntake, inp.tracking_number) is None:
        # an officer filed it for a citizen: the consent they recorded, with the case (issue 14 part 4)
        k = inp.consent
        s.add(
            StaffIntake(
                tracking_number=inp.tracking_number,
                given_by=k.given_by,
                method=k.method,
                recorded_by=k.recorded_by,
                recorded_center=k.recorded_center,
                consented_at=_t(k.at or inp.filed_at),
            )
        )
    s.flush()
    return case


def _add_attachments(s: Session, number: str, refs: list[AttachmentRef], at: datetime) -> None:
    for ref in refs:
        exists = s.scalar(
            select(Attachment.id).where(Attachment.tracking_number == number, Attachment.sha256 == ref.sha256)
        )
        if exists is None:
            s.add(
                Attachment(
                    tracking_number=number,
                    sha256=ref.sha256,
                    filename=ref.filename,
                    content_type=ref.content_type,
                    size=ref.size,
                    added_at=at,
                )
            )


def _update_case(s: Session, case: Case, r: CaseEventRecord, at: datetime) -> None:
    st = r.state
    case.last_seq = r.seq
    case.status = st.status
    case.category = st.category
    case.category_confidence = st.category_confidence
    case.agency_code = st.agency_code
    case.center_code = st.center_code
    case.escalated_to = st.escalated_to
    case.assignee = st.assignee
    case.forward_failure = st.forward_failure
    case.routed_at = _t(st.routed_at)
    case.lead_tracking_number = st.lead
    case.updated_at = at
    if st.status in TERMINAL_STATUSES and case.closed_at is None:
        case.closed_at = at
        personal = s.get(PersonalData, case.tracking_number)
        if personal is not None:
            personal.erase_after = at + PERSONAL_DATA_RETENTION
    rows = {k.name: k for k in s.scalars(select(CaseClock).where(CaseClock.tracking_number == case.tracking_number))}
    running_dues = []
    for clock in st.clocks:
        row = rows.get(clock.name) or CaseClock(tracking_number=case.tracking_number, name=clock.name)
        row.state, row.due_at, row.overdue = clock.state, _t(clock.due_at), clock.overdue
        row.remaining_seconds = clock.remaining_seconds
        if clock.name not in rows:
            s.add(row)
        if clock.state == "running" and row.due_at is not None:
            running_dues.append(row.due_at)
    case.next_due_at = min(running_dues) if running_dues else None
    case.late = bool(case.late) or any(clock.overdue for clock in st.clocks)
    open_rows = {
        t.task_key: t
        for t in s.scalars(
            select(Task).where(
                Task.tracking_number == case.tracking_number,
                Task.state == "open",
                # a data request's tasks belong to its own workflow, not to the case's
                Task.task_key.not_like("data-request:%"),
            )
        )
    }
    wanted = {t.key: t for t in st.tasks}
    for key, row in open_rows.items():
        if key not in wanted:
            row.state, row.closed_at = "done", at
    for key, task in wanted.items():
        row = open_rows.get(key)
        if row is None:
            s.add(
                Task(
                    task_key=key,
                    tracking_number=case.tracking_number,
                    kind=task.kind,
                    center_code=task.center_code,
                    reason=task.reason or None,
                    opened_at=_t(task.opened_at) or at,
                    assignee=st.assignee,
                )
            )
        else:
            row.center_code = task.center_code
            row.assignee = st.assignee  # whoever holds the case holds its open tasks
