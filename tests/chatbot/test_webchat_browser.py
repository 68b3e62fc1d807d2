"""The web chat in a real browser (Debian's chromium driven by Playwright) on a phone-sized screen:
a citizen files a complaint with a photo through `/chat`, tapping quick replies, sees the photo's
preview before sending, and sees the tracking number; then a status change pushed to the session
appears without a reload. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from db.models import Attachment, Case
from tests.chatbot.conftest import PNG
from tests.live import ARTIFACTS, chromium
from workflows import contracts as c


@pytest.fixture(scope="module")
async def browser():
    async with chromium() as got:
        yield got


async def test_citizen_files_a_complaint_with_a_photo_in_the_web_chat(browser, chat_stack, tmp_path):
    context = await browser.new_context(
        base_url=chat_stack.base_url, locale="th-TH", viewport={"width": 390, "height": 844}, has_touch=True
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        await page.goto("/chat")
        log = page.locator("#log")
        await page.get_by_role("button", name="ร้องเรียน", exact=True).click()
        await page.get_by_role("button", name="ยินยอม", exact=True).click()
        await log.get_by_text("เล่าปัญหาด้วยคำพูดของท่านเอง").wait_for()

        await page.fill("#text", "ถนนหน้าโรงเรียนเป็นหลุมลึก เด็กนักเรียนล้มบ่อย ดูคลิปที่ https://example.org/clip/7")
        await page.click("#send")
        await log.get_by_text("ส่งรูปถ่ายประกอบได้").wait_for()
        photo = tmp_path / "pothole.png"
        photo.write_bytes(PNG)
        await page.set_input_files("#image", str(photo))
        await page.locator("#preview img").wait_for()  # the preview shows before sending
        await page.click("#send")
        await log.get_by_text("ได้รับรูปแล้ว (รวม 1 รูป)").wait_for()
        await expect_empty_preview(page)

        await page.get_by_role("button", name="ถัดไป", exact=True).click()
        await page.fill("#text", "ตรัง")
        await page.click("#send")
        await log.get_by_text("อำเภอหรือเขตไหนในตรัง").wait_for()
        await page.fill("#text", "สิเกา")
        await page.click("#send")
        await page.get_by_role("button", name="ใช่ ยื่นที่นี่").click()
        await page.get_by_role("button", name="ไม่ประสงค์ออกนาม").click()
        await log.get_by_text("รูป: 1 รูป").wait_for()
        await page.get_by_role("button", name="ยืนยัน ยื่นเรื่อง").click()

        filed = log.get_by_text("ยื่นเรื่องเรียบร้อยแล้ว")
        await filed.wait_for()
        number = re.search(r"25\d\d-[2-9A-Z]{6}", await filed.inner_text()).group(0)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "chat-filed.png"), full_page=True)

        # The status link is a real link in the chat.
        assert await log.locator(f'a[href*="track={number}"]').count() == 1
        cases = await chat_stack.wait_for(lambda s: s.scalars(select(Case).where(Case.tracking_number == number)).all())
        assert cases[0].channel == "web" and cases[0].anonymous
        with chat_stack.sessions()() as s:
            assert len(s.scalars(select(Attachment).where(Attachment.tracking_number == number)).all()) == 1

        # An officer's reply reaches the open page without a reload.
        await chat_stack.gateway.act(
            number, "reply", c.CitizenReply(officer="demo.officer", text="เจ้าหน้าที่ลงพื้นที่ตรวจสอบพรุ่งนี้ค่ะ")
        )
        await log.get_by_text("เจ้าหน้าที่ลงพื้นที่ตรวจสอบพรุ่งนี้ค่ะ").wait_for(timeout=30_000)
        await page.screenshot(path=str(ARTIFACTS / "chat-pushed.png"), full_page=True)
        assert errors == []
    finally:
        await context.close()


async def expect_empty_preview(page) -> None:
    await page.wait_for_function("document.querySelectorAll('#preview img').length === 0")
