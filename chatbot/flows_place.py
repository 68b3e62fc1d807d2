"""The sub-district (tambon) of a complaint in the chat, which lets the case go to the local government
(เทศบาล, อบต.) that serves it: a step to choose or type the tambon (offered from the suggestion, or
after a postal code that covers several tambons), and the helpers the province and district steps use
to take a postal code or a tambon's name typed there. Once a tambon is set the office is suggested
again. Tambons and postal codes come from `chatbot.places` (geothai)."""

from __future__ import annotations

from chatbot import places
from chatbot.messages import option
from chatbot.state import Draft
from chatbot.turn import Ctx, expect_text

# LINE shows at most 13 quick replies: tambons as buttons only when they fit beside skip and back.
MAX_BUTTONS = 11


def _draft(ctx: Ctx) -> Draft:
    if ctx.state.draft is None:
        ctx.state.draft = Draft()
    return ctx.state.draft


def suggest_again(ctx: Ctx) -> None:
    """The place changed: the suggestion step works out the office afresh."""
    ctx.state.suggestion = None
    ctx.goto("suggestion")


def _set(ctx: Ctx, tambon: places.Place) -> None:
    d = _draft(ctx)
    d.province_code, d.district_code, d.subdistrict_code = tambon.code[:2], tambon.code[:4], tambon.code
    ctx.state.scratch.pop("tambons", None)
    suggest_again(ctx)


def _choices(ctx: Ctx) -> tuple[places.Place, ...]:
    """The tambons to offer: those a postal code left, else every tambon of the draft's district."""
    district_code = _draft(ctx).district_code
    if not district_code:
        return ()
    # A postal code's tambons only while the draft is still in their district ("back" may have moved it).
    left = [places.subdistrict(code) for code in ctx.state.scratch.get("tambons", []) if code[:4] == district_code]
    return tuple(t for t in left if t) or places.subdistricts(district_code)


def subdistrict_prompt(ctx: Ctx) -> None:
    district = places.district(_draft(ctx).district_code)
    name = district.name(ctx.lang) if district else ""
    ctx.say(
        f"ตำบลไหนใน{name} (ช่วยให้ส่งเรื่องถึงเทศบาลหรือ อบต. ที่รับผิดชอบ) เลือกหรือพิมพ์ชื่อตำบล",
        f"Which sub-district (tambon) in {name}? It lets us send the case to the local government "
        "responsible for it. Choose or type its name.",
    )
    choices = _choices(ctx)
    buttons = [option(t.name_th, t.name_en, f"sub:{t.code}") for t in choices] if len(choices) <= MAX_BUTTONS else []
    ctx.offer(*buttons, option("ไม่ทราบ/ข้าม", "Not sure / skip", "skip"), option("ย้อนกลับ", "Back", "back"))


def subdistrict_handle(ctx: Ctx, action: str, text: str) -> None:
    d = _draft(ctx)
    if action == "skip":
        d.subdistrict_code = None
        ctx.state.scratch.pop("tambons", None)
        suggest_again(ctx)
        return
    if action.startswith("sub:") and (tambon := places.subdistrict(action[4:])):
        _set(ctx, tambon)
        return
    if not expect_text(ctx, text):
        return
    found = places.find_subdistrict(d.province_code or "", d.district_code, text)
    if found.place:
        _set(ctx, found.place)
    elif found.options:
        ctx.say("หมายถึงตำบลไหนคะ", "Did you mean one of these?")
        ctx.offer(*[option(t.name_th, t.name_en, f"sub:{t.code}") for t in found.options[:MAX_BUTTONS]])
    else:
        ctx.say(
            f"ไม่พบตำบล “{text[:60]}” ในอำเภอนี้ ลองพิมพ์ใหม่ หรือกด ข้าม",
            f"No sub-district called “{text[:60]}” in this district. Try again, or skip.",
        )


def take_postal_code(ctx: Ctx, text: str) -> bool:
    """A postal code typed where the province is asked: its tambon, or its district and then a choice
    of its tambons, or its province and a choice of its districts. False when the text is no postal code."""
    if not places.is_postal_code(text):
        return False
    d = _draft(ctx)
    where = places.find_postal_code(text)
    if where.subdistrict:
        _set(ctx, where.subdistrict)
    elif where.district:
        d.province_code, d.district_code, d.subdistrict_code = where.province.code, where.district.code, None
        ctx.state.scratch["tambons"] = [t.code for t in where.options]
        ctx.goto("subdistrict")
    elif where.province:
        d.province_code, d.district_code, d.subdistrict_code = where.province.code, None, None
        ctx.state.go("district")
        ctx.say("รหัสไปรษณีย์นี้ครอบคลุมหลายอำเภอ เลือกอำเภอค่ะ", "That postal code covers several districts: choose one.")
        ctx.offer(
            *[option(p.name_th, p.name_en, f"dist:{p.code}") for p in where.options[:MAX_BUTTONS]],
            option("ไม่ทราบ/ข้าม", "Not sure / skip", "skip"),
        )
    else:
        ctx.say(
            f"ไม่พบรหัสไปรษณีย์ “{text[:10]}” กรุณาพิมพ์ชื่อจังหวัด",
            f"No postal code “{text[:10]}” is known. Please type the province.",
        )
    return True


def take_tambon(ctx: Ctx, text: str) -> bool:
    """A tambon's exact name typed where the district is asked, when it names one tambon of the
    province: its district and the tambon are both taken. False otherwise (a guess is left to the
    district step's own suggestions)."""
    d = _draft(ctx)
    if not d.province_code:
        return False
    try:
        _, _, code = places.tambons.resolve_place(d.province_code, None, text[:100])
    except places.UnknownArea:
        return False
    tambon = places.subdistrict(code)
    if tambon is None:
        return False
    _set(ctx, tambon)
    return True


def offer_tambon(ctx: Ctx) -> list:
    """The suggestion's button to name the tambon, while the draft has a district and no tambon."""
    d = _draft(ctx)
    if d.district_code and not d.subdistrict_code:
        return [option("ระบุตำบล", "Name the tambon", "tambon")]
    return []
