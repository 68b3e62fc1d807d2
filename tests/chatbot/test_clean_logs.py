"""Logs free of personal data (issue 15, item 5): a whole walk-through against the live stack (the app
served by uvicorn, its dispatcher, a worker, the fake LINE platform), with every app logger, SQLAlchemy's
statement log and uvicorn's access log captured at DEBUG (SQL at INFO, where it logs parameters):
a complaint filed over the API with a name, phone, national ID and e-mail, tracked by header, by POST
body and once (refused) with `?pin=`, added to by the citizen; a second filed in the web chat with
contact details, tracked in the chat and polled by its session; a LINE user's message; an officer
signing in, revealing a phone with a reason and writing a note. Then every captured line is searched
for the names, phones, national IDs, e-mail, PINs, the chat session id and the LINE user id: none."""

from __future__ import annotations

import logging
import random
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from db import staff
from db.models import Case
from db.session import make_engine
from tests.chatbot.conftest import Chat
from tests.chatbot.test_line import deliver, event

# The app's own loggers (grep -rn "getLogger" in the packages) and the libraries that log for it.
APP_LOGGERS = ("chat", "chat.line", "worker", "line-push", "retention", "dispatcher", "housekeeping", "temporalio")
NUMBER = re.compile(r"25\d\d-[23456789A-HJKMNP-Z]{6}")
OFFICER, PASSWORD = f"loggrep{uuid.uuid4().hex[:6]}", "correct horse battery"


def national_id(first12: str) -> str:
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10
    return first12 + str(check)


API_CONTACT = {
    "name": "ประภาพรรณ ศรีวิไลวงศ์",
    "phone": "0891234567",
    "national_id": national_id("310170055512"),
    "email": "prapaphan.log@example.org",
}
CHAT_NAME, CHAT_PHONE, CHAT_ID = "กิตติศักดิ์ บุญประเสริฐ", "0867654321", national_id("570180066623")


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # with the traceback, if any


@contextmanager
def captured() -> Iterator[Lines]:
    handler = Lines()
    levels = {name: logging.DEBUG for name in (*APP_LOGGERS, "uvicorn", "uvicorn.error", "uvicorn.access")}
    levels["sqlalchemy.engine"] = logging.INFO  # statements and their parameters (hidden, we expect)
    saved = {name: logging.getLogger(name).level for name in levels}
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    holders = [logging.getLogger(), logging.getLogger("uvicorn"), logging.getLogger("uvicorn.access")]
    for holder in holders:  # uvicorn's loggers do not propagate to the root
        holder.addHandler(handler)
    try:
        yield handler
    finally:
        for holder in holders:
            holder.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def leaks(lines: list[str], secrets: dict[str, str]) -> list[tuple[str, str]]:
    """(what, line) for each line that holds a secret; digits only count as a whole number."""
    found = []
    for what, secret in secrets.items():
        pattern = re.compile(rf"(?<!\d){re.escape(secret)}(?!\d)" if secret.isdigit() else re.escape(secret))
        found += [(what, line[:300]) for line in lines if pattern.search(line)]
    return found


def forwarded() -> dict:
    return {"X-Forwarded-For": f"192.0.2.{random.randint(1, 254)}"}


async def file_over_the_api(http) -> tuple[str, str]:
    body = {
        "text": "ถนนลูกรังหน้าหมู่บ้านเป็นหลุมลึก น้ำขังทุกครั้งที่ฝนตก",
        "province": "ตรัง",
        "district": "สิเกา",
        "contact": API_CONTACT,
    }
    r = await http.post("/api/complaints", json=body, headers=forwarded())
    assert r.status_code == 201, r.text
    return r.json()["tracking_number"], r.json()["pin"]


async def file_in_the_chat(chat: Chat) -> tuple[str, str]:
    await chat.say(action="menu:file")
    await chat.say(action="consent:yes")
    await chat.say("ไฟถนนในซอยดับหมดทั้งซอยมาสองสัปดาห์ กลางคืนมืดมากและอันตราย")
    await chat.say("ถัดไป")
    await chat.say("ตรัง")
    await chat.say("สิเกา")
    await chat.say(action="office:accept")
    await chat.say(action="contact:give")
    await chat.say(CHAT_NAME)
    await chat.say(CHAT_PHONE)
    await chat.say(CHAT_ID)
    replies = await chat.say(action="confirm", message_id=f"confirm-{uuid.uuid4().hex[:8]}")
    number = NUMBER.search(chat.text).group(0)
    pin = re.search(r"PIN (\d{6})", chat.text).group(1)
    links = [r["url"] for r in replies if r["type"] == "link"]
    assert links and all(pin not in link for link in links), "a tracking link carries the PIN"
    return number, pin


