"""`DirectorySyncWorkflow`: one run of the scheduled directory sync (a Temporal Schedule, id
`directory-sync`, off unless `DIRECTORY_FEED_URL` is set; `workflows.directory_schedule_client`
makes it). One activity loads the feed, checks it and compares it with the directory; it stores the
difference for an administrator to review (`directory_sync_runs`, status `pending`), or applies it
at once when `DIRECTORY_SYNC_AUTO_APPLY` is on. A feed that fails its checks is stored as `failed`
with its errors and changes nothing. The settings arrive in the input, so the workflow reads no
environment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

DIRECTORY_SYNC_WORKFLOW_NAME = "DirectorySyncWorkflow"
DIRECTORY_SYNC_SCHEDULE_ID = "directory-sync"
CHECK_DIRECTORY_FEED = "check_directory_feed"  # activity name
DEFAULT_EVERY_HOURS = 24


@dataclass
class DirectorySyncInput:
    source: str
    auto_apply: bool = False


@dataclass
class DirectorySyncOutcome:
    run_id: int | None = None
    status: str = ""  # pending | applied | unchanged | failed
    added: int = 0
    changed: int = 0
    deactivated: int = 0
    errors: int = 0


def _on(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def directory_sync_settings(env: dict[str, str]) -> tuple[DirectorySyncInput | None, timedelta]:
    """The schedule's input from an environment (None: no feed URL, the schedule is off) and how often
    it runs (`DIRECTORY_SYNC_EVERY_HOURS`, default 24)."""
    raw = (env.get("DIRECTORY_SYNC_EVERY_HOURS") or "").strip()
    every = timedelta(hours=int(raw) if raw.isdigit() and int(raw) >= 1 else DEFAULT_EVERY_HOURS)
    source = (env.get("DIRECTORY_FEED_URL") or "").strip()
    if not source:
        return None, every
    return DirectorySyncInput(source=source, auto_apply=_on(env.get("DIRECTORY_SYNC_AUTO_APPLY"))), every


@workflow.defn(name=DIRECTORY_SYNC_WORKFLOW_NAME)
class DirectorySyncWorkflow:
    @workflow.run
    async def run(self, inp: DirectorySyncInput) -> DirectorySyncOutcome:
        # A feed that is down or invalid is recorded by the activity, not retried for long: the
        # next scheduled run tries again.
        return await workflow.execute_activity(
            CHECK_DIRECTORY_FEED,
            inp,
            result_type=DirectorySyncOutcome,
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=10), maximum_interval=timedelta(minutes=2), maximum_attempts=3
            ),
        )
