"""`ComplaintWorkflow`: one complaint's whole life, from intake to closure, as one durable workflow.

It owns the case's status and clocks and nothing else does. Intake, classification and routing run as
local activities (short, idempotent, cheap) with bounded retries, never while holding the case's lock:
a classification or routing that keeps failing sends the case to triage with the error, a calendar
that will not load leaves weekends-only clocks and a `system_fault` task (see `complaint_feed.py` for
the projection). The send to a linked agency is a regular activity with a retry budget, after which the
case falls back to a manual forwarding task. Officer actions are updates
with validators, citizen and agency events are signals, `status` is a read-only query. Every transition
is projected into the read model by `project_case_event`, keyed by the case's sequence number, so a
retried projection adds nothing twice. Deadlines are clocks (see `domain/clocks.py`) that the main loop
sleeps towards; updates move, pause and resume them."""

from __future__ import annotations

import asyncio
import copy
from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from workflows import contracts as c
from workflows.complaint_actions import CaseActions
from workflows.complaint_feed import CaseLock, ComplaintFeed
from workflows.complaint_links import CaseLinks
from workflows.domain import clocks
from workflows.domain.calendar import BusinessCalendar
from workflows.domain.centers import center_above
from workflows.domain.routing import center_for_area, decide_agency
from workflows.domain.transitions import refusal
from workflows.retries import LOCAL, LOCAL_FAILURES, UNBOUNDED, failure_reason

DAY = 86400
CALENDAR = "calendar"


