"""The one gateway the fronts (chatbot, web, api) use to talk to Temporal: file a complaint, query its
live state, apply an officer's action (update), pass on a citizen's or agency's event (signal), leave a
question for an officer and answer it. It turns Temporal's errors into the domain errors of
`workflows.errors`, so no front ever sees a Temporal type."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from workflows import codec
from workflows import contracts as c
from workflows.domain import tracking
from workflows.domain.transitions import OPEN
from workflows.errors import CaseNotFound, InvalidInput, InvalidTransition, Unavailable

UPDATES = {
    "triage": c.TriageDecision,
    "forward": c.ForwardRecord,
    "record_progress": c.ProgressRecord,
    "request_info": c.InfoRequest,
    "change_clock": c.ClockChange,
    "transfer": c.Transfer,
    "resolve": c.ResolutionRecord,
    "reject": c.Rejection,
    "reply": c.CitizenReply,
    "assign": c.Assignment,
    "note": c.InternalNote,
    "escalate": c.Escalation,
    "link_lead": c.LeadLink,
    "unlink_lead": c.LeadUnlink,
}
SIGNALS = {
    "add_info": c.CitizenInfo,
    "withdraw": c.Withdrawal,
    "rate": c.Rating,
    "dispute": c.Dispute,
    "agency_event": c.AgencyEvent,
}


QUESTION_ID = re.compile(r"[A-Za-z0-9_.:-]{1,40}")
MAX_QUESTION_CHARS = 2000
NO_CASE = CaseNotFound().message
CASE_CLOSED = "เรื่องนี้ปิดแล้ว / the case is closed"
QUESTION_CLOSED = "คำถามนี้ปิดแล้ว / this question is already closed"
NO_QUESTION = "ไม่พบคำถาม / no such question"


def question_workflow_id(question_id: str) -> str:
    return f"question-{question_id}"


async def connect(address: str, namespace: str = "default", keys: dict[str, bytes] | None = None) -> Client:
    """A client whose every payload passes the platform's codec (`workflows.codec`): keys from
    `PAYLOAD_KEYS`, or the development key."""
    try:
        return await Client.connect(address, namespace=namespace, data_converter=codec.data_converter(keys))
    except RuntimeError as err:
        raise Unavailable(f"ติดต่อระบบงานไม่ได้ / the case engine is unreachable: {err}") from err


class ComplaintGateway:
    def __init__(self, client: Client, secret: str, task_queue: str = c.TASK_QUEUE) -> None:
        self.client = client
        self.secret = secret
        self.task_queue = task_queue

    async def start(self, inp: c.ComplaintInput, key_fingerprint: str = "") -> bool:
        """Start the case's workflow under its tracking-number ID; False when it exists already."""
        try:
            await self.client.start_workflow(
                c.WORKFLOW_NAME,
                inp,
                id=tracking.workflow_id(inp.tracking_number),
                task_queue=self.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                memo={"key": key_fingerprint, "pin_hash": inp.pin_hash},
                static_summary=f"{inp.tracking_number} {inp.text[:60]}",
            )
            return True
        except WorkflowAlreadyStartedError:
            return False
        except RPCError as err:
            raise Unavailable(f"ระบบงานไม่พร้อม / the case engine is unavailable: {err.message}") from err

    async def memo_key(self, number: str) -> str | None:
        """The idempotency-key fingerprint case `number`'s workflow was started with, if it exists."""
        found = await self._memo(number, "key")
        return found if isinstance(found, str) else None

    async def _memo(self, number: str, field: str) -> Any:
        try:
            desc = await self.client.get_workflow_handle(tracking.workflow_id(number)).describe()
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return None
            raise Unavailable(err.message) from err
        return (await desc.memo()).get(field)

    async def pin_matches(self, number: str, pin: str) -> bool:
        """Whether `pin` opens case `number`, asked of its workflow (the PIN's hash is in its memo): for
        a case whose workflow exists but has not reached the read model yet, such as a chat filing
        of a moment ago or one waiting in a burst's backlog. False when there is no such workflow
        or Temporal cannot be asked: to the citizen that is a wrong number or PIN, as always."""
        if not pin or not tracking.PATTERN.match(number):
            return False
        try:
            stored = await self._memo(number, "pin_hash")
        except Unavailable:
            return False
        return isinstance(stored, str) and tracking.pin_matches(self.secret, number, pin, stored)

    async def status(self, number: str) -> c.CaseView:
        handle = self.client.get_workflow_handle(tracking.workflow_id(number))
        try:
            return await handle.query("status", result_type=c.CaseView)
        except RPCError as err:
            raise await self._mapped(handle, err) from err

    async def act(self, number: str, action: str, payload: Any) -> c.ActionResult:
        if action not in UPDATES or not isinstance(payload, UPDATES[action]):
            raise InvalidInput(f"ไม่รู้จักคำสั่ง / unknown action {action!r}")
        if action == "link_lead":
            payload = await self._lead_to_follow(payload)
        handle = self.client.get_workflow_handle(tracking.workflow_id(number))
        try:
            return await handle.execute_update(action, payload, result_type=c.ActionResult)
        except WorkflowUpdateFailedError as err:
            raise _refusal(err) from err
        except RPCError as err:
            raise await self._mapped(handle, err) from err

    async def link_to_lead(self, number: str, link: c.LeadLink) -> c.ActionResult:
        return await self.act(number, "link_lead", link)

    async def _lead_to_follow(self, link: c.LeadLink) -> c.LeadLink:
        """The link, once the lead is asked that it is open and leads (it does not follow another):
        the follower's workflow then tells the lead itself."""
        lead = tracking.normalise(link.lead or "")
        if not tracking.PATTERN.match(lead):
            raise InvalidInput("เลขเรื่องหลักไม่ถูกต้อง / the leading case's number is not valid")
        try:
            view = await self.status(lead)
        except (CaseNotFound, InvalidTransition) as err:
            raise InvalidInput(f"ไม่พบเรื่องหลัก {lead} ที่ยังเปิดอยู่ / no open case {lead} to follow") from err
        if view.status not in OPEN:
            raise InvalidTransition(f"เรื่องหลัก {lead} ไม่ได้เปิดอยู่ / the case {lead} is no longer open")
        if view.lead:
            raise InvalidInput(f"เรื่อง {lead} เชื่อมกับเรื่องหลัก {view.lead} อยู่ / {lead} follows {view.lead}: link to that")
        return replace(link, lead=lead)

    async def signal(self, number: str, name: str, payload: Any) -> None:
        if name not in SIGNALS or not isinstance(payload, SIGNALS[name]):
            raise InvalidInput(f"ไม่รู้จักเหตุการณ์ / unknown event {name!r}")
        handle = self.client.get_workflow_handle(tracking.workflow_id(number))
        try:
            await handle.signal(name, payload)
        except RPCError as err:
            raise await self._mapped(handle, err) from err

    async def ask_question(self, inp: c.QuestionInput) -> c.QuestionView:
        """Leave a question for an officer. The same question id (the channel's event id) always
        yields the same question, so a redelivered message asks nothing twice."""
        if not QUESTION_ID.fullmatch(inp.question_id or ""):
            raise InvalidInput("รหัสคำถามไม่ถูกต้อง / invalid question id")
        text = (inp.text or "").strip()
        if not text or len(text) > MAX_QUESTION_CHARS:
            raise InvalidInput(
                f"คำถามต้องมี 1-{MAX_QUESTION_CHARS} ตัวอักษร / a question needs 1-{MAX_QUESTION_CHARS} characters"
            )
        try:
            handle = await self.client.start_workflow(
                c.QUESTION_WORKFLOW_NAME,
                replace(inp, text=text),
                id=question_workflow_id(inp.question_id),
                task_queue=self.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                static_summary=f"question {text[:60]}",
            )
        except WorkflowAlreadyStartedError:
            handle = self.client.get_workflow_handle(question_workflow_id(inp.question_id))
        except RPCError as err:
            raise Unavailable(f"ระบบงานไม่พร้อม / the case engine is unavailable: {err.message}") from err
        # The due time exists once the workflow has read the calendar: the citizen is told it at once.
        for pause in (0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2):
            view = await self._question_view(handle)
            if view.due_at is not None:
                return view
            await asyncio.sleep(pause)
        raise Unavailable("ระบบงานตอบช้า / the case engine is slow to answer; please try again")

    async def question_status(self, question_id: str) -> c.QuestionView:
        return await self._question_view(self._question(question_id))

    async def withdraw_question(self, question_id: str, reason: str = "") -> None:
        """The citizen takes back a question; an answered one stays answered."""
        handle = self._question(question_id)
        try:
            await handle.signal("withdraw", c.Withdrawal(reason))
        except RPCError as err:
            raise await self._mapped(handle, err, NO_QUESTION, QUESTION_CLOSED) from err

    async def answer_question(self, question_id: str, answer: c.QuestionAnswer) -> c.ActionResult:
        """An officer answers a question left for the office (update `answer` on its QuestionWorkflow)."""
        handle = self._question(question_id)
        try:
            return await handle.execute_update("answer", answer, result_type=c.ActionResult)
        except WorkflowUpdateFailedError as err:
            raise _refusal(err) from err
        except RPCError as err:
            raise await self._mapped(handle, err, NO_QUESTION, QUESTION_CLOSED) from err

    def _question(self, question_id: str):
        if not QUESTION_ID.fullmatch(question_id or ""):
            raise CaseNotFound(NO_QUESTION)
        return self.client.get_workflow_handle(question_workflow_id(question_id))

    async def _question_view(self, handle) -> c.QuestionView:
        try:
            return await handle.query("status", result_type=c.QuestionView)
        except RPCError as err:
            raise await self._mapped(handle, err, NO_QUESTION, QUESTION_CLOSED) from err

    async def _mapped(self, handle, err: RPCError, missing: str = NO_CASE, closed: str = CASE_CLOSED) -> Exception:
        """NOT_FOUND means either no such workflow (`missing`) or one that has finished (`closed`)."""
        if err.status == RPCStatusCode.NOT_FOUND:
            try:
                desc = await handle.describe()
            except RPCError:
                return CaseNotFound(missing)
            if desc.status != WorkflowExecutionStatus.RUNNING:
                return InvalidTransition(closed)
            return CaseNotFound(missing)
        if err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            return Unavailable(f"ระบบงานไม่พร้อม / the case engine is unavailable: {err.message}")
        return err


def _refusal(err: WorkflowUpdateFailedError) -> Exception:
    """A validator's or handler's refusal as the domain error it carries."""
    cause = err.cause
    if not isinstance(cause, ApplicationError):
        return err
    if cause.type == c.ERR_INVALID_INPUT:
        return InvalidInput(cause.message)
    return InvalidTransition(cause.message)
