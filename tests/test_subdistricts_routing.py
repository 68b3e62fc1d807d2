"""A pothole named down to its tambon, end to end on the time-skipping server with a real SQLite read
model: the intake resolves what the citizen typed (a tambon's name, a postal code), the workflow
routes to the local government serving that tambon, and where none does to the provincial
administrative organisation; the case row keeps the tambon and the case page names it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from db.models import Agency, Case, Task
from db.session import make_engine, make_sessions
from intake.filing import ComplaintFiling, Door, complaint_input
from tests.conftest import ready_database, running_worker
from tests.support import EndingGateway
from workflows import contracts as c
from workflows.errors import InvalidInput

SECRET = "test-secret"
POTHOLE = "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว"


@pytest.fixture
async def world(time_env, tmp_path, fake_agency):
    # A database of its own: one test deactivates a local government.
    with ready_database("sqlite", tmp_path, fake_agency.base_url) as url:
        engine = make_engine(url)
        async with running_worker(time_env.client, url) as queue:
            gw = EndingGateway(time_env.client, SECRET, queue)
            yield gw, make_sessions(engine)
            await gw.end_all()
        engine.dispose()


def _input(sessions, **where) -> c.ComplaintInput:
    filing = ComplaintFiling(POTHOLE, contact=c.Contact(name="สมชาย", phone="0812345678"), **where)
    with sessions() as s:
        return complaint_input(s, filing, Door("api", "test"))


async def _routed(sessions, number: str, timeout: float = 20.0) -> Case:
    """The case row once the case waits for its letter to the agency (unlinked agencies)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        with sessions() as s:
            task = s.scalar(select(Task).where(Task.tracking_number == number, Task.kind == c.TASK_FORWARD_LETTER))
            if task is not None:
                return s.get(Case, number)
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the case was never routed to an unlinked agency")
        await asyncio.sleep(0.1)


async def test_a_pothole_in_a_sikao_tambon_goes_to_that_tambons_local_government(world):
    gw, sessions = world
    inp = _input(sessions, province="ตรัง", district="สิเกา", subdistrict="ต.บ่อหิน")
    assert inp.subdistrict_code == "920501"
    filed = await gw.file(inp, None)
    case = await _routed(sessions, filed.tracking_number)
    assert case.agency_code == "LG-920501" and case.subdistrict_code == "920501"
    assert case.category == "infrastructure" and case.center_code == "D9205"


async def test_a_tambon_named_by_its_english_name_alone_routes_the_same(world):
    gw, sessions = world
    filed = await gw.file(_input(sessions, subdistrict="Kalase"), None)
    case = await _routed(sessions, filed.tracking_number)
    assert (case.province_code, case.district_code, case.subdistrict_code) == ("92", "9205", "920503")
    assert case.agency_code == "LG-920503"


async def test_a_pothole_in_a_tambon_without_a_local_government_goes_to_the_provincial_administration(world):
    gw, sessions = world
    # Thap Thiang (Mueang Trang): the demo directory has no local government for it
    filed = await gw.file(_input(sessions, province="ตรัง", district="เมืองตรัง", subdistrict="ทับเที่ยง"), None)
    case = await _routed(sessions, filed.tracking_number)
    assert case.agency_code == "PAO-92" and case.subdistrict_code == "920101"


async def test_a_deactivated_local_government_leaves_its_tambon_to_the_provincial_administration(world):
    gw, sessions = world
    with sessions.begin() as s:
        s.get(Agency, "LG-920504").active = False
    filed = await gw.file(_input(sessions, subdistrict="920504"), None)
    case = await _routed(sessions, filed.tracking_number)
    assert case.agency_code == "PAO-92" and case.subdistrict_code == "920504"


async def test_a_postal_code_of_one_district_files_without_a_tambon_and_routes_as_before(world):
    gw, sessions = world
    inp = _input(sessions, postal_code="92150")
    assert (inp.district_code, inp.subdistrict_code) == ("9205", None)
    filed = await gw.file(inp, None)
    case = await _routed(sessions, filed.tracking_number)
    assert case.agency_code == "PAO-92" and case.subdistrict_code is None


def test_an_ambiguous_postal_code_is_refused_in_thai_and_english_naming_tambons(world):
    _, sessions = world
    with pytest.raises(InvalidInput) as err:
        _input(sessions, postal_code="92000")
    message = str(err.value)
    assert "รหัสไปรษณีย์" in message and "postal code" in message and " / " in message
    assert "ต.นาเมืองเพชร" in message or "ต.ทับเที่ยง" in message
