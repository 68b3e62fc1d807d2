"""A center's door in chromium: Sikao's public page shows its name and links its chat door; the door
opens the chat in Sikao's name (header and greeting); a question about the phone number is answered
with Sikao's record without naming the center; a question left for an officer is promised from
Sikao's officers in office hours; the A4 poster shows the QR code of the door at a printable size.
Screenshots in test-artifacts/."""

from __future__ import annotations

from tests.web.conftest import shot


async def test_sikaos_door_in_chromium(page, web_stack):
    await page.goto("/centers/D9205")
    assert "ศูนย์ดำรงธรรมอำเภอสิเกา" in await page.locator("#center-name").inner_text()
    await shot(page, "center-door-page")
    await page.click("#door-link")
    await page.wait_for_url("**/chat/c/D9205")
    assert "สิเกา" in await page.locator("#door-name").inner_text()
    log = page.locator("#log")
    await log.get_by_text("สวัสดีค่ะ ศูนย์ดำรงธรรมอำเภอสิเกา").wait_for()

    await page.fill("#text", "ขอเบอร์โทรศัพท์ของศูนย์หน่อยค่ะ")
    await page.click("#send")
    await log.locator(".msg.bot", has_text="ศูนย์ดำรงธรรมอำเภอสิเกา").nth(1).wait_for()

    await page.locator("#quick button", has_text="เมนู").click()
    await page.locator("#quick button", has_text="ฝากถามเจ้าหน้าที่").click()
    await log.get_by_text("พิมพ์คำถามที่ต้องการฝากถึงเจ้าหน้าที่ศูนย์ดำรงธรรมอำเภอสิเกา").wait_for()
    await page.fill("#text", "อยากทราบว่าศูนย์รับเรื่องร้องเรียนนอกเวลาราชการได้ไหมคะ")
    await page.click("#send")
    await log.get_by_text("ฝากคำถามถึงเจ้าหน้าที่ศูนย์ดำรงธรรมอำเภอสิเกาแล้ว").wait_for(timeout=30_000)
    await shot(page, "center-door-chat")
    # htmx swaps and polling raised nothing (the browser's own favicon request may 404: no icon is served)
    assert [e for e in page.script_errors if not e.startswith("Failed to load resource")] == []

    await page.goto("/centers/D9205/poster")
    qr = page.locator("#qr")
    box = await qr.bounding_box()
    assert box["width"] > 300 and abs(box["width"] - box["height"]) < 2  # 110 mm square, scannable
    assert (await qr.get_attribute("data-url")).endswith("/chat/c/D9205")
    await shot(page, "center-door-poster")
    pdf = await page.pdf(format="A4", print_background=True)
    assert (
        pdf.startswith(b"%PDF")
        and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") <= 2
    )
