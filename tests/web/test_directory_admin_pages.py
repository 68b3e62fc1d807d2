"""The directory administration at /admin/directory over HTTP (issue 13 §4): who may use it (a
nationwide administrator everything, Trang's provincial supervisor only Trang, officers and the
ministry's supervisor nothing), the search (by Thai or English name, code and area, never showing
another province's records), a record's edit with a mandatory reason, its sources and history and the
release of an administrator's value. The feed upload and the routing rules have their own files. The
records edited here are ones no other test of tests/web files cases with."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from db.models import Agency, Center, DirectoryChange

HX = {"HX-Request": "true"}
EDITED = "DO-9208"  # Trang's Na Yong district office: nothing else in tests/web routes there


def _changes(web_stack, kind: str, code: str) -> int:
    with web_stack.sessions()() as s:
        return s.scalar(
            select(func.count())
            .select_from(DirectoryChange)
            .where(DirectoryChange.record_kind == kind, DirectoryChange.record_code == code)
        )


async def test_only_administrators_and_provincial_supervisors_reach_the_directory(web_stack):
    for username in ("sikao", "dopa", "moi"):  # two officers and the ministry's supervisor
        async with web_stack.signed_in(username) as client:
            r = await client.get("/admin/directory")
            assert r.status_code == 403, username
            assert "for administrators and provincial supervisors" in r.text
            assert "ผู้ดูแลระบบ" in r.text
    async with web_stack.signed_in("root") as client:
        assert (await client.get("/admin/directory")).status_code == 200
    async with web_stack.signed_in("trang") as client:
        assert (await client.get("/admin/directory")).status_code == 200


async def test_an_administrator_finds_records_by_thai_name_english_name_code_and_area(web_stack):
    async with web_stack.signed_in("root") as client:
        thai = await client.get("/admin/directory", params={"q": "สิเกา"}, headers=HX)
        assert thai.status_code == 200
        assert 'id="directory-results"' in thai.text and "<html" not in thai.text  # the fragment only
        assert "/admin/directory/center/D9205" in thai.text and "/admin/directory/agency/DO-9205" in thai.text
        english = await client.get("/admin/directory", params={"q": "sikao", "kind": "agency"})
        assert "/admin/directory/agency/DO-9205" in english.text
        assert "/admin/directory/center/D9205" not in english.text  # agencies only
        by_code = await client.get("/admin/directory", params={"q": "PH-81"})
        assert "/admin/directory/agency/PH-81" in by_code.text
        # "Trang" is an area word of every Trang record: the search finds its district offices by it
        by_area = await client.get("/admin/directory", params={"q": "trang", "kind": "agency"})
        assert "/admin/directory/agency/DO-9201" in by_area.text
        everything = await client.get("/admin/directory")
        assert 'id="directory-more"' in everything.text  # 50 shown of some 2,000: narrow the search
        nothing = await client.get("/admin/directory", params={"q": "zzzz-no-such-office"})
        assert "ไม่พบข้อมูลที่ตรงกับคำค้น" in nothing.text


async def test_a_provincial_supervisor_sees_only_their_province_and_is_refused_another(web_stack):
    async with web_stack.signed_in("trang") as client:
        listed = (await client.get("/admin/directory")).text  # no query: the province's records
        codes = set(re.findall(r'href="/admin/directory/(?:center|agency)/([^"]+)"', listed))
        assert {"P92", "D9201", "D9210", "PH-92", "DO-9205"} <= codes
        with web_stack.sessions()() as s:
            provinces = {(s.get(Center, c) or s.get(Agency, c)).province_code for c in codes}
        assert provinces == {"92"}
        found = await client.get("/admin/directory", params={"q": "เมือง"})
        assert "/admin/directory/center/D9201" in found.text  # Mueang Trang
        assert "/admin/directory/center/D8101" not in found.text  # Mueang Krabi: another province
        assert "/admin/directory/agency/PH-81" not in (await client.get("/admin/directory", params={"q": "PH-81"})).text
        for path in ("/admin/directory/center/D8101", "/admin/directory/agency/PH-81", "/admin/directory/agency/ocpb"):
            r = await client.get(path)
            assert r.status_code == 403, path
            assert "ข้อมูลนี้อยู่นอกจังหวัดที่คุณดูแล" in r.text and "a province you do not keep" in r.text
        before = _changes(web_stack, "agency", "PH-81")
        r = await client.post(
            "/admin/directory/agency/PH-81",
            data={"email": "x@example.org", "reason": "try"},
            headers={"X-CSRF-Token": client.csrf},
        )
        assert r.status_code == 403
        assert _changes(web_stack, "agency", "PH-81") == before
        assert (await client.get("/admin/directory/center/D9205")).status_code == 200
        assert (await client.get("/admin/directory/feed")).status_code == 403  # loading a feed is nationwide


async def test_an_edit_needs_a_reason_then_holds_with_its_source_and_history_until_released(web_stack):
    with web_stack.sessions()() as s:
        seeded = s.get(Agency, EDITED).email
    async with web_stack.signed_in("trang") as client:  # Trang's supervisor keeps Trang's records
        csrf = {"X-CSRF-Token": client.csrf, **HX}
        before = _changes(web_stack, "agency", EDITED)
        refused = await client.post(
            f"/admin/directory/agency/{EDITED}",
            data={"email": "saraban@wangwiset.example", "reason": " "},
            headers=csrf,
        )
        assert refused.status_code == 422 and "ต้องระบุเหตุผล" in refused.text
        assert _changes(web_stack, "agency", EDITED) == before
        with web_stack.sessions()() as s:
            assert s.get(Agency, EDITED).email == seeded

        r = await client.post(
            f"/admin/directory/agency/{EDITED}",
            data={"email": "saraban@wangwiset.example", "reason": "หนังสือแจ้งเปลี่ยนอีเมลสารบรรณ"},
            headers=csrf,
        )
        assert r.status_code == 200, r.text
        assert "บันทึกการแก้ไขแล้ว" in r.text
        with web_stack.sessions()() as s:
            row = s.get(Agency, EDITED)
            assert row.email == "saraban@wangwiset.example" and row.sources["email"] == "admin"
            last = s.scalars(
                select(DirectoryChange)
                .where(DirectoryChange.record_code == EDITED)
                .order_by(DirectoryChange.id.desc())
                .limit(1)
            ).one()
            assert (last.actor, last.field, last.before, last.after, last.origin) == (
                "trang", "email", seeded, "saraban@wangwiset.example", "admin",
            )  # fmt: skip
            assert last.reason == "หนังสือแจ้งเปลี่ยนอีเมลสารบรรณ"
        page = await client.get(f"/admin/directory/agency/{EDITED}")
        assert "หนังสือแจ้งเปลี่ยนอีเมลสารบรรณ" in page.text  # the history shows why
        assert "source-admin" in page.text  # and the field's source

        bad = await client.post(
            f"/admin/directory/agency/{EDITED}", data={"areas": "[{not json", "reason": "x"}, headers=csrf
        )
        assert bad.status_code == 422 and "invalid JSON" in bad.text
        moved = await client.post(
            f"/admin/directory/agency/{EDITED}", data={"areas": '[{"province": "81"}]', "reason": "x"}, headers=csrf
        )
        assert moved.status_code == 403  # a provincial keeper cannot move a record out of the province
        reparented = await client.post(
            "/admin/directory/center/D9208", data={"parent": "P81", "reason": "x"}, headers=csrf
        )
        assert reparented.status_code == 403  # nor put a center of theirs under another province's

        english = await client.get(f"/admin/directory/agency/{EDITED}", cookies={"lang": "en"})
        assert "English name" in english.text and "Change history" in english.text

        released = await client.post(
            f"/admin/directory/agency/{EDITED}/release", data={"field": "email", "reason": "คืนค่าเดิม"}, headers=csrf
        )
        assert released.status_code == 200, released.text
        with web_stack.sessions()() as s:
            row = s.get(Agency, EDITED)
            assert row.email == seeded and (row.sources or {}).get("email", "seed") != "admin"


async def test_an_unknown_record_is_a_404_and_a_wrong_kind_a_422(web_stack):
    async with web_stack.signed_in("root") as client:
        assert (await client.get("/admin/directory/agency/NO-SUCH")).status_code == 404
        assert (await client.get("/admin/directory/person/D9205")).status_code == 422
