"""Cases linked agencies send us (a 1111 transfer): the app on uvicorn with a real worker on the dev
server, SQLite and PostgreSQL. A signed transfer becomes a case through the one intake, carrying the
sender's reference; sent again (next minute or after the intake's own key has long expired) it is the
same case; an officer sees "received from <agency>, their reference X" on the case page; unsigned,
mis-signed or unlinked senders are refused. The demo sandbox (scripts/agency_sandbox.py) transfers and
reports back the signed way, each agency with its own secret."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from api.agency_signing import signed_headers
from api.settings import Settings
from db import staff
from db.models import Case, Filing, PersonalData
from db.session import filings_url, make_engine, make_sessions
from scripts.agency_sandbox import serve as serve_sandbox
from tests.conftest import ready_database, running_worker
from tests.live import free_port, served
from tests.test_openapi_fuzz import ADMIN, PASSWORD, staff_session

SECRETS = {"opm1111": "opm1111-own-secret-0123456789abcdef", "ocpb": "ocpb-own-secret-0123456789abcdef"}
TRANSFER = {
    "reference": "1111-2569-004512",
    "text": "ประชาชนแจ้งผ่านสายด่วน 1111 ว่าไฟฟ้าสาธารณะในหมู่บ้านดับทั้งซอยมาหนึ่งสัปดาห์",
    "category": "infrastructure",
    "province": "ตรัง",
    "district": "สิเกา",
    "contact": {"name": "สมปอง ทองดี", "phone": "0891234567"},
}


@pytest.fixture(scope="module")
def agency_secrets():
    with pytest.MonkeyPatch.context() as mp:
        for code, secret in SECRETS.items():
            mp.setenv(f"AGENCY_SECRET_{code.upper()}", secret)
        mp.delenv("AGENCY_SECRET_LANDS", raising=False)
        yield SECRETS


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def app(request, dev_env, tmp_path_factory, fake_agency, agency_secrets):
    """(base URL, read model URL) of the app on loopback, with an administrator to read case pages."""
    tmp = tmp_path_factory.mktemp("inbound")
    with ready_database(request.param, tmp, fake_agency.base_url) as url:
        engine = make_engine(url)
        with make_sessions(engine).begin() as s:
            staff.add_account(s, ADMIN, "Inbound admin", "admin", "MOI", PASSWORD)
        engine.dispose()
        async with running_worker(dev_env.client, url) as queue:
            settings_ = Settings(
                database_url=url,
                temporal_address=dev_env.client.service_client.config.target_host,
                task_queue=queue,
                var_dir=tmp,
                secret="inbound-test-secret",
                dispatch_in_app=True,
            )
            async with served(settings_) as base_url:
                yield base_url, url


async def send(base: str, code: str, body: dict, secret: str | None = None, **headers) -> httpx.Response:
    data = json.dumps(body, ensure_ascii=False).encode()
    signed = signed_headers(secret if secret is not None else SECRETS.get(code, "nobody-holds-this"), data)
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.post(
            f"{base}/api/agencies/{code}/cases",
            content=data,
            headers={"Content-Type": "application/json", **signed, **headers},
        )


async def wait_case(database_url: str, number: str, timeout: float = 30.0) -> Case:
    engine = make_engine(database_url)
    try:
        for _ in range(int(timeout / 0.2)):
            with make_sessions(engine)() as s:
                case = s.get(Case, number)
                if case is not None and case.routed_at is not None:
                    return case
            await asyncio.sleep(0.2)
        raise AssertionError(f"case {number} never reached the read model routed")
    finally:
        engine.dispose()


async def test_a_signed_transfer_becomes_one_case_with_the_senders_reference_for_good(app):
    base, database_url = app
    body = {**TRANSFER, "reference": f"1111-{time.time_ns()}"}
    first = await send(base, "opm1111", body)
    assert first.status_code == 201, first.text
    got = first.json()
    number = got["tracking_number"]
    assert got["created"] and got["reference"] == body["reference"] and len(got["pin"]) == 6
    again = await send(base, "opm1111", body)  # a resend: new timestamp and nonce, same reference
    assert again.status_code == 200 and again.json()["tracking_number"] == number and again.json()["pin"] is None
    case = await wait_case(database_url, number)
    assert case.channel == "agency" and case.category == "infrastructure" and case.district_code == "9205"
    engine = make_engine(database_url)
    with make_sessions(engine)() as s:
        assert s.get(PersonalData, number).phone == "0891234567"
    engine.dispose()
    # Long after the intake's own idempotency key expired, the reference still names the same case.
    queue = make_engine(filings_url(database_url))
    with make_sessions(queue).begin() as s:
        s.execute(
            update(Filing)
            .where(Filing.tracking_number == number)
            .values(accepted_at=datetime.now(UTC) - timedelta(days=400))
        )
    queue.dispose()
    later = await send(base, "opm1111", body)
    assert later.status_code == 200 and later.json()["tracking_number"] == number
    other = await send(base, "opm1111", {**body, "reference": body["reference"] + "-2"})
    assert other.status_code == 201 and other.json()["tracking_number"] != number
    # The citizen tracks it with the PIN the sender passed on.
    async with httpx.AsyncClient(timeout=30) as http:
        tracked = await http.get(f"{base}/api/complaints/{number}", headers={"X-Tracking-Pin": got["pin"]})
    assert tracked.status_code == 200, tracked.text


async def test_officers_see_which_agency_sent_the_case_and_its_reference(app):
    base, database_url = app
    body = {**TRANSFER, "reference": f"1111-PAGE-{time.time_ns()}"}
    number = (await send(base, "opm1111", body)).json()["tracking_number"]
    await wait_case(database_url, number)
    cookies, _ = await asyncio.to_thread(staff_session, base)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30) as http:
        page = (await http.get(f"/cases/{number}")).text
        assert "their reference" in page or "เลขที่อ้างอิงของหน่วยงาน" in page
        assert body["reference"] in page and "1111" in page


async def test_unsigned_mis_signed_or_unlinked_senders_and_bad_bodies_are_refused(app):
    base, _ = app
    body = {**TRANSFER, "reference": f"1111-BAD-{time.time_ns()}"}
    async with httpx.AsyncClient(timeout=30) as http:
        unsigned = await http.post(f"{base}/api/agencies/opm1111/cases", json=body)
    assert unsigned.status_code == 401 and " / " in unsigned.json()["detail"]
    assert (await send(base, "opm1111", body, secret=SECRETS["ocpb"])).status_code == 401  # another agency's
    assert (await send(base, "lands", body, secret="dev-agency-secret")).status_code == 401  # unset: nobody's
    assert (await send(base, "DO-9205", body, secret="anything")).status_code == 401  # unlinked: no door
    assert (await send(base, "nowhere", body)).status_code == 401
    short = await send(base, "opm1111", {**body, "text": "ไฟดับ"})
    assert short.status_code == 422 and " / " in short.json()["detail"]
    no_ref = await send(base, "opm1111", {k: v for k, v in body.items() if k != "reference"})
    assert no_ref.status_code == 422
    unknown = await send(base, "opm1111", {**body, "district": "ไม่มีอำเภอนี้"})
    assert unknown.status_code == 422
    listed = await send(base, "opm1111", [body])
    assert listed.status_code == 422


async def test_the_demo_sandbox_transfers_and_reports_back_signed_with_each_agencys_own_secret(app, fake_agency):
    base, database_url = app
    port = free_port()
    sandbox = serve_sandbox("127.0.0.1", port, app_url=base)
    threading.Thread(target=sandbox.serve_forever, daemon=True).start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            body = {**TRANSFER, "reference": f"SANDBOX-{time.time_ns()}"}
            moved = await http.post("/opm1111/transfer", json=body)
            assert moved.status_code == 201, moved.text
            number = moved.json()["tracking_number"]
            # A consumer case forwarded to OCPB, which reports progress through the sandbox.
            consumer_case = {k: v for k, v in TRANSFER.items() if k != "reference"}
            consumer_case |= {"text": "ซื้อสินค้าออนไลน์แล้วไม่ได้รับของ ร้านค้าปิดร้านหนี", "category": "consumer"}
            filed = await http.post(f"{base}/api/complaints", json=consumer_case)
            consumer = filed.json()["tracking_number"]
            await wait_forwarded(database_url, consumer)
            report = await http.post(
                "/ocpb/report", json={"tracking_number": consumer, "kind": "progress", "note": "รับเรื่องแล้ว"}
            )
            assert report.status_code == 202, report.text
            missing = await http.post("/nowhere/report", json={"tracking_number": consumer, "kind": "progress"})
            assert missing.status_code == 404
    finally:
        sandbox.shutdown()
        sandbox.server_close()
    assert number
    await wait_status(database_url, consumer, "IN_PROGRESS")


async def wait_forwarded(database_url: str, number: str) -> None:
    await wait_status(database_url, number, "FORWARDED")


async def wait_status(database_url: str, number: str, status: str, timeout: float = 30.0) -> None:
    engine = make_engine(database_url)
    try:
        for _ in range(int(timeout / 0.2)):
            with make_sessions(engine)() as s:
                case = s.get(Case, number)
                if case is not None and case.status == status:
                    return
            await asyncio.sleep(0.2)
        raise AssertionError(f"case {number} never became {status}")
    finally:
        engine.dispose()
