"""The chat's door as an attacker tries it: a "photo" that is really an SVG or an HTML page gets a clear
reply naming it and nothing is stored; a 20,000-deep JSON message and JSON sent as text/plain are 4xx
with a message in Thai and English, never a 500."""

from __future__ import annotations

import pytest


def stored(chat_stack) -> set:
    root = chat_stack.var_dir / "uploads"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.mark.parametrize(
    "filename, data",
    [
        ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("photo.jpg", b"<!doctype html><html><script>alert(1)</script></html>"),
    ],
)
async def test_a_disguised_svg_or_html_photo_gets_a_reply_naming_it_and_is_not_stored(chat, chat_stack, filename, data):
    before = stored(chat_stack)
    await chat.say(action="menu:file")
    await chat.say(action="consent:yes")
    await chat.say("ท่อระบายน้ำอุดตัน น้ำท่วมขังหน้าบ้านทุกครั้งที่ฝนตก")
    r = await chat.http.post(
        "/api/chat/messages",
        data={"session_id": chat.session_id, "text": ""},
        files={"image": (filename, data, "image/png")},
    )
    assert r.status_code == 200, r.text
    said = "\n".join(x["text"] for x in r.json()["replies"] if x["type"] == "text")
    assert "ไม่ใช่รูปภาพ" in said and filename in said
    assert stored(chat_stack) == before


async def test_deep_json_and_the_wrong_content_type_are_4xx_in_thai_and_english(http):
    deep = await http.post(
        "/api/chat/messages", content=b"[" * 20_000 + b"]" * 20_000, headers={"Content-Type": "application/json"}
    )
    assert deep.status_code == 422 and " / " in deep.json()["detail"]
    plain = await http.post(
        "/api/chat/messages",
        content=b'{"session_id": "abcdefgh12", "text": "hi"}',
        headers={"Content-Type": "text/plain"},
    )
    assert plain.status_code == 415 and " / " in plain.json()["detail"]
