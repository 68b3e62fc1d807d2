"""The JSON API end to end on the dev server with a real worker, on SQLite and on PostgreSQL: filing
(JSON and multipart with a photo), idempotency, tracking with a PIN and its throttle, officer actions
with typed errors, agency callbacks with HMAC signatures, the directory and health."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from api.agency_signing import signed_headers
from api.settings import DEV_OFFICER_TOKEN
from db.models import Filing
from db.session import filings_url, make_engine, make_sessions
from intake import desk
from intake.filing import ComplaintFiling, Door

OFFICER = {"Authorization": f"Bearer {DEV_OFFICER_TOKEN}"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BODY = {
    "text": "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว",
    "province": "ตรัง",
    "district": "สิเกา",
    "contact": {"name": "สมหญิง ใจดี", "phone": "0812345678"},
}


async def track(api, number, pin, want=None, timeout=20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        r = await api.get(f"/api/complaints/{number}", headers={"X-Tracking-Pin": pin})
        assert r.status_code == 200, r.text
        if want is None or r.json()["status"] == want or asyncio.get_running_loop().time() > deadline:
            return r.json()
        await asyncio.sleep(0.1)


async def test_filing_in_thai_names_returns_tracking_number_and_pin(api):
    r = await api.post("/api/complaints", json=BODY)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["tracking_number"].startswith("25") and len(got["pin"]) == 6 and got["status"] == "RECEIVED"
    view = await track(api, got["tracking_number"], got["pin"])
    assert view["tracking_number"] == got["tracking_number"]


async def test_anonymous_filing_with_english_names(api):
    body = {
        "text": "Garbage has not been collected on our street for two weeks",
        "province": "Trang",
        "district": "Sikao",
        "anonymous": True,
    }
    r = await api.post("/api/complaints", json=body)
    assert r.status_code == 201, r.text


async def test_same_idempotency_key_twice_is_one_case_and_its_pin_goes_only_to_an_identified_client(api):
    headers = {"Idempotency-Key": "event-42"}
    first = await api.post("/api/complaints", json=BODY, headers=headers)
    second = await api.post("/api/complaints", json=BODY, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["tracking_number"] == second.json()["tracking_number"]
    assert first.json()["pin"] and second.json()["created"] is False
    assert second.json()["pin"] is None, "an anonymous replay showed the PIN"

    partner = {"Idempotency-Key": "event-42", "X-Api-Key": "partner-key"}
    mine = await api.post("/api/complaints", json=BODY, headers=partner)
    again = await api.post("/api/complaints", json=BODY, headers=partner)
    assert mine.json()["tracking_number"] != first.json()["tracking_number"], "a key of another caller"
    assert again.json()["tracking_number"] == mine.json()["tracking_number"]
    assert again.json()["pin"] == mine.json()["pin"] and again.json()["created"] is False
    unknown = await api.post("/api/complaints", json=BODY, headers={"X-Api-Key": "guessed"})
    assert unknown.status_code == 401


async def test_the_same_key_with_another_complaint_is_a_422_naming_the_conflict(api):
    headers = {"Idempotency-Key": "reused-key"}
    first = await api.post("/api/complaints", json=BODY, headers=headers)
    other = await api.post("/api/complaints", json={**BODY, "text": "ไฟถนนดับทั้งซอยมาสองสัปดาห์แล้ว"}, headers=headers)
    assert first.status_code == 201 and other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"] and "ไทย" not in other.json()["detail"]
    assert "/" in other.json()["detail"]  # Thai and English


@pytest.mark.parametrize(
    "body, field",
    [
        ({**BODY, "province": "ไม่มีจังหวัดนี้"}, "province"),
        ({**BODY, "district": "บางรัก"}, "district"),
        ({**BODY, "text": "สั้น"}, "text"),
        ({k: v for k, v in BODY.items() if k != "contact"}, "contact"),
        ({**BODY, "contact": {"name": "ก", "phone": "12345"}}, "phone"),
        ({**BODY, "category": "spaceships"}, "category"),
        ({**BODY, "agency": "nobody"}, "agency"),
    ],
)
async def test_bad_input_is_422_in_thai_and_english_and_writes_nothing(api, body, field):
    r = await api.post("/api/complaints", json=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert " / " in detail or any(field in e["field"] or " / " in e["message"] for e in r.json().get("errors", []))


async def test_not_json_is_422(api):
    r = await api.post("/api/complaints", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]


async def test_multipart_with_photo_and_type_limits(api):
    files = [("photos", ("pothole.png", PNG, "image/png"))]
    r = await api.post("/api/complaints", data={"payload": json.dumps(BODY)}, files=files)
    assert r.status_code == 201, r.text
    got = r.json()
    view = await track(api, got["tracking_number"], got["pin"])
    for _ in range(50):
        if view["attachments"]:
            break
        await asyncio.sleep(0.1)
        view = await track(api, got["tracking_number"], got["pin"])
    assert view["attachments"] == 1
    bad = await api.post(
        "/api/complaints",
        data={"payload": json.dumps(BODY)},
        files=[("photos", ("x.png", b"MZ\x90\x00 not an image", "image/png"))],
    )
    assert bad.status_code == 422 and "image" in bad.json()["detail"]


async def test_wrong_pin_is_404_and_repeated_failures_are_throttled(api):
    got = (await api.post("/api/complaints", json=BODY)).json()
    # Wrong PINs are counted per client in the read model, which every test shares: this guesser is an
    # address of its own, so no other test's right PIN waits for its wrong ones.
    guesser = httpx.ASGITransport(app=api._transport.app, client=(f"203.0.113.{uuid.uuid4().int % 250 + 1}", 1))
    wrong = {"X-Tracking-Pin": "000000"}
    async with httpx.AsyncClient(transport=guesser, base_url="http://test") as http:
        codes = [
            (await http.get(f"/api/complaints/{got['tracking_number']}", headers=wrong)).status_code for _ in range(6)
        ]
        assert codes[:5] == [404] * 5 and codes[5] == 429
        unknown = await http.get("/api/complaints/2569-ZZZZZZ", headers={"X-Tracking-Pin": "123456"})
        assert unknown.status_code == 429 and "Retry-After" in unknown.headers


async def test_officer_actions_map_to_updates_with_typed_errors(api):
    got = (await api.post("/api/complaints", json=BODY)).json()
    n = got["tracking_number"]
    view = await track(api, n, got["pin"])
    for _ in range(100):
        if any(k["name"] == "resolution" for k in view["clocks"]):
            break
        await asyncio.sleep(0.1)
        view = await track(api, n, got["pin"])
    assert (await api.post(f"/api/complaints/{n}/actions/resolve", json={"result": "x"})).status_code == 401
    r = await api.post(f"/api/complaints/{n}/actions/resolve", json={"result": "ซ่อมแล้ว"}, headers=OFFICER)
    assert r.status_code == 409, r.text
    r = await api.post(
        f"/api/complaints/{n}/actions/forward", json={"reference": "", "sent_on": "2026-11-23"}, headers=OFFICER
    )
    assert r.status_code == 422, r.text
    r = await api.post(
        f"/api/complaints/{n}/actions/forward",
        json={"reference": "ตง 0017/55", "sent_on": "2026-11-23"},
        headers=OFFICER,
    )
    assert r.status_code == 200 and r.json()["status"] == "FORWARDED", r.text
    r = await api.post("/api/complaints/2569-ZZZZZZ/actions/record_progress", json={"note": "x"}, headers=OFFICER)
    assert r.status_code == 404
    r = await api.post(
        f"/api/complaints/{n}/actions/transfer", json={"center_code": "D9999", "reason": "x"}, headers=OFFICER
    )
    assert r.status_code == 422
    view = await track(api, n, got["pin"], want="FORWARDED")
    assert view["agency"]["code"] == "PAO-92" and view["status_en"] == "Forwarded to the agency"
    assert all("due_th" in k for k in view["clocks"]) and any("25" in (k["due_th"] or "") for k in view["clocks"])


async def test_agency_callback_needs_a_valid_signature(api, monkeypatch):
    monkeypatch.setenv("AGENCY_SECRET_OCPB", "ocpb-own-secret-for-this-test")
    body = {**BODY, "text": "ซื้อสินค้าออนไลน์แล้วไม่ได้รับของ ร้านค้าปิดร้านหนี", "category": "consumer"}
    got = (await api.post("/api/complaints", json=body)).json()
    n = got["tracking_number"]
    await track(api, n, got["pin"], want="FORWARDED")
    event = json.dumps(
        {"event_id": "ocpb-1", "tracking_number": n, "kind": "progress", "note": "เรียกผู้ประกอบการมาชี้แจงแล้ว"}
    ).encode()
    bad = await api.post("/api/agencies/ocpb/callbacks", content=event, headers={"X-Signature": "sha256=00"})
    assert bad.status_code == 401
    ok = await api.post(
        "/api/agencies/ocpb/callbacks", content=event, headers=signed_headers("ocpb-own-secret-for-this-test", event)
    )
    assert ok.status_code == 202, ok.text
    view = await track(api, n, got["pin"], want="IN_PROGRESS")
    assert view["status"] == "IN_PROGRESS"
    assert any(m["kind"] == "progress" for m in view["messages"])


async def test_directory_endpoints_and_health(api):
    assert (await api.get("/health")).status_code == 200
    centers = (await api.get("/api/centers", params={"parent": "P92"})).json()
    assert any(c["code"] == "D9205" for c in centers)
    hits = (await api.get("/api/directory/search", params={"q": "สิเกา"})).json()
    assert hits and hits[0]["code"] in ("D9205", "DO-9205")
    hits_en = (await api.get("/api/directory/search", params={"q": "Department of Lands"})).json()
    assert any(h["code"] == "lands" for h in hits_en)
    assert (await api.get("/api/agencies/lands")).json()["linked"] is True
    assert (await api.get("/openapi.json")).status_code == 200


async def test_a_filing_left_in_the_queue_by_a_crash_is_started_later(api):
    """As if the app died right after committing a filing and before starting its workflow."""
    engine, queue = make_engine(api.database_url), make_engine(filings_url(api.database_url))
    try:
        with make_sessions(engine)() as directory, make_sessions(queue)() as s:
            filing = ComplaintFiling("ไฟถนนหน้าหมู่บ้านดับมาสามเดือนแล้ว", "92", "9205", anonymous=True)
            filed = desk.file(directory, s, filing, Door("api", "crash.test"), "crashed", "api-test-secret")
    finally:
        engine.dispose()
        queue.dispose()
    view = await track(api, filed.tracking_number, filed.pin)
    for _ in range(100):
        if view["timeline"]:
            break
        await asyncio.sleep(0.1)
        view = await track(api, filed.tracking_number, filed.pin)
    assert view["timeline"] and view["timeline"][0]["kind"] == "received"


async def test_a_started_filing_keeps_no_personal_data_in_the_queue(api):
    r = await api.post("/api/complaints", json=BODY)
    number = r.json()["tracking_number"]
    engine = make_engine(filings_url(api.database_url))
    try:
        for _ in range(200):
            with make_sessions(engine)() as s:
                row = s.get(Filing, number)
                if row.started_at is not None:
                    break
            await asyncio.sleep(0.05)
        assert row.started_at is not None, "the dispatcher never started the filing"
        assert row.payload == {}, "the queue kept the complaint after its workflow took it"
        assert row.pin_hash  # the number stays taken and its PIN checkable
    finally:
        engine.dispose()
    view = await track(api, number, r.json()["pin"])
    assert view["tracking_number"] == number