async def officer_at_work(chat_stack, http, number: str) -> None:
    page = await http.get("/login")
    assert page.status_code == 200
    signed = await http.post(
        "/login",
        data={
            "username": OFFICER,
            "password": PASSWORD,
            "csrf_token": http.cookies.get("login_csrf", ""),
            "next": "/inbox",
        },
    )
    assert signed.status_code == 303, signed.text
    inbox = await http.get("/inbox")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', inbox.text).group(1)
    hx = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    assert (await http.get(f"/cases/{number}")).status_code == 200
    shown = await http.post(f"/cases/{number}/reveal/phone", headers=hx, data={"reason": "โทรกลับผู้ร้อง"})
    assert shown.status_code == 200 and API_CONTACT["phone"] in shown.text
    noted = await http.post(f"/cases/{number}/actions/note", headers=hx, data={"text": "โทรแจ้งผู้ร้องแล้ว"})
    assert noted.status_code == 200, noted.text


@pytest.fixture
def officer(chat_stack):
    with chat_stack.sessions().begin() as s:
        staff.add_account(s, OFFICER, "Log grep officer", "officer", "D9205", PASSWORD)
    return OFFICER


async def test_a_whole_walk_through_leaves_no_personal_data_in_any_log_line(chat_stack, http, officer):
    session_id = f"loggrep-{uuid.uuid4().hex}"
    line_user = "U" + uuid.uuid4().hex
    with captured() as log:
        number, pin = await file_over_the_api(http)
        assert (await http.get(f"/api/complaints/{number}", headers={"X-Tracking-Pin": pin})).status_code == 200
        assert (await http.post(f"/api/complaints/{number}/track", json={"pin": pin})).status_code == 200
        assert (await http.get(f"/api/complaints/{number}", params={"pin": pin})).status_code == 422
        await chat_stack.wait_for(
            lambda s: s.scalar(select(Case.status).where(Case.tracking_number == number, Case.category.is_not(None)))
        )
        added = await http.post(
            f"/api/complaints/{number}/events/add_info",
            json={"text": "หลุมใหญ่ขึ้นอีก มีรถล้มเมื่อวาน"},
            headers={"X-Tracking-Pin": pin},
        )
        assert added.status_code == 202, added.text

        chat = Chat(http, session_id=session_id)
        chat_number, chat_pin = await file_in_the_chat(chat)
        await chat_stack.wait_for(lambda s: s.get(Case, chat_number))
        await chat.say(action="menu:track")
        await chat.say(chat_number)
        await chat.say(chat_pin)
        assert chat_number in chat.text
        assert (await http.get(f"/api/chat/sessions/{session_id}/messages")).status_code == 200

        assert (await deliver(http, event(line_user, text="สวัสดีครับ"))).status_code == 200
        await chat_stack.line.wait_for(line_user, 1)

        await officer_at_work(chat_stack, http, number)

    secrets = {
        "API phone": API_CONTACT["phone"],
        "API national ID": API_CONTACT["national_id"],
        "API e-mail": API_CONTACT["email"],
        "chat phone": CHAT_PHONE,
        "chat national ID": CHAT_ID,
        "API PIN": pin,
        "chat PIN": chat_pin,
        "chat session": session_id,
        "LINE user": line_user,
        **{f"name {w}": w for w in (*API_CONTACT["name"].split(), *CHAT_NAME.split())},
    }
    assert leaks(log.lines, secrets) == []
    # The capture saw the walk-through: the access log, SQL with its parameters hidden, the chat's path.
    assert any('"POST /api/complaints HTTP/1.1" 201' in line for line in log.lines)
    assert any(f"/api/complaints/{number}?pin=***" in line for line in log.lines)
    assert any("/api/chat/sessions/***/messages" in line for line in log.lines)
    assert any("SQL parameters hidden" in line for line in log.lines)


def test_a_failed_statement_names_no_parameter(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE people (phone TEXT UNIQUE)")
        conn.exec_driver_sql("INSERT INTO people VALUES (?)", ("0891234567",))
    with pytest.raises(IntegrityError) as failed, engine.begin() as conn:
        conn.execute(text("INSERT INTO people VALUES (:phone)"), {"phone": "0891234567"})
    assert "0891234567" not in str(failed.value) and "hidden" in str(failed.value)
    engine.dispose()
