"""One way in, seen from outside: the same complaint filed through the JSON API, the web chat and LINE
ends in the same kind of case (same category, center, agency and status; only the channel differs),
because every door hands it to the same intake and the same dispatcher starts its workflow."""

from __future__ import annotations

import re

from sqlalchemy import select

from db.models import Case, Filing
from db.session import filings_url, make_engine, make_sessions
from tests.chatbot.test_line import say as line_say
from tests.chatbot.test_line import user

TEXT = "เพื่อนบ้านบุกรุกที่ดินของผมและสร้างรั้วทับแนวเขตโฉนด ขอให้ช่วยตรวจสอบด้วยครับ"
NUMBER = re.compile(r"25\d\d-[23456789A-HJKMNP-Z]{6}")


async def file_in_the_web_chat(chat) -> str:
    for step in ({"text": "อยากร้องเรียน"}, {"action": "consent:yes"}, {"text": TEXT}, {"text": "ถัดไป"}):
        await chat.say(**step)
    await chat.say("ตรัง")
    await chat.say("สิเกา")
    await chat.say(action="office:accept")
    await chat.say(action="contact:anon")
    await chat.say(action="confirm", message_id=f"confirm-{chat.session_id}")
    return NUMBER.search(chat.text).group(0)


async def file_over_line(http, line) -> str:
    who = user()
    await line_say(http, line, who, text="อยากร้องเรียน")
    await line_say(http, line, who, postback="consent:yes")
    await line_say(http, line, who, text=TEXT)
    await line_say(http, line, who, postback="next")
    await line_say(http, line, who, text="ตรัง")
    await line_say(http, line, who, text="สิเกา")
    await line_say(http, line, who, postback="office:accept")
    await line_say(http, line, who, postback="contact:anon")
    return NUMBER.search(await line_say(http, line, who, postback="confirm")).group(0)


async def test_the_same_complaint_through_the_api_the_web_chat_and_line_ends_in_the_same_kind_of_case(
    http, chat, chat_stack
):
    r = await http.post(
        "/api/complaints", json={"text": TEXT, "province": "ตรัง", "district": "สิเกา", "anonymous": True}
    )
    assert r.status_code == 201, r.text
    numbers = {"api": r.json()["tracking_number"]}
    numbers["web"] = await file_in_the_web_chat(chat)
    numbers["line"] = await file_over_line(http, chat_stack.line)
    assert len(set(numbers.values())) == 3

    # Every door's filing went through the one queue (the table the numbers come from).
    queue = make_engine(filings_url(chat_stack.database_url))
    try:
        with make_sessions(queue)() as s:
            doors = dict(
                s.execute(
                    select(Filing.tracking_number, Filing.door).where(Filing.tracking_number.in_(numbers.values()))
                ).all()
            )
    finally:
        queue.dispose()
    assert doors == {number: door for door, number in numbers.items()}

    cases = await chat_stack.wait_for(
        lambda s: (
            found
            if len(
                found := s.scalars(
                    select(Case).where(Case.tracking_number.in_(numbers.values()), Case.routed_at.is_not(None))
                ).all()
            )
            == 3
            else None
        ),
        timeout=60,
    )
    by_channel = {k.channel: k for k in cases}
    assert set(by_channel) == {"api", "web", "line"}
    kinds = {channel: (k.category, k.center_code, k.agency_code, k.status) for channel, k in by_channel.items()}
    assert {kind[:3] for kind in kinds.values()} == {("land", "D9205", "lands")}, kinds
