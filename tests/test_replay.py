"""Recorded histories replay without non-determinism. `tests/histories/*.json` were recorded from
earlier versions of `ComplaintWorkflow` (each covers a whole life: linked agency to closure; triage,
letter, information request, dispute and rating window; staff assignment, note, escalation and
rejection; a note whose projection fails ten times, is parked as a system fault and lands on the
retry, recorded after `2026-12-04-nothing-wedges`; a pothole routed to its tambon's local government,
recorded after tambons came in; a lead sharing its progress and result with a case linked to it) and of `QuestionWorkflow` (asked and answered); a change that alters the command sequence of
a running case must be guarded with `workflow.patched` or these fail. Fresh runs replay too.
Record new ones with `python -m tests.test_replay <name>` (it runs the scenarios on the time-skipping
server and writes the files)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from tests.conftest import BIN
from tests.support import DirectGateway
from tests.test_complaint_lifecycle import draft
from tests.test_nothing_wedges import flaky_worker
from workflows import codec
from workflows import contracts as c
from workflows.complaint import ComplaintWorkflow
from workflows.question import QuestionWorkflow

HISTORIES = Path(__file__).parent / "histories"


async def wait_status(gw: DirectGateway, number: str, status: str) -> None:
    for _ in range(200):
        if (await gw.status(number)).status == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{number} never reached {status}")


async def linked_to_closure(env, gw: DirectGateway) -> str:
    filed = await gw.file(draft("ซื้อสินค้าออนไลน์แล้วไม่ได้รับของ", category="consumer"), None)
    n = filed.tracking_number
    await wait_status(gw, n, c.FORWARDED)
    await gw.signal(n, "agency_event", c.AgencyEvent("e1", "acknowledged"))
    await gw.signal(n, "agency_event", c.AgencyEvent("e2", "resolved", "คืนเงินแล้ว"))
    await wait_status(gw, n, c.RESOLVED)
    await gw.signal(n, "rate", c.Rating(4))
    await env.client.get_workflow_handle(f"complaint-{n}").result()
    return f"complaint-{n}"


async def triage_letter_info_dispute(env, gw: DirectGateway) -> str:
    filed = await gw.file(draft("ขอความช่วยเหลือด้วยครับ"), None)
    n = filed.tracking_number
    await wait_status(gw, n, c.TRIAGE)
    await gw.act(n, "triage", c.TriageDecision("o", category="infrastructure"))
    await gw.act(n, "request_info", c.InfoRequest("o", "ขอพิกัด"))
    await gw.signal(n, "add_info", c.CitizenInfo("หน้าโรงเรียน"))
    for _ in range(100):
        if any(t.kind == c.TASK_FORWARD_LETTER for t in (await gw.status(n)).tasks):
            break
        await asyncio.sleep(0.05)
    await gw.act(n, "forward", c.ForwardRecord("o", "ตง 1/2569", "2026-11-23"))
    await gw.act(n, "change_clock", c.ClockChange("o", c.RESOLUTION, "extend", "งบประมาณ", business_days=3))
    await gw.act(n, "resolve", c.ResolutionRecord("o", "ซ่อมแล้ว"))
    await gw.signal(n, "dispute", c.Dispute("ยังไม่ได้ซ่อมจริง"))
    await wait_status(gw, n, c.IN_PROGRESS)
    await gw.act(n, "resolve", c.ResolutionRecord("o", "ซ่อมแล้วจริง"))
    await gw.signal(n, "rate", c.Rating(3, "ช้าไปหน่อย"))
    await env.client.get_workflow_handle(f"complaint-{n}").result()
    return f"complaint-{n}"


async def staff_assign_note_escalate(env, gw: DirectGateway) -> str:
    filed = await gw.file(draft("ขอความช่วยเหลือด้วยครับ"), None)
    n = filed.tracking_number
    await wait_status(gw, n, c.TRIAGE)
    await gw.act(n, "assign", c.Assignment("sikao.officer", "sikao.officer"))
    await gw.act(n, "note", c.InternalNote("sikao.officer", "โทรคุยกับผู้ร้องแล้ว"))
    await gw.act(n, "escalate", c.Escalation("trang.supervisor", "เกินอำนาจอำเภอ"))
    await gw.act(n, "assign", c.Assignment("trang.supervisor", "trang.officer"))
    await gw.act(n, "reject", c.Rejection("trang.officer", "เรื่องอยู่ระหว่างการพิจารณาของศาล"))
    await env.client.get_workflow_handle(f"complaint-{n}").result()
    return f"complaint-{n}"


async def question_answered(env, gw: DirectGateway) -> str:
    view = await gw.ask_question(
        c.QuestionInput(
            question_id=f"replay-{uuid.uuid4().hex[:12]}",
            text="ต่ออายุบัตรประชาชนที่ไหนได้บ้าง",
            asked_at="2026-11-23T03:00:00+00:00",
            channel="web",
            channel_ref="replay-session",
            center_code="D9205",
        )
    )
    await gw.answer_question(view.question_id, c.QuestionAnswer("sikao.officer", "ที่ว่าการอำเภอทุกแห่งค่ะ"))
    await env.client.get_workflow_handle(f"question-{view.question_id}").result()
    return f"question-{view.question_id}"


async def projection_parked_then_recovered(env, gw: DirectGateway) -> str:
    filed = await gw.file(draft("ขอความช่วยเหลือด้วยครับ"), None)
    n = filed.tracking_number
    await wait_status(gw, n, c.TRIAGE)
    note = asyncio.create_task(gw.act(n, "note", c.InternalNote("sikao.officer", "บันทึก [flaky:10]")))
    for _ in range(60):  # skip the back-off timers of the note's write until it is parked
        if note.done():
            break
        await env.sleep(timedelta(seconds=30))
        await asyncio.sleep(0.2)
    await note
    assert (await gw.status(n)).unprojected == 1
    await gw.act(n, "assign", c.Assignment("sikao.officer", "sikao.officer"))
    for _ in range(30):  # and the parked retry's timer until it lands
        view = await gw.status(n)
        if not view.unprojected and not any(t.kind == c.TASK_SYSTEM_FAULT for t in view.tasks):
            break
        await env.sleep(timedelta(minutes=1))
        await asyncio.sleep(0.2)
    assert (await gw.status(n)).unprojected == 0
    await gw.act(n, "reject", c.Rejection("sikao.officer", "เรื่องอยู่ระหว่างการพิจารณาของศาล"))
    await env.client.get_workflow_handle(f"complaint-{n}").result()
    return f"complaint-{n}"


async def local_government_letter(env, gw: DirectGateway) -> str:
    """A pothole named down to its tambon: routed to the tambon's local government, sent by letter."""
    filed = await gw.file(draft("ถนนหน้าบ้านเป็นหลุม", category="infrastructure", subdistrict_code="920501"), None)
    n = filed.tracking_number
    for _ in range(100):
        view = await gw.status(n)
        if any(t.kind == c.TASK_FORWARD_LETTER for t in view.tasks):
            break
        await asyncio.sleep(0.05)
    assert view.agency_code == "LG-920501", view.agency_code
    await gw.act(n, "forward", c.ForwardRecord("o", "ตง 2/2569", "2026-12-05"))
    await gw.act(n, "resolve", c.ResolutionRecord("o", "ซ่อมแล้ว"))
    await gw.signal(n, "rate", c.Rating(5))
    await env.client.get_workflow_handle(f"complaint-{n}").result()
    return f"complaint-{n}"


