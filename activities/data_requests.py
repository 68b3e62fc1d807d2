"""The `DataRequestWorkflow`'s activities: project each transition of a data subject's request into
`data_requests` (an overdue one also opens a task for a supervisor), and carry a decided request out:
an access request's answer is gathered into its row (to be handed over by the officer), an erasure
erases the complainant's personal data, chat references and photos at once. Only counts go back to the
workflow: what the answer holds stays in the read model."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.retention import photos_root
from db.data_requests import DataRequest, access_answer, answer_counts, erase_subject, record_transition
from workflows import pdpa


class DataRequestActivities:
    def __init__(self, sessions: sessionmaker[Session], photos: Path | None = None) -> None:
        self.sessions = sessions
        self.photos = photos or photos_root()

    @activity.defn(name=pdpa.RECORD_DATA_REQUEST)
    def record_data_request(self, record: pdpa.DataRequestRecord) -> None:
        req, view = record.request, record.view
        with self.sessions.begin() as s:
            record_transition(
                s,
                req.request_id,
                record.workflow_id,
                record.event,
                datetime.fromisoformat(record.at),
                kind=req.kind,
                number=req.tracking_number,
                filed_by=req.filed_by,
                identity_note=req.identity_note,
                due_at=datetime.fromisoformat(view.due_at) if view.due_at else None,
                status=view.status,
                decided_by=view.decided_by,
                reason=view.reason,
                counts=view.counts,
                run_id=record.run_id,
            )

    @activity.defn(name=pdpa.CARRY_OUT_DATA_REQUEST)
    def carry_out_data_request(self, work: pdpa.DataRequestWork) -> pdpa.DataRequestOutcome:
        at = datetime.fromisoformat(work.at)
        with self.sessions.begin() as s:
            if work.kind == pdpa.ERASURE:
                return pdpa.DataRequestOutcome(erase_subject(s, work.tracking_number, at, self.photos))
            answer = access_answer(s, work.tracking_number)
            row = s.get(DataRequest, work.request_id)
            if row is not None:
                row.answer = answer
            return pdpa.DataRequestOutcome(answer_counts(answer))

    def all(self) -> list:
        return [self.record_data_request, self.carry_out_data_request]
