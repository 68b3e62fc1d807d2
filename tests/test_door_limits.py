"""Limits at the door, tried as an attacker would from outside: oversized bodies are cut off while they
stream (the tests count the bytes the app pulled), deep or broken JSON and wrong content types are 4xx
with a message in Thai and English, control characters and oversized fields are refused before
anything is written (a NUL byte on PostgreSQL included), forged non-ASCII signatures and CSRF tokens
are 401/403, and a database that is down is a 503 with Retry-After. The app runs without Temporal: the
door refuses all of these before a workflow would be touched."""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from api.settings import Settings
from db import filings, staff
from db.models import Filing
from db.session import filings_url, make_engine, make_sessions
from tests.support import add_case_row
from workflows.errors import Unavailable

MIB = 1024 * 1024
CHUNK = 64 * 1024
BODY = {
    "text": "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว",
    "province": "ตรัง",
    "district": "สิเกา",
    "contact": {"name": "สมหญิง ใจดี", "phone": "0812345678"},
}


class Pulled:
    """A request body as a generator that counts what the app pulled from it."""

    def __init__(self, total: int, head: bytes = b"", chunk: int = CHUNK, tail: bytes = b"") -> None:
        self.total, self.head, self.chunk, self.tail, self.pulled = total, head, chunk, tail, 0

    async def __aiter__(self):
        sent = b""
        if self.head:
            self.pulled += len(self.head)
            yield self.head
        remaining = self.total - len(self.head) - len(self.tail)
        while remaining > 0:
            sent = b"\x00" * min(self.chunk, remaining)
            remaining -= len(sent)
            self.pulled += len(sent)
            yield sent
        if self.tail:
            self.pulled += len(self.tail)
            yield self.tail


def bare_app(url: str, var_dir, **settings_kw):
    """The whole app, its read model and filings queue open, without Temporal or the chat's models."""
    settings = Settings(database_url=url, var_dir=var_dir, secret="door-test-secret", dispatch_in_app=False)
    for k, v in settings_kw.items():
        setattr(settings, k, v)
    app = create_app(settings)
    engine, queue = make_engine(url), make_engine(filings_url(url))
    if queue.url != engine.url:
        filings.ensure_schema(queue)
    app.state.settings = settings
    app.state.sessions, app.state.filing_sessions = make_sessions(engine), make_sessions(queue)
    app.state.dispatcher, app.state.gateway = None, None
    app.state.throttle = _pin_throttle(app.state.sessions, settings)
    return app, engine, queue


def _pin_throttle(sessions, settings):
    """What the lifespan installs for wrong PINs (the abuse limits' shared store, or the older one)."""
    from api import throttle

    if hasattr(throttle, "pin_guard"):
        return throttle.pin_guard(sessions, settings)
    return throttle.PinThrottle()


