"""The routing rules page and its "where would this complaint go?" box (issue 13 §4): a rule added
with a reason is audited and decides the box's answer, deactivating it (never deleting) gives the old
answer back, a provincial supervisor changes only their province's rules, the box's answer is the
agency a filed case really gets from the workflow, free text goes through the classifier, and a
tambon with a local government goes to it. Rules are added for Na Yong (9208) and the animals
category, which no other test of tests/web files cases with; each test deactivates what it adds."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from db.models import Agency, AgencyArea, DirectoryChange, RoutingRule
from workflows.domain.routing import center_for_area

HX = {"HX-Request": "true"}
RULE_ADDED = re.compile(r"เพิ่มกฎแล้ว #(\d+)")


def agency_in(html: str) -> str | None:
    found = re.search(r'id="route-agency">\s*<strong>[^<]*</strong> \(([^)]+)\)', html)
    return found.group(1) if found else None


async def ask(client, **params) -> str:
    r = await client.get("/admin/directory/route", params=params, headers=HX)
    assert r.status_code == 200, r.text
    return r.text


async def test_a_rule_added_with_a_reason_decides_the_box_until_it_is_deactivated(web_stack):
    place = {"category": "animals", "province": "ตรัง", "district": "นาโยง"}
    async with web_stack.signed_in("root") as client:
        csrf = {"X-CSRF-Token": client.csrf, **HX}
        before = agency_in(await ask(client, **place))
        assert before and before != "PH-92"

        no_reason = dict(category="animals", province="92", district="9208", agency_code="PH-92", reason="")
        r = await client.post("/admin/directory/rules", data=no_reason, headers=csrf)
        assert r.status_code == 422 and "ต้องระบุเหตุผล" in r.text
        both = {**no_reason, "agency_type": "police", "reason": "x"}
        r = await client.post("/admin/directory/rules", data=both, headers=csrf)
        assert r.status_code == 422 and "not both" in r.text and "อย่างใดอย่างหนึ่ง" in r.text
        nowhere = {**no_reason, "district": "ไม่มีอำเภอนี้", "reason": "x"}
        assert (await client.post("/admin/directory/rules", data=nowhere, headers=csrf)).status_code == 422

        rule = {**no_reason, "priority": "5", "reason": "สัตว์จรจัดในนาโยงให้ศาลากลางรับ"}
        r = await client.post("/admin/directory/rules", data=rule, headers=csrf)
        assert r.status_code == 200, r.text
        rule_id = int(RULE_ADDED.search(r.text).group(1))
        twice = await client.post("/admin/directory/rules", data=rule, headers=csrf)
        assert (
            twice.status_code == 422 and f"That rule exists already; change or reactivate it #{rule_id}" in twice.text
        )
        with web_stack.sessions()() as s:
            row = s.get(RoutingRule, rule_id)
            assert (row.district_code, row.agency_code, row.priority, row.active, row.source) == (
                "9208", "PH-92", 5, True, "admin",
            )  # fmt: skip
            created = s.scalars(
                select(DirectoryChange).where(
                    DirectoryChange.record_kind == "rule", DirectoryChange.record_code == "animals@92/9208->PH-92"
                )
            ).one()
            assert (created.actor, created.field, created.reason) == ("root", None, rule["reason"])
            assert created.after["agency_code"] == "PH-92"

        answer = await ask(client, **place)
        assert agency_in(answer) == "PH-92"
        decided = re.search(r'<li class="decided">(.*?)</li>', answer, re.S).group(1)
        assert "9208" in decided and "PH-92" in decided

        off = {**rule, "active": "", "reason": "ยกเลิกกฎทดลอง"}
        r = await client.post(f"/admin/directory/rules/{rule_id}", data=off, headers=csrf)
        assert r.status_code == 200 and "บันทึกกฎแล้ว" in r.text
        with web_stack.sessions()() as s:
            assert s.get(RoutingRule, rule_id).active is False  # deactivated, still there
            change = s.scalars(
                select(DirectoryChange).where(
                    DirectoryChange.record_kind == "rule",
                    DirectoryChange.record_code == "animals@92/9208->PH-92",
                    DirectoryChange.field == "active",
                )
            ).one()
            assert (change.before, change.after, change.reason) == (True, False, "ยกเลิกกฎทดลอง")
        assert agency_in(await ask(client, **place)) == before
        listed = await client.get("/admin/directory/rules", params={"category": "animals"})
        row = re.search(rf'<tr id="rule-{rule_id}">(.*?)</tr>', listed.text, re.S).group(1)
        assert "ยกเลิกกฎทดลอง" in row and "สัตว์จรจัดในนาโยงให้ศาลากลางรับ" in row  # its history, newest first
        assert row.index("ยกเลิกกฎทดลอง") < row.index("สัตว์จรจัดในนาโยงให้ศาลากลางรับ")


async def test_a_provincial_supervisor_changes_only_their_provinces_rules(web_stack):
    with web_stack.sessions()() as s:
        nationwide = s.scalars(
            select(RoutingRule).where(RoutingRule.category == "animals", RoutingRule.province_code.is_(None))
        ).first()
    async with web_stack.signed_in("trang") as client:
        csrf = {"X-CSRF-Token": client.csrf, **HX}
        listed = await client.get("/admin/directory/rules")
        assert listed.status_code == 200
        assert f'hx-post="/admin/directory/rules/{nationwide.id}"' not in listed.text  # shown, not editable
        for province in ("", "กระบี่"):
            data = dict(category="animals", province=province, agency_type="police", reason="x")
            r = await client.post("/admin/directory/rules", data=data, headers=csrf)
            assert r.status_code == 403, province
            assert "นอกจังหวัดที่คุณดูแล" in r.text
        data = dict(category="animals", agency_type="police", priority="9", reason="x")
        r = await client.post(f"/admin/directory/rules/{nationwide.id}", data=data, headers=csrf)
        assert r.status_code == 403
        with web_stack.sessions()() as s:
            assert s.get(RoutingRule, nationwide.id).priority == nationwide.priority

        own = dict(category="animals", province="92", district="9208", agency_type="police", reason="ตำรวจรับ")
        r = await client.post("/admin/directory/rules", data=own, headers=csrf)
        assert r.status_code == 200, r.text
        rule_id = int(RULE_ADDED.search(r.text).group(1))
        r = await client.post(
            f"/admin/directory/rules/{rule_id}", data={**own, "active": "", "reason": "เลิกใช้"}, headers=csrf
        )
        assert r.status_code == 200


async def test_the_box_answers_the_agency_a_filed_case_gets(web_stack):
    number = await web_stack.file("สุนัขจรจัดกัดคนในหมู่บ้าน", category="animals")
    row = await web_stack.wait_case(number, lambda r: r.agency_code is not None)
    async with web_stack.signed_in("root") as client:
        answer = await ask(client, category="animals", province="92", district="9205")
    assert agency_in(answer) == row.agency_code
    assert f"({center_for_area('92', '9205')})" in answer  # the center that files it


async def test_the_box_classifies_free_text_with_the_products_classifier(web_stack):
    async with web_stack.signed_in("root") as client:
        read = await ask(client, text="ถนนหน้าบ้านเป็นหลุมใหญ่ ไฟถนนดับทั้งซอย", province="92", district="9205")
        assert "ระบบจัดหมวดเป็น" in read
        category = re.search(r'id="route-category">[^(]*\((\w+)\)', read).group(1)
        if "ระบบไม่มั่นใจหมวดเรื่อง" not in read:
            chosen = await ask(client, category=category, province="92", district="9205")
            assert agency_in(read) == agency_in(chosen)  # classified, then routed as if chosen
        unsure = await ask(client, text="สวัสดีครับ", province="92")
        assert "ระบบไม่มั่นใจหมวดเรื่อง" in unsure and agency_in(unsure) is None
        refused = await client.get("/admin/directory/route", params={"province": "92"}, headers=HX)
        assert refused.status_code == 422 and "Give a category or some text" in refused.text


async def test_a_tambon_served_by_a_local_government_goes_to_it(web_stack):
    code = f"LG-T{uuid.uuid4().hex[:6].upper()}"
    with web_stack.sessions().begin() as s:
        s.add(
            Agency(
                code=code, agency_type="local_gov", name_th="องค์การบริหารส่วนตำบลทดสอบ", name_en="Test SAO",
                linked=False, province_code="92", district_code="9208", search_key=code.lower(), demo=True,
            )
        )  # fmt: skip
        s.flush()
        s.add(AgencyArea(agency_code=code, province_code="92", district_code="9208", subdistrict_code="920801"))
    try:
        async with web_stack.signed_in("root") as client:
            place = dict(category="infrastructure", province="92", district="9208")
            assert agency_in(await ask(client, **place, subdistrict="920801")) == code
            assert agency_in(await ask(client, **place)) != code  # without the tambon: the province's
            r = await client.get("/admin/directory/route", params={**place, "subdistrict": "ไม่มีตำบลนี้"}, headers=HX)
            assert r.status_code == 422
    finally:
        with web_stack.sessions().begin() as s:
            s.get(Agency, code).active = False  # never deleted; inactive, routing passes it by
