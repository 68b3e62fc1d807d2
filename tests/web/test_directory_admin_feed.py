"""Loading a directory feed at /admin/directory/feed (issue 13 §2, §4): only a nationwide administrator
may; an invalid feed shows its errors with their JSON paths and changes nothing; a valid one shows its
difference (here exactly one changed e-mail, from the directory's own export) and is applied only with
a reason, audited as the feed's; a value an administrator holds is listed as held and survives the
apply; a run already decided cannot be applied again. Records touched: Ratsada's and Hat Samran's
district offices (9209, 9210), which no other test of tests/web files cases with."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from db.directory_export import export_feed
from db.models import Agency, DirectoryChange, DirectorySyncRun

HX = {"HX-Request": "true"}


def _audit_rows(web_stack) -> int:
    with web_stack.sessions()() as s:
        return s.scalar(select(func.count()).select_from(DirectoryChange))


def _feed(web_stack, **emails: str) -> bytes:
    """The directory's own export with some agencies' e-mails changed (code=e-mail, '-' for '_')."""
    with web_stack.sessions()() as s:
        document = export_feed(s, with_connector_settings=True)
    wanted = {code.replace("_", "-"): email for code, email in emails.items()}
    for agency in document["agencies"]:
        if agency["code"] in wanted:
            agency["email"] = wanted[agency["code"]]
    return json.dumps(document, ensure_ascii=False).encode()


async def upload(client, body: bytes, name: str = "directory.json"):
    return await client.post(
        "/admin/directory/feed",
        files={"feed": (name, body, "application/json")},
        headers={"X-CSRF-Token": client.csrf, **HX},
    )


async def test_only_a_nationwide_administrator_loads_a_feed(web_stack):
    for username in ("trang", "sikao"):
        async with web_stack.signed_in(username) as client:
            assert (await client.get("/admin/directory/feed")).status_code == 403
            assert (await upload(client, b"{}")).status_code == 403


async def test_an_invalid_feed_shows_its_errors_and_changes_nothing(web_stack):
    before = _audit_rows(web_stack)
    bad = {"format": "damrongdham-directory", "version": 1, "centers": [{"code": "P92", "level": "planet"}]}
    async with web_stack.signed_in("root") as client:
        r = await upload(client, json.dumps(bad).encode())
        assert r.status_code == 422
        assert "The feed is invalid; nothing was changed" in r.text and "ไม่มีการเปลี่ยนแปลงใด ๆ" in r.text
        assert "$.centers[0]" in r.text  # each error names its JSON path
        r = await upload(client, b"{not json")
        assert r.status_code == 422 and "not a JSON document" in r.text
        r = await client.post("/admin/directory/feed", data={}, headers={"X-CSRF-Token": client.csrf, **HX})
        assert r.status_code == 422 and "Choose a file" in r.text
    assert _audit_rows(web_stack) == before
    with web_stack.sessions()() as s:
        assert (
            s.scalar(select(func.count()).select_from(DirectorySyncRun).where(DirectorySyncRun.status == "pending"))
            == 0
        )


async def test_a_feed_is_reviewed_then_applied_with_a_reason_and_an_administrators_value_holds(web_stack):
    async with web_stack.signed_in("root") as client:
        csrf = {"X-CSRF-Token": client.csrf, **HX}
        held = await client.post(
            "/admin/directory/agency/DO-9210",
            data={"email": "saraban@hatsamran.example", "reason": "ยืนยันทางโทรศัพท์"},
            headers=csrf,
        )
        assert held.status_code == 200, held.text
        body = _feed(web_stack, DO_9209="saraban@ratsada.example", DO_9210="old@hatsamran.example")

        r = await upload(client, body)
        assert r.status_code == 200, r.text
        assert re.search(r'id="count-changed">[^<]*\b1<', r.text), "exactly one change"
        assert re.search(r'id="count-added">[^<]*\b0<', r.text) and re.search(
            r'id="count-deactivated">[^<]*\b0<', r.text
        )
        changed = re.search(r'<table class="tasks" id="feed-changed">(.*?)</table>', r.text, re.S).group(1)
        assert "DO-9209" in changed and "saraban@ratsada.example" in changed and "DO-9210" not in changed
        assert "DO-9210" in re.search(r'id="feed-held">(.*?)</ul>', r.text, re.S).group(1)
        run_id = int(re.search(r"/admin/directory/feed/(\d+)/apply", r.text).group(1))
        with web_stack.sessions()() as s:
            assert s.get(Agency, "DO-9209").email != "saraban@ratsada.example"  # reviewing changed nothing

        no_reason = await client.post(f"/admin/directory/feed/{run_id}/apply", data={"reason": ""}, headers=csrf)
        assert no_reason.status_code == 422 and "A reason is required" in no_reason.text
        applied = await client.post(
            f"/admin/directory/feed/{run_id}/apply", data={"reason": "ทำเนียบประจำเดือนจากส่วนกลาง"}, headers=csrf
        )
        assert applied.status_code == 200 and "นำข้อมูลไปใช้แล้ว" in applied.text, applied.text
        with web_stack.sessions()() as s:
            ratsada, hat_samran = s.get(Agency, "DO-9209"), s.get(Agency, "DO-9210")
            assert ratsada.email == "saraban@ratsada.example" and ratsada.sources["email"] == "feed"
            assert hat_samran.email == "saraban@hatsamran.example" and hat_samran.sources["email"] == "admin"
            audit = s.scalars(
                select(DirectoryChange).where(
                    DirectoryChange.record_code == "DO-9209", DirectoryChange.field == "email"
                )
            ).one()
            assert (audit.origin, audit.actor, audit.reason, audit.after) == (
                "feed", "root", "ทำเนียบประจำเดือนจากส่วนกลาง", "saraban@ratsada.example",
            )  # fmt: skip
            assert s.get(DirectorySyncRun, run_id).status == "applied"
        again = await client.post(f"/admin/directory/feed/{run_id}/apply", data={"reason": "อีกครั้ง"}, headers=csrf)
        assert again.status_code == 409
        page = await client.get("/admin/directory/agency/DO-9209")
        assert "ทำเนียบประจำเดือนจากส่วนกลาง" in page.text and "source-feed" in page.text


async def test_a_reviewed_feed_can_be_dismissed_and_changes_nothing(web_stack):
    async with web_stack.signed_in("root") as client:
        csrf = {"X-CSRF-Token": client.csrf, **HX}
        r = await upload(client, _feed(web_stack, DO_9209="never@ratsada.example"))
        run_id = int(re.search(r"/admin/directory/feed/(\d+)/apply", r.text).group(1))
        before = _audit_rows(web_stack)
        r = await client.post(f"/admin/directory/feed/{run_id}/dismiss", data={"reason": "ผิดไฟล์"}, headers=csrf)
        assert r.status_code == 200, r.text
    assert _audit_rows(web_stack) == before
    with web_stack.sessions()() as s:
        assert s.get(Agency, "DO-9209").email != "never@ratsada.example"
        assert s.get(DirectorySyncRun, run_id).status == "dismissed"


async def test_a_scheduled_check_that_failed_shows_its_errors(web_stack):
    from db import directory_runs

    with web_stack.sessions().begin() as s:
        run = directory_runs.record_run(
            s, "https://directory.example/feed.json", directory_runs.FAILED, errors=["$.agencies[3].email: bad"]
        )
        run_id = run.id
    async with web_stack.signed_in("root") as client:
        page = await client.get("/admin/directory/feed")
        assert f'href="/admin/directory/feed?run={run_id}"' in page.text  # listed among the recent checks
        shown = await client.get("/admin/directory/feed", params={"run": run_id})
        assert "$.agencies[3].email: bad" in shown.text and 'id="feed-apply"' not in shown.text
