"""The question workflow's activity: projecting each transition of a question left for an officer
into the read model, and its answer into the outbox. Synchronous, on the worker's thread pool."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.messages import render_answer
from db.questions import apply_question_event
from workflows import contracts as c


class QuestionActivities:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @activity.defn(name=c.PROJECT_QUESTION_EVENT)
    def project_question_event(self, record: c.QuestionEventRecord) -> None:
        try:
            with self.sessions.begin() as s:
                apply_question_event(s, record, render_answer)
        except IntegrityError:
            # A concurrent attempt inserted the row first; this attempt's write is then a retry.
            with self.sessions.begin() as s:
                apply_question_event(s, record, render_answer)

    def all(self) -> list:
        return [self.project_question_event]
