"""A confirm sent again because its answer was lost (a phone dropping off the network) files nothing new
and shows the same tracking number and PIN again, on the web chat page as on the JSON endpoint; another
chat sending the same message id is not taken for a retry: it is answered as its own message."""

from __future__ import annotations

import re

import httpx

NUMBER = re.compile(r"25\d\d-[23456789A-HJKMNP-Z]{6}")


async def send(http: httpx.AsyncClient, **fields) -> str:
    r = await http.post("/chat/send", data=fields)
    assert r.status_code == 200, r.text
    return r.text


async def test_a_resent_confirm_on_the_chat_page_shows_the_same_number_and_pin(chat_stack):
    async with httpx.AsyncClient(base_url=chat_stack.base_url, timeout=60) as http:
        await http.get("/chat")  # the page sets the chat's cookie
        await send(http, action="menu:file", label="ร้องเรียน")
        await send(http, action="consent:yes", label="ยินยอม")
        await send(http, text="ท่อระบายน้ำหน้าตลาดอุดตัน น้ำเน่าส่งกลิ่นเหม็นมากทุกวัน")
        await send(http, action="next", label="ถัดไป")
        await send(http, text="ตรัง")
        await send(http, text="สิเกา")
        await send(http, action="office:accept", label="ตกลง")
        await send(http, action="contact:anon", label="ไม่ประสงค์ออกนาม")
        first = await send(http, action="confirm", label="ยืนยัน", message_id="page-confirm-1")
        number, pin = NUMBER.search(first).group(0), re.search(r"PIN (\d{6})", first).group(1)
        again = await send(http, action="confirm", label="ยืนยัน", message_id="page-confirm-1")
        assert number in again and f"PIN {pin}" in again

    async with httpx.AsyncClient(base_url=chat_stack.base_url, timeout=60) as stranger:
        await stranger.get("/chat")
        theirs = await send(stranger, action="confirm", label="ยืนยัน", message_id="page-confirm-1")
        assert number not in theirs and pin not in theirs and 'class="msg bot"' in theirs
