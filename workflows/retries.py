"""How long the workflows keep trying their local activities (projection, classification, routing
options, the calendar) before they give up and tell an officer. Every retry is bounded (DESIGN §4 item
10): eight attempts over about three minutes, the longer waits as durable timers rather than sleeps in
the worker, so a restart in the middle does not start the budget over. `UNBOUNDED` is what workflows
started before `2026-12-04-nothing-wedges` used; their histories replay with it, and they keep it."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError
from temporalio.exceptions import TimeoutError as ActivityTimeout

LOCAL = dict(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=30),
        maximum_attempts=8,
    ),
    local_retry_threshold=timedelta(seconds=2),
)
# While a case already has parked writes (the database is down, or the case's first record will not
# go in), its next writes get two tries before they join them: an officer's action then waits
# seconds, not minutes, for a write that is likely to fail the same way.
LOCAL_WHILE_PARKED = dict(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=2),
)
UNBOUNDED = dict(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)),
)

# Parked work (a projection that failed for good) is tried again on a timer that grows to this.
RETRY_PARKED_FIRST = timedelta(minutes=5)
RETRY_PARKED_MOST = timedelta(hours=1)

MAX_REASON_CHARS = 300

# What a local activity raises once its retries are spent: the last attempt's error (an
# ApplicationError, or a timeout when the budget ran out), wrapped in an ActivityError or not.
LOCAL_FAILURES = (ActivityError, ApplicationError, ActivityTimeout)


def failure_reason(step: str, err: FailureError) -> str:
    """What an officer reads in the task: the step and the last error, short."""
    cause = err.cause if isinstance(err, ActivityError) and err.cause is not None else err
    text = getattr(cause, "message", None) or str(cause) or type(cause).__name__
    return f"{step}: {text}"[:MAX_REASON_CHARS]


def parked_retry_after(tries: int) -> timedelta:
    return min(RETRY_PARKED_FIRST * (2 ** min(tries, 8)), RETRY_PARKED_MOST)
