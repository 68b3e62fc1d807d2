"""The LINE webhook against a fake LINE platform (a real HTTP server on loopback): a bad signature is
refused with 401 and does nothing; a message is answered with its reply token, quick replies as at
most 13 postback buttons; when the reply token has expired the answer is pushed with an
`X-Line-Retry-Key`; a complaint filed over LINE with a photo fetched from the content API, whose
confirming event LINE delivers twice, is one case; a 30 MB image gets a clear reply."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid

from sqlalchemy import func, select

from db.models import Attachment, Case
from tests.chatbot.conftest import LINE_TOKEN, PNG, line_signature, texts_of


def event(
    user: str,
    *,
    text: str | None = None,
    postback: str | None = None,
    image: str | None = None,
    location: dict | None = None,
    event_id: str | None = None,
    redelivery: bool = False,
    age_seconds: float = 0,
) -> dict:
    e = {
        "type": "message",
        "webhookEventId": event_id or uuid.uuid4().hex[:26].upper(),
        "timestamp": int((time.time() - age_seconds) * 1000),
        "mode": "active",
        "replyToken": f"{user}:{uuid.uuid4().hex}",
        "source": {"type": "user", "userId": user},
        "deliveryContext": {"isRedelivery": redelivery},
    }
    if postback is not None:
        e.update(type="postback", postback={"data": postback})
    elif image is not None:
        e["message"] = {"type": "image", "id": image, "contentProvider": {"type": "line"}}
    elif location is not None:
        e["message"] = {"type": "location", "id": uuid.uuid4().hex[:18], **location}
    else:
        e["message"] = {"type": "text", "id": uuid.uuid4().hex[:18], "text": text or ""}
    return e


async def deliver(http, *events: dict, signature: str | None = None):
    body = json.dumps({"destination": "Uchannel", "events": list(events)}).encode()
    return await http.post(
        "/webhooks/line",
        content=body,
        headers={"Content-Type": "application/json", "X-Line-Signature": signature or line_signature(body)},
    )


def user() -> str:
    return "U" + uuid.uuid4().hex


async def say(http, line, who: str, **kw) -> str:
    """Send one event and wait for its answer; the answer's text."""
    before = len(line.sent_to(who))
    r = await deliver(http, event(who, **kw))
    assert r.status_code == 200
    return texts_of((await line.wait_for(who, before + 1))[-1])


async def test_a_bad_signature_is_refused_and_does_nothing(http, chat_stack):
    who = user()
    body = json.dumps({"events": [event(who, text="สวัสดี")]}).encode()
    r = await http.post("/webhooks/line", content=body, headers={"X-Line-Signature": line_signature(body, "wrong")})
    assert r.status_code == 401
    r = await http.post("/webhooks/line", content=body)
    assert r.status_code == 401
    time.sleep(0.5)
    assert chat_stack.line.sent_to(who) == []


async def test_a_message_is_answered_with_the_reply_token_and_postback_quick_replies(http, chat_stack):
    who = user()
    e = event(who, text="สวัสดีครับ")
    started = time.monotonic()
    assert (await deliver(http, e)).status_code == 200
    assert time.monotonic() - started < 2.0
    (reply,) = await chat_stack.line.wait_for(who, 1)
    assert reply["path"] == "/v2/bot/message/reply" and reply["body"]["replyToken"] == e["replyToken"]
    assert reply["headers"]["Authorization"] == f"Bearer {LINE_TOKEN}"
    quick = reply["body"]["messages"][-1]["quickReply"]["items"]
    assert 1 <= len(quick) <= 13
    assert all(i["action"]["type"] == "postback" and len(i["action"]["label"]) <= 20 for i in quick)
    assert "menu:file" in [i["action"]["data"] for i in quick]


async def test_an_expired_reply_token_falls_back_to_a_push_with_a_retry_key(http, chat_stack):
    who = user()
    chat_stack.line.reply_status = 400
    try:
        assert (await deliver(http, event(who, text="hello"))).status_code == 200
        sent = await chat_stack.line.wait_for(who, 2)
    finally:
        chat_stack.line.reply_status = 200
    push = sent[-1]
    assert push["path"] == "/v2/bot/message/push" and push["body"]["to"] == who
    assert re.fullmatch(r"[0-9a-f-]{36}", push["headers"]["X-Line-Retry-Key"])
    assert "Damrongdham" in texts_of(push)

    # An event already a minute old is answered by push straight away.
    who = user()
    await deliver(http, event(who, text="hello", age_seconds=90))
    (push,) = await chat_stack.line.wait_for(who, 1)
    assert push["path"] == "/v2/bot/message/push" and push["headers"].get("X-Line-Retry-Key")


