"""`DataRequestWorkflow`: one data subject's access or erasure request (PDPA s.30, s.33), answered
within 30 days. It is filed by the citizen with their case's number and PIN, or by an officer after
checking who asks; an officer fulfils it or refuses it with a legal reason (updates, refused once the
request is decided). Fulfilling an access request gathers what the read model holds about the
complainant into the request's record, for the officer to hand over; fulfilling an erasure erases their
personal data, chat references and photos at once, the case staying for the statistics. Missing the 30
days never closes the request: it escalates (a task for a supervisor) and keeps waiting. Every
transition is projected into `data_requests`; only counts ever enter this workflow's history."""

from __future__ import annotations

import re
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from workflows import pdpa
from workflows.contracts import ERR_INVALID_INPUT, ERR_INVALID_TRANSITION

# Bounded (DESIGN §4 item 10): about a quarter of an hour of tries before the step is reported failed.
ACTIVITY = dict(
    start_to_close_timeout=timedelta(seconds=60),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=2), maximum_attempts=12
    ),
)


# What the read model cannot hold (PostgreSQL refuses a NUL) is refused before it enters history.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _iso(at) -> str:
    return at.isoformat()


@workflow.defn(name=pdpa.DATA_REQUEST_WORKFLOW_NAME)
class DataRequestWorkflow:
    @workflow.init
    def __init__(self, inp: pdpa.DataRequestInput) -> None:
        self.inp = inp
        self.due = workflow.now() + timedelta(days=min(pdpa.ANSWER_DAYS, max(1, inp.answer_days)))
        self.view = pdpa.DataRequestView(
            request_id=inp.request_id, kind=inp.kind, tracking_number=inp.tracking_number, due_at=_iso(self.due)
        )
        self.deciding = False

    @workflow.run
    async def run(self, inp: pdpa.DataRequestInput) -> pdpa.DataRequestView:
        await self._record("filed")
        self.view.recorded = True
        timeout = self.due - workflow.now()
        try:
            await workflow.wait_condition(lambda: self.view.status != pdpa.OPEN, timeout=timeout)
        except TimeoutError:
            # Late: a supervisor is told, and the request waits for its answer all the same.
            if self.view.status == pdpa.OPEN and not self.deciding:
                self.view.overdue = True
                await self._record("escalated")
            await workflow.wait_condition(lambda: self.view.status != pdpa.OPEN)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.view

    @workflow.update
    async def fulfil(self, decision: pdpa.DataRequestDecision) -> pdpa.DataRequestView:
        self.deciding = True
        work = pdpa.DataRequestWork(self.inp.request_id, self.inp.kind, self.inp.tracking_number, _iso(workflow.now()))
        try:
            outcome = await workflow.execute_activity(
                pdpa.CARRY_OUT_DATA_REQUEST, work, result_type=pdpa.DataRequestOutcome, **ACTIVITY
            )
        except ActivityError as err:
            self.deciding = False
            raise ApplicationError(
                "ดำเนินการตามคำขอไม่สำเร็จ กรุณาลองใหม่ / the request could not be carried out; try again",
                type=ERR_INVALID_TRANSITION,
            ) from err
        self.view.counts = dict(outcome.counts)
        self.view.status, self.view.decided_by = pdpa.FULFILLED, decision.officer
        await self._record("fulfilled")
        return self.view

    @fulfil.validator
    def _validate_fulfil(self, decision: pdpa.DataRequestDecision) -> None:
        self._check_open(decision)

    @workflow.update
    async def refuse(self, decision: pdpa.DataRequestDecision) -> pdpa.DataRequestView:
        self.view.status, self.view.decided_by = pdpa.REFUSED, decision.officer
        self.view.reason = decision.reason.strip()
        await self._record("refused")
        return self.view

    @refuse.validator
    def _validate_refuse(self, decision: pdpa.DataRequestDecision) -> None:
        self._check_open(decision)
        reason = (decision.reason or "").strip()
        if not reason:
            raise ApplicationError(
                "กรุณาระบุเหตุผลทางกฎหมายที่ปฏิเสธ / give the legal reason for refusing", type=ERR_INVALID_INPUT
            )
        if CONTROL.search(reason):
            raise ApplicationError(
                "เหตุผลมีอักขระควบคุมที่ไม่อนุญาต / the reason contains a control character", type=ERR_INVALID_INPUT
            )
        if len(reason) > pdpa.MAX_REASON_CHARS:
            raise ApplicationError(
                f"เหตุผลยาวเกิน {pdpa.MAX_REASON_CHARS} ตัวอักษร / the reason is longer than {pdpa.MAX_REASON_CHARS} characters",
                type=ERR_INVALID_INPUT,
            )

    @workflow.query
    def status(self) -> pdpa.DataRequestView:
        return self.view

    def _check_open(self, decision: pdpa.DataRequestDecision) -> None:
        if self.view.status != pdpa.OPEN or self.deciding:
            raise ApplicationError(
                "คำขอนี้ได้รับการพิจารณาแล้ว / this request has already been decided", type=ERR_INVALID_TRANSITION
            )
        if not (decision.officer or "").strip():
            raise ApplicationError("ไม่ทราบผู้พิจารณา / the deciding officer is missing", type=ERR_INVALID_INPUT)

    async def _record(self, event: str) -> None:
        info = workflow.info()
        record = pdpa.DataRequestRecord(
            request=self.inp,
            workflow_id=info.workflow_id,
            event=event,
            at=_iso(workflow.now()),
            view=pdpa.DataRequestView(**vars(self.view)),
            run_id=info.run_id,
        )
        await workflow.execute_activity(pdpa.RECORD_DATA_REQUEST, record, **ACTIVITY)