@workflow.defn(name=c.WORKFLOW_NAME)
class ComplaintWorkflow(CaseActions, CaseLinks, ComplaintFeed):
    @workflow.init
    def __init__(self, inp: c.ComplaintInput) -> None:
        self.inp = inp
        self.s = inp.carried or c.CaseState(center_code=inp.center_code, agency_code=inp.agency_code)
        self.lock = CaseLock(self._deliver)
        self._start_feed()
        self.wake = False
        self.cal = BusinessCalendar(frozenset(date.fromisoformat(d) for d in self.s.days_off))

    # --- the main line --------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: c.ComplaintInput) -> c.CaseOutcome:
        if inp.carried is None:
            await self._intake()
        while self.s.status not in c.TERMINAL_STATUSES:
            if self.s.route_pending:
                await self._route()
                continue
            # Parked records live in this run only: the case continues as new once they went through.
            if workflow.info().is_continue_as_new_suggested() and not self.parked:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(_carry(inp, self.s))
            self.wake = False
            due = self._next_due()
            timeout = None if due is None else due - workflow.now()
            if timeout is None or timeout > timedelta(0):
                try:
                    await workflow.wait_condition(lambda: self.wake or self.s.route_pending, timeout=timeout)
                except TimeoutError:
                    pass
            await self._retry_parked()
            async with self.lock:
                await self._fire_due_clocks()
        await workflow.wait_condition(workflow.all_handlers_finished)
        while self.parked:  # a closed case still owes the read model its last transitions
            await asyncio.sleep(max(0.0, (self.parked_retry_at - workflow.now()).total_seconds()))
            await self._retry_parked()
        return c.CaseOutcome(tracking_number=inp.tracking_number, status=self.s.status)

    def _local(self) -> dict:
        return LOCAL if self._hardened() else UNBOUNDED

    async def _intake(self) -> None:
        inp = self.inp
        filed = workflow.now()  # the server's clock, not the front's: clocks start when the case exists
        hardened = self._hardened()
        calendar_fault = ""
        try:
            days = await workflow.execute_local_activity(
                c.LOAD_DAYS_OFF,
                c.DaysOffRequest(filed.year - 1, filed.year + inp.policy.days_off_years_ahead),
                result_type=c.DaysOff,
                **self._local(),
            )
        except LOCAL_FAILURES as err:
            if not hardened:
                raise
            # Weekends only until someone looks: the clocks run a little early, never not at all.
            calendar_fault = failure_reason("ปฏิทินวันหยุด / the calendar of days off", err)
            days = c.DaysOff(days=[])
        self.s.days_off = days.days
        self.cal = BusinessCalendar(frozenset(date.fromisoformat(d) for d in days.days))
        self.s.center_code = inp.center_code or center_for_area(inp.province_code, inp.district_code)
        self.s.clocks = [
            clocks.start_business(c.SCREENING, filed, inp.policy.screening_business_days, self.cal),
            clocks.start_wall(c.STATUTORY, filed, inp.policy.statutory_days * DAY),
        ]
        async with self.lock:
            await self._project(
                "received",
                "citizen",
                intake=inp,
                message=c.CitizenMessage("acknowledgement", {"tracking_number": inp.tracking_number}),
            )
            if calendar_fault:
                self._fault(CALENDAR, calendar_fault)
            if inp.category:
                self.s.category, self.s.category_confidence = inp.category, 1.0
            elif not hardened:
                # As recorded before 2026-12-04: classified while holding the lock.
                got = await workflow.execute_local_activity(
                    c.CLASSIFY_COMPLAINT,
                    c.ClassifyRequest(inp.text, channel=inp.channel),
                    result_type=c.ClassifyResult,
                    **UNBOUNDED,
                )
                if await self._classified(got):
                    return
            if inp.category or not hardened:
                self.s.route_pending = True
                # The category travels with the "routed" event now: one write less per case in a burst.
                if not workflow.patched("2026-11-22-classification-in-routed-event"):
                    await self._project(
                        "classified",
                        "system",
                        public=False,
                        data={
                            "category": self.s.category or "",
                            "confidence": f"{self.s.category_confidence or 0:.2f}",
                        },
                    )
                return
        try:
            got = await workflow.execute_local_activity(
                c.CLASSIFY_COMPLAINT,
                c.ClassifyRequest(inp.text, channel=inp.channel),
                result_type=c.ClassifyResult,
                **LOCAL,
            )
        except LOCAL_FAILURES as err:
            async with self.lock:
                if self.s.status not in c.TERMINAL_STATUSES:
                    await self._to_triage("classification_failed", failure_reason("การจัดหมวด / classification", err))
            return
        async with self.lock:
            if self.s.status not in c.TERMINAL_STATUSES and not await self._classified(got):
                self.s.route_pending = True

    async def _classified(self, got: c.ClassifyResult) -> bool:
        """Take the classifier's answer; True when the case went to triage instead of routing."""
        self.s.category, self.s.category_confidence = got.category, got.confidence
        if (got.unsure or got.category == "other") and not self.inp.agency_code:
            await self._to_triage("classified", f"{got.category} {got.confidence:.2f}")
            return True
        return False

    async def _route(self) -> None:
        """Pick the agency (the citizen's or officer's choice, else the routing rules) and forward."""
        self.s.route_pending = False
        try:
            opts = await workflow.execute_local_activity(
                c.LOAD_ROUTING_OPTIONS,
                c.RoutingRequest(
                    self.s.category or "other",
                    self.inp.province_code,
                    self.inp.district_code,
                    agency_code=self.s.agency_code,
                    subdistrict_code=self.inp.subdistrict_code,
                ),
                result_type=c.RoutingOptions,
                **self._local(),
            )
        except LOCAL_FAILURES as err:
            if not self._hardened():
                raise
            async with self.lock:
                if self.s.status not in c.TERMINAL_STATUSES:
                    await self._to_triage("unroutable", failure_reason("ตัวเลือกการส่งต่อ / routing options", err))
            return
        async with self.lock:
            if self.s.status in c.TERMINAL_STATUSES:
                return
            agency = self.s.agency_code or decide_agency(
                self.s.category or "other",
                self.inp.province_code,
                self.inp.district_code,
                opts.rules,
                opts.agencies,
                # None for every input recorded before tambons: those route exactly as they did.
                subdistrict_code=self.inp.subdistrict_code,
            )
            chosen = next((a for a in opts.agencies if a.code == agency), None)
            if chosen is None:
                await self._to_triage("unroutable", agency or "")
                return
            now = workflow.now()
            self.s.agency_code, self.s.agency_linked = chosen.code, chosen.linked
            self.s.routed_at = clocks.iso(now)
            self._settle(c.SCREENING, "met")
            self._close_tasks(c.TASK_TRIAGE)
            days = opts.resolution_business_days or self.inp.policy.resolution_business_days
            self._set_clock(clocks.start_business(c.RESOLUTION, now, days, self.cal))
            if not chosen.linked:
                self._open_task(c.TASK_FORWARD_LETTER, "")
                await self._project(
                    "routed", "system", data={"agency": chosen.code, "linked": "no", **self._classification()}
                )
                return
            await self._project(
                "routed", "system", data={"agency": chosen.code, "linked": "yes", **self._classification()}
            )
        send = c.AgencySend(
            tracking_number=self.inp.tracking_number,
            agency_code=chosen.code,
            idempotency_key=f"{self.inp.tracking_number}:{self.s.seq}:{chosen.code}",
            text=self.inp.text,
            category=self.s.category,
            province_code=self.inp.province_code,
            district_code=self.inp.district_code,
            anonymous=self.inp.anonymous,
            attachments=self.inp.attachments,
            subdistrict_code=self.inp.subdistrict_code,
            # Only a key and a yes/no: the connector reads the contact details themselves at send time.
            share_contact=self.inp.share_contact_with_agency and not self.inp.anonymous,
            personal_data_ref=self.inp.personal_data_ref,
            language=self.inp.language,
        )
        try:
            receipt = await workflow.execute_activity(
                c.SEND_TO_AGENCY,
                send,
                result_type=c.AgencyReceipt,
                start_to_close_timeout=timedelta(seconds=30),
                schedule_to_close_timeout=timedelta(seconds=self.inp.policy.agency_send_budget_seconds),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(seconds=2),
                    backoff_coefficient=2.0,
                    maximum_interval=timedelta(minutes=5),
                    non_retryable_error_types=["AgencyRejected"],
                ),
            )
        except ActivityError as err:
            async with self.lock:
                if self.s.status in c.TERMINAL_STATUSES or self.s.agency_code != chosen.code:
                    return
                cause = err.cause
                self.s.forward_failure = str(cause.message if isinstance(cause, ApplicationError) else cause or err)
                self._open_task(c.TASK_FORWARD_MANUAL, self.s.forward_failure)
                await self._project(
                    "forward_failed",
                    "system",
                    public=False,
                    data={"agency": chosen.code, "reason": self.s.forward_failure},
                )
            return
        async with self.lock:
            if self.s.status in c.TERMINAL_STATUSES or self.s.agency_code != chosen.code:
                return
            data = {"agency": chosen.code, "reference": receipt.reference}
            if receipt.connector:  # which connector took it (recorded since 2026-12-05; polling reads it)
                data["via"] = receipt.connector
            await self._forwarded("system", data)

    def _classification(self) -> dict[str, str]:
        return {"category": self.s.category or "", "confidence": f"{self.s.category_confidence or 0:.2f}"}

    async def _forwarded(self, actor: str, data: dict[str, str]) -> None:
        now = workflow.now()
        self.s.status = c.FORWARDED
        self.s.forward_failure = None
        self.s.last_progress_at = clocks.iso(now)
        self._close_tasks(c.TASK_FORWARD_LETTER, c.TASK_FORWARD_MANUAL, c.TASK_TRIAGE)
        self._set_clock(clocks.start_wall(c.PROGRESS, now, self.inp.policy.stale_reminder_days * DAY))
        await self._project(
            "forwarded",
            actor,
            data=data,
            message=c.CitizenMessage("status", {"status": c.FORWARDED, "agency": self.s.agency_code or ""}),
        )

    async def _to_triage(self, kind: str, reason: str) -> None:
        if self.s.status == c.NEEDS_INFO:
            # Asked the citizen meanwhile: screening waits for the answer instead of dropping the question.
            if self.s.status_before_info != c.RETURNED:
                self.s.status_before_info = c.TRIAGE
        elif self.s.status != c.RETURNED:
            self.s.status = c.TRIAGE
        self._open_task(c.TASK_TRIAGE, reason)
        await self._project(kind, "system", public=False, data={"reason": reason})

    # --- clocks ---------------------------------------------------------------------------

    def _next_due(self) -> datetime | None:
        times = [t for t in (clocks.next_fire(k) for k in self.s.clocks) if t is not None]
        parked = self._parked_due()
        if parked is not None:
            times.append(parked)
        return min(times) if times else None

    async def _fire_due_clocks(self) -> None:
        now = workflow.now()
        for clock in list(self.s.clocks):
            due = clocks.next_fire(clock)
            if due is None or due > now:
                continue
            clock.stage += 1
            if clock.name == c.RATING:
                self._settle(c.RATING, "met")
                await self._finish(c.CLOSED, "closed", "system", "", None)
                return
            if clock.name == c.PROGRESS and clock.stage == 1:
                start = clocks.parse(self.s.last_progress_at or clocks.iso(now))
                clock.due_at = clocks.iso(start + timedelta(days=self.inp.policy.stale_escalation_days))
                self._open_task(c.TASK_FOLLOW_UP, "no progress from the agency")
                await self._project("progress_reminder", "system", public=False)
                continue
            clock.overdue = True
            self.s.escalated_to = center_above(self.s.escalated_to or self.s.center_code)
            message = None
            if clock.name == c.STATUTORY:
                message = c.CitizenMessage("progress_notice", {"status": self.s.status})
            await self._project(
                "escalated",
                "system",
                public=message is not None,
                message=message,
                data={"clock": clock.name, "to": self.s.escalated_to},
            )

    def _clock(self, name: str) -> c.ClockState | None:
        return next((k for k in self.s.clocks if k.name == name), None)

    def _set_clock(self, clock: c.ClockState) -> None:
        self.s.clocks = [k for k in self.s.clocks if k.name != clock.name] + [clock]

    def _settle(self, name: str, state: str) -> None:
        clock = self._clock(name)
        if clock:
            clocks.settle(clock, state)

    # --- tasks and projection -------------------------------------------------------------

    def _open_task(self, kind: str, reason: str) -> None:
        self._close_tasks(kind)
        key = f"{self.inp.tracking_number}:{kind}:{self.s.seq + 1}"
        self.s.tasks.append(
            c.TaskState(
                key=key, kind=kind, center_code=self.s.center_code, reason=reason, opened_at=clocks.iso(workflow.now())
            )
        )

    def _close_tasks(self, *kinds: str) -> None:
        self.s.tasks = [t for t in self.s.tasks if kinds and t.kind not in kinds]

    async def _finish(self, status: str, kind: str, actor: str, note: str, message: c.CitizenMessage | None) -> None:
        self.s.status = status
        for clock in self.s.clocks:
            clocks.settle(clock, "stopped")
        self._close_tasks()
        await self._project(kind, actor, note=note, message=message)
        if status != c.CLOSED:  # a lead closed without a result sets its followers free
            await self._tell_followers("ended")

    def _check(self, action: str) -> None:
        reason = refusal(action, self.s.status)
        if reason:
            raise ApplicationError(reason, type=c.ERR_INVALID_TRANSITION, non_retryable=True)

    def _result(self) -> c.ActionResult:
        return c.ActionResult(status=self.s.status, seq=self.s.seq)

    # --- the live view --------------------------------------------------------------------

    @workflow.query
    def status(self) -> c.CaseView:
        return c.CaseView(
            tracking_number=self.inp.tracking_number,
            status=self.s.status,
            category=self.s.category,
            agency_code=self.s.agency_code,
            center_code=self.s.center_code,
            clocks=self.s.clocks,
            tasks=self.s.tasks,
            escalated_to=self.s.escalated_to,
            forward_failure=self.s.forward_failure,
            seq=self.s.seq,
            unprojected=self._unprojected(),
            lead=self.s.lead,
            followers=list(self.s.followers),
        )


def _carry(inp: c.ComplaintInput, state: c.CaseState) -> c.ComplaintInput:
    nxt = copy.deepcopy(inp)
    nxt.carried = state
    nxt.contact = None  # already in the read model; do not copy personal data into every run
    return nxt
