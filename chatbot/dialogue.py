"""The dialogue engine: pure and deterministic. `step(state, inbound, senses)` takes the chat's state
(JSON), one message from the citizen and the read-only `Senses`, and returns a `Turn`: the new state,
the replies, and at most one effect (file, track, signal, leave a question) for the service to carry
out; the service then calls `settle(state, outcome)` with what happened. Nothing here does IO or reads
a clock: time arrives in the message.

This module owns what holds at every step: the language (detected from the first message, switchable),
the main menu (reachable any time), "back", "cancel" and "start over", the 60-minute expiry of a
draft, the length limit, and free text in the menu going through intent detection. The steps of each
flow live in `chatbot.flows_*` and register themselves in `STEPS` and `SETTLE`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from chatbot.messages import Choice, Effect, Inbound, Outcome, QuickReplies, Refused, Reply, Text, Turn
from chatbot.senses import Senses
from chatbot.state import DRAFT_EXPIRES, MENU, ChatState
from workflows.domain import tracking
from workflows.domain.identity import ascii_digits

MAX_MESSAGE_CHARS = 5_000

# Words that mean a command wherever the citizen is (checked on the whole, trimmed, lower-cased text).
COMMANDS = {
    "menu": {"menu", "main menu", "เมนู", "เมนูหลัก", "หน้าหลัก"},
    "back": {"back", "go back", "previous", "ย้อนกลับ", "กลับ", "ย้อน"},
    "cancel": {"cancel", "stop", "quit", "ยกเลิก", "หยุด", "ไม่เอาแล้ว"},
    "restart": {"start over", "restart", "reset", "เริ่มใหม่", "เริ่มต้นใหม่"},
    "lang:en": {"english", "in english", "eng", "ภาษาอังกฤษ"},
    "lang:th": {"thai", "ภาษาไทย", "ไทย"},
}
YES = {"yes", "y", "ok", "okay", "sure", "confirm", "ใช่", "ตกลง", "ยืนยัน", "ได้", "โอเค", "ครับ", "ค่ะ"}


@dataclass
class Ctx:
    """One turn in progress: the state being changed and what to send back."""

    state: ChatState
    senses: Senses | None
    event: Inbound | None
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.state.lang or "th"

    def tr(self, th: str, en: str) -> str:
        return en if self.lang == "en" else th

    def say(self, th: str, en: str) -> None:
        self.replies.append(Text(self.tr(th, en)))

    def say_pair(self, message: str) -> None:
        """A message written "ไทย / English" (the domain errors' form), in the chat's language."""
        th, _, en = message.partition(" / ")
        self.say(th, en or th)

    def offer(self, *items: tuple[str, str, str]) -> None:
        """Quick replies, each (Thai label, English label, action); typing a label works like a tap."""
        choices = tuple(Choice(self.tr(th, en), action) for th, en, action in items)
        self.replies.append(QuickReplies(choices))
        self.state.scratch["choices"] = {c.label.lower(): c.action for c in choices}

    def goto(self, step: str, remember: bool = True) -> None:
        self.state.go(step, remember)
        STEPS[step][0](self)

    def to_menu(self, greet: bool = False) -> None:
        self.state.reset()
        menu_prompt(self, greet)


Handler = Callable[[Ctx, str, str], None]  # (ctx, action, text)
STEPS: dict[str, tuple[Callable[[Ctx], None], Handler]] = {}
SETTLE: dict[type, Callable[[Ctx, Outcome], None]] = {}


def register(name: str, prompt: Callable[[Ctx], None], handle: Handler) -> None:
    STEPS[name] = (prompt, handle)


# --- the main menu ------------------------------------------------------------------------------


def menu_prompt(ctx: Ctx, greet: bool = False) -> None:
    if greet:
        ctx.say(
            "สวัสดีค่ะ ศูนย์ดำรงธรรม ยินดีให้บริการตลอด 24 ชั่วโมง",
            "Hello, this is the Damrongdham Center, here for you around the clock.",
        )
    ctx.say("เลือกสิ่งที่ต้องการ หรือพิมพ์บอกได้เลย", "Choose what you need, or just type it.")
    other = ("English", "English", "lang:en") if ctx.lang == "th" else ("ภาษาไทย", "ภาษาไทย", "lang:th")
    ctx.offer(
        ("ร้องเรียน", "File a complaint", "menu:file"),
        ("ติดตามเรื่อง", "Track a complaint", "menu:track"),
        ("เรื่องของฉัน", "My complaints", "menu:mine"),
        ("ถามคำถาม", "Ask a question", "menu:ask"),
        ("ฝากถามเจ้าหน้าที่", "Ask an officer", "menu:leave"),
        other,
    )


def menu_handle(ctx: Ctx, action: str, text: str) -> None:
    if action:
        ctx.to_menu()
        return
    intent, confidence = ctx.senses.intent(text)
    if intent in ("file_complaint", "track", "talk_to_officer") and looks_like_question(text):
        # "How do I file a complaint?" asks about filing; the FAQ answers it, the menu is one tap away.
        from chatbot.flows_questions import answer_from_faq

        if answer_from_faq(ctx, text, quiet=True):
            return
    if intent == "file_complaint":
        # A message that describes the problem (not just "I want to complain") is kept as its first words.
        describes = confidence < 0.9 or len(text) >= 60
        ctx.state.scratch["seed"] = text if describes and len(text) >= 25 else ""
        start_flow(ctx, "menu:file")
    elif intent == "track":
        found = TRACKING_IN_TEXT.search(ascii_digits(text).upper())
        if found:
            ctx.state.scratch["number"] = tracking.normalise(found.group(0).replace("-", ""))
            ctx.goto("track_pin")
        else:
            start_flow(ctx, "menu:track")
    elif intent == "talk_to_officer":
        start_flow(ctx, "menu:leave")
    elif intent == "greeting":
        menu_prompt(ctx, greet=True)
    elif intent == "cancel":
        ctx.to_menu()
    else:
        # A question, or anything else: the FAQ may know; otherwise say so plainly and show the menu.
        from chatbot.flows_questions import answer_from_faq

        if not answer_from_faq(ctx, text, quiet=intent != "ask_question"):
            ctx.say(
                "ขออภัย ไม่เข้าใจข้อความนี้ ลองเลือกจากเมนู หรือพิมพ์ใหม่อีกครั้ง",
                "Sorry, I did not understand that. Choose from the menu or try other words.",
            )
            menu_prompt(ctx)


register(MENU, menu_prompt, menu_handle)

QUESTION_EN = re.compile(
    r"^(how|what|where|when|why|who|which|can|could|do|does|is|are|should|may)\b|\?\s*$", re.IGNORECASE
)
QUESTION_TH = ("ไหม", "มั้ย", "หรือเปล่า", "อย่างไร", "ยังไง", "เท่าไหร่", "เท่าไร", "ที่ไหน", "อะไร", "เมื่อไหร่", "ทำไม", "ได้บ่")


def looks_like_question(text: str) -> bool:
    t = text.strip()
    return bool(QUESTION_EN.search(t)) or any(q in t for q in QUESTION_TH)


TRACKING_IN_TEXT = re.compile(r"25\d\d\s?-?\s?[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}\b")

# Where each menu action starts; the flows register these steps.
FLOW_START = {
    "menu:file": "consent",
    "menu:track": "track_number",
    "menu:ask": "ask",
    "menu:leave": "leave_question",
    "menu:mine": "mine",
}


def start_flow(ctx: Ctx, action: str) -> None:
    seed = ctx.state.scratch.get("seed", "")
    ctx.state.reset()
    if seed:
        ctx.state.scratch["seed"] = seed
    ctx.goto(FLOW_START[action])


# --- one turn -------------------------------------------------------------------------------------


def _command(ctx: Ctx, text: str, action: str) -> str:
    """The action this message means: a tapped quick reply, a typed label of one, or a command word."""
    if action:
        return action
    key = " ".join(text.strip().lower().split())
    if not key:
        return ""
    choices = ctx.state.scratch.get("choices", {})
    if key in choices:
        return choices[key]
    for name, words in COMMANDS.items():
        if key in words:
            return name
    return ""


def _global(ctx: Ctx, action: str) -> bool:
    """Commands that work at every step. True when handled."""
    state = ctx.state
    if action == "menu":
        ctx.to_menu()
    elif action in ("cancel", "restart"):
        had_work = state.step != MENU
        state.reset()
        if had_work and action == "cancel":
            ctx.say("ยกเลิกแล้ว", "Cancelled.")
        elif action == "restart":
            ctx.say("เริ่มต้นใหม่นะคะ", "Let's start over.")
        menu_prompt(ctx)
    elif action == "back":
        while state.history and state.history[-1] not in STEPS:
            state.history.pop()
        if not state.history:
            ctx.to_menu()
        else:
            previous = state.history.pop()
            ctx.goto(previous, remember=False)
    elif action.startswith("lang:") and action[5:] in ("th", "en"):
        state.lang = action[5:]
        ctx.say("เปลี่ยนเป็นภาษาไทยแล้ว", "Switched to English.")
        STEPS[state.step][0](ctx)
    elif action == "resume":
        # A chat page (re)opened: greet at the menu, or carry on where the draft was left.
        if state.step == MENU:
            menu_prompt(ctx, greet=True)
        else:
            ctx.say("ยินดีต้อนรับกลับ ทำต่อจากเดิมได้เลยค่ะ", "Welcome back. Let's carry on where you left off.")
            STEPS[state.step][0](ctx)
    elif action in FLOW_START:
        start_flow(ctx, action)
    elif action.startswith("track:") and tracking.PATTERN.match(tracking.normalise(action[6:])):
        # A status link ("/chat?track=2569-K7Q3MX") opens the chat at the PIN question.
        state.reset()
        state.scratch["number"] = tracking.normalise(action[6:])
        ctx.goto("track_pin")
    else:
        return False
    return True


def step(state_json: dict, event: Inbound, senses: Senses) -> Turn:
    state = ChatState.from_json(state_json)
    ctx = Ctx(state, senses, event)
    text = event.text or ""
    if state.lang is None:
        state.lang = senses.language(text) if text.strip() else "th"
    if state.step != MENU and state.last_at and state.silent_for(event.at) > DRAFT_EXPIRES:
        state.reset()
        ctx.say(
            "ร่างเรื่องก่อนหน้าหมดอายุแล้ว เพราะไม่มีข้อความเกิน 60 นาที เริ่มใหม่ได้เลยค่ะ",
            "Your unfinished request expired after 60 minutes without a message. Let's start again.",
        )
    state.last_at = event.at.isoformat()
    if state.step not in STEPS:
        state.reset()
    if len(text) > MAX_MESSAGE_CHARS:
        ctx.say(
            f"ข้อความยาวเกินไป ({len(text):,} ตัวอักษร) ส่งได้ไม่เกิน {MAX_MESSAGE_CHARS:,} ตัวอักษรต่อข้อความ "
            "กรุณาแบ่งส่งหรือย่อให้สั้นลง",
            f"That message is too long ({len(text):,} characters). Send at most {MAX_MESSAGE_CHARS:,} "
            "characters at a time: split it or shorten it.",
        )
        return Turn(state.to_json(), ctx.replies)
    if event.problem:
        ctx.say_pair(event.problem)
        if not text.strip() and not event.photos and not event.location:
            return Turn(state.to_json(), ctx.replies)
    action = _command(ctx, text, event.action)
    if not _global(ctx, action):
        STEPS[state.step][1](ctx, action, text.strip())
    return Turn(state.to_json(), ctx.replies, ctx.effects)


def settle(state_json: dict, outcome: Outcome) -> Turn:
    """Carry on after the service carried out the turn's effect."""
    ctx = Ctx(ChatState.from_json(state_json), None, None)
    SETTLE[type(outcome)](ctx, outcome)
    return Turn(ctx.state.to_json(), ctx.replies, ctx.effects)


def refused(ctx: Ctx, out: Refused) -> None:
    """An effect failed: say why, then ask again at the same step (or show the menu when throttled)."""
    ctx.say_pair(out.message)
    if out.throttled:
        ctx.to_menu()
    else:
        STEPS[ctx.state.step][0](ctx)


SETTLE[Refused] = refused


def expect_text(ctx: Ctx, text: str) -> bool:
    """For steps that need typed text: a photo or an empty message gets a plain nudge."""
    if text:
        return True
    ctx.say("กรุณาพิมพ์ข้อความ", "Please type your answer.")
    STEPS[ctx.state.step][0](ctx)
    return False


# The flows register their steps on import; keep these last.
from chatbot import flows_contact, flows_filing, flows_questions, flows_tracking  # noqa: E402,F401