async def lead_with_a_follower(env, gw: DirectGateway) -> str:
    """Two reports of one pothole: the second follows the first, which shares its progress and result
    (signals between the two workflows, recorded after `2026-12-05-similar-cases`)."""
    numbers = []
    for _ in range(2):
        filed = await gw.file(draft("ถนนหน้าวัดเป็นหลุมใหญ่", category="infrastructure"), None)
        numbers.append(filed.tracking_number)
    lead, follower = numbers
    for n in numbers:
        for _ in range(100):
            if any(t.kind == c.TASK_FORWARD_LETTER for t in (await gw.status(n)).tasks):
                break
            await asyncio.sleep(0.05)
    await gw.link_to_lead(follower, c.LeadLink("o", lead))
    for _ in range(100):
        if (await gw.status(lead)).followers:
            break
        await asyncio.sleep(0.05)
    await gw.act(lead, "forward", c.ForwardRecord("o", "ตง 3/2569", "2026-12-05"))
    await gw.act(lead, "record_progress", c.ProgressRecord("o", "ช่างสำรวจแล้ว"))
    await gw.act(lead, "resolve", c.ResolutionRecord("o", "ซ่อมแล้ว"))
    await wait_status(gw, follower, c.RESOLVED)
    await gw.signal(follower, "rate", c.Rating(5))
    await gw.signal(lead, "rate", c.Rating(4))
    await env.client.get_workflow_handle(f"complaint-{lead}").result()
    await env.client.get_workflow_handle(f"complaint-{follower}").result()
    return f"complaint-{lead}"


