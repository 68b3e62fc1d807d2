"""A center's own facts in the chat: "เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดตรัง", "Trang Damrongdham center opening
hours", "ศูนย์ดำรงธรรมอำเภอสิเกาอยู่ที่ไหน" are answered from the directory's record of the center named
(phone, hours, address, e-mail, map). When no center is named, the chat's center (the last one it asked
about) answers; with none, the chat asks which province or district. A field the directory does not
hold is said to be missing, honestly, with the 1567 hotline and the ministry's center instead.

FAQ entries marked `center_fact` (phone|hours|address|email|map|all) are completed here too: their
general answer first, then the named center's record, or the question which center."""

from __future__ import annotations

from chatbot.center_names import FIELDS, asked_fields, mentions_a_center, named_center
from chatbot.messages import Bi, Link, option
from chatbot.senses import CenterFacts, Reading
from chatbot.turn import Ctx, expect_text
from workflows.domain.routing import MINISTRY_CENTER

LABELS = {
    "phone": Bi("โทรศัพท์", "Phone"),
    "hours": Bi("เวลาทำการ", "Opening hours"),
    "address": Bi("ที่อยู่", "Address"),
    "email": Bi("อีเมล", "E-mail"),
    "map": Bi("แผนที่", "Map"),
}
# Every center keeps government office hours unless its record says otherwise (DESIGN.md, domain facts).
USUAL_HOURS = Bi("จ.-ศ. 08:30-16:30 น. เว้นวันหยุดราชการ", "Mon-Fri 08:30-16:30, except public holidays")


def fields_of(marker: str | None) -> tuple[str, ...]:
    """The fields an FAQ entry's `center_fact` marker stands for."""
    if marker == "all":
        return FIELDS
    return (marker,) if marker in FIELDS else ()


def answer_center_facts(ctx: Ctx, text: str, reading: Reading, pending: bool = False) -> bool:
    """Answer a question about a center's facts from the directory; False when the text is not one
    (or names no center and the chat has none: the FAQ's general answer comes first then).
    `pending`: right after a general answer, a center named on its own ("ตรัง") answers what was asked."""
    fields = asked_fields(text)
    if not fields and pending and len(text) <= 40:  # a place named in reply, not a new message
        fields = tuple(f for f in ctx.state.scratch.get("fact", ()) if f in FIELDS)
    if not fields:
        return False
    named = named_center(text, ctx.senses.centers())
    if named is None and not (mentions_a_center(text) and ctx.state.center):
        if mentions_a_center(text) and reading.kind != "complaint" and _faq(ctx, text, reading) is None:
            ctx.state.scratch = {"fact": list(fields), "question": text}
            ctx.goto("center_which")
            return True
        return False
    if reading.kind == "complaint":
        return False  # "ร้องเรียนศูนย์ดำรงธรรมจังหวัด... ไม่รับโทรศัพท์" is a complaint about the center
    code = named.code if named is not None else ctx.state.center
    facts = ctx.senses.center_facts(code)
    if facts is None:
        return False
    seed = text if reading.kind == "both" else ""
    found = reading.faq
    _answer(ctx, facts, fields, text, seed, found.entry_id if found is not None and found.center_fact else "")
    return True


def complete_center_facts(ctx: Ctx, text: str, fields: tuple[str, ...]) -> None:
    """After an FAQ answer that differs per center: the named (or the chat's) center's record of
    `fields`, or a word on how to get one center's (the next message naming it answers)."""
    named = named_center(text, ctx.senses.centers())
    code = named.code if named is not None else ctx.state.center
    facts = ctx.senses.center_facts(code) if code else None
    if facts is None:
        ctx.state.scratch["fact"] = list(fields)
        ctx.say(
            "ต้องการข้อมูลของศูนย์ไหน พิมพ์ชื่อจังหวัดหรืออำเภอได้เลยค่ะ",
            "For one center's details, type its province or district.",
        )
        return
    ctx.state.center = facts.code
    _say_facts(ctx, facts, fields)


def _faq(ctx: Ctx, text: str, reading: Reading):
    return reading.faq if reading.faq_checked else ctx.senses.faq(text)


