"""The web chat page's own form (`/chat/send`) keeps the same door as the JSON chat: a disguised photo
is named and not stored, a control character in the text is answered in the chat, never a 500."""

from __future__ import annotations

from tests.chatbot.test_chat_door import stored


async def test_the_chat_page_refuses_a_disguised_photo_and_a_nul_byte_in_the_chat(http, chat_stack):
    page = await http.get("/chat")
    assert page.status_code == 200
    before = stored(chat_stack)
    sent = await http.post(
        "/chat/send",
        data={"text": "ขยะกองหน้าบ้าน", "message_id": "page-svg-1"},
        files={"image": ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png")},
    )
    assert sent.status_code == 200 and "photo.png" in sent.text
    assert stored(chat_stack) == before

    nul = await http.post("/chat/send", data={"text": "ถนน\x00พัง", "message_id": "page-nul-1"})
    assert nul.status_code == 200 and "อักขระควบคุม" in nul.text and "แนบรูป" not in nul.text
    quick = await http.post("/chat/send", data={"action": "menu:file", "label": "ร้องเรียน"})
    assert quick.status_code == 200
