"""How a complaint's transitions reach the read model, and what the case does when a step of its own
keeps failing. A mixin of `ComplaintWorkflow`, like `complaint_actions.py`.

Each transition becomes a `CaseEventRecord` while the case's lock is held, but the write itself
(`project_case_event`, a local activity with a bounded retry) runs after the lock is released, one
record at a time in sequence order, so an officer's update never waits on the lock while another
transition's write is retrying. A record that still fails is parked, not lost: the case opens a
`system_fault` task with the error, and parked records are tried again on a growing timer until they go
through; then the fault clears and the task closes. While some are parked, new writes get two tries
before joining them, so officers' actions do not each wait minutes on a database that is down. Cases
that started before the `2026-12-04-nothing-wedges` patch keep projecting inside the lock, as their
histories recorded."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from temporalio import workflow

from workflows import contracts as c
from workflows.domain import clocks
from workflows.retries import (
    LOCAL,
    LOCAL_FAILURES,
    LOCAL_WHILE_PARKED,
    UNBOUNDED,
    failure_reason,
    parked_retry_after,
)

if TYPE_CHECKING:
    from workflows.complaint import ComplaintWorkflow as _Base
else:
    _Base = object

NOTHING_WEDGES = "2026-12-04-nothing-wedges"
PROJECTION = "projection"


class CaseLock:
    """The case's lock. Leaving it delivers what was projected while it was held, after releasing it."""

    def __init__(self, after_release: Callable[[], Awaitable[None]]) -> None:
        self._lock = asyncio.Lock()
        self._after_release = after_release

    async def __aenter__(self) -> None:
        await self._lock.acquire()

    async def __aexit__(self, *_: object) -> None:
        self._lock.release()
        await self._after_release()

    def locked(self) -> bool:
        return self._lock.locked()


class ComplaintFeed(_Base):
    queued: list[c.CaseEventRecord]
    parked: list[c.CaseEventRecord]
    delivering: bool
    parked_tries: int
    parked_retry_at: datetime | None

    def _start_feed(self) -> None:
        self.queued, self.parked = [], []
        self.delivering = False
        self.parked_tries, self.parked_retry_at = 0, None

    def _hardened(self) -> bool:
        """Bounded retries, IO outside the lock, faults as tasks: every case started since the patch."""
        return workflow.patched(NOTHING_WEDGES)

    # --- writing transitions --------------------------------------------------------------

    async def _project(
        self,
        kind: str,
        actor: str,
        *,
        note: str = "",
        public: bool = True,
        data: dict[str, str] | None = None,
        message: c.CitizenMessage | None = None,
        intake: c.ComplaintInput | None = None,
        attachments: list[c.AttachmentRef] | None = None,
    ) -> None:
        record = self._event(kind, actor, note, public, data, message, intake, attachments)
        if not self._hardened():
            await workflow.execute_local_activity(c.PROJECT_CASE_EVENT, record, **UNBOUNDED)
            return
        self.queued.append(record)  # written when the lock is released (`_deliver`)

    def _event(
        self,
        kind: str,
        actor: str,
        note: str = "",
        public: bool = True,
        data: dict[str, str] | None = None,
        message: c.CitizenMessage | None = None,
        intake: c.ComplaintInput | None = None,
        attachments: list[c.AttachmentRef] | None = None,
    ) -> c.CaseEventRecord:
        self.s.seq += 1
        self.wake = True
        if public and message is None and self.s.told_status not in (None, self.s.status):
            # Every status change the citizen may see reaches their channel, even one with nothing to add.
            message = c.CitizenMessage("status", {"status": self.s.status})
        if public or message is not None:
            self.s.told_status = self.s.status
        record = c.CaseEventRecord(
            tracking_number=self.inp.tracking_number,
            workflow_id=workflow.info().workflow_id,
            seq=self.s.seq,
            kind=kind,
            at=clocks.iso(workflow.now()),
            actor=actor,
            state=copy.deepcopy(self.s),
            note=note,
            public=public,
            data=data or {},
            message=message,
            intake=intake,
            attachments=attachments or [],
        )
        record.state.days_off = []  # the read model has its own calendar; keep the payload small
        return record

    async def _deliver(self) -> None:
        """Write the queued records in order, outside the lock; the caller returns once its own are done."""
        if not self.queued:
            return
        if self.delivering:
            mine = {id(r) for r in self.queued}
            await workflow.wait_condition(lambda: not any(id(r) in mine for r in self.queued))
            return
        self.delivering = True
        try:
            while self.queued:
                record = self.queued[0]
                try:
                    options = LOCAL_WHILE_PARKED if self.parked else LOCAL
                    await workflow.execute_local_activity(c.PROJECT_CASE_EVENT, record, **options)
                except LOCAL_FAILURES as err:
                    self._park(record, failure_reason(f"บันทึกลำดับที่ {record.seq} / record {record.seq}", err))
                finally:
                    self.queued.remove(record)
        finally:
            self.delivering = False

    def _park(self, record: c.CaseEventRecord, reason: str) -> None:
        workflow.logger.warning("projection of %s:%s parked: %s", record.tracking_number, record.seq, reason)
        self.parked.append(record)
        if self.parked_retry_at is None:
            self.parked_retry_at = workflow.now() + parked_retry_after(0)
        # No lock here: in a hardened case nothing awaits while holding it, so this step is atomic.
        self._fault(PROJECTION, reason)

    async def _retry_parked(self) -> None:
        """Try the parked records again once their timer is up; clear the fault when all went through."""
        if not self.parked or self.parked_retry_at is None or workflow.now() < self.parked_retry_at:
            return
        retry, self.parked = sorted(self.parked, key=lambda r: r.seq), []
        self.parked_retry_at = None
        self.queued.extend(retry)
        await self._deliver()
        if self.parked:
            self.parked_tries += 1
            self.parked_retry_at = workflow.now() + parked_retry_after(self.parked_tries)
            return
        self.parked_tries = 0
        async with self.lock:
            self._clear_fault(PROJECTION)

    def _parked_due(self) -> datetime | None:
        return self.parked_retry_at if self.parked else None

    def _unprojected(self) -> int:
        return len(self.parked) + len(self.queued)

    # --- faults an officer sees -----------------------------------------------------------

    def _fault(self, source: str, reason: str) -> None:
        """Record that `source` keeps failing, with an officer task that says why (one per case)."""
        self.s.faults[source] = reason
        summary = "; ".join(self.s.faults.values())
        task = next((t for t in self.s.tasks if t.kind == c.TASK_SYSTEM_FAULT), None)
        if task is not None:
            task.reason = summary
            return
        # One event when the task opens, not one per failure: a failing write must not breed more writes.
        self._open_task(c.TASK_SYSTEM_FAULT, summary)
        self._queue_fault_event("system_fault", source, reason)

    def _clear_fault(self, source: str) -> None:
        if self.s.faults.pop(source, None) is None:
            return
        if self.s.faults:
            for task in self.s.tasks:
                if task.kind == c.TASK_SYSTEM_FAULT:
                    task.reason = "; ".join(self.s.faults.values())
            return
        self._close_tasks(c.TASK_SYSTEM_FAULT)
        self._queue_fault_event("system_fault_cleared", source, "")

    def _queue_fault_event(self, kind: str, source: str, reason: str) -> None:
        data = {"source": source, "reason": reason}
        self.queued.append(self._event(kind, "system", public=False, data=data))
