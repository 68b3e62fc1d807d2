"""Rating and disputing over LINE, through the signed webhook and the push relay against the fake LINE
platform: the result is pushed with postback quick replies to rate 1-5 or dispute; the user taps
"dispute" and types the reason, and the case reopens; resolved again, a tapped score closes it. A LINE
user who did not file the case cannot rate it."""

from __future__ import annotations

from sqlalchemy import select

from activities.line_push import LinePushRelay
from db.models import Case, CaseEvent, OutboxMessage
from tests.chatbot.conftest import LINE_TOKEN, SECRET, texts_of
from tests.chatbot.test_line import say, user
from tests.support import DirectGateway
from tests.test_complaint_lifecycle import draft
from workflows import contracts as c


async def test_a_line_user_disputes_then_rates_the_result_by_postback(http, chat_stack):
    line, who = chat_stack.line, user()
    gw = DirectGateway(chat_stack.gateway.client, SECRET, chat_stack.gateway.task_queue)
    filed = await gw.file(
        draft("ไฟถนนดับทั้งซอย", channel="line", channel_ref=who, category="infrastructure", contact=None), None
    )
    n = filed.tracking_number
    await chat_stack.wait_for(lambda s: (k := s.get(Case, n)) is not None and k.agency_code)
    await gw.act(n, "forward", c.ForwardRecord("officer.a", reference="มท 1/1", sent_on="2026-12-01"))
    await gw.act(n, "resolve", c.ResolutionRecord("officer.a", "เปลี่ยนหลอดไฟทั้งซอยแล้ว"))
    await chat_stack.wait_for(
        lambda s: s.scalar(
            select(OutboxMessage).where(OutboxMessage.tracking_number == n, OutboxMessage.kind == "result")
        )
    )
    relay = LinePushRelay(chat_stack.sessions(), line.base_url, LINE_TOKEN)
    while relay.deliver_once():
        pass
    result = next(r for r in line.sent_to(who) if "เปลี่ยนหลอดไฟทั้งซอยแล้ว" in texts_of(r))
    items = result["body"]["messages"][-1]["quickReply"]["items"]
    assert [i["action"]["data"] for i in items] == [f"rate:{n}:{k}" for k in range(1, 6)] + [f"dispute:{n}"]
    assert all(i["action"]["type"] == "postback" and len(i["action"]["label"]) <= 20 for i in items)

    stranger = await say(http, line, user(), postback=f"rate:{n}:1")
    assert "ไม่พบเรื่องนี้ในเรื่องที่ยื่นจากแชตนี้" in stranger

    asked = await say(http, line, who, postback=f"dispute:{n}")
    assert "เหตุผลที่โต้แย้งผล" in asked
    reopened = await say(http, line, who, text="ยังดับอยู่สามต้นหน้าบ้านเลขที่ 12")
    assert "เรื่องกลับไปดำเนินการอีกครั้ง" in reopened
    await chat_stack.wait_for(lambda s: s.get(Case, n).status == c.IN_PROGRESS)

    await gw.act(n, "resolve", c.ResolutionRecord("officer.a", "เปลี่ยนครบทุกต้นแล้ว"))
    await chat_stack.wait_for(lambda s: s.get(Case, n).status == c.RESOLVED)
    thanked = await say(http, line, who, postback=f"rate:{n}:5")
    assert "ขอบคุณที่ประเมินผล (5/5)" in thanked
    await chat_stack.wait_for(lambda s: s.get(Case, n).status == c.CLOSED)
    with chat_stack.sessions()() as s:
        kinds = [e.kind for e in s.scalars(select(CaseEvent).where(CaseEvent.tracking_number == n))]
    assert kinds.count("disputed") == 1 and kinds.count("rated") == 1
