"""The main menu, and free text typed there: what the message is (senses.read) decides where it goes.
A question is answered (a center's own facts from the directory, else the FAQ) and never becomes a
filing; a problem told as a question is answered as far as the FAQ can, with "file this as a
complaint" offered, carrying the text over; a complaint starts the filing with its words kept; a
tracking number goes straight to its PIN; greetings and small talk get the menu."""

from __future__ import annotations

import re

from chatbot.flows_conversation import offer_to_add
from chatbot.flows_door import greeting
from chatbot.flows_facts import answer_center_facts
from chatbot.flows_questions import answer_from_faq, leave_offer_choices
from chatbot.flows_tracking import TRACKING_IN_TEXT
from chatbot.messages import option
from chatbot.turn import Ctx
from workflows.domain import tracking
from workflows.domain.identity import ascii_digits

# Where each menu action starts.
FLOW_START = {
    "menu:file": "consent",
    "menu:track": "track_number",
    "menu:ask": "ask",
    "menu:leave": "leave_question",
    "menu:mine": "mine",
}


def menu_prompt(ctx: Ctx, greet: bool = False) -> None:
    if greet:
        ctx.say(greeting(ctx))  # in the name of the center whose door the chat came in by, if any
    ctx.say("เลือกสิ่งที่ต้องการ หรือพิมพ์บอกได้เลย", "Choose what you need, or just type it.")
    other = option("English", "English", "lang:en") if ctx.lang == "th" else option("ภาษาไทย", "ภาษาไทย", "lang:th")
    ctx.offer(
        option("ร้องเรียน", "File a complaint", "menu:file"),
        option("ติดตามเรื่อง", "Track a complaint", "menu:track"),
        option("เรื่องของฉัน", "My complaints", "menu:mine"),
        option("ถามคำถาม", "Ask a question", "menu:ask"),
        option("ฝากถามเจ้าหน้าที่", "Ask an officer", "menu:leave"),
        other,
    )


def start_flow(ctx: Ctx, action: str) -> None:
    """Start a flow from the menu; a complaint's words typed before (the seed) are carried into it."""
    seed = ctx.state.scratch.get("seed", "")
    ctx.state.reset()
    if seed and action == "menu:file":
        ctx.state.scratch["seed"] = seed
    ctx.goto(FLOW_START[action])


def menu_handle(ctx: Ctx, action: str, text: str) -> None:
    if action:
        ctx.to_menu()
        return
    reading = ctx.senses.read(text)
    if answer_center_facts(ctx, text, reading):  # "เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดตรัง": the directory answers
        return
    # After filing, what the citizen sends may belong to the case: offered to be added to it first.
    if offer_to_add(ctx, text, reading, lambda: _found(ctx, text, reading) is not None):
        return
    kind = reading.kind
    if kind == "complaint":
        # A message that describes the problem (not just "I want to complain") is kept as its first words.
        ctx.state.scratch["seed"] = text if reading.describes and len(text) >= 25 else ""
        start_flow(ctx, "menu:file")
    elif kind == "both":
        ctx.state.scratch["seed"] = text
        if not answer_from_faq(ctx, text, quiet=True, carry=True, found=_found(ctx, text, reading)):
            _offer_to_file_or_leave(ctx, text)
    elif kind == "question":
        answer_from_faq(ctx, text, found=_found(ctx, text, reading))  # without one: says so, offers an officer
    elif kind == "tracking":
        _track(ctx, text, reading.tracking_number)
    elif kind == "menu" and reading.action in FLOW_START:
        start_flow(ctx, reading.action)
    elif kind == "menu" and reading.action == "cancel":
        ctx.to_menu()
    elif kind == "small_talk":
        menu_prompt(ctx, greet=True)
    else:
        _not_understood(ctx, text, _found(ctx, text, reading))


def _not_understood(ctx: Ctx, text: str, found) -> None:
    """Nothing the reading knows: the FAQ may still answer. A sentence it cannot answer is neither
    filed nor dropped: it asks nothing, and most often tells of something seen ("มีสายสื่อสารหล่นตรงกลาง
    ถนน"), so the citizen may file it (its words carried over) or leave it for an officer. A stray word
    gets an apology and the menu."""
    if found is not None:
        answer_from_faq(ctx, text, found=found)
        return
    if _says_something(text):
        ctx.state.scratch["seed"] = text
        _offer_to_file_or_leave(ctx, text)
        return
    ctx.say(
        "ขออภัย ไม่เข้าใจข้อความนี้ ลองเลือกจากเมนู หรือพิมพ์ใหม่อีกครั้ง",
        "Sorry, I did not understand that. Choose from the menu or try other words.",
    )
    ctx.to_menu()


def _says_something(text: str) -> bool:
    """Enough words to be a question someone could answer ("exchange rate today"), not a stray "ok"."""
    return len(text.split()) >= 3 if text.isascii() else len(text.replace(" ", "")) >= 12


def _found(ctx: Ctx, text: str, reading):
    """The FAQ's answer: the one the reading found, or a look-up when the reading did not look."""
    return reading.faq if reading.faq_checked else ctx.senses.faq(text)


def _track(ctx: Ctx, text: str, number: str = "") -> None:
    found = TRACKING_IN_TEXT.search(ascii_digits(number or text).upper())
    if found:
        ctx.state.scratch["number"] = tracking.normalise(re.sub(r"[\s-]", "", found.group(0)))
        ctx.goto("track_pin")
    else:
        start_flow(ctx, "menu:track")


def _offer_to_file_or_leave(ctx: Ctx, text: str) -> None:
    """A problem told as a question that the FAQ cannot answer: file it, or ask an officer."""
    ctx.state.scratch["question"] = text
    ctx.state.go("leave_offer")
    ctx.say(
        "ยังไม่มีคำตอบที่ตรงกับคำถามนี้ ยื่นเป็นเรื่องร้องเรียนได้ หรือฝากคำถามไว้ให้เจ้าหน้าที่ตอบในเวลาราชการ",
        "I have no good answer to that. You can file it as a complaint, or leave the question for an "
        "officer to answer in office hours.",
    )
    leave_offer_choices(ctx, carry=True)
