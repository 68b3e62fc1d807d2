"""A long case continues as new when Temporal suggests it, on a dev server told to suggest it after 60
history events: the case keeps its ID, status, clocks, sequence numbers and the agency events it has
seen, so the read model's timeline goes on without a gap or a duplicate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment

from db.models import CaseEvent
from tests.conftest import BIN, running_worker
from tests.support import DirectGateway
from tests.test_complaint_lifecycle import SECRET, draft, read, status_is, until
from workflows import contracts as c

SUGGEST_AFTER_EVENTS = 60


@pytest.fixture
async def small_history_env():
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        dev_server_extra_args=[
            "--dynamic-config-value",
            f"limit.historyCount.suggestContinueAsNew={SUGGEST_AFTER_EVENTS}",
        ],
    )
    yield env
    await env.shutdown()


def progress_events(url: str, number: str) -> int:
    return read(
        url,
        lambda s: s.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.tracking_number == number, CaseEvent.kind == "progress")
        ),
    )


async def test_a_long_case_continues_as_new_and_keeps_its_state(small_history_env, sqlite_url, fake_agency):
    env = small_history_env
    fake_agency.mode = "ok"
    async with running_worker(env.client, sqlite_url) as queue:
        gw = DirectGateway(env.client, SECRET, queue)
        filed = await gw.file(draft("ซื้อสินค้าออนไลน์แล้วไม่ได้รับของ ร้านค้าไม่ติดต่อกลับ"), None)
        n = filed.tracking_number
        await until(status_is(sqlite_url, n, c.FORWARDED))
        handle = env.client.get_workflow_handle(f"complaint-{n}")
        first_run = (await handle.describe()).run_id
        before = await gw.status(n)

        for i in range(30):
            await gw.signal(n, "agency_event", c.AgencyEvent(f"ev-{i}", "progress", f"ความคืบหน้าครั้งที่ {i + 1}"))
            await until(lambda i=i: progress_events(sqlite_url, n) == i + 1)
        assert (await handle.describe()).run_id != first_run, "the run never continued as new"

        # What the new run carries: status, clocks, the sequence, and the events already seen.
        after = await gw.status(n)
        assert after.status == c.IN_PROGRESS and after.agency_code == before.agency_code
        assert {k.name for k in after.clocks} >= {c.STATUTORY, c.RESOLUTION, c.PROGRESS}
        assert after.seq == before.seq + 30
        await gw.signal(n, "agency_event", c.AgencyEvent("ev-3", "progress", "ส่งซ้ำ"))
        await gw.signal(n, "agency_event", c.AgencyEvent("ev-final", "resolved", "คืนเงินครบแล้ว"))
        await until(status_is(sqlite_url, n, c.RESOLVED))
        assert progress_events(sqlite_url, n) == 30, "an agency event seen before the new run was taken again"
        seqs = read(
            sqlite_url,
            lambda s: list(
                s.scalars(select(CaseEvent.seq).where(CaseEvent.tracking_number == n).order_by(CaseEvent.seq))
            ),
        )
        assert seqs == list(range(1, len(seqs) + 1)), "the timeline has a gap or a duplicate"
        await handle.terminate("test over")
