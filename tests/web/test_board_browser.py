"""A supervisor works the overdue board in a real browser (Debian chromium): Trang's provincial
supervisor signs in, opens the board from the menu, sees a Sikao case that its own workflow made
overdue (filed under a policy whose statutory clock is due at once) with the late clock and no holder,
drills into the district, gives the case to Sikao's officer (the real `assign` update on the dev
server) and sees the holder change, gives it to the same officer again and sees the workflow's refusal
next to the action; the board also fits a phone's width. Screenshots go to test-artifacts/."""

from __future__ import annotations

from tests.web.conftest import shot, sign_in
from workflows import contracts as c


async def test_supervisor_sees_an_overdue_case_and_reassigns_it(web_stack, page):
    number = await web_stack.file(
        "ท่อระบายน้ำอุดตัน น้ำท่วมขังหน้าบ้านทุกครั้งที่ฝนตก", category="infrastructure", policy=c.ClockPolicy(statutory_days=0)
    )
    await web_stack.wait_case(number, lambda row: row.escalated_to == "P92" and row.next_due_at is not None)

    await sign_in(page, "trang")
    await page.get_by_role("link", name="กระดานเรื่องเกินกำหนด").first.click()
    await page.wait_for_url("**/board")
    row = page.locator(f"#overdue-{number}")
    await row.wait_for()
    assert "แจ้งผลตามกฎหมาย" in await row.inner_text()  # the statutory clock is the late one
    assert "ยังไม่มีผู้รับ" in await row.locator("td").nth(5).inner_text()  # nobody holds it yet
    await page.locator("#compliance table").first.wait_for()  # the compliance fragment loaded after the page
    await shot(page, "board-01-overdue")

    await page.locator("#center-loads").get_by_role("link", name="ศูนย์ดำรงธรรมอำเภอสิเกา").click()
    await page.wait_for_url("**/board?at=D9205")
    row = page.locator(f"#overdue-{number}")
    await row.wait_for()

    options = await row.locator("select[name=assignee] option").all_inner_texts()
    assert any(o.startswith("sikao") for o in options) and not any(o.startswith("krabi") for o in options)
    await row.locator("select[name=assignee]").select_option("sikao")
    await row.get_by_role("button", name="มอบหมายใหม่").click()
    await page.locator(f"#overdue-{number} .ok").wait_for()
    assert "sikao" in await page.locator(f"#overdue-{number} td").nth(5).inner_text()
    await shot(page, "board-02-reassigned")

    row = page.locator(f"#overdue-{number}")  # by keyboard this time: focus the button, press Enter
    await row.locator("select[name=assignee]").select_option("sikao")
    await row.get_by_role("button", name="มอบหมายใหม่").focus()
    await page.keyboard.press("Enter")
    refusal = page.locator(f"#overdue-{number} .refusal")
    await refusal.wait_for()
    assert "already held by that officer" in await refusal.inner_text()
    await shot(page, "board-03-refused")

    held = await web_stack.wait_case(number, lambda r: r.assignee == "sikao")
    assert held.assignee == "sikao" and (await web_stack.gateway.status(number)).status == c.RECEIVED

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.reload()
    await page.locator(f"#overdue-{number}").wait_for()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the board is {width}px wide at phone width"
    await shot(page, "board-04-phone")
