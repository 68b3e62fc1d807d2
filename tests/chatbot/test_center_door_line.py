"""A center's chat door over LINE (issue 14, part 1): the link `https://line.me/R/oaMessage/<OA>/?center%3DP92`
prefills the text `center=P92`; sent, it makes the chat Trang's (greeted in its name). A question left
for an officer goes to Trang's provincial center, the reply quotes when Trang's officers answer in
office hours, Trang's supervisor answers it from the question page, and the answer is pushed to the
LINE user. A rich menu's postback `center=D9205` opens Sikao's door the same way."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from activities.line_push import LinePushRelay
from db import staff
from db.models import Case, Question
from tests.chatbot.conftest import LINE_TOKEN, texts_of
from tests.chatbot.test_line import say, user

PASSWORD = "door-officer-password"


async def signed_in(base_url: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, follow_redirects=False, timeout=30)
    await client.get("/login")
    r = await client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": client.cookies.get("login_csrf", ""),
            "next": "/inbox",
        },
    )
    assert r.status_code == 303, r.text
    page = await client.get("/inbox")
    client.csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
    return client


async def test_a_line_user_at_trangs_door_gets_the_answer_of_trangs_officer(http, chat_stack):
    line, who = chat_stack.line, user()
    greeting = await say(http, line, who, text="center=P92")
    assert "ศูนย์ดำรงธรรมจังหวัดตรัง" in greeting

    await say(http, line, who, postback="menu:leave")
    left = await say(http, line, who, text="ขอทราบขั้นตอนขอรับเงินช่วยเหลือผู้ประสบอุทกภัยปีนี้ค่ะ")
    assert "เจ้าหน้าที่ศูนย์ดำรงธรรมจังหวัดตรังแล้ว" in left and "ในเวลาทำการ ภายใน" in left, left

    sessions = chat_stack.sessions()
    deadline = time.monotonic() + 30
    while True:
        with sessions() as s:
            q = s.scalar(select(Question).where(Question.channel_ref == who))
        if q is not None:
            break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    assert q.center_code == "P92" and q.channel == "line"

    username = f"trang-{who[-6:]}"
    with sessions.begin() as s:
        staff.add_account(s, username, "Trang supervisor", "supervisor", "P92", PASSWORD)
    officer = await signed_in(chat_stack.base_url, username)
    try:
        r = await officer.post(
            f"/questions/{q.question_id}/answer",
            data={"text": "ยื่นคำร้องที่ที่ว่าการอำเภอพร้อมสำเนาทะเบียนบ้าน ภายใน 30 วันหลังน้ำลด"},
            headers={"X-CSRF-Token": officer.csrf},
        )
        assert r.status_code == 303, r.text
    finally:
        await officer.aclose()

    relay = LinePushRelay(sessions, line.base_url, LINE_TOKEN)
    before = len(line.sent_to(who))
    deadline = time.monotonic() + 30
    while not await asyncio.to_thread(relay.deliver_once):  # the answer reaches the outbox, then LINE
        assert time.monotonic() < deadline, "the answer never reached the outbox"
        await asyncio.sleep(0.3)
    pushed = await line.wait_for(who, before + 1)
    assert "สำเนาทะเบียนบ้าน" in texts_of(pushed[-1])


async def test_a_rich_menu_postback_opens_sikaos_door(http, chat_stack):
    line, who = chat_stack.line, user()
    said = await say(http, line, who, postback="center=D9205")
    assert "ศูนย์ดำรงธรรมอำเภอสิเกา" in said
    facts = await say(http, line, who, text="ศูนย์เปิดกี่โมง")  # no center named: the door's hours
    assert "สิเกา" in facts, facts


async def test_without_a_door_a_question_goes_to_the_area_of_the_users_last_complaint(http, chat_stack):
    line, who = chat_stack.line, user()
    sessions = chat_stack.sessions()
    now = datetime.now(UTC)
    number = f"2569-{uuid.uuid4().hex[:6].upper()}"
    with sessions.begin() as s:  # a complaint this LINE user filed earlier, about Kantang district
        s.add(
            Case(
                tracking_number=number,
                workflow_id=f"complaint-{number}",
                pin_hash="x",
                status="IN_PROGRESS",
                text="ถนนพัง",
                channel="line",
                channel_ref=who,
                province_code="92",
                district_code="9202",
                filed_at=now,
                updated_at=now,
            )
        )
    await say(http, line, who, text="สวัสดีค่ะ")
    await say(http, line, who, postback="menu:leave")
    left = await say(http, line, who, text="สอบถามเรื่องการขอรับเบี้ยยังชีพผู้สูงอายุค่ะ")
    assert "เจ้าหน้าที่ศูนย์ดำรงธรรมอำเภอกันตังแล้ว" in left, left
    with sessions() as s:
        assert s.scalar(select(Question.center_code).where(Question.channel_ref == who)) == "D9202"

    other = user()  # nothing known about this one: the ministry's center, as before
    await say(http, line, other, postback="menu:leave")
    left = await say(http, line, other, text="สอบถามเรื่องการขอรับเบี้ยยังชีพผู้สูงอายุค่ะ")
    assert "ฝากคำถามถึงเจ้าหน้าที่แล้ว" in left
    with sessions() as s:
        assert s.scalar(select(Question.center_code).where(Question.channel_ref == other)) is None
