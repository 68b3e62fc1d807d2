"""`QuestionWorkflow`: a question a citizen left for an officer, answered in office hours.

The clock is office time: the answer is due `answer_business_days` of office time after the question
arrives (a question left on Saturday night is due Monday 16:30), on the Thai business calendar. An
officer answers through the `answer` update, which is refused once the question is closed; the answer
goes into the outbox towards the chat that asked. Missing the clock never fails the question: it
escalates to the center above and waits one more office day before escalating again, up to the ministry.
The citizen may withdraw it (signal). Every transition is projected by `project_question_event`, with a
bounded retry (`retries.py`); a projection that still fails is parked and tried again on a growing
timer, and the question does not finish before the read model has all of it. A calendar that will not
load leaves a weekends-only clock rather than a stuck question."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows import contracts as c
from workflows.domain import clocks
from workflows.domain.calendar import BusinessCalendar, opening_hours
from workflows.domain.centers import MINISTRY, center_above
from workflows.retries import LOCAL, LOCAL_FAILURES, UNBOUNDED, failure_reason, parked_retry_after

NOTHING_WEDGES = "2026-12-04-nothing-wedges"
MAX_ANSWER_CHARS = 5000
MAX_ANSWER_BUSINESS_DAYS = 365  # more is a mistake in the input, and would overflow the clock arithmetic
OPEN, ANSWERED, WITHDRAWN = "open", "answered", "withdrawn"


@workflow.defn(name=c.QUESTION_WORKFLOW_NAME)
class QuestionWorkflow:
    @workflow.init
    def __init__(self, inp: c.QuestionInput) -> None:
        self.inp = inp
        self.view = c.QuestionView(question_id=inp.question_id, status=OPEN)
        self.seq = 0
        self.cal = BusinessCalendar()
        self.parked: list[c.QuestionEventRecord] = []
        self.parked_tries, self.parked_retry_at = 0, workflow.now()

    @workflow.run
    async def run(self, inp: c.QuestionInput) -> c.QuestionView:
        asked = workflow.now()
        hardened = workflow.patched(NOTHING_WEDGES)
        try:
            days = await workflow.execute_local_activity(
                c.LOAD_DAYS_OFF,
                c.DaysOffRequest(asked.year - 1, asked.year + 1),
                result_type=c.DaysOff,
                **(LOCAL if hardened else UNBOUNDED),
            )
        except LOCAL_FAILURES as err:
            if not hardened:
                raise
            workflow.logger.warning("question %s counts weekends only: %s", inp.question_id, failure_reason("", err))
            days = c.DaysOff(days=[])
        week = opening_hours(inp.opening_hours or [])  # the asked center's own hours, when it has them
        self.cal = BusinessCalendar(frozenset(date.fromisoformat(d) for d in days.days), week)
        due = self.cal.add_business_days(asked, min(MAX_ANSWER_BUSINESS_DAYS, max(1, inp.answer_business_days)))
        self.view.due_at = clocks.iso(due)
        await self._project("asked")
        holder = inp.center_code or MINISTRY
        while self.view.status == OPEN:
            wake_at = min(due, self.parked_retry_at) if self.parked else due
            timeout = wake_at - workflow.now()
            if timeout > timedelta(0):
                try:
                    await workflow.wait_condition(lambda: self.view.status != OPEN, timeout=timeout)
                    break
                except TimeoutError:
                    pass
            if self.view.status != OPEN:
                break
            if self.parked and workflow.now() < due:
                await self._retry_parked()
                continue
            # Late: escalate one level and give the center above one more office day.
            self.view.overdue = True
            if holder != MINISTRY or self.view.escalated_to is None:
                holder = center_above(holder) if holder != MINISTRY else MINISTRY
                self.view.escalated_to = holder
                await self._project("escalated")
            due = self.cal.add_business_days(workflow.now(), 1)
        await workflow.wait_condition(workflow.all_handlers_finished)
        while self.parked:  # the read model gets the whole question before the workflow ends
            await asyncio.sleep(max(0.0, (self.parked_retry_at - workflow.now()).total_seconds()))
            await self._retry_parked()
        return self.view

    @workflow.update
    async def answer(self, reply: c.QuestionAnswer) -> c.ActionResult:
        self.view.status = ANSWERED
        self.view.answer = reply.text.strip()
        self.view.answered_by = reply.officer
        self.view.answered_at = clocks.iso(workflow.now())
        await self._project("answered")
        return c.ActionResult(status=self.view.status, seq=self.seq)

    @answer.validator
    def _validate_answer(self, reply: c.QuestionAnswer) -> None:
        if self.view.status != OPEN:
            raise ApplicationError(
                "คำถามนี้ปิดแล้ว / this question is already closed", type=c.ERR_INVALID_TRANSITION, non_retryable=True
            )
        text = (reply.text or "").strip()
        if not text:
            raise ApplicationError("กรุณาพิมพ์คำตอบ / the answer is empty", type=c.ERR_INVALID_INPUT)
        if len(text) > MAX_ANSWER_CHARS:
            raise ApplicationError(
                f"คำตอบยาวเกิน {MAX_ANSWER_CHARS} ตัวอักษร / the answer is longer than {MAX_ANSWER_CHARS} characters",
                type=c.ERR_INVALID_INPUT,
            )
        if not (reply.officer or "").strip():
            raise ApplicationError("ไม่ทราบผู้ตอบ / the answering officer is missing", type=c.ERR_INVALID_INPUT)

    @workflow.signal
    async def withdraw(self, _: c.Withdrawal) -> None:
        if self.view.status == OPEN:
            self.view.status = WITHDRAWN
            await self._project("withdrawn")

    @workflow.query
    def status(self) -> c.QuestionView:
        return self.view

    async def _project(self, kind: str) -> None:
        self.seq += 1
        record = c.QuestionEventRecord(
            question=self.inp,
            workflow_id=workflow.info().workflow_id,
            seq=self.seq,
            kind=kind,
            at=clocks.iso(workflow.now()),
            view=c.QuestionView(**vars(self.view)),
        )
        await self._write(record)

    async def _write(self, record: c.QuestionEventRecord) -> None:
        if not workflow.patched(NOTHING_WEDGES):
            await workflow.execute_local_activity(c.PROJECT_QUESTION_EVENT, record, **UNBOUNDED)
            return
        try:
            await workflow.execute_local_activity(c.PROJECT_QUESTION_EVENT, record, **LOCAL)
        except LOCAL_FAILURES as err:
            # Parked, not lost: the run loop tries it again; an officer finds the question once it lands.
            reason = failure_reason(f"record {record.seq}", err)
            workflow.logger.warning("question %s: projection parked: %s", self.inp.question_id, reason)
            if not self.parked:
                self.parked_retry_at = workflow.now() + parked_retry_after(self.parked_tries)
            self.parked.append(record)

    async def _retry_parked(self) -> None:
        if not self.parked or workflow.now() < self.parked_retry_at:
            return
        retry, self.parked = self.parked, []
        for record in retry:
            await self._write(record)
        self.parked_tries = self.parked_tries + 1 if self.parked else 0
        if self.parked:
            self.parked_retry_at = workflow.now() + parked_retry_after(self.parked_tries)
