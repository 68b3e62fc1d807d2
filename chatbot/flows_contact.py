"""Filing a complaint, last steps: contact (name, a Thai mobile number, an optional national ID checked
by its check digit) or anonymity to the agency; the summary, with the phone and ID masked; and on
"confirm" the `FileComplaint` effect, keyed by the confirming message's id so that a repeated confirm
never files twice. A citizen who declined the privacy notice skips contact: the complaint is filed
anonymously with no personal data."""

from __future__ import annotations

import re
from dataclasses import asdict

from chatbot import places
from chatbot.flows_filing import draft_of
from chatbot.messages import Bi, FileComplaint, Filed, Link, option
from chatbot.turn import YES, Ctx, expect_text
from workflows.domain.identity import valid_national_id, valid_thai_phone

MOBILE = re.compile(r"0[689][0-9]{8}")


def contact_prompt(ctx: Ctx) -> None:
    ctx.say(
        "ให้เจ้าหน้าที่ติดต่อกลับทางไหน ให้ชื่อและเบอร์มือถือ หรือไม่ประสงค์ออกนามต่อหน่วยงาน (ท่านยังได้รับแจ้งความคืบหน้าในแชตนี้)",
        "How should the officers reach you? Give your name and mobile number, or stay anonymous to the "
        "agency (you will still get updates in this chat).",
    )
    ctx.offer(
        option("ให้ชื่อและเบอร์โทร", "Give name and phone", "contact:give"),
        option("ไม่ประสงค์ออกนาม", "Stay anonymous", "contact:anon"),
        option("ย้อนกลับ", "Back", "back"),
    )


def contact_handle(ctx: Ctx, action: str, text: str) -> None:
    d = draft_of(ctx)
    if action == "contact:anon":
        d.anonymous, d.name, d.phone, d.national_id = True, "", "", ""
        ctx.goto("confirm")
    elif action == "contact:give":
        d.anonymous = False
        ctx.goto("name")
    else:
        contact_prompt(ctx)


def name_prompt(ctx: Ctx) -> None:
    ctx.say("ชื่อ-นามสกุลของท่าน", "Your full name, please.")


def name_handle(ctx: Ctx, action: str, text: str) -> None:
    if not expect_text(ctx, text):
        return
    if len(text) > 200 or not re.search(r"\w", text):
        ctx.say("กรุณาพิมพ์ชื่อ (ไม่เกิน 200 ตัวอักษร)", "Please type your name (at most 200 characters).")
        return
    draft_of(ctx).name = text
    ctx.goto("phone")


def phone_prompt(ctx: Ctx) -> None:
    ctx.say("เบอร์โทรศัพท์มือถือ เช่น 081 234 5678", "Your Thai mobile number, e.g. 081 234 5678.")


def phone_handle(ctx: Ctx, action: str, text: str) -> None:
    if not expect_text(ctx, text):
        return
    try:
        phone = valid_thai_phone(text[:40])
        if not MOBILE.fullmatch(phone):
            raise ValueError
    except ValueError:
        ctx.say(
            "เบอร์มือถือไม่ถูกต้อง ต้องเป็นเลข 10 หลักขึ้นต้นด้วย 06 08 หรือ 09 เช่น 081 234 5678",
            "That is not a Thai mobile number: 10 digits starting 06, 08 or 09, e.g. 081 234 5678.",
        )
        return
    draft_of(ctx).phone = phone
    ctx.goto("national_id")


def national_id_prompt(ctx: Ctx) -> None:
    ctx.say("เลขประจำตัวประชาชน 13 หลัก (ไม่บังคับ)", "Your 13-digit national ID number (optional).")
    ctx.offer(option("ข้าม", "Skip", "skip"), option("ย้อนกลับ", "Back", "back"))


def national_id_handle(ctx: Ctx, action: str, text: str) -> None:
    if action == "skip":
        draft_of(ctx).national_id = ""
        ctx.goto("confirm")
        return
    if not expect_text(ctx, text):
        return
    try:
        draft_of(ctx).national_id = valid_national_id(text[:40])
    except ValueError as err:
        ctx.say(Bi.from_pair(str(err)))  # workflows.domain.identity still writes "ไทย / English"
        national_id_prompt(ctx)
        return
    ctx.goto("confirm")


# --- summary, confirm, file ----------------------------------------------------------------------


def _masked(value: str, keep: int = 4) -> str:
    return "x" * max(len(value) - keep, 0) + value[-keep:]


def confirm_prompt(ctx: Ctx) -> None:
    d = draft_of(ctx)
    province, district = places.province(d.province_code), places.district(d.district_code)
    tambon = places.subdistrict(d.subdistrict_code)
    where = ", ".join(p.name(ctx.lang) for p in (tambon, district, province) if p) or "-"
    if d.anonymous:
        who = ctx.tr("ไม่ประสงค์ออกนาม", "anonymous")
    else:
        who = f"{d.name}, {_masked(d.phone)}" + (
            f", {ctx.tr('บัตร', 'ID')} {_masked(d.national_id)}" if d.national_id else ""
        )
    text = d.text if len(d.text) <= 300 else d.text[:300] + "…"
    ctx.say(
        f"สรุปเรื่องร้องเรียน\nเรื่อง: {text}\nรูป: {len(d.photos)} รูป\nสถานที่: {where}\n"
        f"ยื่นที่: {d.office_th or '-'}\nผู้ร้อง: {who}\nยืนยันการยื่นเรื่องไหมคะ",
        f"Summary\nProblem: {text}\nPhotos: {len(d.photos)}\nWhere: {where}\n"
        f"Filed with: {d.office_en or '-'}\nFrom: {who}\nShall I file it?",
    )
    ctx.offer(
        option("ยืนยัน ยื่นเรื่อง", "Confirm and file", "confirm"),
        option("ย้อนกลับ", "Back", "back"),
        option("ยกเลิก", "Cancel", "cancel"),
    )


def confirm_handle(ctx: Ctx, action: str, text: str) -> None:
    if action == "confirm" or (not action and text.lower() in YES):
        ctx.effects.append(FileComplaint(key=ctx.event.event_id, draft=asdict(draft_of(ctx))))
        return
    confirm_prompt(ctx)


def filed(ctx: Ctx, out: Filed) -> None:
    center = ctx.state.draft.center_code if ctx.state.draft else None
    ctx.state.reset()
    ctx.state.case = out.number
    ctx.state.center = center or ctx.state.center  # "what is the center's phone?" now means this one
    ctx.say(
        f"ยื่นเรื่องเรียบร้อยแล้ว เลขที่เรื่อง {out.number} รหัส PIN {out.pin} โปรดเก็บไว้เพื่อติดตามเรื่อง ความคืบหน้าจะแจ้งในแชตนี้",
        f"Your complaint is filed. Tracking number {out.number}, PIN {out.pin}: keep them to track it. "
        "Updates will come to this chat.",
    )
    if out.status_url:
        ctx.replies.append(Link(out.status_url, ctx.tr(f"ติดตามเรื่อง {out.number}", f"Track {out.number}")))
    ctx.show_menu()