@pytest.fixture(params=["sqlite", "postgres"])
async def door(request, tmp_path):
    url = request.getfixturevalue(f"{request.param}_url")
    app, engine, queue = bare_app(url, tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.app, client.queue = app, queue
        yield client
    engine.dispose()
    queue.dispose()


@pytest.fixture
async def sqlite_door(sqlite_url, tmp_path):
    app, engine, queue = bare_app(sqlite_url, tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.app = app
        yield client
    engine.dispose()
    queue.dispose()


def multipart(fields: dict[str, str], files: list[tuple[str, str, str, bytes]], boundary: str = "door-boundary"):
    """A multipart body (head, photo bytes follow) and its content type."""
    out = b""
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for field, filename, kind, data in files:
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        ).encode() + data
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def uploaded_files(client) -> list:
    root = client.app.state.settings.upload_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def bilingual(r: httpx.Response) -> str:
    detail = r.json()["detail"]
    assert " / " in detail, detail
    return detail


# --- bodies cut off while they stream -----------------------------------------------------------

JSON_DOORS = [
    ("/api/complaints", 64 * 1024),
    ("/api/chat/messages", 64 * 1024),
    ("/webhooks/line", MIB),
    ("/api/agencies/ocpb/callbacks", 64 * 1024),
    ("/api/complaints/2569-ABCDEF/events/add_info", 64 * 1024),
]


@pytest.mark.parametrize("path, limit", JSON_DOORS)
async def test_a_declared_16_mb_body_is_refused_before_a_byte_is_read(sqlite_door, path, limit):
    body = Pulled(16 * MIB, head=b'{"text": "')
    r = await sqlite_door.post(
        path, content=body, headers={"Content-Type": "application/json", "Content-Length": str(16 * MIB)}
    )
    assert r.status_code == 413
    assert f"{limit // 1024} KB" in bilingual(r) if limit < MIB else "1 MB" in bilingual(r)
    assert body.pulled <= CHUNK  # nothing, or at most the transport's first chunk


@pytest.mark.parametrize("path, limit", JSON_DOORS)
async def test_a_streamed_16_mb_json_body_is_cut_off_just_past_its_limit(sqlite_door, path, limit):
    body = Pulled(16 * MIB, head=b'{"text": "')
    r = await sqlite_door.post(path, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    bilingual(r)
    assert body.pulled <= limit + 2 * CHUNK, f"the app read {body.pulled} bytes of a 16 MB body"


async def test_a_streamed_16_mb_staff_form_is_cut_off_at_1_mb(sqlite_door):
    head, kind = multipart({"username": "sikao"}, [])
    head = head.removesuffix(b"--door-boundary--\r\n")
    head += b'--door-boundary\r\nContent-Disposition: form-data; name="password"; filename="a"\r\n\r\n'
    body = Pulled(16 * MIB, head=head)
    r = await sqlite_door.post("/login", content=body, headers={"Content-Type": kind})
    assert r.status_code == 413
    assert body.pulled <= MIB + 2 * CHUNK


async def test_a_30_mb_photo_is_refused_at_5_mb_and_nothing_is_written(door):
    before = uploaded_files(door)
    head, kind = multipart({"payload": json.dumps(BODY)}, [])
    head = head.removesuffix(b"--door-boundary--\r\n")
    head += b'--door-boundary\r\nContent-Disposition: form-data; name="photos"; filename="big.png"\r\n'
    head += b"Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n"
    body = Pulled(30 * MIB, head=head, tail=b"\r\n--door-boundary--\r\n")
    r = await door.post("/api/complaints", content=body, headers={"Content-Type": kind})
    assert r.status_code == 422, r.text
    assert "big.png" in bilingual(r) and "5 MB" in r.json()["detail"]
    assert body.pulled <= 5 * MIB + 3 * CHUNK, f"the app read {body.pulled} bytes of a 30 MB photo"
    assert uploaded_files(door) == before


@pytest.mark.parametrize(
    "filename, kind, data",
    [
        ("pothole.jpg", "image/jpeg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("photo.jpg", "image/jpeg", b"<!doctype html><html><body><script>alert(1)</script></body></html>"),
        ("x.png", "image/png", b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
async def test_a_disguised_svg_or_html_photo_is_refused_naming_the_file(door, filename, kind, data):
    before = uploaded_files(door)
    body, content_type = multipart({"payload": json.dumps(BODY)}, [("photos", filename, kind, data)])
    r = await door.post("/api/complaints", content=body, headers={"Content-Type": content_type})
    assert r.status_code == 422 and filename in bilingual(r) and "JPEG" in r.json()["detail"]
    assert uploaded_files(door) == before


async def test_more_photos_than_allowed_are_refused(sqlite_door):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    photos = [("photos", f"p{i}.png", "image/png", png) for i in range(6)]
    body, kind = multipart({"payload": json.dumps(BODY)}, photos)
    r = await sqlite_door.post("/api/complaints", content=body, headers={"Content-Type": kind})
    assert r.status_code == 422 and "5" in bilingual(r)
    assert uploaded_files(sqlite_door) == []


# --- malformed JSON, wrong content types --------------------------------------------------------

DEEP = ("[" * 20_000 + "]" * 20_000).encode()


@pytest.mark.parametrize(
    "path",
    ["/api/complaints", "/api/chat/messages", "/api/complaints/2569-ABCDEF/events/add_info", "/webhooks/line"],
)
@pytest.mark.parametrize("declared", ["application/json", None])
async def test_a_20000_deep_json_body_is_a_4xx_not_a_500(sqlite_door, path, declared):
    headers = {"Content-Type": declared} if declared else {}
    r = await sqlite_door.post(path, content=DEEP, headers=headers)
    assert r.status_code == 422, r.text
    assert "32" in bilingual(r)


async def test_a_deep_officer_action_is_a_4xx(sqlite_door):
    deep = '{"note": ' + "[" * 5000 + "]" * 5000 + "}"
    r = await sqlite_door.post(
        "/api/complaints/2569-ABCDEF/actions/note",
        content=deep,
        headers={"Content-Type": "application/json", "Authorization": "Bearer dev-officer-token"},
    )
    assert r.status_code == 422 and "32" in bilingual(r)


@pytest.mark.parametrize("path", ["/api/complaints", "/api/chat/messages"])
async def test_a_body_that_is_not_utf8_is_a_422(sqlite_door, path):
    r = await sqlite_door.post(path, content=b'{"text": "\xff\xfe"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "UTF-8" in bilingual(r)


@pytest.mark.parametrize("path", ["/api/complaints", "/api/chat/messages"])
async def test_json_sent_as_plain_text_is_a_415_saying_what_to_send(sqlite_door, path):
    r = await sqlite_door.post(path, content=json.dumps(BODY), headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and "application/json" in bilingual(r)


# --- text at the door -------------------------------------------------------------------------


def filing_count(queue_engine) -> int:
    with make_sessions(queue_engine)() as s:
        return s.scalar(select(func.count()).select_from(Filing))


@pytest.mark.parametrize(
    "body, field",
    [
        ({**BODY, "text": "ถนนพังมาก\x00ช่วยด้วยครับ ด่วนมาก"}, "text"),
        ({**BODY, "contact": {"name": "สม\x00หญิง", "phone": "0812345678"}}, "name"),
        ({**BODY, "district": "สิเกา\x1b[2J"}, "district"),
        ({**BODY, "text": "ถนนพังมาก \ud800 ช่วยด้วยครับ ด่วนมาก"}, "text"),
    ],
)
async def test_a_control_character_in_a_filing_is_refused_before_anything_is_written(door, body, field):
    before = filing_count(door.queue)
    # ensure_ascii: a lone surrogate travels as the \ud800 escape, as an attacker would send it
    r = await door.post("/api/complaints", content=json.dumps(body), headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert field in bilingual(r) and "อักขระควบคุม" in r.json()["detail"]
    assert filing_count(door.queue) == before


async def test_a_nul_byte_in_a_multipart_filing_is_refused_and_no_photo_is_kept(door):
    before, files = filing_count(door.queue), uploaded_files(door)
    png = b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes
    body, kind = multipart(
        {"payload": json.dumps({**BODY, "text": "ไฟดับ\u0000ทั้งซอยมาสามวันแล้ว"})}, [("photos", "a.png", "image/png", png)]
    )
    r = await door.post("/api/complaints", content=body, headers={"Content-Type": kind})
    assert r.status_code == 422 and "text" in bilingual(r)
    assert filing_count(door.queue) == before and uploaded_files(door) == files


async def test_an_over_long_complaint_text_is_refused_naming_the_limit(sqlite_door):
    r = await sqlite_door.post("/api/complaints", json={**BODY, "text": "ก" * 10_001})
    assert r.status_code in (413, 422)
    r = await sqlite_door.post("/api/complaints", json={**BODY, "text": "a" * 10_001})
    assert r.status_code == 422 and "10,000" in bilingual(r)


async def test_a_3_mb_add_info_is_a_4xx(sqlite_door):
    path, pin = "/api/complaints/2569-ABCDEF/events/add_info", {"X-Tracking-Pin": "123456"}
    r = await sqlite_door.post(path, json={"text": "ก" * (3 * MIB)}, headers=pin)
    assert r.status_code == 413 and bilingual(r)
    r = await sqlite_door.post(path, json={"text": "a" * 5_001}, headers=pin)
    assert r.status_code == 422 and "add_info" in bilingual(r) and "5,000" in r.json()["detail"]


async def test_add_info_cannot_name_a_stored_file_as_html(sqlite_door):
    forged = {"sha256": "0" * 64, "filename": "x.html", "content_type": "text/html", "size": 10}
    r = await sqlite_door.post(
        "/api/complaints/2569-ABCDEF/events/add_info",
        json={"text": "ดูไฟล์นี้", "attachments": [forged]},
        headers={"X-Tracking-Pin": "123456"},
    )
    assert r.status_code == 422 and "upload" in bilingual(r)


async def test_a_chat_message_with_a_nul_byte_is_refused(sqlite_door):
    r = await sqlite_door.post("/api/chat/messages", json={"session_id": "door-test-1", "text": "สวัสดี\x00"})
    assert r.status_code == 422 and "อักขระควบคุม" in bilingual(r)


# --- forged tokens ----------------------------------------------------------------------------


async def test_a_non_ascii_agency_signature_is_401_not_500(sqlite_door):
    event = json.dumps({"event_id": "e-1", "tracking_number": "2569-ABCDEF", "kind": "progress"}).encode()
    r = await sqlite_door.post(
        "/api/agencies/ocpb/callbacks",
        content=event,
        headers={"Content-Type": "application/json", "X-Signature": "sha256=ลายเซ็นปลอม".encode()},
    )
    assert r.status_code == 401 and bilingual(r)


async def test_a_non_ascii_login_csrf_token_is_403_not_500(sqlite_door):
    r = await sqlite_door.post(
        "/login",
        data={"username": "sikao", "password": "x", "csrf_token": "โทเค็นปลอม"},
        cookies={"login_csrf": "a-real-looking-token"},
    )
    assert r.status_code == 403


async def test_a_non_ascii_staff_csrf_token_is_403_not_500(sqlite_door):
    username = f"door{uuid.uuid4().hex[:6]}"
    with sqlite_door.app.state.sessions.begin() as s:
        staff.add_account(s, username, "Door Test", "officer", "D9205", "a long enough password")
    with sqlite_door.app.state.sessions.begin() as s:
        opened = staff.open_session(s, username)
    r = await sqlite_door.post(
        "/logout", headers={"X-CSRF-Token": "โทเค็นปลอม".encode()}, cookies={"staff_session": opened.token}
    )
    assert r.status_code == 403


# --- the database or Temporal down --------------------------------------------------------------


async def test_a_database_that_is_down_is_a_503_with_retry_after(tmp_path, sqlite_url):
    app, engine, queue = bare_app(sqlite_url, tmp_path)
    down = make_engine("postgresql://postgres@127.0.0.1:1/nowhere")
    app.state.sessions = app.state.filing_sessions = make_sessions(down)
    app.state.gateway = SimpleNamespace(pin_matches=lambda *a, **k: False)
    app.state.throttle = _pin_throttle(app.state.sessions, app.state.settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        r = await client.get("/api/complaints/2569-ABCDEF", headers={"X-Tracking-Pin": "123456"})
    assert r.status_code == 503 and r.headers["Retry-After"] and bilingual(r)
    for e in (engine, queue, down):
        e.dispose()


async def test_temporal_down_is_a_503_with_retry_after(sqlite_door):
    class Down:
        async def act(self, *args, **kwargs):
            raise Unavailable("ระบบงานไม่พร้อม / the case engine is unavailable")

    sqlite_door.app.state.gateway = Down()
    number = "2569-ABCDEF"  # a case the read model has (officers act only on cases they can see)
    add_case_row(sqlite_door.app.state.sessions, number)
    r = await sqlite_door.post(
        f"/api/complaints/{number}/actions/note",
        json={"text": "บันทึก"},
        headers={"Authorization": "Bearer dev-officer-token"},
    )
    assert r.status_code == 503 and r.headers["Retry-After"] and bilingual(r)


async def test_a_streamed_30_mb_chat_image_is_cut_off_at_the_chat_doors_limit(sqlite_door):
    settings = sqlite_door.app.state.settings
    limit = settings.max_photos * settings.max_photo_bytes + 64 * 1024
    head, kind = multipart({"session_id": "door-chat-1"}, [])
    head = head.removesuffix(b"--door-boundary--\r\n")
    head += b'--door-boundary\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\n'
    head += b"Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n"
    body = Pulled(30 * MIB, head=head, tail=b"\r\n--door-boundary--\r\n")
    r = await sqlite_door.post("/api/chat/messages", content=body, headers={"Content-Type": kind})
    assert r.status_code == 413 and bilingual(r)
    assert body.pulled <= limit + 2 * CHUNK
    assert uploaded_files(sqlite_door) == []


@pytest.mark.parametrize(
    "path",
    ["/api/centers?level=%00", "/board?at=D92%0005", "/api/complaints/2569-ABC%00DE", "/directory/agencies?q=a%01"],
)
async def test_a_control_character_in_a_path_or_query_is_a_400_for_every_route(sqlite_door, path):
    r = await sqlite_door.get(path)
    assert r.status_code == 400 and bilingual(r)
