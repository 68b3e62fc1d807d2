"""Officers' words pass the same door as citizens': a note with a NUL byte or past 5,000 characters is
refused next to its button with a message in Thai and English, and nothing reaches the case."""

from __future__ import annotations


async def test_a_note_with_a_nul_byte_or_too_long_is_refused_next_to_its_button(web_stack):
    number = await web_stack.file("ขอความช่วยเหลือ บันทึกที่มีอักขระควบคุม")
    async with web_stack.signed_in("sikao") as client:
        hx = {"X-CSRF-Token": client.csrf, "HX-Request": "true"}
        for text in ("โทรหาผู้ร้อง\x00แล้ว", "ยาว" * 3000):
            r = await client.post(f"/cases/{number}/actions/note", data={"text": text}, headers=hx)
            assert r.status_code == 422, r.text
            assert r.headers["HX-Retarget"] == "#refusal-note" and " / " in r.text
