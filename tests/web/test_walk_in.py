"""Filing for a citizen at the counter, by the 1567 hotline, by letter or by e-mail (issue 14 part 4):
the officer's form files through the front desk like every other door, the dispatcher starts the same
workflow, the case page shows the channel and the consent, and the receipt carries the number, the PIN
(once), the date in the Buddhist era, the center's contacts and a QR code to the tracking page without
the PIN. A double submit is one case; an officer cannot file for another center; bad input is refused
in Thai and English with nothing written."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape as html_unescape

import pytest
import segno
from PIL import Image
from sqlalchemy import func, select

from db.models import Center, Filing, PersonalData, StaffIntake, Task
from db.session import filings_url, make_engine, make_sessions
from intake.dispatcher import FilingDispatcher
from tests.test_pii_in_temporal import assert_nothing_personal
from tests.web.conftest import shot, sign_in
from workflows.domain import calendar

PATH = "/inbox/file-for-citizen"
PHONE = "0812223344"
FORM = {
    "channel": "counter",
    "text": "ไฟฟ้าส่องสว่างหน้าโรงเรียนบ้านบ่อหินดับมาสองสัปดาห์ เด็กเดินกลับบ้านมืดมาก",
    "name": "สมหญิง รักดี",
    "phone": PHONE,
    "consent": "1",
    "consent_given_by": "citizen",
    "consent_method": "signed_form",
    "province": "92",
    "district": "9205",
    "subdistrict": "บ่อหิน",
    "center": "D9205",
}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def form_token(client) -> str:
    page = await client.get(PATH)
    assert page.status_code == 200, page.text
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


async def post(client, token: str, photos: bool = True, **changes):
    data = {**FORM, **changes, "form_token": token, "csrf_token": client.csrf}
    data = {k: v for k, v in data.items() if v is not None}
    files = [("photos", ("scan.png", png(), "image/png"))] if photos else None
    if files is None:  # still multipart, as the browser's form sends it
        files = [("photos", ("", b"", "application/octet-stream"))]
    return await client.post(PATH, data=data, files=files)


def receipt_of(html: str) -> tuple[str, str | None]:
    number = re.search(r'id="receipt-number">([^<]+)<', html).group(1)
    pin = re.search(r'id="receipt-pin">(\d{6})<', html)
    return number, pin.group(1) if pin else None


async def dispatch(web_stack) -> None:
    """Start the queued filings' workflows, as the dispatcher process does (the test app runs none)."""
    queue = make_sessions(make_engine(filings_url(web_stack.database_url)))
    runner = FilingDispatcher(queue, web_stack.gateway, read_model=web_stack.sessions())
    for _ in range(20):
        if await runner.dispatch_once() == 0:
            return


def filings_count(web_stack) -> int:
    with make_sessions(make_engine(filings_url(web_stack.database_url)))() as s:
        return s.scalar(select(func.count()).select_from(Filing))


async def test_a_walk_in_is_filed_routed_and_shows_its_channel_and_consent(web_stack, dev_env):
    async with web_stack.signed_in("sikao") as client:
        filed = await post(client, await form_token(client), category="infrastructure")
        assert filed.status_code == 201, filed.text
        number, pin = receipt_of(filed.text)
        assert pin is not None and "Roads" in filed.text  # the category, on the receipt too

        await dispatch(web_stack)
        case = await web_stack.wait_case(number, lambda c: c.routed_at is not None)
        assert (case.channel, case.center_code, case.subdistrict_code) == ("counter", "D9205", "920501")
        assert case.agency_code == "LG-920501"  # routed as any door's case: the tambon's local government
        with web_stack.sessions()() as s:
            tasks = s.scalars(select(Task.kind).where(Task.tracking_number == number, Task.state == "open")).all()
            assert tasks, "the routed case waits on no officer's task"
            consent = s.get(StaffIntake, number)
            assert (consent.given_by, consent.method, consent.recorded_by, consent.recorded_center) == (
                "citizen",
                "signed_form",
                "sikao",
                "D9205",
            )
            assert s.get(PersonalData, number).phone == PHONE

        page = await client.get(f"/cases/{number}")
        assert page.status_code == 200
        assert 'data-channel="counter"' in page.text and "เคาน์เตอร์" in page.text
        consent_line = re.search(r'id="case-consent">(.*?)</dd>', page.text, re.S).group(1)
        assert "ผู้ร้องเอง" in consent_line and "ลงนามในแบบฟอร์ม" in consent_line and "sikao" in consent_line
        assert f"/cases/{number}/photos/" in page.text  # the scanned page came with the case

    # The PIN on the receipt is the case's PIN, and the history holds no phone or name.
    async with web_stack.client() as citizen:
        tracked = await citizen.post(f"/api/complaints/{number}/track", json={"pin": pin})
        assert tracked.status_code == 200, tracked.text
        assert tracked.json()["tracking_number"] == number
    await assert_nothing_personal(dev_env.client, number, PHONE, FORM["name"])


