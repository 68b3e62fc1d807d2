"""An officer works a case end to end in a real browser (Debian chromium): signs in, sees a new
triage task appear in the open inbox without a reload, claims it, screens it to a category whose agency is unlinked, records the
forwarding letter's number and date, records the agency's progress and the result, and the case shows
RESOLVED, with every step in the timeline. Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

from tests.web.conftest import shot, sign_in
from workflows import contracts as c


async def test_officer_claims_triages_forwards_by_letter_and_resolves(web_stack, page):
    await sign_in(page, "sikao")
    number = await web_stack.file("ขอความช่วยเหลือด้วยครับ เรื่องนี้เดือดร้อนมาก")
    await web_stack.wait_case(number, lambda row: row.status == c.TRIAGE)
    row = page.locator("tr", has=page.locator(f"a[href='/cases/{number}']"))
    await row.wait_for(timeout=20000)  # the new task arrives by the inbox's own polling, no reload
    await shot(page, "officer-01-inbox")
    await row.get_by_role("button", name="รับงาน").click()
    await page.locator("tr", has=page.locator(f"a[href='/cases/{number}']")).get_by_text("sikao").wait_for()
    await shot(page, "officer-02-claimed")

    await page.click(f"a[href='/cases/{number}']")
    await page.wait_for_url(f"**/cases/{number}")
    assert (await page.locator("#case-assignee").inner_text()).strip() == "sikao"
    await page.click("#action-triage summary")
    await page.select_option("#action-triage select[name=category]", "infrastructure")
    await page.fill("#action-triage textarea[name=note]", "ถนนชำรุด ส่ง อปท.")
    await page.click("#action-triage button[type=submit]")
    await page.locator("#action-forward").wait_for(timeout=20000)  # routed to an unlinked office: a letter is due
    await shot(page, "officer-03-triaged")

    await page.click("#action-forward summary")
    await page.fill("#action-forward input[name=reference]", "มท 0212.9205/1234")
    await page.fill("#action-forward input[name=sent_on]", "2026-11-24")
    await page.click("#action-forward button[type=submit]")
    await page.locator("#case-status[data-status=FORWARDED]").wait_for()
    await shot(page, "officer-04-forwarded")

    letter = await page.context.new_page()
    await letter.goto(f"/cases/{number}/letter")
    body = await letter.locator("article.letter").inner_text()
    assert "มท 0212.9205/1234" in body and "24 พฤศจิกายน 2569" in body and "ขอแสดงความนับถือ" in body
    await letter.emulate_media(media="print")
    await shot(letter, "officer-05-letter-print")
    await letter.close()

    await page.click("#action-record_progress summary")
    await page.fill("#action-record_progress textarea[name=note]", "อบต. รับเรื่องแล้ว กำลังซ่อม")
    await page.click("#action-record_progress button[type=submit]")
    await page.locator("#case-status[data-status=IN_PROGRESS]").wait_for()

    await page.click("#action-resolve summary")
    await page.fill("#action-resolve textarea[name=result]", "ซ่อมถนนเรียบร้อยแล้ว")
    await page.click("#action-resolve button[type=submit]")
    await page.locator("#case-status[data-status=RESOLVED]").wait_for()
    assert "ดำเนินการแล้ว" in await page.locator("#case-status").inner_text()
    timeline = await page.locator("ol.timeline").inner_text()
    for step in ("มอบหมาย", "คัดกรองแล้ว", "ส่งต่อหน่วยงาน", "มท 0212.9205/1234", "ความคืบหน้า", "ซ่อมถนนเรียบร้อยแล้ว"):
        assert step in timeline
    await shot(page, "officer-06-resolved")

    assert page.script_errors == []  # none along the way (htmx config, triggers, swaps, polling)
    live = await web_stack.gateway.status(number)
    assert live.status == c.RESOLVED and live.agency_code is not None
