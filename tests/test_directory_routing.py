"""A feed that drops an agency, end to end on the time-skipping server: the case already sent there
keeps its agency and its letter task, and the next complaint of the same kind from the same district
is no longer routed there (it waits for an officer's triage). SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from db.directory_export import export_feed
from db.directory_sync import apply, parse_feed
from db.models import Agency, Case, Task
from db.session import make_engine, make_sessions
from intake.filing import ComplaintFiling, Door, complaint_input
from tests.conftest import ready_database, running_worker
from tests.support import DirectGateway
from workflows import contracts as c

DEBT = "เจ้าหนี้นอกระบบทวงหนี้ด้วยการข่มขู่ คิดดอกเบี้ยร้อยละยี่สิบต่อเดือน"


@pytest.fixture(params=["sqlite", "postgresql"])
async def world(request, time_env, tmp_path, fake_agency):
    with ready_database(request.param, tmp_path, fake_agency.base_url) as url:
        engine = make_engine(url)
        async with running_worker(time_env.client, url) as queue:
            gw = DirectGateway(time_env.client, "directory-routing-secret", queue)
            started: list[str] = []
            yield gw, make_sessions(engine), started
            for number in started:  # a case left running without its worker would hold the server's clock
                try:
                    await time_env.client.get_workflow_handle(f"complaint-{number}").terminate("test over")
                except Exception:  # already finished
                    pass
        engine.dispose()


async def file_debt(world) -> str:
    gw, sessions, started = world
    filing = ComplaintFiling(DEBT, province="ตรัง", district="สิเกา", contact=c.Contact(name="สมศรี", phone="0811111111"))
    with sessions() as s:
        inp = complaint_input(s, filing, Door("api", "test"))
    number = (await gw.file(inp, None)).tracking_number
    started.append(number)
    return number


async def open_task(sessions, number: str, timeout: float = 20.0) -> tuple[Task, Case]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        with sessions() as s:
            task = s.scalar(
                select(Task).where(
                    Task.tracking_number == number,
                    Task.state == "open",
                    Task.kind.in_((c.TASK_FORWARD_LETTER, c.TASK_TRIAGE)),
                )
            )
            if task is not None:
                return task, s.get(Case, number)
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"case {number} opened no letter or triage task")
        await asyncio.sleep(0.1)


async def test_a_dropped_agency_keeps_its_case_and_gets_no_new_one(world):
    _, sessions, _ = world
    first = await file_debt(world)
    task, case = await open_task(sessions, first)
    assert (task.kind, case.agency_code, case.category) == (c.TASK_FORWARD_LETTER, "DO-9205", "debt")

    with sessions() as s:
        doc = json.loads(json.dumps(export_feed(s, with_connector_settings=True)))
    doc["agencies"] = [a for a in doc["agencies"] if a["code"] != "DO-9205"]
    with sessions.begin() as s:
        done = apply(s, parse_feed(doc), "sync", "Sikao's district office left the list")
    assert done.deactivated == [{"kind": "agency", "code": "DO-9205"}]

    with sessions() as s:
        assert s.get(Agency, "DO-9205").active is False
        assert s.get(Case, first).agency_code == "DO-9205"
        letter = s.scalar(select(Task).where(Task.tracking_number == first, Task.kind == c.TASK_FORWARD_LETTER))
        assert letter.state == "open"
    second = await file_debt(world)
    task, case = await open_task(sessions, second)
    assert task.kind == c.TASK_TRIAGE and case.agency_code is None