@pytest.fixture
def trang_on_line(web_stack):
    """Trang's provincial center has a LINE account and a phone (Sikao's district center has neither)."""
    with web_stack.sessions().begin() as s:
        p92 = s.get(Center, "P92")
        before = (p92.line_official_account, p92.phone)
        p92.line_official_account, p92.phone = "@damrongdham-trang", "075 218 000"
    yield
    with web_stack.sessions().begin() as s:
        p92 = s.get(Center, "P92")
        p92.line_official_account, p92.phone = before


async def test_the_receipt_says_what_the_citizen_needs_and_a_reprint_has_no_pin(web_stack, trang_on_line):
    with web_stack.sessions()() as s:
        center = s.get(Center, "D9205")
        name_th, name_en = center.name_th, center.name_en
        assert center.line_official_account is None
    async with web_stack.signed_in("sikao") as client:
        filed = await post(client, await form_token(client), channel="1567", photos=False)
        assert filed.status_code == 201, filed.text
        html = filed.text
        number, pin = receipt_of(html)
        assert pin and name_th in html and name_en in html
        assert filed.headers["cache-control"] == "no-store"
        assert "สายด่วน 1567" in html and "1567 hotline" in html  # the channel
        assert re.search(r"<strong>1567</strong>", html)  # how to track: the hotline
        assert "@damrongdham-trang" in re.search(r'id="receipt-line">(.*?)</li>', html).group(1)  # the province's
        assert "075 218 000" not in html  # the phone printed is the receiving center's own, and it has none
        be_year = str(calendar.buddhist_year(date.today()))
        assert be_year in re.search(r'id="receipt-date">([^<]+)<', html).group(1)
        url = re.search(r'id="receipt-url">([^<]+)<', html).group(1)
        assert url.endswith(f"/chat?track={number}") and pin not in url
        qr = re.search(r'<img src="([^"]+)" alt="[^"]*" id="receipt-qr"', html).group(1)
        assert html_unescape(qr) == segno.make(url, error="m").svg_data_uri(scale=4, border=2)  # it encodes the URL
        assert "size: A5" in html and "Sarabun" in html

        await dispatch(web_stack)
        await web_stack.wait_case(number, lambda c: True)
        reprint = await client.get(f"/cases/{number}/receipt?paper=a4")
        assert reprint.status_code == 200
        assert receipt_of(reprint.text) == (number, None) and 'id="receipt-no-pin"' in reprint.text
        assert pin not in reprint.text and "size: A4" in reprint.text
        assert "frame-ancestors 'none'" in reprint.headers["content-security-policy"]

    async with web_stack.signed_in("krabi") as other:  # another center's officer: no such case
        assert (await other.get(f"/cases/{number}/receipt")).status_code == 404


async def test_a_double_submit_files_one_case_with_the_same_receipt(web_stack):
    async with web_stack.signed_in("sikao") as client:
        token = await form_token(client)
        before = filings_count(web_stack)
        first = await post(client, token)
        again = await post(client, token)
        assert (first.status_code, again.status_code) == (201, 200)
        assert receipt_of(first.text) == receipt_of(again.text)
        assert filings_count(web_stack) == before + 1

        # The same form sent with another complaint is refused, not folded into the first one.
        other = await post(client, token, text="อีกเรื่องหนึ่ง ถนนเป็นหลุม")
        assert other.status_code == 422 and "already filed another complaint" in other.text
        assert filings_count(web_stack) == before + 1
        fresh = re.search(r'name="form_token" value="([^"]+)"', other.text).group(1)
        assert fresh != token  # the form comes back with a new token: submitting it files the new complaint
        second = await post(client, fresh, text="อีกเรื่องหนึ่ง ถนนเป็นหลุม")
        assert second.status_code == 201 and receipt_of(second.text)[0] != receipt_of(first.text)[0]
        assert filings_count(web_stack) == before + 2


