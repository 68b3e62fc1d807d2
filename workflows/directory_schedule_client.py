"""Making (or removing) the scheduled directory sync: with a feed URL the schedule `directory-sync`
exists and runs `DirectorySyncWorkflow` every so many hours; without one it does not exist (off by
default). Called at every worker start, so a changed setting takes effect on the next start."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client

from workflows import schedules
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
    if inp is None:
        await schedules.remove(client, DIRECTORY_SYNC_SCHEDULE_ID)
        return False
    await schedules.ensure_every(
        client, DIRECTORY_SYNC_SCHEDULE_ID, DIRECTORY_SYNC_WORKFLOW_NAME, inp, task_queue, every
    )
    return True
