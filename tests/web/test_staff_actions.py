"""Officers' and supervisors' actions through the live app and a real worker: a refusal from the
workflow comes back next to the action it refused; internal notes never reach the citizen; claiming is
for oneself, a supervisor assigns and bulk-assigns (one update per case) only to someone who can see
the case; escalation climbs to the ministry and stops there; a question left for an officer is answered
from its page once, and a second answer is refused; the admin page adds users, resets passwords and
deactivates accounts, and is closed to everyone else."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Case, CaseEvent, OutboxMessage
from tests.web.conftest import PASSWORD
from workflows import contracts as c


def hx(client) -> dict[str, str]:
    return {"X-CSRF-Token": client.csrf, "HX-Request": "true"}


async def triage_case(web_stack, text: str = "ขอความช่วยเหลือ เรื่องทั่วไป", **kw) -> str:
    number = await web_stack.file(text, **kw)
    await web_stack.wait_case(number, lambda row: row.status == c.TRIAGE)
    return number


async def test_a_refused_action_shows_its_reason_next_to_the_action(web_stack):
    number = await triage_case(web_stack)
    async with web_stack.signed_in("sikao") as client:
        refused = await client.post(f"/cases/{number}/actions/resolve", data={"result": "เสร็จแล้ว"}, headers=hx(client))
        assert refused.status_code == 409
        assert refused.headers["HX-Retarget"] == "#refusal-resolve" and "resolve" in refused.text
        empty = await client.post(f"/cases/{number}/actions/reject", data={"reason": "  "}, headers=hx(client))
        assert empty.status_code == 422 and empty.headers["HX-Retarget"] == "#refusal-reject"
        bad_code = await client.post(
            f"/cases/{number}/actions/triage", data={"category": "no-such"}, headers=hx(client)
        )
        assert bad_code.status_code == 422 and "no-such" in bad_code.text
        plain = await client.post(
            f"/cases/{number}/actions/resolve", data={"result": "เสร็จแล้ว", "csrf_token": client.csrf}
        )
        assert plain.status_code == 409 and 'id="refusal-resolve"' in plain.text and "<html" in plain.text
    assert (await web_stack.gateway.status(number)).status == c.TRIAGE


async def test_internal_notes_never_reach_the_citizen(web_stack):
    number = await triage_case(web_stack)
    async with web_stack.signed_in("sikao") as client:
        r = await client.post(
            f"/cases/{number}/actions/note", headers=hx(client), data={"text": "ผู้ร้องรายนี้ร้องซ้ำบ่อย", "officer": "mallory"}
        )  # ignored
        assert r.status_code == 200 and "ผู้ร้องรายนี้ร้องซ้ำบ่อย" in r.text
        r = await client.post(f"/cases/{number}/actions/reply", data={"text": "ได้รับเรื่องแล้วครับ"}, headers=hx(client))
        assert r.status_code == 200
    with web_stack.sessions()() as s:
        note = s.scalar(select(CaseEvent).where(CaseEvent.tracking_number == number, CaseEvent.kind == "note"))
        assert note.public is False and note.actor == "sikao"
        texts = [m.text_th for m in s.scalars(select(OutboxMessage).where(OutboxMessage.tracking_number == number))]
    assert any("ได้รับเรื่องแล้วครับ" in t for t in texts)
    assert not any("ร้องซ้ำบ่อย" in t for t in texts)


async def test_claiming_assigning_and_bulk_assigning(web_stack):
    mine, other, kantangs = (
        await triage_case(web_stack),
        await triage_case(web_stack),
        await triage_case(web_stack, province_code="92", district_code="9202"),
    )
    async with web_stack.signed_in("sikao") as officer:
        claimed = await officer.post("/inbox/assign", data={"numbers": mine, "assignee": "me"}, headers=hx(officer))
        assert claimed.status_code == 200
        for_someone = await officer.post(
            "/inbox/assign", data={"numbers": other, "assignee": "trang"}, headers=hx(officer)
        )
        assert for_someone.status_code == 409 and "claim" in for_someone.text
        again = await officer.post("/inbox/assign", data={"numbers": mine, "assignee": "me"}, headers=hx(officer))
        assert again.status_code == 409  # the workflow refuses a no-op
        mine_only = (await officer.get("/inbox?holder=mine")).text
        assert mine in mine_only and other not in mine_only and "<html" in mine_only
        fragment = (await officer.get("/inbox?holder=mine", headers={"HX-Request": "true"})).text
        assert fragment.lstrip().startswith("<section") and mine in fragment and "<html" not in fragment
    async with web_stack.signed_in("trang") as supervisor:
        bulk = await supervisor.post(
            "/inbox/assign", data={"numbers": [mine, other, kantangs], "assignee": "kantang"}, headers=hx(supervisor)
        )
        assert bulk.status_code == 200
        # kantang (D9202) cannot see Sikao's cases: those two are refused, the Kantang one is assigned
        assert f"{mine}:" in bulk.text and f"{other}:" in bulk.text and f"{kantangs}:" not in bulk.text
        bulk = await supervisor.post(
            "/inbox/assign", data={"numbers": [mine, other], "assignee": "sikao"}, headers=hx(supervisor)
        )
        assert bulk.status_code == 200
    with web_stack.sessions()() as s:
        holders = {n: s.get(Case, n).assignee for n in (mine, other, kantangs)}
    assert holders == {mine: "sikao", other: "sikao", kantangs: "kantang"}
    assert (await web_stack.gateway.status(kantangs)).tasks[0].kind == c.TASK_TRIAGE


async def test_escalation_climbs_to_the_ministry_and_stops(web_stack):
    number = await triage_case(web_stack)
    async with web_stack.signed_in("trang") as client:
        first = await client.post(f"/cases/{number}/actions/escalate", data={"reason": "ล่าช้า"}, headers=hx(client))
        second = await client.post(f"/cases/{number}/actions/escalate", data={"reason": "ยังล่าช้า"}, headers=hx(client))
        third = await client.post(f"/cases/{number}/actions/escalate", data={"reason": "อีกครั้ง"}, headers=hx(client))
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 409)
    assert (await web_stack.gateway.status(number)).escalated_to == "MOI"
    with web_stack.sessions()() as s:
        escalations = s.scalars(
            select(CaseEvent).where(CaseEvent.tracking_number == number, CaseEvent.kind == "escalated")
        ).all()
    assert [(e.actor, e.data["to"], e.public) for e in escalations] == [
        ("trang", "P92", False),
        ("trang", "MOI", False),
    ]


async def test_a_left_question_is_answered_once_from_its_page(web_stack):
    qid = f"web-q-{await triage_case(web_stack)}"
    await web_stack.gateway.ask_question(
        c.QuestionInput(
            question_id=qid, text="ต่อใบขับขี่ที่ไหนได้บ้าง", asked_at="2026-11-23T08:00:00+00:00", center_code="D9205"
        )
    )
    await web_stack.wait_question(qid)
    async with web_stack.signed_in("sikao") as client:
        inbox = (await client.get("/inbox?kind=answer_question")).text
        assert f'href="/questions/{qid}"' in inbox
        page = await client.get(f"/questions/{qid}")
        assert page.status_code == 200 and "ต่อใบขับขี่" in page.text
        answered = await client.post(
            f"/questions/{qid}/answer", data={"text": "ที่สำนักงานขนส่งจังหวัดตรัง"}, headers=hx(client)
        )
        assert answered.status_code == 200
        row = await web_stack.wait_question(qid, "answered")
        assert row.answered_by == "sikao"
        again = await client.post(f"/questions/{qid}/answer", data={"text": "ซ้ำ"}, headers=hx(client))
        assert again.status_code == 409 and again.headers["HX-Retarget"] == "#refusal-answer"
        assert f'href="/questions/{qid}"' not in (await client.get("/inbox?kind=answer_question")).text
    async with web_stack.signed_in("krabi") as outsider:
        assert (await outsider.get(f"/questions/{qid}")).status_code == 404


async def test_admin_adds_users_resets_passwords_and_deactivates(web_stack):
    async with web_stack.signed_in("sikao") as officer:
        assert (await officer.get("/admin/users")).status_code == 403
        assert (
            await officer.post(
                "/admin/users",
                headers=hx(officer),
                data={
                    "username": "sneaky",
                    "display_name": "x",
                    "role": "admin",
                    "center_code": "MOI",
                    "password": PASSWORD,
                },
            )
        ).status_code == 403
    async with web_stack.signed_in("root") as admin:
        added = await admin.post(
            "/admin/users",
            headers=hx(admin),
            data={
                "username": "New.Officer",
                "display_name": "เจ้าหน้าที่ใหม่",
                "role": "officer",
                "center_code": "d9202",
                "password": "first-password-1",
            },
        )
        assert added.status_code == 200 and "new.officer" in added.text
        short = await admin.post("/admin/users/new.officer/password", data={"password": "short"}, headers=hx(admin))
        assert short.status_code == 422
        reset = await admin.post(
            "/admin/users/new.officer/password", data={"password": "second-password-2"}, headers=hx(admin)
        )
        assert reset.status_code == 200
    async with web_stack.signed_in("new.officer", "second-password-2") as newcomer:
        assert (await newcomer.get("/inbox")).status_code == 200
        async with web_stack.signed_in("root") as admin:
            off = await admin.post(
                "/admin/users/new.officer",
                headers=hx(admin),
                data={"display_name": "เจ้าหน้าที่ใหม่", "role": "officer", "center_code": "D9202"},
            )
            assert off.status_code == 200
        assert (await newcomer.get("/inbox")).status_code == 303  # signed out at once


async def test_photos_clocks_transfer_and_information_requests_from_the_case_page(web_stack):
    from db.photos import store_photo

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    ref = store_photo(web_stack.var_dir / "uploads", "หลุม.png", png, 5 * 1024 * 1024)
    number = await triage_case(web_stack, "ขอความช่วยเหลือ มีรูป", attachments=[ref])
    async with web_stack.signed_in("sikao") as client:
        page = (await client.get(f"/cases/{number}")).text
        assert f"/cases/{number}/photos/{ref.sha256}" in page
        photo = await client.get(f"/cases/{number}/photos/{ref.sha256}")
        assert photo.status_code == 200 and photo.content == png and photo.headers["content-type"] == "image/png"
        assert photo.headers["x-content-type-options"] == "nosniff"

        before = (await web_stack.gateway.status(number)).clocks
        statutory = next(k for k in before if k.name == c.STATUTORY)
        r = await client.post(
            f"/cases/{number}/actions/change_clock",
            headers=hx(client),
            data={"clock": c.STATUTORY, "action": "extend", "days": "3", "reason": "รอผลตรวจ"},
        )
        assert r.status_code == 200 and "รอผลตรวจ" in r.text
        after = next(k for k in (await web_stack.gateway.status(number)).clocks if k.name == c.STATUTORY)
        assert after.due_at > statutory.due_at
        r = await client.post(
            f"/cases/{number}/actions/change_clock",
            headers=hx(client),
            data={"clock": c.SCREENING, "action": "pause", "reason": "รอเอกสาร"},
        )
        assert r.status_code == 200 and 'data-clock="screening" data-state="paused"' in r.text
        r = await client.post(
            f"/cases/{number}/actions/change_clock",
            headers=hx(client),
            data={"clock": c.SCREENING, "action": "extend", "business_days": "x", "reason": "รอ"},
        )
        assert r.status_code == 422 and r.headers["HX-Retarget"] == "#refusal-change_clock"

        r = await client.post(
            f"/cases/{number}/actions/request_info", headers=hx(client), data={"question": "ขอรูปเพิ่มเติม"}
        )
        assert r.status_code == 200 and 'data-status="NEEDS_INFO"' in r.text
        r = await client.post(
            f"/cases/{number}/actions/transfer",
            headers=hx(client),
            data={"center_code": "D8101", "reason": "เหตุเกิดที่กระบี่"},
        )
        assert r.status_code == 200
    assert (await web_stack.gateway.status(number)).center_code == "D8101"
    async with web_stack.signed_in("krabi") as krabi:
        assert (await krabi.get(f"/cases/{number}")).status_code == 200


async def test_the_triage_form_finds_agencies_by_thai_or_english_name(web_stack):
    async with web_stack.signed_in("sikao") as client:
        thai = await client.get(
            "/directory/agencies", params={"agency_code": "องค์การบริหารส่วนจังหวัดตรัง"}, headers={"HX-Request": "true"}
        )
        english = await client.get(
            "/directory/agencies", params={"q": "Trang Provincial Administrative"}, headers={"HX-Request": "true"}
        )
    assert thai.status_code == 200 and 'value="PAO-92"' in thai.text
    assert 'value="PAO-92"' in english.text
