"""The fronts' and the worker's way to the PDPA workflows, beside `workflows.client` (same habits: the
fronts never see a Temporal type, only `workflows.errors`). `DataRequestGateway` files a data subject's
request (one open request per case and kind: asking again while it is open is the same request) and
applies an officer's decision to it; `ensure_retention_schedule` creates the retention schedule under
its fixed id, or updates it to the current periods when it exists, at every worker start."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from workflows import pdpa, schedules
from workflows.contracts import ERR_INVALID_INPUT, TASK_QUEUE
from workflows.errors import InvalidInput, InvalidTransition, Unavailable

NO_REQUEST = "ไม่พบคำขอ / no such data request"
DECISIONS = ("fulfil", "refuse")


def data_request_workflow_id(kind: str, number: str) -> str:
    return f"data-request-{kind}-{number}"


class DataRequestGateway:
    def __init__(self, client: Client, task_queue: str = TASK_QUEUE) -> None:
        self.client = client
        self.task_queue = task_queue

    async def file(
        self, kind: str, number: str, filed_by: str, identity_note: str = "", answer_days: int = pdpa.ANSWER_DAYS
    ) -> pdpa.DataRequestView:
        """File a request on case `number` (whose requester the caller has identified)."""
        if kind not in pdpa.REQUEST_KINDS:
            raise InvalidInput("ประเภทคำขอต้องเป็น access หรือ erasure / the kind must be access or erasure")
        inp = pdpa.DataRequestInput(
            request_id=f"DR-{uuid.uuid4().hex[:12].upper()}",
            kind=kind,
            tracking_number=number,
            filed_by=filed_by,
            identity_note=identity_note.strip()[:500],
            answer_days=answer_days,
        )
        try:
            handle = await self.client.start_workflow(
                pdpa.DATA_REQUEST_WORKFLOW_NAME,
                inp,
                id=data_request_workflow_id(kind, number),
                task_queue=self.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                static_summary=f"data request {kind} {number}",
            )
        except RPCError as err:
            raise Unavailable(f"ระบบงานไม่พร้อม / the case engine is unavailable: {err.message}") from err
        # Answered once the request's row is in the read model, so the page it leads to shows it.
        view = None
        for pause in (0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2):
            try:
                view = await handle.query("status", result_type=pdpa.DataRequestView)
            except RPCError as err:
                if err.status not in (RPCStatusCode.FAILED_PRECONDITION, RPCStatusCode.NOT_FOUND):
                    raise Unavailable(err.message) from err
            if view is not None and (view.recorded or view.status != pdpa.OPEN):
                return view
            await asyncio.sleep(pause)
        if view is not None:
            return view
        raise Unavailable("ระบบงานตอบช้า / the case engine is slow to answer; please try again")

    async def decide(
        self, workflow_id: str, run_id: str, action: str, decision: pdpa.DataRequestDecision
    ) -> pdpa.DataRequestView:
        """Fulfil or refuse (with a reason) the request running as `workflow_id`/`run_id`."""
        if action not in DECISIONS:
            raise InvalidInput(f"ไม่รู้จักคำสั่ง / unknown action {action!r}")
        handle = self.client.get_workflow_handle(workflow_id, run_id=run_id or None)
        try:
            return await handle.execute_update(action, decision, result_type=pdpa.DataRequestView)
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == ERR_INVALID_INPUT:
                raise InvalidInput(cause.message) from err
            raise InvalidTransition(getattr(cause, "message", None) or NO_REQUEST) from err
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise InvalidTransition("คำขอนี้ได้รับการพิจารณาแล้ว / this request has already been decided") from err
            raise Unavailable(f"ระบบงานไม่พร้อม / the case engine is unavailable: {err.message}") from err


async def ensure_retention_schedule(
    client: Client, task_queue: str = TASK_QUEUE, days: dict[str, int] | None = None, every=pdpa.RETENTION_EVERY
) -> None:
    """The retention schedule exists, with these periods: created once under its fixed id, updated at
    every later start (two workers starting together both end with the same schedule)."""
    inp = pdpa.RetentionRunInput(days=dict(days or pdpa.DEFAULT_RETENTION_DAYS))
    await schedules.ensure_every(
        client, pdpa.RETENTION_SCHEDULE_ID, pdpa.RETENTION_WORKFLOW_NAME, inp, task_queue, every
    )
