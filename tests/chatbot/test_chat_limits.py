"""What odd or hostile input gets from the chat: garbage and emoji get a plain "did not understand"
and the menu; a 10,000-character message is refused with the limit named; a 6 MB image and a file
that is not an image get a clear reply and attach nothing; wrong PINs are answered as "wrong number or
PIN" and, after five, throttled; malformed requests are refused with 422; HTML typed into the web chat
comes back escaped."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.chatbot.conftest import PNG


async def test_garbage_and_emoji_get_a_plain_answer_and_the_menu(chat):
    # Control characters (NUL and the like) are refused at the door with a 422: tests/test_door_limits.py.
    for junk in ("asdkjh qwpoeiru", "🙂🙂🙂", "\u200b\u200b", "!!!???***"):
        await chat.say(junk)
        assert "did not understand" in chat.text or "ไม่เข้าใจ" in chat.text, (junk, chat.last)
        assert "menu:file" in chat.actions


async def test_a_ten_thousand_character_message_is_refused_with_the_limit(chat):
    await chat.say(action="menu:file")
    await chat.say(action="consent:yes")
    await chat.say("ก" * 10_000)
    assert "ยาวเกินไป (10,000 ตัวอักษร)" in chat.text and "5,000" in chat.text
    await chat.say("ถนนหน้าบ้านเป็นหลุมลึกมาก รถล้มทุกวัน")  # the step is still waiting for the problem
    assert "ส่งรูป" in chat.text


async def test_an_oversized_image_and_a_non_image_get_clear_replies_and_attach_nothing(chat):
    # A 30 MB body is over the chat door's whole limit and refused with 413 before it is read
    # (tests/test_door_limits.py); a photo over 5 MB but within it gets the dialogue's answer.
    await chat.say(action="menu:file")
    await chat.say(action="consent:yes")
    await chat.say("ท่อระบายน้ำอุดตัน น้ำท่วมขังหน้าบ้านทุกครั้งที่ฝนตก")
    await chat.say(image=PNG + b"\x00" * (6 * 1024 * 1024))
    assert "ใหญ่เกิน 5 MB" in chat.text
    await chat.say(image=b"%PDF-1.7 not a photo")
    assert "ไม่ใช่รูปภาพ" in chat.text
    await chat.say(action="next")
    await chat.say("Trang")
    await chat.say("Sikao")
    await chat.say(action="office:accept")
    await chat.say(action="contact:anon")
    assert "รูป: 0 รูป" in chat.text


async def test_wrong_pins_are_refused_then_throttled(chat, chat_stack):
    number = await _filed_number(chat)
    # Wrong PINs count per client address (not per chat session) in the read model every test shares:
    # the tracker comes through the trusted proxy as an address of its own.
    guesser = {"X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250 + 1}"}
    async with httpx.AsyncClient(base_url=chat_stack.base_url, timeout=60, headers=guesser) as http:
        tracker = chat_stack.chat(http)
        for _ in range(5):
            await tracker.say(f"ติดตาม {number}")
            await tracker.say("000000")
            assert "เลขที่เรื่องหรือ PIN ไม่ถูกต้อง" in tracker.text
        another_session = chat_stack.chat(http)  # a new session buys no extra guesses
        await another_session.say(f"ติดตาม {number}")
        await another_session.say("000000")
        assert "ใส่รหัสผิดหลายครั้ง" in another_session.text and "menu:file" in another_session.actions


async def test_malformed_requests_are_refused(http):
    assert (await http.post("/api/chat/messages", content=b"{not json")).status_code == 422
    assert (await http.post("/api/chat/messages", json={"session_id": "x", "text": "hi"})).status_code == 422
    assert (
        await http.post("/api/chat/messages", json={"session_id": "s" * 20, "text": "x" * 100_001})
    ).status_code == 413  # past the door's 64 KiB for a chat message
    assert (await http.get("/api/chat/sessions/bad id!/messages")).status_code in (404, 422)


async def test_html_typed_into_the_web_chat_comes_back_escaped(http):
    await http.get("/chat")
    r = await http.post("/chat/send", data={"text": "<script>alert(1)</script> ที่ https://example.org/a?b=<i>"})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


async def _filed_number(chat) -> str:
    await chat.say(action="menu:file")
    await chat.say(action="consent:yes")
    await chat.say("มีการลักลอบทิ้งขยะข้างทางหลวงทุกคืน ส่งกลิ่นเหม็นมาก")
    await chat.say(action="next")
    await chat.say("ตรัง")
    await chat.say("สิเกา")
    await chat.say(action="office:accept")
    await chat.say(action="contact:anon")
    await chat.say(action="confirm")
    return re.search(r"25\d\d-[2-9A-Z]{6}", chat.text).group(0)
