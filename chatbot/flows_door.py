"""A center's own chat door: `/chat/c/{code}` on the web, and on LINE a rich-menu postback or a link
that sends the text `center=P92` (see docs/center-doors.md). Opening a door makes the chat that
center's: it greets in the center's name, its facts answer "what is your phone number?", a complaint
is suggested to be filed there (the citizen may still choose another office), and a question left for
an officer goes to its officers. Without a door, a question goes to the center of the citizen's area
(the draft's province and district, or the center the chat last asked about), else the ministry's.

Pure like every flow: the door's name is kept in the state because settling an effect has no senses."""

from __future__ import annotations

import re

from chatbot.messages import Bi
from chatbot.state import MENU, OfficeRef
from chatbot.turn import Ctx
from workflows.domain.routing import center_for_area

DOOR = "door:"
# "center=P92" (a LINE link's prefilled text or a rich-menu postback), also "ศูนย์=P92"; codes as the
# directory spells them (MOI, DOPA, P92, D9205), case forgiven.
DOOR_TEXT = re.compile(r"^\s*(?:center|ศูนย์)\s*[=:]\s*([A-Za-z0-9]{2,16})\s*$", re.IGNORECASE)


def door_action(text: str) -> str:
    """The action a typed or posted `center=CODE` means ("door:CODE"), or ""."""
    found = DOOR_TEXT.match(text or "")
    return DOOR + found.group(1).upper() if found else ""


def door_name(ctx: Ctx) -> Bi | None:
    raw = ctx.state.door_name
    return Bi.from_json(raw) if ctx.state.door and raw else None


def greeting(ctx: Ctx) -> Bi:
    name = door_name(ctx)
    if name is None:
        return Bi(
            "สวัสดีค่ะ ศูนย์ดำรงธรรม ยินดีให้บริการตลอด 24 ชั่วโมง",
            "Hello, this is the Damrongdham Center, here for you around the clock.",
        )
    return Bi(
        f"สวัสดีค่ะ {name.th} ยินดีให้บริการตลอด 24 ชั่วโมง",
        f"Hello, this is the {name.en}, here for you around the clock.",
    )


def open_door(ctx: Ctx, code: str) -> None:
    """Make the chat this center's; an unknown or deactivated center is said so, and the chat stays as it was."""
    # Read now, not from the finder's list of names (kept for the app's life): a center deactivated
    # since then must close its door at once.
    row = ctx.senses.center_facts(code)
    if row is None or not row.active:
        ctx.say(
            f"ไม่พบศูนย์ดำรงธรรมรหัส “{code[:16]}” ที่เปิดให้บริการ แชตนี้ยังเป็นของศูนย์เดิม",
            f"No open Damrongdham Center has the code “{code[:16]}”; this chat stays as it was.",
        )
        ctx.show_menu()
        return
    if ctx.state.door == row.code and ctx.state.step != MENU:  # the door's page reloaded mid-way: carry on
        ctx.say("ยินดีต้อนรับกลับ ทำต่อจากเดิมได้เลยค่ะ", "Welcome back. Let's carry on where you left off.")
        ctx.prompt_again()
        return
    ctx.state.reset()
    ctx.state.door, ctx.state.door_name, ctx.state.center = row.code, row.name.to_json(), row.code
    ctx.say(greeting(ctx))
    ctx.show_menu()


def door_office(ctx: Ctx) -> OfficeRef | None:
    """The door's center as the office a complaint is suggested to be filed with."""
    name = door_name(ctx)
    return OfficeRef(ctx.state.door, name) if name is not None else None


def question_center(ctx: Ctx) -> str | None:
    """Who answers a question left now: the door's center, else the area's, else None (the ministry)."""
    if ctx.state.door:
        return ctx.state.door
    d = ctx.state.draft
    if d is not None and (d.province_code or d.district_code):
        return center_for_area(d.province_code, d.district_code)
    return ctx.state.center
