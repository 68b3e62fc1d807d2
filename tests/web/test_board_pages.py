"""The board over HTTP on the real app (dev server, worker, SQLite read model): a case filed under a
policy whose statutory clock is already due is escalated by its own workflow and shows as overdue;
officers are refused the board, a provincial supervisor is refused another province's centers, the
page and its htmx fragment, the SLA compliance fragment, the CSV export for Excel (BOM, Thai), and
escalating from the list through the workflow (CSRF checked, refusal shown next to the action)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from workflows import contracts as c

OVERDUE_AT_ONCE = c.ClockPolicy(statutory_days=0)


@pytest.fixture(scope="module")
async def overdue_case(web_stack) -> str:
    """A Sikao (D9205) case whose statutory clock fired at filing: overdue, escalated to Trang."""
    number = await web_stack.file(
        "ไฟถนนดับทั้งซอยมาหนึ่งเดือน <script>alert(1)</script>", category="infrastructure", policy=OVERDUE_AT_ONCE
    )
    await web_stack.wait_case(number, lambda row: row.escalated_to == "P92" and row.next_due_at is not None)
    return number


async def test_officers_are_refused_and_supervisors_see_the_overdue_case(web_stack, overdue_case):
    async with web_stack.signed_in("sikao") as officer:
        assert (await officer.get("/board")).status_code == 403
        assert (await officer.get("/board.csv")).status_code == 403

    async with web_stack.signed_in("trang") as trang:
        page = await trang.get("/board")
        assert page.status_code == 200 and "<html" in page.text
        assert f'id="overdue-{overdue_case}"' in page.text
        assert "แจ้งผลตามกฎหมาย" in page.text  # the late clock, by name
        assert "<svg" in page.text and 'role="img"' in page.text
        fragment = await trang.get("/board?at=D9205", headers={"HX-Request": "true"})
        assert fragment.status_code == 200 and "<html" not in fragment.text and overdue_case in fragment.text
        for elsewhere in ("P81", "D8101", "MOI"):
            assert (await trang.get(f"/board?at={elsewhere}")).status_code == 404
            assert (await trang.get(f"/board.csv?at={elsewhere}")).status_code == 404

    async with web_stack.signed_in("moi") as moi:
        moi.cookies.set("lang", "en")
        everything = await moi.get("/board")
        assert "Trang Provincial Damrongdham Center" in everything.text and overdue_case in everything.text
        assert "Overdue cases" in everything.text


async def test_compliance_fragment_for_a_custom_period(web_stack, overdue_case):
    async with web_stack.signed_in("trang") as trang:
        r = await trang.get(
            "/board/compliance?period=custom&from=2026-01-01&to=2026-12-31", headers={"HX-Request": "true"}
        )
        assert r.status_code == 200 and "<html" not in r.text
        assert "1 ม.ค. 2569" in r.text and "31 ธ.ค. 2569" in r.text  # Buddhist-era dates
        assert "อัตราทันกำหนด" in r.text and "ศูนย์ดำรงธรรมอำเภอสิเกา" in r.text
        page = await trang.get("/board/compliance?period=fy")
        assert page.status_code == 200 and "<html" in page.text and "1 ต.ค. 2569" in page.text


async def test_csv_export_opens_in_excel_with_thai(web_stack, overdue_case):
    async with web_stack.signed_in("trang") as trang:
        r = await trang.get("/board.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "tracking_number"
    mine = dict(zip(rows[0], next(row for row in rows if row[0] == overdue_case)))
    assert mine["center"] == "ศูนย์ดำรงธรรมอำเภอสิเกา" and mine["late_clocks"] == "statutory"
    due = datetime.fromisoformat(mine["due_at"])
    assert mine["due_at"].endswith("+07:00") and mine["due_be"].split()[2] == str(due.year + 543)  # B.E.


async def test_escalate_from_the_list_goes_through_the_workflow(web_stack, overdue_case):
    form = {"number": overdue_case, "reason": "เกินกำหนดนาน ขอให้กระทรวงเร่งรัด"}
    hx = {"HX-Request": "true"}
    async with web_stack.signed_in("trang") as trang:
        assert (await trang.post("/board/escalate", data=form)).status_code == 403  # no CSRF token

        refused = await trang.post("/board/escalate", data={**form, "reason": "", "csrf_token": trang.csrf}, headers=hx)
        assert refused.status_code == 422 and "ต้องระบุเหตุผล / a reason is required" in refused.text
        assert "<html" not in refused.text

        done = await trang.post("/board/escalate", data={**form, "csrf_token": trang.csrf}, headers=hx)
        assert done.status_code == 200 and "ส่งเรื่องขึ้นแล้ว" in done.text
        row = await web_stack.wait_case(overdue_case, lambda row: row.escalated_to == "MOI")
        assert row.escalated_to == "MOI"
        # The ministry is the top: escalating again is refused by the workflow, next to the case.
        again = await trang.post("/board/escalate", data={**form, "csrf_token": trang.csrf}, headers=hx)
        assert again.status_code == 409 and "the case is already at the ministry" in again.text