SCENARIOS = {
    "linked_to_closure": linked_to_closure,
    "triage_letter_info_dispute": triage_letter_info_dispute,
    "staff_assign_note_escalate": staff_assign_note_escalate,
    "question_answered": question_answered,
    "projection_parked_then_recovered": projection_parked_then_recovered,
    "local_government_letter": local_government_letter,
    "lead_with_a_follower": lead_with_a_follower,
}


async def replay(history: WorkflowHistory) -> None:
    # The codec opens fresh (sealed) histories and passes the recorded plain ones through unchanged.
    converter = codec.data_converter()
    await Replayer(workflows=[ComplaintWorkflow, QuestionWorkflow], data_converter=converter).replay_workflow(history)


@pytest.mark.parametrize("path", sorted(HISTORIES.glob("*.json")), ids=lambda p: p.stem)
async def test_recorded_history_replays(path: Path):
    await replay(WorkflowHistory.from_json(path.stem, path.read_text()))


@pytest.fixture
async def replay_env() -> AsyncIterator[WorkflowEnvironment]:
    # Each run its own server: a scenario skips minutes of back-off, which a clock left locked stops.
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"), data_converter=codec.data_converter()
    )
    yield env
    await env.shutdown()


@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_fresh_run_replays(scenario, replay_env, sqlite_url):
    async with flaky_worker(replay_env.client, sqlite_url) as queue:
        gw = DirectGateway(replay_env.client, "replay-secret", queue)
        workflow_id = await SCENARIOS[scenario](replay_env, gw)
        history = await replay_env.client.get_workflow_handle(workflow_id).fetch_history()
    await replay(history)


async def _record(names: list[str]) -> None:
    from tests.conftest import ready_database
    from tests.support import FakeAgency

    agency = FakeAgency()
    agency.start()
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(BIN / "temporal-test-server"))
    try:
        with ready_database("sqlite", Path("/tmp"), agency.base_url) as url:
            async with flaky_worker(env.client, url) as queue:
                gw = DirectGateway(env.client, "replay-secret", queue)
                HISTORIES.mkdir(exist_ok=True)
                for name in names or list(SCENARIOS):
                    workflow_id = await SCENARIOS[name](env, gw)
                    history = await env.client.get_workflow_handle(workflow_id).fetch_history()
                    (HISTORIES / f"{name}.json").write_text(history.to_json())
    finally:
        await env.shutdown()
        agency.stop()


if __name__ == "__main__":
    asyncio.run(_record(sys.argv[1:]))
