"""One turn in progress, as every step sees it: the state being changed, the read-only senses, the
message, and what goes back (replies in the chat's language, at most one effect). A step is a pair of
plain functions, `prompt(ctx)` and `handle(ctx, action, text)`; the table of all steps is
`chatbot.steps.STEPS`, which the engine hands to each turn, so a step moves on by name (`ctx.goto`)
without importing the engine or the table: the flows import this module and nothing imports them
back but the table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from chatbot.messages import Bi, Effect, Inbound, Option, QuickReplies, Reply, Text
from chatbot.senses import Senses
from chatbot.state import MENU, ChatState

# Typed words that mean "yes" where a step asks for a confirmation.
YES = {"yes", "y", "ok", "okay", "sure", "confirm", "ใช่", "ตกลง", "ยืนยัน", "ได้", "โอเค", "ครับ", "ค่ะ"}


@dataclass(frozen=True)
class Step:
    """One step of the dialogue: what it says when entered, and how it takes the citizen's answer."""

    prompt: Callable[[Ctx], None]
    handle: Callable[[Ctx, str, str], None]  # (ctx, action, text)


@dataclass
class Ctx:
    state: ChatState
    senses: Senses | None
    event: Inbound | None
    steps: Mapping[str, Step] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.state.lang or "th"

    def tr(self, th: str, en: str) -> str:
        return en if self.lang == "en" else th

    def say(self, th: str | Bi, en: str | None = None) -> None:
        """Say a bilingual text (a `Bi`, or its Thai and English sides) in the chat's language."""
        text = th if isinstance(th, Bi) else Bi(th, th if en is None else en)
        self.replies.append(Text(text.pick(self.lang)))

    def offer(self, *options: Option) -> None:
        """Quick replies; typing a label works like a tap (the labels are remembered for the next turn)."""
        choices = tuple(o.choice(self.lang) for o in options)
        reply = QuickReplies(choices)
        self.replies.append(reply)
        self.state.scratch["choices"] = {c.label.lower(): c.action for c in reply.items}

    def goto(self, step: str, remember: bool = True) -> None:
        self.state.go(step, remember)
        self.steps[step].prompt(self)

    def prompt_again(self) -> None:
        self.steps[self.state.step].prompt(self)

    def show_menu(self) -> None:
        self.steps[MENU].prompt(self)

    def to_menu(self) -> None:
        self.state.reset()
        self.show_menu()


def expect_text(ctx: Ctx, text: str) -> bool:
    """For steps that need typed text: a photo or an empty message gets a plain nudge."""
    if text:
        return True
    ctx.say("กรุณาพิมพ์ข้อความ", "Please type your answer.")
    ctx.prompt_again()
    return False
