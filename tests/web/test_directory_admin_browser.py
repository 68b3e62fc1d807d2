"""The directory administration in a real browser (Debian chromium): the ministry's administrator
opens the directory from the menu, searches as they type, opens a district office, edits its e-mail
with a reason and sees the field's source turn to "administrator" and the change in the history, then
releases it; uploads a feed file (the directory's own export with one e-mail changed), reviews the
one change and applies it with a reason; asks the routing box where a complaint would go and sees the
agency and the deciding rule; and Trang's provincial supervisor is refused a Krabi record in Thai and
English. Records touched: the district offices of Yan Ta Khao and Palian (9203, 9204), which no other
test of tests/web uses. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json

from db.directory_export import export_feed
from db.models import Agency
from tests.web.conftest import shot, sign_in


async def test_an_administrator_searches_edits_loads_a_feed_and_asks_the_routing_box(web_stack, page, tmp_path):
    await sign_in(page, "root")
    await page.get_by_role("link", name="ทำเนียบหน่วยงาน").first.click()
    await page.wait_for_url("**/admin/directory")

    await page.fill("#directory-q", "ย่านตาขาว")  # searched as typed, no button pressed
    link = page.locator('#directory-results a[href="/admin/directory/agency/DO-9203"]')
    await link.wait_for()
    await shot(page, "directory-01-search")
    await link.click()
    await page.wait_for_url("**/admin/directory/agency/DO-9203")

    form = page.locator("#edit-record")
    await form.locator("input[name=email]").fill("saraban@yantakhao.example")
    await form.locator("input[name=reason]").fill("หนังสืออำเภอแจ้งอีเมลสารบรรณ")
    await form.get_by_role("button", name="บันทึกการเปลี่ยนแปลง").click()
    await page.locator("#directory-record .ok").wait_for()
    assert "ผู้ดูแลแก้ไข" in await page.locator("#field-email").inner_text()  # the source: administrator
    history = await page.locator("#record-history").inner_text()
    assert "หนังสืออำเภอแจ้งอีเมลสารบรรณ" in history and "saraban@yantakhao.example" in history and "root" in history
    await shot(page, "directory-02-edited")

    release = page.locator("#field-email form.release")
    await release.locator("input[name=reason]").fill("ใช้ค่าจากส่วนกลาง")
    await release.get_by_role("button", name="คืนค่าให้แหล่งข้อมูล").click()
    await page.locator("#record-history", has_text="released: ใช้ค่าจากส่วนกลาง").wait_for()
    assert "คืนค่าให้แหล่งข้อมูลแล้ว" in await page.locator("#directory-record .ok").inner_text()
    assert "ผู้ดูแลแก้ไข" not in await page.locator("#field-email").inner_text()

    with web_stack.sessions()() as s:
        document = export_feed(s, with_connector_settings=True)
    for agency in document["agencies"]:
        if agency["code"] == "DO-9204":
            agency["email"] = "saraban@palian.example"
    feed = tmp_path / "directory.json"
    feed.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    await page.goto("/admin/directory")
    await page.get_by_role("link", name="นำเข้าข้อมูลทำเนียบ").click()
    await page.wait_for_url("**/admin/directory/feed")
    await page.set_input_files("#feed-upload input[type=file]", str(feed))
    await page.get_by_role("button", name="ตรวจสอบความแตกต่าง").click()
    await page.locator("#feed-diff").wait_for()
    assert "1" in await page.locator("#count-changed").inner_text()
    changed = await page.locator("#feed-changed").inner_text()
    assert "DO-9204" in changed and "saraban@palian.example" in changed
    await shot(page, "directory-03-feed-diff")
    with web_stack.sessions()() as s:
        assert s.get(Agency, "DO-9204").email != "saraban@palian.example"  # nothing applied by the review
    await page.locator("#feed-apply input[name=reason]").fill("ทำเนียบจากส่วนกลาง")
    await page.get_by_role("button", name="นำไปใช้", exact=True).click()
    await page.locator("#directory-feed .ok").wait_for()
    with web_stack.sessions()() as s:
        assert s.get(Agency, "DO-9204").email == "saraban@palian.example"
    await shot(page, "directory-04-feed-applied")

    await page.get_by_role("link", name="กฎการส่งต่อ").first.click()
    await page.wait_for_url("**/admin/directory/rules")
    box = page.locator("#route-box form")
    await box.locator("select[name=category]").select_option("infrastructure")
    await box.locator("input[name=province]").fill("ตรัง")
    await box.locator("input[name=district]").fill("สิเกา")
    await box.get_by_role("button", name="ทดสอบเส้นทาง").click()
    await page.locator("#route-agency strong").wait_for()
    assert "PAO-92" in await page.locator("#route-agency").inner_text()
    assert "ทั่วประเทศ" in await page.locator("#route-steps li.decided").inner_text()  # the nationwide rule decided
    assert "D9205" in await page.locator("#route-center").inner_text()
    await shot(page, "directory-05-routing-box")
    assert page.script_errors == []

    await page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing runs off sideways
    for path in ("/admin/directory?q=ตรัง", "/admin/directory/agency/DO-9203", "/admin/directory/rules"):
        await page.goto(path)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"{path} is {width}px wide at phone width"
    await shot(page, "directory-07-phone-rules")


async def test_a_provincial_supervisor_is_refused_another_provinces_record(web_stack, page):
    await sign_in(page, "trang")
    await page.get_by_role("link", name="ทำเนียบหน่วยงาน").first.click()
    async with page.expect_response(lambda r: "/admin/directory?" in r.url and "q=PH-81" in r.url):
        await page.fill("#directory-q", "PH-81")
    await page.locator("#directory-results p.muted").wait_for()  # "no record matches"
    assert await page.locator('#directory-results a[href="/admin/directory/agency/PH-81"]').count() == 0
    response = await page.goto("/admin/directory/agency/PH-81")
    assert response.status == 403
    text = await page.locator("main").inner_text()
    assert "ข้อมูลนี้อยู่นอกจังหวัดที่คุณดูแล" in text and "a province you do not keep" in text
    await shot(page, "directory-06-refused")
