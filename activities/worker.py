"""The worker's composition root: builds the heavy objects once (database engine, classifier, HTTP
client for agency APIs), registers the complaint, question and PDPA workflows and their activities,
makes sure the PDPA retention schedule exists, runs (when a LINE channel is configured) the outbox relay
to LINE, and runs until stopped. `python -m activities.worker` runs it against TEMPORAL_ADDRESS and DATABASE_URL."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from concurrent.futures import ThreadPoolExecutor

import httpx
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.case_activities import CaseActivities
from activities.data_requests import DataRequestActivities
from activities.directory_sync import DirectorySyncActivities
from activities.line_push import LinePushRelay
from activities.question_activities import QuestionActivities
from activities.retention import RetentionActivities
from db import credentials
from db.chat_photos import chat_link_keys
from db.session import make_engine, make_sessions
from workflows import codec
from workflows.agency_polling import AgencyPollWorkflow
from workflows.agency_polling_client import ensure_agency_polling
from workflows.complaint import ComplaintWorkflow
from workflows.contracts import TASK_QUEUE
from workflows.data_request import DataRequestWorkflow
from workflows.directory_schedule import DirectorySyncWorkflow, directory_sync_settings
from workflows.directory_schedule_client import ensure_directory_sync_schedule
from workflows.pdpa import retention_days
from workflows.pdpa_client import ensure_retention_schedule
from workflows.question import QuestionWorkflow
from workflows.retention_schedule import RetentionWorkflow

log = logging.getLogger("worker")

# Our workflow modules hold no mutable module state (a test checks they import only the standard
# library and temporalio), so the sandbox may share them instead of re-importing them for every
# workflow run: that re-import cost more CPU than all of a case's activities together.
RUNNER = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules("workflows"))


def build_activities(database_url: str | None = None, classifier=None) -> CaseActivities:
    if classifier is None:
        from nlp.classifier import load_default

        classifier = load_default()
    sessions = make_sessions(make_engine(database_url))
    http = httpx.Client(timeout=httpx.Timeout(20.0, connect=5.0))
    return CaseActivities(sessions, classifier, http)


def build_worker(client: Client, acts: CaseActivities, task_queue: str = TASK_QUEUE, threads: int = 32) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[
            ComplaintWorkflow,
            QuestionWorkflow,
            DataRequestWorkflow,
            RetentionWorkflow,
            AgencyPollWorkflow,
            DirectorySyncWorkflow,
        ],
        workflow_runner=RUNNER,
        activities=acts.all()
        + QuestionActivities(acts.sessions).all()
        + RetentionActivities(acts.sessions).all()
        + DataRequestActivities(acts.sessions).all()
        + DirectorySyncActivities(acts.sessions, acts.http).all(),
        activity_executor=ThreadPoolExecutor(max_workers=threads),
        max_concurrent_activities=threads,
        max_concurrent_local_activities=threads,
    )


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    credentials.refuse_insecure("worker")  # production: no missing or development secret (part B)
    address = os.environ.get("TEMPORAL_ADDRESS", "localhost:7233")
    namespace = os.environ.get("TEMPORAL_NAMESPACE", "default")
    # Every payload this worker writes is sealed (workflows/codec.py): Temporal holds no personal data in the clear.
    client = await Client.connect(address, namespace=namespace, data_converter=codec.data_converter())
    acts = build_activities()
    worker = build_worker(client, acts, os.environ.get("TASK_QUEUE", TASK_QUEUE))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker polling %s on %s", worker.task_queue if hasattr(worker, "task_queue") else TASK_QUEUE, address)
    relay = None
    token = os.environ.get("LINE_CHANNEL_ACCESS_TOKEN")
    if token:  # without a channel there is nothing to push to; the web chat reads its outbox itself
        relay = asyncio.create_task(
            LinePushRelay(
                acts.sessions,
                os.environ.get("LINE_API_BASE", "https://api.line.me"),
                token,
                # photos of officers' replies and results go as signed links to the app's photo endpoint
                photo_key=chat_link_keys(codec.configured_keys().values())[0],
                public_base_url=os.environ.get("PUBLIC_BASE_URL", ""),
            ).run(stop)
        )
    # PDPA retention runs as a Temporal Schedule (workflows/retention_schedule.py), not a loop here.
    queue = os.environ.get("TASK_QUEUE", TASK_QUEUE)
    await ensure_retention_schedule(client, queue, retention_days(dict(os.environ)))
    # The directory feed's scheduled sync: off (no schedule) unless DIRECTORY_FEED_URL is set.
    await ensure_directory_sync_schedule(client, queue, *directory_sync_settings(dict(os.environ)))
    await ensure_agency_polling(client, queue)  # Open311 agencies' statuses (workflows/agency_polling.py)
    async with worker:
        await stop.wait()
    if relay is not None:
        await relay


if __name__ == "__main__":
    asyncio.run(main())
