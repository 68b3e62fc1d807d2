"""The dialogue engine: pure and deterministic. `step(state, inbound, senses)` takes the chat's state
(JSON), one message from the citizen and the read-only `Senses`, and returns a `Turn`: the new state,
the replies, and at most one effect (file, track, signal, leave a question, note an FAQ answer's
usefulness) for the service to carry out; the service then calls `settle(state, outcome)` with what
happened. Nothing here does IO or reads a clock: time arrives in the message.

This module owns what holds at every step: the language (detected from the first message, switchable),
the main menu (reachable any time), "back", "cancel" and "start over", "file this as a complaint"
after an answer, the 60-minute expiry of a draft and the length limit. The steps themselves are the
table in `chatbot.steps` (name -> prompt, handler), which this module imports one way."""

from __future__ import annotations

from chatbot.flows_conversation import answer_action
from chatbot.flows_door import DOOR, door_action, open_door
from chatbot.flows_menu import menu_prompt, start_flow
from chatbot.flows_questions import CARRY
from chatbot.messages import Bi, Inbound, Outcome, Refused, Turn
from chatbot.senses import Senses
from chatbot.state import DRAFT_EXPIRES, MENU, ChatState
from chatbot.steps import FLOW_START, SETTLE, STEPS
from chatbot.turn import Ctx
from workflows.domain import tracking

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


def _command(ctx: Ctx, text: str, action: str) -> str:
    """The action this message means: a tapped quick reply, a typed label of one, or a command word."""
    if action:
        return door_action(action) or action  # a LINE rich menu's postback "center=P92" opens that door
    if door_action(text):  # "center=P92" sent from a LINE link
        return door_action(text)
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
        ctx.prompt_again()
    elif action == "resume":
        # A chat page (re)opened: greet at the menu, or carry on where the draft was left.
        if state.step == MENU:
            menu_prompt(ctx, greet=True)
        else:
            ctx.say("ยินดีต้อนรับกลับ ทำต่อจากเดิมได้เลยค่ะ", "Welcome back. Let's carry on where you left off.")
            ctx.prompt_again()
    elif answer_action(ctx, action):  # a result's rating or dispute button, from any step
        pass
    elif action.startswith(DOOR):
        open_door(ctx, action[len(DOOR) :])
    elif action == CARRY:
        # "File this as a complaint" after an answer: the question's words become the complaint's.
        start_flow(ctx, "menu:file")
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
    ctx = Ctx(state, senses, event, STEPS)
    text = event.text or ""
    if state.lang is None:
        # "center=P92" (a door's LINE link) says nothing of the citizen's language: Thai until they write.
        state.lang = senses.language(text) if text.strip() and not door_action(text) else "th"
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
        ctx.say(Bi.from_pair(event.problem))
        if not text.strip() and not event.photos and not event.location:
            return Turn(state.to_json(), ctx.replies)
    action = _command(ctx, text, event.action)
    if not _global(ctx, action):
        STEPS[state.step].handle(ctx, action, text.strip())
    return Turn(state.to_json(), ctx.replies, ctx.effects)


def settle(state_json: dict, outcome: Outcome) -> Turn:
    """Carry on after the service carried out the turn's effect."""
    ctx = Ctx(ChatState.from_json(state_json), None, None, STEPS)
    if isinstance(outcome, Refused):
        refused(ctx, outcome)
    else:
        SETTLE[type(outcome)](ctx, outcome)
    return Turn(ctx.state.to_json(), ctx.replies, ctx.effects)


def refused(ctx: Ctx, out: Refused) -> None:
    """An effect failed: say why, then ask again at the same step (or show the menu when throttled)."""
    ctx.say(Bi.from_pair(out.message))
    if out.throttled:
        ctx.to_menu()
    else:
        ctx.prompt_again()
