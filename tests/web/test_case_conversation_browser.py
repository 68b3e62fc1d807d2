"""The case conversation in two real browsers (Debian chromium) on the whole app: a citizen whose case
was filed from the web chat sends a photo and a few words there, accepts adding them to the case, and
the officer, who has the case page open, sees them arrive without a reload; the officer replies with
a link, a photo and a PDF and writes an internal note; the citizen's open chat shows the reply with a
working thumbnail (a signed link), the PDF to download and a clickable link, and never the note. Then the case is resolved:
the result comes with rating buttons and the citizen disputes it, which reopens the case."""

from __future__ import annotations

import struct
import zlib

from sqlalchemy import select

from db.models import CaseEvent
from tests.live import ARTIFACTS
from tests.web.conftest import shot, sign_in
from workflows import contracts as c


def png(width: int = 24, height: int = 16, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A small PNG that a browser really decodes (the thumbnail must render, not just be linked)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


async def test_citizen_and_officer_talk_on_the_case_with_photos_both_ways(web_stack, browser, page, tmp_path):
    phone = await browser.new_context(
        base_url=web_stack.base_url, locale="th-TH", viewport={"width": 390, "height": 844}, has_touch=True
    )
    chat = await phone.new_page()
    errors: list[str] = []
    chat.on("pageerror", lambda e: errors.append(str(e)))
    try:
        await chat.goto("/chat")
        log = chat.locator("#log")
        await chat.get_by_role("button", name="เรื่องของฉัน", exact=True).wait_for()
        session = next(k["value"] for k in await phone.cookies() if k["name"] == "chat_session")
        # the case this chat filed (filed through the gateway here: this stack has no in-app dispatcher)
        number = await web_stack.file(
            "ไฟส่องสว่างในซอยดับทั้งซอย กลางคืนมืดมาก", channel="web", channel_ref=session, category="infrastructure"
        )
        await web_stack.wait_case(number, lambda row: row.agency_code is not None)
        await web_stack.gateway.act(
            number, "forward", c.ForwardRecord("sikao", reference="มท 0212/77", sent_on="2026-12-01")
        )
        await web_stack.wait_case(number, lambda row: row.status == c.FORWARDED)

        await sign_in(page, "sikao")
        await page.goto(f"/cases/{number}")
        await page.locator("#conversation").wait_for()

        await chat.get_by_role("button", name="เรื่องของฉัน", exact=True).click()
        await chat.get_by_role("button", name=number, exact=True).click()
        await chat.locator("#quick").get_by_role("button", name="เมนู", exact=True).click()
        lamp = tmp_path / "lamp.png"
        lamp.write_bytes(png())
        await chat.set_input_files("#image", str(lamp))
        await chat.locator("#preview img").wait_for()
        await chat.fill("#text", "เสาไฟต้นที่สามหักด้วยค่ะ")
        await chat.click("#send")
        await chat.get_by_role("button", name=f"เพิ่มในเรื่อง {number}").click()
        await log.get_by_text(f"ส่งข้อมูลเพิ่มเติมของเรื่อง {number} แล้ว").wait_for()

        # the officer's open page shows it by its own polling, photo included
        said = page.locator("#conversation li.said-citizen")
        await said.get_by_text("เสาไฟต้นที่สามหักด้วยค่ะ").wait_for(timeout=20_000)
        assert await said.locator("img").count() == 1
        await shot(page, "conversation-01-officer-sees-citizen")

        await page.click("#action-note summary")
        await page.fill("#action-note textarea[name=text]", "บันทึกภายใน: ผู้ร้องรายนี้แจ้งซ้ำบ่อย")
        await page.click("#action-note button[type=submit]")
        await page.get_by_text("บันทึกภายใน: ผู้ร้องรายนี้แจ้งซ้ำบ่อย").first.wait_for()
        reply_photo = tmp_path / "plan.png"
        reply_photo.write_bytes(png(rgb=(30, 120, 200)))
        await page.click("#action-reply summary")
        await page.fill("#action-reply textarea[name=text]", "ช่างจะเข้าซ่อมวันพรุ่งนี้ ดูแผนงานที่ https://example.go.th/plan/77")
        plan = tmp_path / "แผนงานซ่อม.pdf"
        plan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        await page.set_input_files("#action-reply input[name=photos]", [str(reply_photo), str(plan)])
        await page.click("#action-reply button[type=submit]")
        officer_said = page.locator("#conversation li.said-officer")
        await officer_said.get_by_text("ช่างจะเข้าซ่อมวันพรุ่งนี้").wait_for(timeout=20_000)
        assert await officer_said.locator("img").count() == 1
        assert await officer_said.get_by_role("link", name="แผนงานซ่อม.pdf").count() == 1

        # the citizen's chat: the reply with its link and a thumbnail that loads, never the note
        pushed = log.locator(".pushed", has_text="ช่างจะเข้าซ่อมวันพรุ่งนี้")
        await pushed.wait_for(timeout=20_000)
        assert await pushed.locator('a[href="https://example.go.th/plan/77"]').count() == 1
        thumb = pushed.locator("img")
        await chat.wait_for_function(
            "el => el.complete && el.naturalWidth === 24", arg=await thumb.element_handle(), timeout=10_000
        )
        src = await thumb.get_attribute("src")
        assert src.startswith("/chat/photos/")
        assert "บันทึกภายใน" not in await log.inner_text()
        # the link works without any cookie (LINE fetches it so), a tampered one does not
        anonymous = await browser.new_context(base_url=web_stack.base_url)
        try:
            ok = await anonymous.request.get(src)
            assert ok.status == 200 and ok.headers["content-type"] == "image/png"
            assert (await anonymous.request.get(src[:-8] + "AAAA.png")).status == 404
            doc = await pushed.get_by_role("link", name="เอกสารแนบ (PDF) / attached document (PDF)").get_attribute(
                "href"
            )
            got = await anonymous.request.get(doc)
            assert got.status == 200 and got.headers["content-type"] == "application/pdf"
            assert got.headers["content-disposition"].startswith("attachment")
            assert (await got.body()).startswith(b"%PDF-")
        finally:
            await anonymous.close()
        ARTIFACTS.mkdir(exist_ok=True)
        await chat.screenshot(path=str(ARTIFACTS / "conversation-02-citizen-sees-reply.png"), full_page=True)

        # the result comes with the rating and dispute buttons; a dispute reopens the case
        await web_stack.gateway.act(number, "resolve", c.ResolutionRecord("sikao", "ซ่อมไฟครบทั้งซอยแล้ว"))
        await log.locator(".pushed", has_text="ซ่อมไฟครบทั้งซอยแล้ว").wait_for(timeout=20_000)
        quick = chat.locator("#quick")
        for stars in range(1, 6):
            await quick.get_by_role("button", name=f"{'★' * stars} {stars}", exact=True).wait_for()
        await quick.get_by_role("button", name="โต้แย้งผล").click()
        await log.get_by_text("โปรดพิมพ์เหตุผลที่โต้แย้งผล").wait_for()
        await chat.fill("#text", "ยังดับอยู่สองต้นท้ายซอย")
        await chat.click("#send")
        await log.get_by_text("เรื่องกลับไปดำเนินการอีกครั้ง").wait_for()
        await web_stack.wait_case(number, lambda row: row.status == c.IN_PROGRESS)
        with web_stack.sessions()() as s:
            disputed = s.scalar(
                select(CaseEvent).where(CaseEvent.tracking_number == number, CaseEvent.kind == "disputed")
            )
        assert disputed.note == "ยังดับอยู่สองต้นท้ายซอย"
        await page.locator("#conversation li.said-citizen", has_text="ยังดับอยู่สองต้นท้ายซอย").wait_for(timeout=20_000)
        await shot(page, "conversation-03-dispute-on-case-page")
        assert errors == [] and page.script_errors == []
    finally:
        await phone.close()
