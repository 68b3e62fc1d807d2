"""How the chat words a complaint's state: status, agency, due dates in the Buddhist era, an overdue
clock flagged with a notice, a paused clock explained, the latest timeline steps; in Thai and English."""

from __future__ import annotations

from chatbot.case_text import case_lines
from db.tracking import AgencyOut, ClockOut, EventOut, TrackingOut


def view(**kw) -> TrackingOut:
    fields = dict(
        tracking_number="2569-K7Q3MX",
        status="FORWARDED",
        status_th="ส่งต่อหน่วยงานแล้ว",
        status_en="Forwarded to the agency",
        category="land",
        filed_at="2026-11-02T03:00:00+00:00",
        agency=AgencyOut(code="lands", name_th="กรมที่ดิน", name_en="Department of Lands", linked=True),
        center="D9205",
        center_name_th="ศูนย์ดำรงธรรมอำเภอสิเกา",
        clocks=[
            ClockOut(
                name="statutory",
                state="running",
                due_at="2026-11-17T09:30:00+00:00",
                due_th="อ. 17 พ.ย. 2569 16:30 น.",
                due_en="Tue 17 Nov 2569, 16:30",
                overdue=True,
            ),
            ClockOut(
                name="resolution",
                state="paused",
                due_at="2027-01-10T09:30:00+00:00",
                due_th="x",
                due_en="x",
                overdue=False,
            ),
        ],
        timeline=[
            EventOut(at="2026-11-02T03:00:00+00:00", kind="received", status="RECEIVED", note=None),
            EventOut(at="2026-11-03T03:00:00+00:00", kind="forwarded", status="FORWARDED", note="ref L-1"),
        ],
        messages=[],
        attachments=1,
    )
    fields.update(kw)
    return TrackingOut(**fields)


def test_an_overdue_case_in_thai():
    lines, is_open = case_lines(view(), "th")
    text = "\n".join(lines)
    assert is_open
    assert "เรื่อง 2569-K7Q3MX: ส่งต่อหน่วยงานแล้ว" in text and "หน่วยงาน: กรมที่ดิน" in text
    assert "ยื่นเมื่อ: 2 พ.ย. 2569" in text
    assert "แจ้งผลหรือความคืบหน้า: อ. 17 พ.ย. 2569 16:30 น. (เกินกำหนด)" in text
    assert "เกินกำหนดแล้ว และได้แจ้งผู้บังคับบัญชา" in text
    assert "หยุดนับ รอข้อมูลจากท่าน" in text
    assert "• 3 พ.ย. 2569 ส่งต่อหน่วยงาน (ส่งต่อหน่วยงานแล้ว): ref L-1" in text


def test_a_closed_case_in_english_has_no_overdue_notice():
    lines, is_open = case_lines(view(status="CLOSED", status_th="ปิดเรื่อง", status_en="Closed", clocks=[]), "en")
    text = "\n".join(lines)
    assert not is_open
    assert "Complaint 2569-K7Q3MX: Closed" in text and "Handled by: Department of Lands" in text
    assert "Filed on: Mon 2 Nov 2569" in text and "overdue" not in text
