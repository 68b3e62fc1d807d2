"""Tracking in the chat: by tracking number and PIN, or "my complaints" for the chat identity that
filed them (the channel proves who it is, so no PIN); the case in plain words; and, while it is open,
adding information or photos (a signal to its workflow) or withdrawing it. The effects carry the
number; the service checks the PIN (throttled) or that the case belongs to this chat."""

from __future__ import annotations

import re
from dataclasses import asdict

from chatbot.messages import (
    AddInfo,
    CaseShown,
    Done,
    ListMyComplaints,
    MyComplaints,
    ShowCase,
    TrackWithPin,
    Withdraw,
    option,
)
from chatbot.turn import YES, Ctx, expect_text
from workflows.contracts import AttachmentRef
from workflows.domain import tracking
from workflows.domain.identity import ascii_digits

PIN = re.compile(r"[0-9]{6}")
TRACKING_IN_TEXT = re.compile(r"25\d\d\s?-?\s?[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}\b")
MAX_INFO_PHOTOS = 5


def track_number_prompt(ctx: Ctx) -> None:
    ctx.say(
        "พิมพ์เลขที่เรื่อง เช่น 2569-K7Q3MX หรือดูเรื่องที่ยื่นจากแชตนี้",
        "Type the tracking number, e.g. 2569-K7Q3MX, or see the complaints filed from this chat.",
    )
    ctx.offer(option("เรื่องของฉัน", "My complaints", "menu:mine"), option("เมนู", "Menu", "menu"))


def track_number_handle(ctx: Ctx, action: str, text: str) -> None:
    if not expect_text(ctx, text):
        return
    found = TRACKING_IN_TEXT.search(ascii_digits(text).upper())  # "๒๕๖๙-K7Q3MX" too
    if not found:
        ctx.say(
            "เลขที่เรื่องไม่ถูกต้อง รูปแบบคือ ปี พ.ศ. ขีด และอักษร 6 ตัว เช่น 2569-K7Q3MX",
            "That is not a tracking number: the Buddhist year, a dash and six characters, e.g. 2569-K7Q3MX.",
        )
        return
    ctx.state.scratch["number"] = tracking.normalise(found.group(0).replace("-", ""))
    ctx.goto("track_pin")


def track_pin_prompt(ctx: Ctx) -> None:
    number = ctx.state.scratch.get("number", "")
    ctx.say(f"รหัส PIN 6 หลักของเรื่อง {number}", f"The 6-digit PIN of complaint {number}:")


def track_pin_handle(ctx: Ctx, action: str, text: str) -> None:
    if not expect_text(ctx, text):
        return
    pin = tracking.normalise_pin(text)  # "๑๒๓ ๔๕๖" is "123456"
    if not PIN.fullmatch(pin):
        ctx.say("PIN ต้องเป็นตัวเลข 6 หลัก", "The PIN is 6 digits.")
        return
    ctx.effects.append(TrackWithPin(ctx.state.scratch.get("number", ""), pin))


def shown(ctx: Ctx, out: CaseShown) -> None:
    ctx.state.case = out.number
    ctx.state.scratch = {"number": out.number, "open": out.open}
    ctx.say("\n".join(out.lines), "\n".join(out.lines))
    ctx.replies.extend(out.links)
    ctx.state.go("case_view")
    case_view_prompt(ctx, again=False)


def case_view_prompt(ctx: Ctx, again: bool = True) -> None:
    number = ctx.state.case or ""
    if again:
        ctx.say(f"เรื่อง {number} ต้องการทำอะไรต่อ", f"What next for complaint {number}?")
    items = (
        [option("เพิ่มข้อมูล/รูป", "Add information", "case:add"), option("ถอนเรื่อง", "Withdraw", "case:withdraw")]
        if ctx.state.scratch.get("open")
        else []
    )
    ctx.offer(*items, option("ดูสถานะอีกครั้ง", "Refresh status", "case:refresh"), option("เมนู", "Menu", "menu"))


def case_view_handle(ctx: Ctx, action: str, text: str) -> None:
    number = ctx.state.case
    if number and action == "case:add" and ctx.state.scratch.get("open"):
        ctx.goto("add_info")
    elif number and action == "case:withdraw" and ctx.state.scratch.get("open"):
        ctx.goto("withdraw_confirm")
    elif number and action == "case:refresh":
        ctx.effects.append(ShowCase(number, proven=True))
    else:
        case_view_prompt(ctx)


