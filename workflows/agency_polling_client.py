"""The worker's way to the agency polling schedule: `ensure_agency_polling` creates the Temporal
Schedule `agency-polling` under its fixed id, or updates it to the current interval, at every worker
start (two workers starting together both end with the same schedule), as the PDPA retention schedule
is made (workflows/pdpa_client.py)."""

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

from workflows import contracts as c

SCHEDULE_ID = "agency-polling"
EVERY = timedelta(minutes=5)


async def ensure_agency_polling(client: Client, task_queue: str = c.TASK_QUEUE, every: timedelta = EVERY) -> None:
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            c.AGENCY_POLL_WORKFLOW_NAME, c.AgencyPollRequest(), id=f"{SCHEDULE_ID}-run", task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(SCHEDULE_ID, schedule)
    except ScheduleAlreadyRunningError:
        await client.get_schedule_handle(SCHEDULE_ID).update(lambda _: ScheduleUpdate(schedule=schedule))