async def test_a_redelivered_confirm_makes_no_second_case(http, chat_stack):
    line, who = chat_stack.line, user()
    line.content["9001"] = PNG + b"line photo"
    await say(http, line, who, text="อยากร้องเรียน")
    await say(http, line, who, postback="consent:yes")
    await say(http, line, who, text="มีคนเปิดบ่อนการพนันในหมู่บ้านทุกคืน เสียงดังและมีการทะเลาะวิวาท")
    assert "ได้รับรูปแล้ว (รวม 1 รูป)" in await say(http, line, who, image="9001")
    await say(http, line, who, postback="next")
    await say(http, line, who, text="Trang")
    await say(http, line, who, text="Sikao")
    await say(http, line, who, postback="office:accept")
    assert "สรุปเรื่องร้องเรียน" in await say(http, line, who, postback="contact:anon")

    confirm = event(who, postback="confirm", event_id="01HZCONFIRMLINE" + uuid.uuid4().hex[:11].upper())
    before = len(line.sent_to(who))
    assert (await deliver(http, confirm)).status_code == 200
    answer = texts_of((await line.wait_for(who, before + 1))[-1])
    number = re.search(r"25\d\d-[2-9A-Z]{6}", answer).group(0)
    # LINE did not see our 200 in time and sends the same event again.
    again = dict(confirm, deliveryContext={"isRedelivery": True})
    assert (await deliver(http, again)).status_code == 200
    assert (await deliver(http, again)).status_code == 200

    cases = await chat_stack.wait_for(lambda s: s.scalars(select(Case).where(Case.channel_ref == who)).all())
    time.sleep(1.0)
    with chat_stack.sessions()() as s:
        assert s.scalar(select(func.count()).select_from(Case).where(Case.channel_ref == who)) == 1
        assert s.scalar(select(func.count()).select_from(Attachment).where(Attachment.tracking_number == number)) == 1
    assert cases[0].tracking_number == number and cases[0].channel == "line"
    assert len(line.sent_to(who)) == before + 1  # the redeliveries were not answered again


async def test_a_30_mb_image_over_line_gets_a_clear_reply(http, chat_stack):
    line, who = chat_stack.line, user()
    line.content["9002"] = PNG + b"\x00" * (30 * 1024 * 1024)
    await say(http, line, who, text="I want to report a problem")
    await say(http, line, who, postback="consent:yes")
    await say(http, line, who, text="Someone dumps construction waste by the canal every night")
    answer = await say(http, line, who, image="9002")
    assert "larger than 5 MB" in answer


async def test_a_shared_location_answers_where(http, chat_stack):
    line, who = chat_stack.line, user()
    await say(http, line, who, text="Hello")
    await say(http, line, who, postback="lang:en")
    await say(http, line, who, postback="menu:file")
    await say(http, line, who, postback="consent:yes")
    await say(http, line, who, text="A bridge railing in the village has collapsed into the river")
    await say(http, line, who, postback="next")
    answer = await say(
        http,
        line,
        who,
        location={"title": "pin", "address": "Sikao, Trang 92150, Thailand", "latitude": 7.5733, "longitude": 99.3447},
    )
    assert "Sikao District Damrongdham Center" in answer
    await say(http, line, who, postback="office:accept")
    assert "Where: Sikao, Trang" in await say(http, line, who, postback="contact:anon")


async def test_an_event_taken_in_before_a_crash_is_answered_after_the_restart(chat_stack):
    """The app said 200 to LINE and died before handling the event; LINE will not send it again, so
    the next app finishes it on start, once."""
    from api.app import create_app
    from db.chat import claim_event
    from tests.chatbot.conftest import chat_settings

    who = user()
    taken = event(who, text="สวัสดีครับ")
    with chat_stack.sessions().begin() as s:
        assert claim_event(s, "line", taken["webhookEventId"], who, payload=taken)
    settings = chat_settings(
        chat_stack.database_url,
        chat_stack.gateway.client.service_client.config.target_host,
        chat_stack.gateway.task_queue,
        chat_stack.var_dir,
        chat_stack.line.base_url,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        (answer,) = await chat_stack.line.wait_for(who, 1)
        assert answer["body"]["messages"]
    app = create_app(settings)
    async with app.router.lifespan_context(app):  # a second restart finds nothing left to do
        await asyncio.sleep(1.0)
    assert len(chat_stack.line.sent_to(who)) == 1
