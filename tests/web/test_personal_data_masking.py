"""A complainant's name is personal data like the phone and the national ID (issue 15, item 5): the case
page and the forwarding letter show it masked ("สม*** ใจ***"); a reveal needs a reason and is logged
with it; the letter prints the name only after a reveal for the letter; the inbox, its search, the
board and its CSV export show no personal data at all. Against the live app on its own SQLite."""

from __future__ import annotations

import uuid

from db import staff
from workflows import contracts as c

NAME, PHONE, NATIONAL_ID = "สมชาย ใจดี", "0812345678", "1103700012345"
MASKED = "สม*** ใจ***"


async def filed_case(web_stack) -> tuple[str, str]:
    """A Sikao case with the default contact, once projected; (number, a word of its text)."""
    word = f"ทดสอบปกปิด{uuid.uuid4().hex[:6]}"
    number = await web_stack.file(f"ไฟฟ้าดับทั้งซอยมาสามวันแล้ว {word}")
    await web_stack.wait_case(number, lambda r: r.status == c.TRIAGE)
    return number, word


def logged(web_stack, number: str) -> list[tuple[str, str, str]]:
    with web_stack.sessions()() as s:
        return [(r.username, r.field, r.reason) for r in staff.reveals(s, number)]


async def test_the_case_page_masks_the_name_and_its_reveal_needs_a_reason_and_is_logged(web_stack):
    number, _ = await filed_case(web_stack)
    async with web_stack.signed_in("sikao") as client:
        page = (await client.get(f"/cases/{number}")).text
        assert MASKED in page
        assert "สมชาย" not in page and "ใจดี" not in page and PHONE not in page and NATIONAL_ID not in page
        hx = {"X-CSRF-Token": client.csrf, "HX-Request": "true"}

        unexplained = await client.post(f"/cases/{number}/reveal/name", headers=hx, data={"reason": "  "})
        assert unexplained.status_code == 422 and "เหตุผล" in unexplained.text and NAME not in unexplained.text
        assert logged(web_stack, number) == []

        shown = await client.post(f"/cases/{number}/reveal/name", headers=hx, data={"reason": "ยืนยันตัวผู้ร้อง"})
        assert shown.status_code == 200 and NAME in shown.text
        again = (await client.get(f"/cases/{number}")).text
        assert "สมชาย" not in again and "ยืนยันตัวผู้ร้อง" in again  # masked again; the log shows why
    assert logged(web_stack, number) == [("sikao", "name", "ยืนยันตัวผู้ร้อง")]


async def test_the_letter_prints_the_name_only_after_a_logged_reveal_for_the_letter(web_stack):
    number, _ = await filed_case(web_stack)
    async with web_stack.signed_in("sikao") as client:
        letter = (await client.get(f"/cases/{number}/letter?reference=0212.9205/77")).text
        assert f"จาก {MASKED}" in letter and "สมชาย" not in letter

        form = {"csrf_token": client.csrf, "reference": "0212.9205/77", "sent_on": "2026-12-01"}
        refused = await client.post(f"/cases/{number}/letter", data=form)
        assert refused.status_code == 422 and "สมชาย" not in refused.text
        assert logged(web_stack, number) == []

        named = await client.post(f"/cases/{number}/letter", data={**form, "reason": "ส่งหนังสือถึงกรมที่ดิน"})
        assert named.status_code == 200 and f"จาก {NAME}" in named.text and "0212.9205/77" in named.text
    assert logged(web_stack, number) == [("sikao", "name", "letter: ส่งหนังสือถึงกรมที่ดิน")]


async def test_a_letter_reveal_of_a_case_out_of_scope_is_a_404_and_logs_nothing(web_stack):
    number, _ = await filed_case(web_stack)
    async with web_stack.signed_in("krabi") as client:
        form = {"csrf_token": client.csrf, "reason": "อยากรู้"}
        assert (await client.post(f"/cases/{number}/letter", data=form)).status_code == 404
        hx = {"X-CSRF-Token": client.csrf, "HX-Request": "true"}
        assert (await client.post(f"/cases/{number}/reveal/name", headers=hx, data=form)).status_code == 404
    assert logged(web_stack, number) == []


async def test_the_inbox_its_search_the_board_and_its_export_show_no_personal_data(web_stack):
    number, word = await filed_case(web_stack)
    async with web_stack.signed_in("sikao") as client:
        inbox = (await client.get("/inbox")).text
        found = (await client.get("/inbox", params={"q": word})).text
        assert number in found
    async with web_stack.signed_in("trang") as client:
        board = (await client.get("/board")).text
        export = (await client.get("/board.csv")).text
    for shown in (inbox, found, board, export):
        assert "สมชาย" not in shown and PHONE not in shown and NATIONAL_ID not in shown