def mine_prompt(ctx: Ctx) -> None:
    ctx.effects.append(ListMyComplaints())


def mine_handle(ctx: Ctx, action: str, text: str) -> None:
    if action.startswith("show:"):
        ctx.effects.append(ShowCase(action[5:]))
    else:
        ctx.effects.append(ListMyComplaints())


def my_complaints(ctx: Ctx, out: MyComplaints) -> None:
    if not out.items:
        ctx.say(
            "ยังไม่มีเรื่องที่ยื่นจากแชตนี้ ติดตามเรื่องอื่นได้ด้วยเลขที่เรื่องและ PIN",
            "No complaint has been filed from this chat yet. Track another one by its number and PIN.",
        )
        ctx.state.reset()
        ctx.show_menu()
        return
    ctx.say(
        "เรื่องที่ยื่นจากแชตนี้:\n" + "\n".join(f"{n}: {label.th}" for n, label in out.items),
        "Complaints filed from this chat:\n" + "\n".join(f"{n}: {label.en}" for n, label in out.items),
    )
    ctx.offer(*[option(n, n, f"show:{n}") for n, _ in out.items[:11]], option("เมนู", "Menu", "menu"))


def add_info_prompt(ctx: Ctx) -> None:
    ctx.say("พิมพ์ข้อมูลที่ต้องการเพิ่ม หรือส่งรูป แล้วกด ส่ง", "Type the information to add, or send photos, then press Send.")
    ctx.offer(option("ส่ง", "Send", "send"), option("ยกเลิก", "Cancel", "back"))


def add_info_handle(ctx: Ctx, action: str, text: str) -> None:
    scratch = ctx.state.scratch
    photos = list(scratch.get("photos", []))
    for ref in (ctx.event.photos if ctx.event else ())[: MAX_INFO_PHOTOS - len(photos)]:
        photos.append(asdict(ref))
    scratch["photos"] = photos
    if text and action != "send":
        scratch["text"] = (scratch.get("text", "") + "\n" + text).strip()[:5000]
    if action == "send" or (text and not ctx.event.photos):
        body = scratch.get("text", "")
        if not body and not photos:
            ctx.say("ยังไม่มีข้อมูลที่จะส่ง", "There is nothing to send yet.")
            return
        ctx.effects.append(
            AddInfo(ctx.state.case or "", body or "(รูปภาพ / photos)", tuple(AttachmentRef(**p) for p in photos))
        )
        return
    ctx.say(
        f"ได้รับรูปแล้ว ({len(photos)} รูป) พิมพ์คำอธิบายหรือกด ส่ง",
        f"Photo received ({len(photos)}). Type a note or press Send.",
    )


def withdraw_prompt(ctx: Ctx) -> None:
    ctx.say(
        f"ยืนยันถอนเรื่อง {ctx.state.case} ใช่ไหมคะ เมื่อถอนแล้วเรื่องจะยุติ",
        f"Withdraw complaint {ctx.state.case}? It will stop being handled.",
    )
    ctx.offer(option("ยืนยันถอนเรื่อง", "Yes, withdraw", "withdraw:yes"), option("ไม่ถอน", "No", "back"))


def withdraw_handle(ctx: Ctx, action: str, text: str) -> None:
    if action == "withdraw:yes" or (not action and text.lower() in YES):
        ctx.effects.append(Withdraw(ctx.state.case or ""))
    else:
        withdraw_prompt(ctx)


def done(ctx: Ctx, out: Done) -> None:
    if ctx.state.step == "withdraw_confirm":
        ctx.say(f"ถอนเรื่อง {out.number} แล้ว", f"Complaint {out.number} has been withdrawn.")
        ctx.to_menu()
        return
    ctx.say(f"ส่งข้อมูลเพิ่มเติมของเรื่อง {out.number} แล้ว", f"Your information was added to complaint {out.number}.")
    ctx.state.scratch = {"number": out.number, "open": True}
    ctx.state.go("case_view")
    case_view_prompt(ctx)
