"""A complaint as the chat tells it, in plain words in one language: status, the agency handling it,
each clock's due time in the Buddhist era with an overdue notice, and the latest steps of its public
timeline. Pure: it takes the tracking view the JSON API also returns."""

from __future__ import annotations

from datetime import datetime

from chatbot.messages import Bi
from workflows.domain.calendar import format_date_th, format_day_en
from workflows.domain.transitions import OPEN, STATUS_LABELS

CLOCK_LABELS = {
    "screening": Bi("คัดกรองและส่งต่อ", "screening and routing"),
    "statutory": Bi("แจ้งผลหรือความคืบหน้า", "result or progress due"),
    "resolution": Bi("กำหนดแก้ไขปัญหา", "resolution due"),
    "progress": Bi("ติดตามความคืบหน้า", "next progress report"),
    "rating": Bi("ประเมินผลหรือโต้แย้งได้ถึง", "rate or dispute until"),
}
PAUSED = Bi("หยุดนับ รอข้อมูลจากท่าน", "paused, waiting for your information")
EVENT_LABELS = {
    "received": Bi("รับเรื่อง", "received"),
    "routed": Bi("กำหนดหน่วยงาน", "routed"),
    "forwarded": Bi("ส่งต่อหน่วยงาน", "forwarded to the agency"),
    "info_requested": Bi("ขอข้อมูลเพิ่ม", "more information requested"),
    "info_added": Bi("ท่านเพิ่มข้อมูล", "you added information"),
    "officer_reply": Bi("เจ้าหน้าที่ตอบ", "officer's message"),
    "transferred": Bi("โอนเรื่อง", "transferred"),
    "progress": Bi("ความคืบหน้า", "progress"),
    "escalated": Bi("เร่งรัด", "escalated"),
    "resolved": Bi("ดำเนินการแล้ว", "resolved"),
    "disputed": Bi("โต้แย้งผล", "disputed"),
    "rated": Bi("ประเมินผล", "rated"),
    "withdrawn": Bi("ถอนเรื่อง", "withdrawn"),
    "rejected": Bi("ไม่รับเรื่อง", "rejected"),
    "closed": Bi("ปิดเรื่อง", "closed"),
}


def _date(iso: str, lang: str) -> str:
    if not iso:
        return ""
    t = datetime.fromisoformat(iso)
    return format_day_en(t) if lang == "en" else format_date_th(t)


def case_lines(view, lang: str) -> tuple[list[str], bool]:
    """(lines, open) for a `TrackingOut`-shaped view."""
    en = lang == "en"
    status = view.status_en if en else view.status_th
    lines = [f"{'Complaint' if en else 'เรื่อง'} {view.tracking_number}: {status}"]
    if view.agency is not None:
        lines.append(f"{'Handled by' if en else 'หน่วยงาน'}: {view.agency.name_en if en else view.agency.name_th}")
    if view.filed_at:
        lines.append(f"{'Filed on' if en else 'ยื่นเมื่อ'}: {_date(view.filed_at, lang)}")
    overdue = False
    for clock in view.clocks:
        if clock.state not in ("running", "paused") or not clock.due_at:
            continue
        label = CLOCK_LABELS.get(clock.name, Bi.same(clock.name)).pick(lang)
        due = clock.due_en if en else clock.due_th
        if clock.state == "paused":
            lines.append(f"{label}: {PAUSED.pick(lang)}")
            continue
        late = " (overdue)" if en else " (เกินกำหนด)"
        lines.append(f"{label}: {due}{late if clock.overdue else ''}")
        overdue = overdue or clock.overdue
    if overdue:
        lines.append(
            "This complaint is overdue; it has been escalated for follow-up."
            if en
            else "เรื่องนี้เกินกำหนดแล้ว และได้แจ้งผู้บังคับบัญชาติดตามเร่งรัด"
        )
    steps = view.timeline[-5:]
    if steps:
        lines.append("Latest steps:" if en else "ความเคลื่อนไหวล่าสุด:")
        for e in steps:
            label = STATUS_LABELS.get(e.status, (e.status, e.status))[1 if en else 0]
            what = EVENT_LABELS.get(e.kind, Bi.same(e.kind)).pick(lang)
            note = f": {e.note[:120]}" if e.note else ""
            lines.append(f"• {_date(e.at, lang)} {what} ({label}){note}")
    return lines, view.status in OPEN
