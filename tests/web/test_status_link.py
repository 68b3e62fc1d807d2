"""The signed status link an agency without an account gets with the forwarding letter, through the
live app and a real worker on the dev server: the letter (page and PDF) carries the link and its QR
code, the same link on every reprint; the agency opens it with no sign-in, accepts the case and posts
the result with a photo, and each post reaches the workflow as an `agency_event` (the case goes
IN_PROGRESS, then RESOLVED, with the agency as the actor and the photo attached), every use logged.
A link works for its one case only (another case's address is a 403, a forged token a 404), an
expired or revoked one is a 410, an officer revokes and reissues it from the case page, and a token
never reaches the access log."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime, timedelta

import httpx
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from api.access_log import redact
from db import status_links
from db.models import Attachment, CaseEvent
from tests.web.conftest import SECRET, shot
from workflows import contracts as c

URL = re.compile(r'id="status-url">([^<]+)<')


def hx(client) -> dict[str, str]:
    return {"X-CSRF-Token": client.csrf, "HX-Request": "true"}


async def forwarded_case(web_stack, client, text: str = "ขอความช่วยเหลือ ทางเดินในหมู่บ้านพัง") -> str:
    """A case screened to an unlinked office and forwarded by letter, as an officer does it."""
    number = await web_stack.file(text)
    await web_stack.wait_case(number, lambda row: row.status == c.TRIAGE)
    r = await client.post(f"/cases/{number}/actions/triage", headers=hx(client), data={"category": "infrastructure"})
    assert r.status_code == 200, r.text
    for _ in range(100):
        view = await web_stack.gateway.status(number)
        if any(t.kind == c.TASK_FORWARD_LETTER for t in view.tasks):
            break
        await asyncio.sleep(0.1)
    r = await client.post(
        f"/cases/{number}/actions/forward",
        headers=hx(client),
        data={"reference": "0017.1/55", "sent_on": "2026-12-01", "method": "letter"},
    )
    assert r.status_code == 200, r.text
    await web_stack.wait_case(number, lambda row: row.status == c.FORWARDED)
    return number


def agency() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=False, timeout=30)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 160, 90)).save(out, "PNG")
    return out.getvalue()


async def test_an_agency_accepts_and_resolves_a_case_through_its_status_link(web_stack):
    async with web_stack.signed_in("sikao") as officer:
        number = await forwarded_case(web_stack, officer)
        page = (await officer.get(f"/cases/{number}/letter")).text
        url = URL.search(page).group(1)
        assert url.startswith(f"{web_stack.base_url}/agency-link/{number}/") and 'alt="QR code"' in page
        assert "ที่ ตง 0017.1/55" in page  # Sikao is in Trang: its own prefix, not มท
        assert URL.search((await officer.get(f"/cases/{number}/letter")).text).group(1) == url  # a reprint
        pdf = await officer.get(f"/cases/{number}/letter.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
        assert url in text and "ที่ ตง 0017.1/55" in text and "1 ธันวาคม 2569" in text

    async with agency() as a:
        opened = await a.get(url)
        assert opened.status_code == 200 and number in opened.text and 'id="link-acknowledged"' in opened.text
        assert opened.headers["referrer-policy"] == "no-referrer"
        form = re.search(r'name="event_id" value="([^"]+)-acknowledged"', opened.text).group(1)
        accepted = await a.post(
            url, data={"kind": "acknowledged", "event_id": f"{form}-acknowledged", "note": "รับเรื่องแล้ว"}
        )
        assert accepted.status_code == 303
        again = await a.post(
            url, data={"kind": "acknowledged", "event_id": f"{form}-acknowledged", "note": "รับเรื่องแล้ว"}
        )
        assert again.status_code == 409  # now IN_PROGRESS: nothing to accept twice
        await web_stack.wait_case(number, lambda row: row.status == c.IN_PROGRESS)

        refused = await a.post(url, data={"kind": "resolved", "note": "  "})
        assert refused.status_code == 422 and "result" in refused.text
        not_a_photo = await a.post(
            url, data={"kind": "progress", "note": "x"}, files={"file": ("x.png", b"<svg></svg>", "image/png")}
        )
        assert not_a_photo.status_code == 422 and "x.png" in not_a_photo.text
        photo = png()
        done = await a.post(
            url,
            data={"kind": "resolved", "note": "ซ่อมทางเดินเรียบร้อยแล้ว"},
            files={"file": ("เสร็จ.png", photo, "image/png")},
        )
        assert done.status_code == 303
    row = await web_stack.wait_case(number, lambda row: row.status == c.RESOLVED)
    assert row.status == c.RESOLVED and (await web_stack.gateway.status(number)).status == c.RESOLVED
    with web_stack.sessions()() as s:
        resolved = s.scalars(
            select(CaseEvent).where(CaseEvent.tracking_number == number, CaseEvent.kind == "resolved")
        ).one()
        assert resolved.actor.startswith("agency:") and resolved.note == "ซ่อมทางเดินเรียบร้อยแล้ว"
        attached = s.scalars(select(Attachment).where(Attachment.tracking_number == number)).all()
        assert [(x.filename, x.content_type, x.size) for x in attached] == [("เสร็จ.png", "image/png", len(photo))]
        uses = [u.action for u in reversed(status_links.uses(s, number))]
    assert uses == ["opened", "acknowledged", "resolved"]


async def test_a_link_opens_its_own_case_only_and_not_once_revoked_or_expired(web_stack):
    async with web_stack.signed_in("sikao") as officer:
        first = await forwarded_case(web_stack, officer, "ขอความช่วยเหลือ ท่อระบายน้ำอุดตัน")
        other = await forwarded_case(web_stack, officer, "ขอความช่วยเหลือ ไฟส่องทางดับ")
        url = URL.search((await officer.get(f"/cases/{first}/letter")).text).group(1)
        token = url.rsplit("/", 1)[1]
        async with agency() as a:
            wrong_case = await a.get(url.replace(f"/{first}/", f"/{other}/"))
            assert wrong_case.status_code == 403 and "another case" in wrong_case.text
            assert (
                await a.post(url.replace(f"/{first}/", f"/{other}/"), data={"kind": "progress", "note": "x"})
            ).status_code == 403
            forged = await a.get(url[:-4] + ("0000" if not url.endswith("0000") else "1111"))
            assert forged.status_code == 404 and "not valid" in forged.text
            assert (await a.get(url)).status_code == 200

            revoke = await officer.post(f"/cases/{first}/status-link/revoke", data={"csrf_token": officer.csrf})
            assert revoke.status_code == 303
            gone = await a.get(url)
            assert gone.status_code == 410 and "revoked" in gone.text and "ยกเลิก" in gone.text
            assert (await a.post(url, data={"kind": "progress", "note": "x"})).status_code == 410

            reissue = await officer.post(f"/cases/{first}/status-link/reissue", data={"csrf_token": officer.csrf})
            assert reissue.status_code == 303
            page = (await officer.get(f"/cases/{first}")).text
            assert 'id="status-link"' in page
            new_url = URL.search((await officer.get(f"/cases/{first}/letter")).text).group(1)
            assert new_url != url and (await a.get(new_url)).status_code == 200
            assert (await a.get(url)).status_code == 410

            # A link issued 91 days ago for 90 days: genuine, but expired.
            with web_stack.sessions()() as s:
                case = s.get(status_links.StatusLink, new_url.rsplit("/", 1)[1].split(".")[0])
                old = status_links.issue(
                    s, SECRET, other, case.agency_code, "test", datetime.now(UTC) - timedelta(days=91), days=90
                )
                s.commit()
            expired = await a.get(f"{web_stack.base_url}/agency-link/{other}/{old.token}")
            assert expired.status_code == 410 and "expired" in expired.text and "หมดอายุ" in expired.text
    async with web_stack.signed_in("krabi") as outsider:  # another province's officer: not their case
        r = await outsider.post(f"/cases/{first}/status-link/revoke", data={"csrf_token": outsider.csrf})
        assert r.status_code == 404
    assert token not in redact(url.removeprefix(web_stack.base_url))


async def test_an_agency_officer_posts_progress_from_a_phone_that_scanned_the_qr_code(web_stack, browser):
    async with web_stack.signed_in("sikao") as officer:
        number = await forwarded_case(web_stack, officer, "ขอความช่วยเหลือ ต้นไม้ล้มขวางทางในซอย")
        url = URL.search((await officer.get(f"/cases/{number}/letter")).text).group(1)
    context = await browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844})
    try:
        page = await context.new_page()
        errors = []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        await page.goto(url)
        assert (await page.locator("#link-case").inner_text()) == number
        await page.fill("#link-progress textarea[name=note]", "กำลังตัดต้นไม้ออก")
        await page.click("#link-progress button[type=submit]")
        await page.locator("#link-done").wait_for()
        # The page answers from the workflow's own status: accepted now, so nothing left to accept.
        assert await page.locator("#link-status").get_attribute("data-status") == c.IN_PROGRESS
        assert await page.locator("#link-acknowledged").count() == 0
        await shot(page, "agency-link-progress")
        assert errors == []
    finally:
        await context.close()
    await web_stack.wait_case(number, lambda row: row.status == c.IN_PROGRESS)
    with web_stack.sessions()() as s:
        notes = [e.note for e in s.scalars(select(CaseEvent).where(CaseEvent.tracking_number == number))]
    assert "กำลังตัดต้นไม้ออก" in notes
