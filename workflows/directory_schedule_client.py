"""Making (or removing) the scheduled directory sync: with a feed URL the schedule `directory-sync`
exists and runs `DirectorySyncWorkflow` every so many hours; without one it does not exist (off by
default). Called at every worker start, so a changed setting takes effect on the next start."""

from __future__ import annotations

from datetime import timedelta

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

from workflows.contracts import TASK_QUEUE
from workflows.directory_schedule import (
    DIRECTORY_SYNC_SCHEDULE_ID,
    DIRECTORY_SYNC_WORKFLOW_NAME,
    DirectorySyncInput,
)


async def ensure_directory_sync_schedule(
    client: Client,
    task_queue: str = TASK_QUEUE,
    inp: DirectorySyncInput | None = None,
    every: timedelta = timedelta(hours=24),
) -> bool:
    """The schedule exists with this input when there is one, and not at all otherwise; returns
    whether it exists now."""
    handle = client.get_schedule_handle(DIRECTORY_SYNC_SCHEDULE_ID)
    if inp is None:
        try:
            await handle.delete()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
        return False
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            DIRECTORY_SYNC_WORKFLOW_NAME, inp, id=f"{DIRECTORY_SYNC_SCHEDULE_ID}-run", task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(DIRECTORY_SYNC_SCHEDULE_ID, schedule)
    except ScheduleAlreadyRunningError:
        await handle.update(lambda _: ScheduleUpdate(schedule=schedule))
    return True
