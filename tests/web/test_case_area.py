"""The case page names where the complaint happened down to its tambon, in Thai and English, and the
agency it went to: the tambon's local government (issue 13, part 5)."""

from __future__ import annotations

import re


async def test_the_case_page_names_the_tambon_and_its_local_government(web_stack):
    number = await web_stack.file("ถนนในหมู่บ้านเป็นหลุมลึก รถล้มหลายครั้งแล้ว", subdistrict_code="920502")
    row = await web_stack.wait_case(number, lambda r: r.agency_code is not None)
    assert row.agency_code == "LG-920502" and row.subdistrict_code == "920502"
    async with web_stack.signed_in("sikao") as officer:
        page = await officer.get(f"/cases/{number}")
        assert page.status_code == 200
        area = re.search(r'id="case-area">([^<]*)<', page.text).group(1)
        assert area == "ต.เขาไม้แก้ว อ.สิเกา จ.ตรัง"
        assert "องค์การบริหารส่วนตำบลเขาไม้แก้ว" in page.text
        officer.cookies.set("lang", "en")
        english = await officer.get(f"/cases/{number}")
        assert re.search(r'id="case-area">([^<]*)<', english.text).group(1) == "Khao Mai Kaeo, Sikao, Trang"


async def test_a_case_without_a_tambon_shows_its_district(web_stack):
    number = await web_stack.file("ไฟถนนหน้าบ้านดับมาหลายวันแล้ว")
    await web_stack.wait_case(number, lambda r: r.agency_code is not None)
    async with web_stack.signed_in("sikao") as officer:
        page = await officer.get(f"/cases/{number}")
        assert re.search(r'id="case-area">([^<]*)<', page.text).group(1) == "อ.สิเกา จ.ตรัง"
