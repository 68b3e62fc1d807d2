"""The conversation on a case through the chat service, on the time-skipping server with a real SQLite
read model: what the citizen sends after filing is offered to be added and reaches the case with its
photo; an officer's reply with a photo reaches the chat with a signed link (and an internal note never
does); the result comes with rating and dispute buttons; a dispute reopens the case with fresh clocks,
a rating closes it, and a tap after the 7-day window, or from another chat, is refused politely with
nothing signalled."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from activities.line_push import LinePushRelay
from chatbot.messages import Inbound, QuickReplies, Text
from chatbot.senses import ReadModelSenses
from chatbot.service import ChatService
from db.chat_photos import chat_link_keys, grant_of
from db.conversation import thread
from db.models import Case, CaseClock, CaseEvent, OutboxMessage, Task
from db.photos import store_photo
from db.session import make_engine, make_sessions
from nlp.classifier import load_default
from nlp.faq import load_faq
from tests.chatbot.conftest import PNG
from tests.conftest import running_worker
from tests.support import EndingGateway
from tests.test_complaint_lifecycle import draft, status_is, until
from workflows import contracts as c

SECRET = "test-secret"
KEY = chat_link_keys([b"k" * 32])[0]


@pytest.fixture(scope="module")
def senses(sqlite_url):
    engine = make_engine(sqlite_url)
    yield ReadModelSenses(make_sessions(engine), load_default(), load_faq())
    engine.dispose()


@pytest.fixture
async def world(time_env, sqlite_url, senses):
    engine = make_engine(sqlite_url)
    sessions = make_sessions(engine)
    async with running_worker(time_env.client, sqlite_url) as queue:
        gw = EndingGateway(time_env.client, SECRET, queue)
        service = ChatService(sessions, sessions, gw, senses, None, SECRET, photo_key=KEY)
        yield time_env, gw, sqlite_url, service, sessions
        await gw.end_all()
    engine.dispose()


async def say(service, ref: str, text: str = "", action: str = "", photos=()) -> list:
    inbound = Inbound(at=datetime.now(UTC), event_id=uuid.uuid4().hex, text=text, action=action, photos=photos)
    return await service.handle("web", ref, inbound)


def words(replies) -> str:
    return "\n".join(r.text for r in replies if isinstance(r, Text))


def actions(replies) -> list[str]:
    return [i.action for r in replies if isinstance(r, QuickReplies) for i in r.items]


async def resolved_case(env, gw, url, ref: str) -> str:
    """A case filed from web chat `ref`, forwarded by letter and resolved by an officer."""
    filed = await gw.file(draft("ถนนหน้าบ้านเป็นหลุมเป็นบ่อ รถล้มบ่อยมาก", channel="web", channel_ref=ref), None)
    n = filed.tracking_number
    await until(
        lambda: _read_url(
            url,
            lambda s: s.scalar(
                select(Task.id).where(
                    Task.tracking_number == n, Task.kind == c.TASK_FORWARD_LETTER, Task.state == "open"
                )
            ),
        ),
        timeout=30,
    )
    await gw.act(n, "forward", c.ForwardRecord("officer.a", reference="ตง 0017/9", sent_on="2026-12-01"))
    await until(status_is(url, n, c.FORWARDED))
    await gw.act(n, "resolve", c.ResolutionRecord("officer.a", "ซ่อมถนนเรียบร้อยแล้ว"))
    await until(status_is(url, n, c.RESOLVED))
    return n


async def test_add_to_case_and_officer_reply_with_photos_both_ways(world, tmp_path):
    env, gw, url, service, sessions = world
    ref = f"conv-{uuid.uuid4().hex[:10]}"
    filed = await gw.file(draft("ไฟถนนหน้าบ้านดับมาสามวันแล้ว มืดมาก", channel="web", channel_ref=ref), None)
    n = filed.tracking_number
    await until(lambda: _read_url(url, lambda s: s.get(Case, n)))
    # the chat holds its case ("my complaints"), then back at the menu the citizen sends a photo and words
    await say(service, ref, action="menu:mine")
    await say(service, ref, action=f"show:{n}")
    await say(service, ref, action="menu")
    photo = store_photo(tmp_path, "lamp.png", PNG, 1 << 20)
    offered = await say(service, ref, text="เสาไฟล้มด้วย ดูรูปนี้", photos=(photo,))
    assert f"เพิ่มข้อความนี้ในเรื่อง {n}" in words(offered)
    assert actions(offered)[:3] == ["addcase:yes", "addcase:no", "addcase:new"]
    added = await say(service, ref, action="addcase:yes")
    assert f"ส่งข้อมูลเพิ่มเติมของเรื่อง {n} แล้ว" in words(added)

    def citizen_said(s):
        return [m for m in thread(s, n) if m.who == "citizen"]

    said = await until(lambda: _read(sessions, citizen_said))
    assert said[0].text == "เสาไฟล้มด้วย ดูรูปนี้" and said[0].photos == (photo.sha256,)

    # the officer answers with a photo, and writes an internal note: only the reply reaches the chat
    await gw.act(n, "note", c.InternalNote("officer.a", "ผู้ร้องรายนี้โทรมาบ่อย อย่าบอกผู้ร้อง"))
    await gw.act(n, "reply", c.CitizenReply("officer.a", "ช่างจะเข้าไปวันพรุ่งนี้ https://example.go.th/plan", [photo]))
    await until(
        lambda: _read(sessions, lambda s: [m for m in thread(s, n) if m.who == "officer"]),
    )
    pushed = service.pushed("web", ref)
    texts = [p.text for p in pushed]
    assert any("ช่างจะเข้าไปวันพรุ่งนี้ https://example.go.th/plan" in t for t in texts)
    assert not any("อย่าบอกผู้ร้อง" in t for t in texts), "an internal note reached the citizen"
    reply = next(p for p in pushed if p.kind == "reply")
    assert len(reply.photos) == 1 and reply.photos[0].startswith("/chat/photos/") and reply.photos[0].endswith(".png")
    grant = grant_of([KEY], reply.photos[0].rsplit("/", 1)[1], time.time())
    assert (grant.tracking_number, grant.sha256) == (n, photo.sha256)
    with pytest.raises(ValueError):  # a token signed for another purpose (or tampered) does not open it
        grant_of(chat_link_keys([b"x" * 32]), reply.photos[0].rsplit("/", 1)[1], time.time())
    # the conversation on the case page: the citizen's message and the reply, never the note
    kinds = _read(sessions, lambda s: [m.kind for m in thread(s, n)])
    assert kinds == ["info_added", "officer_reply"]


async def test_line_push_carries_the_reply_photo_and_the_rating_buttons(world, tmp_path, fake_line):
    env, gw, url, service, sessions = world
    user = f"U{uuid.uuid4().hex}"
    n = await resolved_case(env, gw, url, ref="unused")
    photo = store_photo(tmp_path, "done.png", PNG, 1 << 20)
    with sessions.begin() as s:  # the case came in over LINE: its rows go to the relay
        for row in s.scalars(select(OutboxMessage).where(OutboxMessage.tracking_number == n)):
            row.delivered_at = datetime.now(UTC)
        s.get(Case, n).channel, s.get(Case, n).channel_ref = "line", user
    pdf = c.AttachmentRef("cd" * 32, "แผนงาน.pdf", "application/pdf", 40)
    await gw.act(n, "reply", c.CitizenReply("officer.a", "รูปถนนหลังซ่อม", [photo, pdf]))
    await until(
        lambda: _read(
            sessions,
            lambda s: s.scalar(
                select(OutboxMessage).where(OutboxMessage.tracking_number == n, OutboxMessage.kind == "reply")
            ),
        )
    )
    relay = LinePushRelay(sessions, fake_line.base_url, "tok", photo_key=KEY, public_base_url="https://dd.example")
    while relay.deliver_once():  # earlier tests' LINE rows too, if any
        pass
    body = fake_line.sent_to(user)[-1]["body"]
    text = body["messages"][0]["text"]
    assert "รูปถนนหลังซ่อม" in text and len(body["messages"]) == 2  # the PDF goes as a link, not an image
    assert text.splitlines()[-1].startswith("https://dd.example/chat/photos/") and text.endswith(".pdf")
    image = body["messages"][1]
    assert image["type"] == "image" and image["originalContentUrl"].startswith("https://dd.example/chat/photos/")
    assert grant_of([KEY], image["originalContentUrl"].rsplit("/", 1)[1], time.time()).sha256 == photo.sha256
    # a result pushed to LINE carries the postbacks to rate it and to dispute it
    with sessions() as s:
        result = s.scalar(
            select(OutboxMessage).where(OutboxMessage.tracking_number == n, OutboxMessage.kind == "result")
        )
    messages = relay.messages(result)
    items = messages[-1].quick_reply.items
    assert [i.action.data for i in items] == [f"rate:{n}:{k}" for k in range(1, 6)] + [f"dispute:{n}"]


async def test_dispute_reopens_with_fresh_clocks_then_rating_closes(world):
    env, gw, url, service, sessions = world
    ref = f"rate-{uuid.uuid4().hex[:10]}"
    n = await resolved_case(env, gw, url, ref)
    result = next(p for p in service.pushed("web", ref) if p.kind == "result")
    assert [q.action for q in result.quick] == [f"rate:{n}:{k}" for k in range(1, 6)] + [f"dispute:{n}"]
    # another chat cannot dispute it
    other = await say(service, f"other-{uuid.uuid4().hex[:8]}", action=f"rate:{n}:1")
    assert "ไม่พบเรื่องนี้ในเรื่องที่ยื่นจากแชตนี้" in words(other)

    await env.sleep(timedelta(days=3))  # within the window
    asked = await say(service, ref, action=f"dispute:{n}")
    assert "เหตุผลที่โต้แย้ง" in words(asked)
    done = await say(service, ref, text="ยังไม่ได้ซ่อมจริง หลุมยังอยู่ที่เดิม")
    assert "เรื่องกลับไปดำเนินการอีกครั้ง" in words(done)
    await until(status_is(url, n, c.IN_PROGRESS))
    with sessions() as s:
        tasks = [t.kind for t in s.scalars(select(Task).where(Task.tracking_number == n, Task.state == "open"))]
        resolution = s.get(CaseClock, (n, c.RESOLUTION))
        disputed = s.scalar(select(CaseEvent).where(CaseEvent.tracking_number == n, CaseEvent.kind == "disputed"))
    assert c.TASK_REVIEW_DISPUTE in tasks
    assert disputed.note == "ยังไม่ได้ซ่อมจริง หลุมยังอยู่ที่เดิม"
    assert resolution.state == "running"
    # a fresh clock: due after the dispute, not after the first filing
    assert resolution.due_at.replace(tzinfo=UTC) > disputed.at.replace(tzinfo=UTC) + timedelta(days=5)

    await gw.act(n, "resolve", c.ResolutionRecord("officer.a", "ซ่อมใหม่ทั้งแผ่นแล้ว"))
    await until(status_is(url, n, c.RESOLVED))
    thanked = await say(service, ref, action=f"rate:{n}:4")
    assert "ขอบคุณที่ประเมินผล (4/5)" in words(thanked)
    await until(status_is(url, n, c.CLOSED))
    with sessions() as s:
        rated = s.scalar(select(CaseEvent).where(CaseEvent.tracking_number == n, CaseEvent.kind == "rated"))
    assert rated.data["score"] == "4"


async def test_after_the_window_a_polite_refusal_and_nothing_signalled(world):
    env, gw, url, service, sessions = world
    ref = f"late-{uuid.uuid4().hex[:10]}"
    n = await resolved_case(env, gw, url, ref)
    await env.sleep(timedelta(days=7, minutes=1))
    await until(status_is(url, n, c.CLOSED))
    late = await say(service, ref, action=f"rate:{n}:5")
    assert "ไม่อยู่ในช่วงประเมินหรือโต้แย้งผลแล้ว" in words(late)
    asked = await say(service, ref, action=f"dispute:{n}")
    late = await say(service, ref, text="ยังไม่ได้ซ่อมเลยครับ")
    assert "ไม่อยู่ในช่วงประเมินหรือโต้แย้งผลแล้ว" in words(late), words(asked)
    with sessions() as s:
        kinds = [e.kind for e in s.scalars(select(CaseEvent).where(CaseEvent.tracking_number == n))]
    assert "rated" not in kinds and "disputed" not in kinds
    # and information can no longer be added to it
    await say(service, ref, action="menu:mine")
    await say(service, ref, action=f"show:{n}")
    await say(service, ref, action="menu")
    offered = await say(service, ref, text="ยังมีหลุมอีกหลายจุดในซอยเดียวกัน https://maps.example/x")
    refused = await say(service, ref, action="addcase:yes")
    assert "addcase:yes" in actions(offered) and "ยุติแล้ว" in words(refused)


def _read_url(url, fn):
    engine = make_engine(url)
    try:
        with make_sessions(engine)() as s:
            return fn(s)
    finally:
        engine.dispose()


def _read(sessions, fn):
    with sessions() as s:
        return fn(s)
