"""What people do to a running complaint: officers' actions as updates (each with a validator, so an
invalid action is refused before it reaches history), and citizens' and agencies' events as signals.
A mixin of `ComplaintWorkflow`, which provides the state (`self.s`), the lock and the helpers used here;
the rules of which action fits which status live in `domain/transitions.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows import contracts as c
from workflows.domain import clocks
from workflows.domain.centers import MINISTRY, center_above
from workflows.domain.transitions import refusal

if TYPE_CHECKING:
    from workflows.complaint import ComplaintWorkflow as _Base
    from workflows.complaint_feed import CaseLock
else:
    _Base = object

CLOCK_NAMES = {c.SCREENING, c.STATUTORY, c.RESOLUTION, c.PROGRESS}
RATING_SCORES = range(1, 6)  # a signal cannot refuse: a score outside is dropped, not recorded


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(message, type=c.ERR_INVALID_INPUT, non_retryable=True)


def _require(value: str, what_th: str, what_en: str) -> None:
    if not value or not value.strip():
        raise _invalid(f"ต้องระบุ{what_th} / {what_en} is required")


class CaseActions(_Base):
    lock: CaseLock

    # --- officers -------------------------------------------------------------------------

    @workflow.update
    async def triage(self, d: c.TriageDecision) -> c.ActionResult:
        async with self.lock:
            self.s.category, self.s.category_confidence = d.category, 1.0
            self.s.agency_code = d.agency_code
            if d.center_code:
                self.s.center_code = d.center_code
            self._close_tasks(c.TASK_TRIAGE)
            self.s.route_pending = True
            await self._project(
                "triaged",
                d.officer,
                note=d.note,
                public=False,
                data={"category": d.category, "agency": d.agency_code or ""},
            )
        return self._result()

    @triage.validator
    def _triage_ok(self, d: c.TriageDecision) -> None:
        self._check("triage")
        _require(d.category, "หมวดเรื่อง", "category")

    @workflow.update
    async def forward(self, d: c.ForwardRecord) -> c.ActionResult:
        async with self.lock:
            await self._forwarded(
                d.officer,
                {
                    "reference": d.reference,
                    "sent_on": d.sent_on,
                    "method": d.method,
                    "agency": self.s.agency_code or "",
                },
            )
        return self._result()

    @forward.validator
    def _forward_ok(self, d: c.ForwardRecord) -> None:
        self._check("forward")
        if not any(t.kind in (c.TASK_FORWARD_LETTER, c.TASK_FORWARD_MANUAL) for t in self.s.tasks):
            raise ApplicationError(
                "ยังไม่มีหน่วยงานที่ต้องส่งหนังสือถึง / the case has no agency to forward to yet",
                type=c.ERR_INVALID_TRANSITION,
                non_retryable=True,
            )
        _require(d.reference, "เลขที่หนังสือ", "the letter's reference")
        if d.method not in ("letter", "email"):
            raise _invalid("วิธีส่งต้องเป็น letter หรือ email / method must be letter or email")

    @workflow.update
    async def record_progress(self, d: c.ProgressRecord) -> c.ActionResult:
        async with self.lock:
            await self._progress(d.officer, d.note)
        return self._result()

    @record_progress.validator
    def _progress_ok(self, d: c.ProgressRecord) -> None:
        self._check("progress")
        _require(d.note, "ความคืบหน้า", "a progress note")

    @workflow.update
    async def request_info(self, d: c.InfoRequest) -> c.ActionResult:
        async with self.lock:
            now = workflow.now()
            self.s.status_before_info = self.s.status
            self.s.status = c.NEEDS_INFO
            for clock in self.s.clocks:
                clocks.pause(clock, now, self.cal)
            await self._project(
                "info_requested",
                d.officer,
                note=d.question,
                message=c.CitizenMessage("info_request", {"question": d.question}),
            )
        return self._result()

    @request_info.validator
    def _request_info_ok(self, d: c.InfoRequest) -> None:
        self._check("request_info")
        _require(d.question, "คำถามถึงผู้ร้อง", "a question for the citizen")

    @workflow.update
    async def change_clock(self, d: c.ClockChange) -> c.ActionResult:
        async with self.lock:
            now, clock = workflow.now(), self._clock(d.clock)
            if clock is None or clock.state not in ("running", "paused"):  # settled since the validator ran
                raise _invalid(f"ไม่มีนาฬิกา {d.clock} ที่เดินอยู่ / no running clock named {d.clock!r}")
            if d.action == "extend":
                clocks.extend(clock, d.seconds, d.business_days, now, self.cal)
            elif d.action == "pause":
                clocks.pause(clock, now, self.cal)
            else:
                clocks.resume(clock, now, self.cal)
            await self._project(
                f"clock_{d.action}",
                d.officer,
                note=d.reason,
                public=False,
                data={"clock": d.clock, "due_at": clock.due_at or ""},
            )
        return self._result()

    @change_clock.validator
    def _change_clock_ok(self, d: c.ClockChange) -> None:
        self._check("clock")
        _require(d.reason, "เหตุผล", "a reason")
        clock = self._clock(d.clock) if d.clock in CLOCK_NAMES else None
        if clock is None or clock.state not in ("running", "paused"):
            raise _invalid(f"ไม่มีนาฬิกา {d.clock} ที่เดินอยู่ / no running clock named {d.clock!r}")
        if d.action == "extend":
            reason = clocks.extension_refusal(clock, d.seconds, d.business_days, workflow.now())
            if reason:
                raise _invalid(reason)
        if d.action == "pause" and clock.state != "running":
            raise _invalid("นาฬิกาหยุดอยู่แล้ว / the clock is already paused")
        if d.action == "resume" and clock.state != "paused":
            raise _invalid("นาฬิกาไม่ได้หยุดอยู่ / the clock is not paused")
        if d.action not in ("extend", "pause", "resume"):
            raise _invalid("action ต้องเป็น extend, pause หรือ resume / action must be extend, pause or resume")

    @workflow.update
    async def transfer(self, d: c.Transfer) -> c.ActionResult:
        async with self.lock:
            before = self.s.center_code or ""
            self.s.center_code = d.center_code
            for task in self.s.tasks:
                task.center_code = d.center_code
            await self._project("transferred", d.officer, note=d.reason, data={"from": before, "to": d.center_code})
        return self._result()

    @transfer.validator
    def _transfer_ok(self, d: c.Transfer) -> None:
        self._check("transfer")
        _require(d.center_code, "ศูนย์ปลายทาง", "the target center")
        _require(d.reason, "เหตุผล", "a reason")
        if d.center_code == self.s.center_code:
            raise _invalid("เรื่องอยู่ที่ศูนย์นี้แล้ว / the case is already at that center")

    @workflow.update
    async def resolve(self, d: c.ResolutionRecord) -> c.ActionResult:
        async with self.lock:
            await self._resolved(d.officer, d.result)
        return self._result()

    @resolve.validator
    def _resolve_ok(self, d: c.ResolutionRecord) -> None:
        self._check("resolve")
        _require(d.result, "ผลการดำเนินการ", "the result")

    @workflow.update
    async def reject(self, d: c.Rejection) -> c.ActionResult:
        async with self.lock:
            await self._finish(
                c.REJECTED, "rejected", d.officer, d.reason, c.CitizenMessage("rejected", {"reason": d.reason})
            )
        return self._result()

    @reject.validator
    def _reject_ok(self, d: c.Rejection) -> None:
        self._check("reject")
        _require(d.reason, "เหตุผลที่ไม่รับเรื่อง", "a reason for rejecting")

    @workflow.update
    async def reply(self, d: c.CitizenReply) -> c.ActionResult:
        async with self.lock:
            await self._project(
                "officer_reply",
                d.officer,
                note=d.text,
                message=c.CitizenMessage("reply", {"text": d.text}),
                attachments=list(d.attachments),  # empty in every reply recorded before photos: the same command
            )
        return self._result()

    @reply.validator
    def _reply_ok(self, d: c.CitizenReply) -> None:
        self._check("reply")
        _require(d.text, "ข้อความ", "a message")

    @workflow.update
    async def assign(self, d: c.Assignment) -> c.ActionResult:
        async with self.lock:
            before = self.s.assignee or ""
            self.s.assignee = d.assignee.strip() or None
            await self._project(
                "assigned", d.officer, note=d.note, public=False, data={"from": before, "to": self.s.assignee or ""}
            )
        return self._result()

    @assign.validator
    def _assign_ok(self, d: c.Assignment) -> None:
        self._check("assign")
        _require(d.officer, "ผู้มอบหมาย", "the officer")
        if (d.assignee.strip() or None) == self.s.assignee:
            raise ApplicationError(
                "เรื่องนี้อยู่กับผู้นี้แล้ว / the case is already held by that officer",
                type=c.ERR_INVALID_TRANSITION,
                non_retryable=True,
            )

    @workflow.update
    async def note(self, d: c.InternalNote) -> c.ActionResult:
        async with self.lock:
            await self._project("note", d.officer, note=d.text, public=False)
        return self._result()

    @note.validator
    def _note_ok(self, d: c.InternalNote) -> None:
        self._check("note")
        _require(d.text, "บันทึก", "a note")

    @workflow.update
    async def escalate(self, d: c.Escalation) -> c.ActionResult:
        async with self.lock:
            self.s.escalated_to = center_above(self.s.escalated_to or self.s.center_code)
            await self._project(
                "escalated", d.officer, note=d.reason, public=False, data={"clock": "", "to": self.s.escalated_to}
            )
        return self._result()

    @escalate.validator
    def _escalate_ok(self, d: c.Escalation) -> None:
        self._check("escalate")
        _require(d.reason, "เหตุผล", "a reason")
        if (self.s.escalated_to or self.s.center_code) == MINISTRY:
            raise ApplicationError(
                "เรื่องอยู่ที่ศูนย์ดำรงธรรมกระทรวงแล้ว / the case is already at the ministry",
                type=c.ERR_INVALID_TRANSITION,
                non_retryable=True,
            )

    # --- citizens -------------------------------------------------------------------------

    @workflow.signal
    async def add_info(self, d: c.CitizenInfo) -> None:
        async with self.lock:
            if refusal_quiet(self, "add_info"):
                return
            if self.s.status == c.NEEDS_INFO:
                now = workflow.now()
                self.s.status = self.s.status_before_info or c.RECEIVED
                for clock in self.s.clocks:
                    clocks.resume(clock, now, self.cal)
            await self._project("info_added", "citizen", note=d.text, attachments=d.attachments)

    @workflow.signal
    async def withdraw(self, d: c.Withdrawal) -> None:
        async with self.lock:
            if refusal_quiet(self, "withdraw"):
                return
            await self._finish(
                c.WITHDRAWN, "withdrawn", "citizen", d.reason, c.CitizenMessage("status", {"status": c.WITHDRAWN})
            )

    @workflow.signal
    async def rate(self, d: c.Rating) -> None:
        async with self.lock:
            if refusal_quiet(self, "rate"):
                return
            if not _is_score(d.score) and workflow.patched("2026-12-04-rating-within-1-5"):
                workflow.logger.info("ignored a rating of %r: scores are 1 to 5", d.score)
                return
            await self._project("rated", "citizen", note=d.comment, data={"score": str(d.score)})
            await self._finish(c.CLOSED, "closed", "citizen", "", None)

    @workflow.signal
    async def dispute(self, d: c.Dispute) -> None:
        async with self.lock:
            if refusal_quiet(self, "dispute"):
                return
            now, policy = workflow.now(), self.inp.policy
            self.s.status, self.s.resolved_at = c.IN_PROGRESS, None
            self.s.disputes += 1
            self.s.last_progress_at = clocks.iso(now)
            self._settle(c.RATING, "stopped")
            self._set_clock(clocks.start_wall(c.STATUTORY, now, policy.statutory_days * 86400))
            self._set_clock(clocks.start_business(c.RESOLUTION, now, policy.resolution_business_days, self.cal))
            self._set_clock(clocks.start_wall(c.PROGRESS, now, policy.stale_reminder_days * 86400))
            self._open_task(c.TASK_REVIEW_DISPUTE, d.reason)
            await self._project(
                "disputed", "citizen", note=d.reason, message=c.CitizenMessage("status", {"status": c.IN_PROGRESS})
            )

    # --- agencies -------------------------------------------------------------------------

    @workflow.signal
    async def agency_event(self, e: c.AgencyEvent) -> None:
        async with self.lock:
            if e.event_id in self.s.seen_event_ids:
                return
            action = {"progress": "agency_progress", "resolved": "agency_resolved"}.get(e.kind, e.kind)
            if e.kind not in c.AGENCY_EVENT_KINDS or refusal_quiet(self, action):
                return
            self.s.seen_event_ids.append(e.event_id)
            actor = f"agency:{e.agency_code or self.s.agency_code}"
            if e.kind in ("acknowledged", "progress"):
                await self._progress(actor, e.note or e.kind, reference=e.reference, attachments=e.attachments)
            elif e.kind == "resolved":
                await self._resolved(actor, e.note, attachments=e.attachments)
            else:
                self.s.status = c.RETURNED
                self.s.agency_code, self.s.agency_linked = None, False
                self._settle(c.RESOLUTION, "stopped")
                self._settle(c.PROGRESS, "stopped")
                self._open_task(c.TASK_TRIAGE, e.note)
                await self._project("returned", actor, note=e.note, public=False)

    # --- shared steps ---------------------------------------------------------------------

    async def _progress(
        self, actor: str, note: str, reference: str = "", attachments: list[c.AttachmentRef] | None = None
    ) -> None:
        now = workflow.now()
        self.s.status = c.IN_PROGRESS
        self.s.last_progress_at = clocks.iso(now)
        self._close_tasks(c.TASK_FOLLOW_UP, c.TASK_REVIEW_DISPUTE)
        self._set_clock(clocks.start_wall(c.PROGRESS, now, self.inp.policy.stale_reminder_days * 86400))
        await self._project(
            "progress",
            actor,
            note=note,
            data={"reference": reference},
            message=c.CitizenMessage("progress", {"note": note}),
            attachments=attachments,
        )
        await self._tell_followers("progress", note, attachments)

    async def _resolved(self, actor: str, result: str, attachments: list[c.AttachmentRef] | None = None) -> None:
        now = workflow.now()
        self.s.status = c.RESOLVED
        self.s.resolved_at = clocks.iso(now)
        for name in (c.SCREENING, c.STATUTORY, c.RESOLUTION):
            self._settle(name, "met")
        self._settle(c.PROGRESS, "stopped")
        self._close_tasks()
        self._set_clock(clocks.start_wall(c.RATING, now, self.inp.policy.rating_window_days * 86400))
        await self._project(
            "resolved",
            actor,
            note=result,
            message=c.CitizenMessage("result", {"result": result}),
            attachments=attachments,
        )
        await self._tell_followers("resolved", result, attachments)


def _is_score(score: object) -> bool:
    return isinstance(score, int) and not isinstance(score, bool) and score in RATING_SCORES


def refusal_quiet(wf: CaseActions, action: str) -> bool:
    """Signals cannot answer back: an event that does not fit the status is logged and dropped."""
    reason = refusal(action, wf.s.status)
    if reason:
        workflow.logger.info("ignored %s: %s", action, reason)
    return reason is not None
