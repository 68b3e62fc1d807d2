"""`RetentionWorkflow`: one run of the PDPA retention schedule (a Temporal Schedule, id
`pdpa-retention`, starts it every hour; `workflows.pdpa_client.ensure_retention_schedule` makes it).
For each kind of data it erases what is past its period, batch after batch (each batch one short
activity), then records the run and its counts per kind in `retention_runs`. The periods come in the
input, so a changed setting reaches the next run when the schedule is updated. A kind whose erasure
keeps failing is left for the next run; the others go on."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows import pdpa

ACTIVITY = dict(
    start_to_close_timeout=timedelta(minutes=2),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=1), maximum_attempts=6
    ),
)


@workflow.defn(name=pdpa.RETENTION_WORKFLOW_NAME)
class RetentionWorkflow:
    @workflow.run
    async def run(self, inp: pdpa.RetentionRunInput) -> pdpa.RetentionRunRecord:
        started = workflow.now()
        counts: dict[str, int] = {}
        for kind in pdpa.RETENTION_KINDS:
            days = inp.days.get(kind, pdpa.DEFAULT_RETENTION_DAYS[kind])
            counts[kind] = 0
            for _ in range(max(1, inp.max_batches)):
                try:
                    got = await workflow.execute_activity(
                        pdpa.ERASE_DUE,
                        pdpa.ErasureBatch(kind, days, started.isoformat(), inp.batch),
                        result_type=pdpa.ErasureCount,
                        **ACTIVITY,
                    )
                except ActivityError as err:
                    workflow.logger.warning("retention of %s left for the next run: %s", kind, err.cause or err)
                    break
                counts[kind] += got.count
                if got.count < inp.batch:
                    break
        info = workflow.info()
        record = pdpa.RetentionRunRecord(
            run_id=f"{info.workflow_id}/{info.run_id}"[:100],
            started_at=started.isoformat(),
            finished_at=workflow.now().isoformat(),
            counts=counts,
        )
        await workflow.execute_activity(pdpa.RECORD_RETENTION_RUN, record, **ACTIVITY)
        return record
