"""A tracking PIN travels in a header or a POST body, never in a URL (issue 15, item 5): URLs end up in
access logs, proxies' logs and browser histories. `?pin=` is refused, even with the right PIN, on
tracking and on citizen events alike; `X-Tracking-Pin` and `POST /api/complaints/{n}/track` work; the
OpenAPI document offers no `pin` query parameter. The real app on SQLite with the dev server; no
dispatcher, so a filing is tracked from the queue."""

from __future__ import annotations

import random
import uuid
from contextlib import asynccontextmanager

import httpx
import pytest

from api.app import create_app
from api.settings import Settings

BODY = {
    "text": "ไฟถนนหน้าโรงเรียนดับมาหนึ่งสัปดาห์ เด็กเดินกลับบ้านมืดมาก",
    "province": "ตรัง",
    "district": "สิเกา",
    "contact": {"name": "สมหญิง ใจดี", "phone": "0812345678"},
}


@pytest.fixture
async def http(sqlite_url, dev_env, tmp_path):
    settings = Settings(
        database_url=sqlite_url,
        temporal_address=dev_env.client.service_client.config.target_host,
        task_queue=f"pin-{uuid.uuid4().hex[:8]}",
        var_dir=tmp_path,
        secret="pin-test-secret",
        dispatch_in_app=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with client_of(app) as client:
            yield client


@asynccontextmanager
async def client_of(app):
    # A fresh address per test: wrong PINs are counted per client in the shared read model.
    peer = (f"198.18.{random.randint(0, 255)}.{random.randint(1, 254)}", 40000)
    transport = httpx.ASGITransport(app=app, client=peer)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def filed(http) -> tuple[str, str]:
    r = await http.post("/api/complaints", json=BODY)
    assert r.status_code == 201, r.text
    return r.json()["tracking_number"], r.json()["pin"]


async def test_a_pin_in_the_url_is_refused_even_when_it_is_right(http):
    number, pin = await filed(http)
    r = await http.get(f"/api/complaints/{number}", params={"pin": pin})
    assert r.status_code == 422 and "X-Tracking-Pin" in r.json()["detail"] and "URL" in r.json()["detail"]
    assert number not in r.text and "RECEIVED" not in r.text
    both = await http.get(f"/api/complaints/{number}", params={"pin": pin}, headers={"X-Tracking-Pin": pin})
    assert both.status_code == 422, "a PIN in the URL is refused even beside a right header"
    event = await http.post(
        f"/api/complaints/{number}/events/add_info", params={"pin": pin}, json={"text": "เพิ่มเติม: ไฟดับสองจุด"}
    )
    assert event.status_code == 422 and "X-Tracking-Pin" in event.json()["detail"]


async def test_the_header_and_a_post_body_track_the_case(http):
    number, pin = await filed(http)
    by_header = await http.get(f"/api/complaints/{number}", headers={"X-Tracking-Pin": pin})
    assert by_header.status_code == 200 and by_header.json()["tracking_number"] == number
    by_body = await http.post(f"/api/complaints/{number}/track", json={"pin": pin})
    assert by_body.status_code == 200 and by_body.json() == by_header.json()
    thai = pin.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert (await http.post(f"/api/complaints/{number}/track", json={"pin": thai})).status_code == 200
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    assert (await http.post(f"/api/complaints/{number}/track", json={"pin": wrong})).status_code == 404
    assert (await http.post(f"/api/complaints/{number}/track", json={"pin": pin, "x": 1})).status_code == 422


async def test_the_openapi_document_offers_no_pin_in_a_url(http):
    doc = (await http.get("/openapi.json")).json()
    in_urls = [
        (path, p["name"])
        for path, ops in doc["paths"].items()
        for op in ops.values()
        if isinstance(op, dict)
        for p in op.get("parameters", [])
        if p["in"] in ("query", "path") and "pin" in p["name"].lower()
    ]
    assert in_urls == []
    tracked = doc["paths"]["/api/complaints/{number}/track"]["post"]
    assert "requestBody" in tracked
