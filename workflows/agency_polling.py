"""`AgencyPollWorkflow`: one round of asking the agencies whose connector polls (Open311) about their
open cases. A Temporal Schedule (`agency-polling`, made by `workflows.agency_polling_client`) starts a
round every few minutes and skips one while the last is still running. Each page is one activity
(`poll_agencies`, activities/agency_links.py) that returns what changed as agency events; the round
signals each case's workflow with them, the same `agency_event` a callback sends, so polled and
called-back news take one path (and an event seen before is ignored by its id)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows import contracts as c

POLL_ACTIVITY = dict(
    start_to_close_timeout=timedelta(minutes=10),
    heartbeat_timeout=timedelta(minutes=2),
    retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=3),
)


@workflow.defn(name=c.AGENCY_POLL_WORKFLOW_NAME)
class AgencyPollWorkflow:
    @workflow.run
    async def run(self, req: c.AgencyPollRequest) -> c.AgencyPollResult:
        total = c.AgencyPollResult()
        after = req.after
        for _ in range(max(1, req.max_pages)):
            try:
                page = await workflow.execute_activity(
                    c.POLL_AGENCIES, replace(req, after=after), result_type=c.AgencyPollResult, **POLL_ACTIVITY
                )
            except ActivityError as err:
                workflow.logger.warning("agency polling stopped for this round: %s", err.cause or err)
                break
            for found in page.events:
                try:
                    await workflow.get_external_workflow_handle(found.workflow_id).signal("agency_event", found.event)
                except Exception as err:  # the case ended meanwhile: its news no longer matters
                    workflow.logger.info("agency event for %s not delivered: %s", found.workflow_id, err)
                    continue
                total.delivered += 1
            total.polled += page.polled
            total.failed += page.failed
            if not page.next_after:
                break
            after = page.next_after
        return total
