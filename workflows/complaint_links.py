"""Similar complaints together (issue 14 part 5): a case linked to a leading case about the same problem
shares the lead's progress and result. A mixin of `ComplaintWorkflow`, like `complaint_actions.py`.

An officer links a follower with the update `link_lead` on the follower; the follower tells its lead
with the signal `follower_linked`, and the lead keeps the list. From then on the lead sends each
follower a `lead_update` signal whenever it records progress or a result, and the follower records it
as its own transition, so its citizen hears about their own case under their own tracking number, and
a follower closes with the lead's result. While linked, the follower's screening and forwarding tasks
are the lead's (closed on linking, given back on unlinking if nothing happened meanwhile). A lead that ends without a result (rejected, withdrawn)
releases its followers with a follow-up task each, so none is left waiting on a case that is gone.
One level only: a lead cannot follow, a follower cannot lead. Only cases that link or lead run any of
this, so histories recorded before it replay unchanged; the lead's fan-out is patched all the same."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from temporalio import workflow
from temporalio.exceptions import ApplicationError, FailureError

from workflows import contracts as c
from workflows.domain import tracking
from workflows.domain.transitions import ALLOWED, OPEN

if TYPE_CHECKING:
    from workflows.complaint import ComplaintWorkflow as _Base
    from workflows.complaint_feed import CaseLock
else:
    _Base = object

LEAD_FAN_OUT = "2026-12-05-similar-cases"
# What the lead does for its followers: one screening and one forwarding for the one problem. They
# come back when the case goes on by itself again before anything happened to it.
COVERED_BY_LEAD = (c.TASK_TRIAGE, c.TASK_FORWARD_LETTER, c.TASK_FORWARD_MANUAL)
NOT_STARTED = frozenset({c.RECEIVED, c.TRIAGE, c.RETURNED})


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(message, type=c.ERR_INVALID_INPUT, non_retryable=True)


class CaseLinks(_Base):
    lock: CaseLock

    # --- officers, on the follower -----------------------------------------------------------

    @workflow.update
    async def link_lead(self, d: c.LeadLink) -> c.ActionResult:
        async with self.lock:
            lead = d.lead.strip().upper()
            if not await self._signal_case(
                lead, "follower_linked", c.FollowerLink(self.inp.tracking_number, d.officer)
            ):
                raise _invalid(f"ไม่พบเรื่องหลัก {lead} ที่ยังเปิดอยู่ / no open case {lead} to follow")
            self.s.lead = lead
            self.s.covered_tasks = [t.kind for t in self.s.tasks if t.kind in COVERED_BY_LEAD]
            self._close_tasks(*COVERED_BY_LEAD)
            await self._project("linked", d.officer, note=d.note, public=False, data={"lead": lead})
        return self._result()

    @link_lead.validator
    def _link_lead_ok(self, d: c.LeadLink) -> None:
        self._check("link")
        lead = (d.lead or "").strip().upper()
        if not tracking.PATTERN.match(lead):
            raise _invalid("เลขเรื่องหลักไม่ถูกต้อง / the leading case's number is not valid")
        if lead == self.inp.tracking_number:
            raise _invalid("เชื่อมเรื่องกับตัวเองไม่ได้ / a case cannot lead itself")
        if self.s.followers:
            raise _invalid(
                "เรื่องนี้เป็นเรื่องหลักของเรื่องอื่นอยู่ / this case leads other cases; link those to the new lead instead"
            )
        if self.s.lead == lead:
            raise _invalid("เชื่อมกับเรื่องนี้อยู่แล้ว / the case already follows that lead")
        if self.s.lead:
            raise _invalid("ยกเลิกการเชื่อมเดิมก่อน / unlink the case from its current lead first")

    @workflow.update
    async def unlink_lead(self, d: c.LeadUnlink) -> c.ActionResult:
        async with self.lock:
            lead = self.s.lead or ""
            self.s.lead = None
            self._uncover(f"ยกเลิกการเชื่อมกับ {lead} / unlinked from {lead}")
            await self._signal_case(lead, "follower_unlinked", c.FollowerLink(self.inp.tracking_number, d.officer))
            await self._project("unlinked", d.officer, note=d.reason, public=False, data={"lead": lead})
        return self._result()

    @unlink_lead.validator
    def _unlink_lead_ok(self, d: c.LeadUnlink) -> None:
        self._check("unlink")
        if not self.s.lead:
            raise _invalid("เรื่องนี้ไม่ได้เชื่อมกับเรื่องหลัก / the case follows no lead")
        if not (d.reason or "").strip():
            raise _invalid("ต้องระบุเหตุผล / a reason is required")

    # --- between workflows ---------------------------------------------------------------

    @workflow.signal
    async def follower_linked(self, d: c.FollowerLink) -> None:
        async with self.lock:
            if d.follower in self.s.followers or d.follower == self.inp.tracking_number:
                return
            if self.s.status not in OPEN or self.s.lead:
                # No longer a lead to follow: the follower goes on by itself, with a task saying why.
                await self._signal_case(d.follower, "lead_update", c.LeadUpdate(self.inp.tracking_number, "ended"))
                return
            self.s.followers.append(d.follower)
            await self._project("follower_linked", d.officer or "system", public=False, data={"follower": d.follower})

    @workflow.signal
    async def follower_unlinked(self, d: c.FollowerLink) -> None:
        async with self.lock:
            if d.follower not in self.s.followers:
                return
            self.s.followers.remove(d.follower)
            await self._project("follower_unlinked", d.officer or "system", public=False, data={"follower": d.follower})

    @workflow.signal
    async def lead_update(self, u: c.LeadUpdate) -> None:
        async with self.lock:
            if u.lead != self.s.lead:
                return  # unlinked meanwhile: the old lead's news is not this case's any more
            actor = f"lead:{u.lead}"
            if u.kind == "ended":
                self.s.lead = None
                self._uncover(f"เรื่องหลัก {u.lead} ปิดโดยไม่มีผล / the lead {u.lead} ended")
                self._open_task(c.TASK_FOLLOW_UP, f"เรื่องหลัก {u.lead} ปิดโดยไม่มีผล / the lead {u.lead} ended")
                await self._project("unlinked", actor, note=u.note, public=False, data={"lead": u.lead})
            elif u.kind == "progress" and self.s.status in ALLOWED["lead_progress"]:
                await self._progress(actor, u.note, attachments=u.attachments)
            elif u.kind == "resolved" and self.s.status in ALLOWED["lead_resolved"]:
                await self._resolved(actor, u.note, attachments=u.attachments)

    def _uncover(self, reason: str) -> None:
        """Give back the tasks the lead took over, when nothing has happened to this case since."""
        if self.s.status in NOT_STARTED:
            for kind in self.s.covered_tasks:
                self._open_task(kind, reason)
        self.s.covered_tasks = []

    # --- on the lead ---------------------------------------------------------------------

    async def _tell_followers(self, kind: str, note: str = "", attachments: list[c.AttachmentRef] | None = None):
        """Send the lead's news to every follower at once (their order does not matter)."""
        if not self.s.followers or not workflow.patched(LEAD_FAN_OUT):
            return
        update = c.LeadUpdate(self.inp.tracking_number, kind, note, list(attachments or []))
        await asyncio.gather(*(self._signal_case(f, "lead_update", update) for f in list(self.s.followers)))
        if kind == "ended":
            self.s.followers = []

    async def _signal_case(self, number: str, signal: str, payload: object) -> bool:
        """Signal another case's workflow; False when there is none running (ended cases hear nothing)."""
        if not number:
            return False
        try:
            await workflow.get_external_workflow_handle(tracking.workflow_id(number)).signal(signal, payload)
        except FailureError as err:
            workflow.logger.info("case %s did not take %s: %s", number, signal, err)
            return False
        return True
