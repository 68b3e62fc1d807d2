"""The worker's way to the agency polling schedule: `ensure_agency_polling` keeps the Temporal Schedule
`agency-polling` (workflows/schedules.py) starting the polling workflow at the current interval."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client

from workflows import contracts as c
from workflows import schedules

SCHEDULE_ID = "agency-polling"
EVERY = timedelta(minutes=5)


async def ensure_agency_polling(client: Client, task_queue: str = c.TASK_QUEUE, every: timedelta = EVERY) -> None:
    await schedules.ensure_every(
        client, SCHEDULE_ID, c.AGENCY_POLL_WORKFLOW_NAME, c.AgencyPollRequest(), task_queue, every
    )
