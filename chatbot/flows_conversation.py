"""The chat after filing, as a conversation on the case (issue 14 parts 2 and 3).

What the citizen sends at the menu while the chat holds a case (the one it filed, or opened with its
PIN) - words, photos, a link, a shared location - is offered to be added to that case ("Add to case
2569-XXXX?"); accepted, it goes to the case as information from the citizen (the `add_info` signal,
which the case page shows as it arrives); declined, the message is read as usual. A question the FAQ
answers, a tracking number, a menu word or small talk is never offered.

A result pushed to the chat comes with buttons to rate it 1 to 5 or to dispute it (the actions of
`workflows.domain.rating`, which name the case); a dispute asks for the reason first. The service
checks that the case is this chat's and still within its rating window, and refuses politely when not."""

from __future__ import annotations

import re
from dataclasses import asdict

from chatbot.messages import AddInfo, Answered, DisputeCase, RateCase, option
from chatbot.state import MENU
from chatbot.turn import Ctx, expect_text
from workflows.contracts import AttachmentRef
from workflows.domain import tracking
from workflows.domain.rating import DISPUTE, RATE

MAX_PHOTOS = 5
LINK = re.compile(r"https?://\S+", re.I)
NEVER_OFFERED = {"tracking", "menu", "small_talk"}


# --- adding what the citizen sends to the case ---------------------------------------------------


def offer_to_add(ctx: Ctx, text: str, reading, answered_by_faq) -> bool:
    """At the menu: offer to add this message to the chat's case; True when offered. `answered_by_faq`
    is called only for a question, to leave questions the FAQ answers to the FAQ."""
    event, state = ctx.event, ctx.state
    if state.scratch.pop("no_offer", False) or not state.case or event is None:
        return False
    content = bool(event.photos or event.location or LINK.search(text))
    if not content:
        if not text or reading.kind in NEVER_OFFERED:
            return False
        if reading.kind == "question" and answered_by_faq():
            return False
    pending = {"text": text, "photos": [asdict(p) for p in event.photos][:MAX_PHOTOS]}
    if event.location is not None:
        loc = event.location
        pending["location"] = f"{loc.latitude:.6f},{loc.longitude:.6f} {loc.address}".strip()
    state.scratch = {"pending": pending}
    state.go("add_offer")
    add_offer_prompt(ctx)
    return True


def add_offer_prompt(ctx: Ctx) -> None:
    number = ctx.state.case or ""
    ctx.say(f"เพิ่มข้อความนี้ในเรื่อง {number} ไหมคะ", f"Add this to complaint {number}?")
    ctx.offer(
        option(f"เพิ่มในเรื่อง {number}", f"Add to case {number}", "addcase:yes"),
        option("ไม่ต้อง", "No", "addcase:no"),
        option("ร้องเรียนเรื่องใหม่", "A new complaint", "addcase:new"),
    )


def add_offer_handle(ctx: Ctx, action: str, text: str) -> None:
    pending = ctx.state.scratch.get("pending") or {}
    if action == "addcase:yes":
        body = (
            "\n".join(x for x in (pending.get("text", ""), _place(pending.get("location", ""))) if x)
            or "(รูปภาพ / photos)"
        )
        photos = tuple(AttachmentRef(**p) for p in pending.get("photos", []))
        ctx.state.reset()  # `done` confirms "added" and shows the case's actions; a refusal, the menu
        ctx.effects.append(AddInfo(ctx.state.case or "", body[:5000], photos))
    elif action == "addcase:new":
        ctx.state.reset()
        if pending.get("text"):
            ctx.state.scratch["seed"] = pending["text"]
        ctx.goto("consent")
    elif action == "addcase:no":
        ctx.state.reset()
        if pending.get("text"):
            ctx.state.scratch["no_offer"] = True  # read as any message at the menu, without asking again
            ctx.steps[MENU].handle(ctx, "", pending["text"])
        else:
            ctx.show_menu()
    else:
        add_offer_prompt(ctx)


def _place(location: str) -> str:
    return f"ตำแหน่ง / location: {location}" if location else ""


# --- rating and disputing a result -------------------------------------------------------------


def answer_action(ctx: Ctx, action: str) -> bool:
    """A tapped rating or dispute (from any step: the buttons ride on a pushed result). True if handled."""
    rated = RATE.fullmatch(action)
    if rated:
        number = tracking.normalise(rated["number"])
        ctx.state.reset()  # a refusal then shows the menu, not a step left half-done
        ctx.effects.append(RateCase(number, int(rated["score"]), proven=ctx.state.case == number))
        return True
    disputed = DISPUTE.fullmatch(action)
    if disputed:
        ctx.state.reset()
        ctx.state.scratch["number"] = tracking.normalise(disputed["number"])
        ctx.goto("dispute_reason")
        return True
    return False


def dispute_reason_prompt(ctx: Ctx) -> None:
    number = ctx.state.scratch.get("number", "")
    ctx.say(
        f"โปรดพิมพ์เหตุผลที่โต้แย้งผลของเรื่อง {number} เรื่องจะกลับไปดำเนินการอีกครั้ง",
        f"Please type why you dispute the result of complaint {number}. The complaint will be reopened.",
    )
    ctx.offer(option("ยกเลิก", "Cancel", "cancel"))


def dispute_reason_handle(ctx: Ctx, action: str, text: str) -> None:
    if not expect_text(ctx, text):
        return
    if len(text) < 5:
        ctx.say("โปรดเล่าเหตุผลสักประโยค", "Please give your reason in a sentence.")
        return
    number = ctx.state.scratch.get("number", "")
    ctx.state.reset()
    ctx.effects.append(DisputeCase(number, text[:2000], proven=ctx.state.case == number))


def answered(ctx: Ctx, out: Answered) -> None:
    if out.kind == "disputed":
        ctx.say(
            f"ได้รับคำโต้แย้งเรื่อง {out.number} แล้ว เรื่องกลับไปดำเนินการอีกครั้งพร้อมกำหนดเวลาใหม่ ความคืบหน้าจะแจ้งในแชตนี้",
            f"Your dispute of complaint {out.number} was received. The complaint is reopened with a fresh "
            "deadline; updates will come to this chat.",
        )
    else:
        ctx.say(
            f"ขอบคุณที่ประเมินผล ({out.score}/5) เรื่อง {out.number} ปิดแล้ว",
            f"Thank you for your rating ({out.score}/5). Complaint {out.number} is now closed.",
        )
    ctx.state.reset()
    ctx.show_menu()
