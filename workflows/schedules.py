"""The one way the worker keeps a Temporal Schedule that starts a workflow every so often: created
under its fixed id, or updated to the current action and interval when it exists (two workers starting
together both end with the same schedule), and removed when a setting turns it off. The retention
sweep, the agency polling and the directory sync are each such a schedule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
)
from temporalio.service import RPCError, RPCStatusCode


async def ensure_every(
    client: Client, schedule_id: str, workflow: str, arg: Any, task_queue: str, every: timedelta
) -> None:
    """Start `workflow(arg)` every `every`, one run at a time (a run still going skips the next)."""
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(workflow, arg, id=f"{schedule_id}-run", task_queue=task_queue),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(schedule_id, schedule)
    except ScheduleAlreadyRunningError:
        await client.get_schedule_handle(schedule_id).update(lambda _: ScheduleUpdate(schedule=schedule))


async def remove(client: Client, schedule_id: str) -> None:
    """No schedule under `schedule_id`, whether there was one or not."""
    try:
        await client.get_schedule_handle(schedule_id).delete()
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
