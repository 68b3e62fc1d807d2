"""Photos after the door: a filing the intake refuses after its photos were stored leaves an upload that
the orphan sweep deletes once it is old, while photos a case took, a queued filing names or a chat
holds are kept; a citizen's add_info attaches only photos uploaded with it, typed by their bytes; staff
are served a stored file as its sniffed type, inline only for the four image types, never as HTML."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from db.models import Upload
from db.photos import photo_path, store_photo
from intake import uploads
from tests.test_api import BODY, track
from tests.test_door_limits import bare_app, multipart, uploaded_files
from web.cases import photo_response

LATER = timedelta(hours=73)


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes * 4  # a photo of its own per test


@pytest.fixture(params=["sqlite", "postgres"])
async def door(request, tmp_path):
    url = request.getfixturevalue(f"{request.param}_url")
    app, engine, queue = bare_app(url, tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.app = app
        yield client
    engine.dispose()
    queue.dispose()


async def test_photos_of_a_filing_the_intake_refuses_are_deleted_once_old(door):
    photo = png()
    body, kind = multipart(
        {"payload": json.dumps({**BODY, "province": "ไม่มีจังหวัดนี้"})}, [("photos", "a.png", "image/png", photo)]
    )
    r = await door.post("/api/complaints", content=body, headers={"Content-Type": kind})
    assert r.status_code == 422 and "province" in r.json()["detail"]
    state = door.app.state
    stored = [p for p in uploaded_files(door)]
    assert len(stored) == 1, "the photo was stored once the filing itself was valid"
    with state.sessions() as s:
        assert s.scalars(select(Upload.scope).where(Upload.sha256 == stored[0].name)).all() == ["api"]
    assert uploads.prune(state.sessions, state.filing_sessions, state.settings.upload_dir) == 0
    assert stored[0].exists(), "a fresh upload is kept: its filing may still be on its way"
    now = datetime.now(UTC) + LATER
    assert uploads.prune(state.sessions, state.filing_sessions, state.settings.upload_dir, now=now) == 1
    assert not stored[0].exists()
    with state.sessions() as s:
        assert s.scalars(select(Upload).where(Upload.sha256 == stored[0].name)).all() == []


async def test_a_photo_a_chat_holds_for_its_unfiled_complaint_is_kept(door, tmp_path):
    from db.chat import ChatSession

    state = door.app.state
    ref = store_photo(state.settings.upload_dir, "held.png", png(), 5 * 1024 * 1024)
    old = datetime.now(UTC) - LATER
    with state.sessions.begin() as s:
        s.add(
            Upload(sha256=ref.sha256, scope="chat:web:x", content_type=ref.content_type, size=ref.size, stored_at=old)
        )
        s.add(
            ChatSession(
                session_key=f"web:held-{uuid.uuid4().hex[:8]}",
                channel="web",
                channel_ref="held",
                state={"photos": [ref.__dict__]},
                created_at=old,
                updated_at=datetime.now(UTC),
            )
        )
    uploads.prune(state.sessions, state.filing_sessions, state.settings.upload_dir)
    assert photo_path(state.settings.upload_dir, ref.sha256).exists()


async def test_photos_a_case_took_stay_and_add_info_attaches_only_uploaded_photos(api):
    photo = png()
    got = await api.post(
        "/api/complaints", data={"payload": json.dumps(BODY)}, files=[("photos", ("pothole.png", photo, "image/png"))]
    )
    assert got.status_code == 201, got.text
    number, pin = got.json()["tracking_number"], got.json()["pin"]
    view = await track(api, number, pin)
    for _ in range(100):
        if view["attachments"] == 1:
            break
        await asyncio.sleep(0.1)
        view = await track(api, number, pin)
    assert view["attachments"] == 1
    events = f"/api/complaints/{number}/events/add_info"
    more = png()
    r = await api.post(
        events,
        headers={"X-Tracking-Pin": pin},
        data={"text": "เพิ่มรูปหลุมอีกมุมหนึ่ง"},
        files=[("photos", ("second.jpg", more, "image/jpeg"))],
    )
    assert r.status_code == 202, r.text
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    r = await api.post(
        events, headers={"X-Tracking-Pin": pin}, data={"text": "ดูรูปนี้"}, files=[("photos", ("x.jpg", svg, "image/jpeg"))]
    )
    assert r.status_code == 422 and "x.jpg" in r.json()["detail"]
    for _ in range(100):
        view = await track(api, number, pin)
        if view["attachments"] == 2:
            break
        await asyncio.sleep(0.1)
    assert view["attachments"] == 2
    app = api._transport.app
    root, state = app.state.settings.upload_dir, app.state
    later = datetime.now(UTC) + LATER
    uploads.prune(state.sessions, state.filing_sessions, root, now=later)
    import hashlib

    for data in (photo, more):
        assert photo_path(root, hashlib.sha256(data).hexdigest()).exists(), "a photo a case took was deleted"


@pytest.mark.parametrize(
    "data, kind, disposition",
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png", "inline"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg", "inline"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32, "image/webp", "inline"),
        (b"GIF89a" + b"\x00" * 32, "image/gif", "inline"),
        (b"<!doctype html><script>alert(1)</script>", "application/octet-stream", "attachment"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "application/octet-stream", "attachment"),
    ],
    ids=["png", "jpeg", "webp", "gif", "html", "svg"],
)
def test_staff_get_a_stored_file_as_its_sniffed_type_and_never_html(tmp_path, data, kind, disposition):
    path = tmp_path / "stored"
    path.write_bytes(data)
    response = photo_response(path, 'evil"\r\nSet-Cookie: x=1.jpg')
    assert response.media_type == kind and "html" not in response.headers["content-type"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith(f"{disposition}; filename")
    assert "\r" not in response.headers["content-disposition"] and "\n" not in response.headers["content-disposition"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