def _answer(ctx: Ctx, facts: CenterFacts, fields: tuple[str, ...], text: str, seed: str, entry: str) -> None:
    """The facts, then "did this help?" (counted for the FAQ entry the question matched, if any)."""
    ctx.state.center = facts.code
    ctx.state.scratch = {"question": text, "entry": entry, "fact": list(fields)}
    if seed:
        ctx.state.scratch["seed"] = seed
    ctx.state.go("faq_feedback")
    _say_facts(ctx, facts, fields)
    ctx.steps["faq_feedback"].prompt(ctx)  # "did this help?"


def _say_facts(ctx: Ctx, facts: CenterFacts, fields: tuple[str, ...]) -> None:
    lines = [facts.name.pick(ctx.lang) + (ctx.tr(" (ข้อมูลตัวอย่าง)", " (demo data)") if facts.demo else "")]
    missing: list[str] = []
    for name in fields:
        label = LABELS[name].pick(ctx.lang)
        if name == "hours":
            if facts.hours is not None:
                lines.append(f"{label}: {facts.hours.pick(ctx.lang)}")
            else:
                lines.append(
                    ctx.tr(
                        f"{label}: ทำเนียบยังไม่มีเวลาทำการของศูนย์นี้ เวลาราชการปกติคือ {USUAL_HOURS.th}",
                        f"{label}: the directory has no hours for this center yet; government offices keep "
                        f"{USUAL_HOURS.en}",
                    )
                )
            continue
        value = {"phone": facts.phone, "address": facts.address, "email": facts.email, "map": facts.map_url}[name]
        if value and name != "map":
            lines.append(f"{label}: {value}")
        elif not value:
            missing.append(label)
    if facts.line and len(fields) == len(FIELDS):
        lines.append(f"LINE: {facts.line}")
    if missing:
        lines.append(_missing(ctx, missing))
    ctx.say(Bi.same("\n".join(lines)))
    if "map" in fields and facts.map_url:
        ctx.replies.append(Link(facts.map_url, ctx.tr(f"แผนที่{facts.name.th}", f"Map of the {facts.name.en}")))


def _missing(ctx: Ctx, labels: list[str]) -> str:
    """Say honestly what the directory lacks, and where to ask instead: 1567 and the ministry's center."""
    what = ", ".join(labels)
    ministry = ctx.senses.center_facts(MINISTRY_CENTER)
    name = (
        ministry.name.pick(ctx.lang)
        if ministry
        else ctx.tr("ศูนย์ดำรงธรรมกระทรวงมหาดไทย", "Ministry of Interior Damrongdham Center")
    )
    reach = f" {ministry.phone}" if ministry and ministry.phone else ""
    return ctx.tr(
        f"ทำเนียบของเรายังไม่มีข้อมูล{what}ของศูนย์นี้ สอบถามได้ที่สายด่วนศูนย์ดำรงธรรม 1567 (ตลอด 24 ชั่วโมง) หรือ{name}{reach}",
        f"Our directory has no {what.lower()} for this center yet. Call the Damrongdham hotline 1567 "
        f"(24 hours) or the {name}{reach}.",
    )


# --- which center? -----------------------------------------------------------------------------------


def center_which_prompt(ctx: Ctx) -> None:
    ctx.say(
        "ศูนย์ดำรงธรรมจังหวัดหรืออำเภอไหนคะ พิมพ์ชื่อจังหวัดหรืออำเภอ เช่น ตรัง หรือ อำเภอสิเกา",
        "Which province or district's Damrongdham Center? Type its name, e.g. Trang or Sikao district.",
    )
    ctx.offer(option("เมนู", "Menu", "menu"))


def center_which_handle(ctx: Ctx, action: str, text: str) -> None:
    if not expect_text(ctx, text):
        return
    fields = tuple(f for f in ctx.state.scratch.get("fact", ()) if f in FIELDS) or FIELDS
    named = named_center(text, ctx.senses.centers())
    facts = ctx.senses.center_facts(named.code) if named is not None else None
    if facts is None and ctx.senses.read(text).kind in ("question", "complaint", "both", "tracking", "menu"):
        ctx.steps["menu"].handle(ctx, "", text)  # not a place: something else, read as at the menu
        return
    if facts is None:
        ctx.say(
            f"ไม่พบศูนย์ดำรงธรรมของ “{text[:60]}” ลองพิมพ์ชื่อจังหวัดหรืออำเภออีกครั้ง",
            f"No Damrongdham Center found for “{text[:60]}”. Try the province or district name again.",
        )
        return
    _answer(ctx, facts, fields, ctx.state.scratch.get("question", text), "", "")