async def test_officers_file_for_their_own_center_and_supervisors_for_their_province(web_stack):
    async with web_stack.signed_in("krabi") as krabi:
        before = filings_count(web_stack)
        refused = await post(krabi, await form_token(krabi))  # Krabi's officer, for Sikao's center
        assert refused.status_code == 403 and "D9205" in refused.text and " / " in refused.text
    async with web_stack.signed_in("kantang") as kantang:  # same province, still another center
        assert (await post(kantang, await form_token(kantang))).status_code == 403
    async with web_stack.signed_in("trang") as trang:  # Trang's supervisor oversees Sikao
        assert (await post(trang, await form_token(trang))).status_code == 201
        outside = await post(trang, await form_token(trang), center="D8101")
        assert outside.status_code == 403
    assert filings_count(web_stack) == before + 1


async def test_bad_input_is_refused_in_both_languages_and_nothing_is_written(web_stack):
    async with web_stack.signed_in("sikao") as client:
        token = await form_token(client)
        before = filings_count(web_stack)
        cases = [
            (dict(consent=None), "ความยินยอม"),
            (dict(channel="fax"), "channel"),
            (dict(text=""), "text"),
            (dict(subdistrict="ไม่มีตำบลนี้แน่นอน"), "sub-district"),
            (dict(phone="12345"), "phone"),
            (dict(national_id="1103700012345"), "check digit"),
            (dict(category="no-such-category"), "category"),
        ]
        for change, word in cases:
            r = await post(client, token, **change)
            assert r.status_code == 422, (change, r.text)
            refusal = re.search(r'id="walk-in-refusal">([^<]+)<', r.text).group(1)
            assert word in refusal and " / " in refusal, refusal
            assert 'name="form_token" value="' + token in r.text  # the form comes back as typed
        anonymous = await post(client, token, anonymous="1", consent=None, name="", phone="")
        assert anonymous.status_code == 201  # no personal data kept: no consent needed
        missing_csrf = await client.post(PATH, data={**FORM, "form_token": token}, files=[("photos", ("", b"", ""))])
        assert missing_csrf.status_code == 403
    assert filings_count(web_stack) == before + 1


async def test_an_officer_files_a_walk_in_and_prints_the_receipt_in_chromium(page, web_stack, tmp_path):
    await sign_in(page, "sikao")
    await page.click("#walk-in-link")
    await page.wait_for_url(f"**{PATH}")
    await page.check("input[name=channel][value=letter]")
    await page.fill("textarea[name=text]", "หนังสือร้องเรียน: ท่อระบายน้ำอุดตันหน้าตลาดสิเกา น้ำท่วมขังทุกครั้งที่ฝนตก")
    await page.fill("input[name=name]", "สมศักดิ์ ทดสอบ")
    await page.fill("input[name=phone]", "0899998888")
    await page.check("input[name=consent]")
    await page.select_option("select[name=consent_method]", "in_writing")
    await page.fill("input[name=subdistrict]", "บ่อหิน")
    scan = tmp_path / "letter.png"
    scan.write_bytes(png())
    await page.set_input_files("input[name=photos]", str(scan))
    await shot(page, "walk-in-form")
    await page.click("#walk-in button[type=submit]")
    await page.wait_for_selector("#receipt")
    number = (await page.text_content("#receipt-number")).strip()
    pin = (await page.text_content("#receipt-pin")).strip()
    assert re.fullmatch(r"\d{6}", pin) and number in await page.text_content("#receipt-url")
    assert "จดหมาย" in await page.text_content("#receipt-channel")
    assert await page.evaluate("document.fonts.check('16px Sarabun', 'ใบรับเรื่อง')")
    family = await page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Sarabun" in family
    await shot(page, "walk-in-receipt")
    assert page.script_errors == []

    # Printed, the receipt is one A5 page without the toolbar.
    await page.emulate_media(media="print")
    assert await page.is_hidden(".toolbar")
    pdf = await page.pdf(prefer_css_page_size=True)
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert len(pages) == 1 and abs(width - 419.5) < 2 and abs(height - 595.3) < 2, (len(pages), width, height)
