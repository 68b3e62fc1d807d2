"""The JSON API takes a sub-district (name or code) and a postal code, on the dev server with a real
worker on SQLite and PostgreSQL: a tambon reaches its local government, and what does not resolve is a
422 in Thai and English that writes nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from db.models import Case, Filing
from db.session import filings_url, make_engine, make_sessions
from tests.test_api import BODY


def _count_filings(database_url: str) -> int:
    engine = make_engine(filings_url(database_url))
    try:
        with make_sessions(engine)() as s:
            return s.scalar(select(func.count()).select_from(Filing))
    finally:
        engine.dispose()


async def _case(database_url: str, number: str, timeout: float = 30.0) -> Case:
    engine = make_engine(database_url)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            with make_sessions(engine)() as s:
                row = s.get(Case, number)
                if row is not None and row.agency_code:
                    return row
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"case {number} was never routed")
            await asyncio.sleep(0.1)
    finally:
        engine.dispose()


async def test_a_complaint_naming_its_tambon_in_english_goes_to_its_local_government(api):
    body = {**BODY, "province": "Trang", "district": None, "subdistrict": "Tambon Bo Hin"}
    r = await api.post("/api/complaints", json=body)
    assert r.status_code == 201, r.text
    case = await _case(api.database_url, r.json()["tracking_number"])
    assert (case.district_code, case.subdistrict_code, case.agency_code) == ("9205", "920501", "LG-920501")


async def test_a_postal_code_with_its_district_picks_the_one_tambon_there(api):
    body = {**BODY, "district": "สิเกา", "postal_code": "๙๒๐๐๐"}
    r = await api.post("/api/complaints", json=body)
    assert r.status_code == 201, r.text
    case = await _case(api.database_url, r.json()["tracking_number"])
    assert (case.subdistrict_code, case.agency_code) == ("920505", "LG-920505")


@pytest.mark.parametrize(
    "where, names",
    [
        ({"subdistrict": "ไม่มีตำบลนี้"}, ("ตำบล", "sub-district", "ไม่มีตำบลนี้")),
        ({"district": None, "province": None, "postal_code": "92000"}, ("รหัสไปรษณีย์", "postal code", "92000")),
        ({"district": "สิเกา", "subdistrict": "ทับเที่ยง"}, ("ไม่อยู่ในพื้นที่", "not in the area", "ทับเที่ยง")),
        ({"postal_code": "9215"}, ("รหัสไปรษณีย์", "postal code", "9215")),
    ],
)
async def test_a_place_that_does_not_resolve_is_422_in_thai_and_english_and_writes_nothing(api, where, names):
    before = _count_filings(api.database_url)
    r = await api.post("/api/complaints", json={**BODY, **where})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert " / " in detail and all(n in detail for n in names), detail
    assert _count_filings(api.database_url) == before
