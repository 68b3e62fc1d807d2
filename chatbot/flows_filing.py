"""Filing a complaint in the chat, step by step: the privacy notice and consent (PDPA) before any
personal data; the problem in the citizen's words with photos and links; where (province and district
pickers that forgive typos, or a shared location); the classifier's suggestion of the office, or any
other center or agency found by search. Contact, the summary and the confirmation follow in
`chatbot.flows_contact`."""

from __future__ import annotations

import re
from dataclasses import asdict

from chatbot import flows_place, places
from chatbot.flows_door import door_office
from chatbot.messages import Bi, option
from chatbot.state import Draft, OfficeRef, Suggested
from chatbot.turn import YES, Ctx, expect_text

MAX_PHOTOS = 5
MAX_TEXT = 10_000
MIN_TEXT = 10
LINK = re.compile(r"https?://[^\s<>\"']+")


def draft_of(ctx: Ctx) -> Draft:
    if ctx.state.draft is None:
        ctx.state.draft = Draft()
    return ctx.state.draft


def _take_photos(ctx: Ctx) -> bool:
    """Add the message's photos to the draft; True when there were any."""
    photos = ctx.event.photos if ctx.event else ()
    if not photos:
        return False
    d = draft_of(ctx)
    room = MAX_PHOTOS - len(d.photos)
    known = {p["sha256"] for p in d.photos}
    for ref in photos[: max(room, 0)]:
        if ref.sha256 not in known:
            d.photos.append(asdict(ref))
            known.add(ref.sha256)
    if len(photos) > room:
        ctx.say(f"แนบรูปได้ไม่เกิน {MAX_PHOTOS} รูป", f"You can attach at most {MAX_PHOTOS} photos.")
    ctx.say(f"ได้รับรูปแล้ว (รวม {len(d.photos)} รูป)", f"Photo received ({len(d.photos)} in all).")
    return True


def _add_text(d: Draft, text: str) -> None:
    d.text = (d.text + "\n" + text).strip() if d.text else text
    d.text = d.text[:MAX_TEXT]
    for url in LINK.findall(text):
        if url not in d.links:
            d.links.append(url)


# --- consent ------------------------------------------------------------------------------------


def consent_prompt(ctx: Ctx) -> None:
    ctx.say(
        "ประกาศความเป็นส่วนตัว: ศูนย์ดำรงธรรมจะเก็บชื่อ เบอร์โทรศัพท์ และเลขประจำตัวประชาชน (ถ้าให้) "
        "เพื่อพิจารณาและติดต่อกลับเรื่องร้องเรียนนี้เท่านั้น ส่งต่อเฉพาะหน่วยงานที่รับผิดชอบ "
        "และลบเมื่อพ้นระยะเวลาเก็บรักษาหลังปิดเรื่อง ตาม พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 "
        "ท่านยินยอมหรือไม่",
        "Privacy notice: the Damrongdham Center keeps your name, phone number and national ID (if you "
        "give it) only to handle this complaint and contact you about it, shares them only with the "
        "responsible agency, and erases them after the retention period once the case is closed "
        "(Personal Data Protection Act B.E. 2562). Do you consent?",
    )
    ctx.offer(
        option("ยินยอม", "I consent", "consent:yes"),
        option("ไม่ยินยอม", "I do not consent", "consent:no"),
        option("ยกเลิก", "Cancel", "cancel"),
    )


def consent_handle(ctx: Ctx, action: str, text: str) -> None:
    key = text.lower()
    if action == "consent:yes" or (not action and key in YES):
        draft_of(ctx).consent = True
    elif action == "consent:no":
        d = draft_of(ctx)
        d.consent, d.anonymous = False, True
        ctx.say(
            "ได้ค่ะ จะไม่เก็บข้อมูลส่วนบุคคล ท่านยังร้องเรียนแบบไม่ระบุตัวตนได้",
            "Understood: no personal data will be kept. You can still file without giving your name.",
        )
    else:
        ctx.say("กรุณาเลือก ยินยอม หรือ ไม่ยินยอม", "Please choose whether you consent.")
        consent_prompt(ctx)
        return
    seed = ctx.state.scratch.pop("seed", "")
    if seed:
        _add_text(draft_of(ctx), seed)
        ctx.say(f"บันทึกปัญหาของท่านแล้ว: “{seed[:200]}”", f"I have noted your problem: “{seed[:200]}”")
        ctx.goto("photos")
    else:
        ctx.goto("problem")


# --- the problem, photos, links -----------------------------------------------------------------


def problem_prompt(ctx: Ctx) -> None:
    ctx.say(
        "เล่าปัญหาด้วยคำพูดของท่านเอง: เกิดอะไร ที่ไหน เมื่อไร แนบรูปหรือลิงก์ได้",
        "Tell us the problem in your own words: what happened, where and when. You can send photos and links too.",
    )


def problem_handle(ctx: Ctx, action: str, text: str) -> None:
    got_photos = _take_photos(ctx)
    if not text:
        if not got_photos:
            expect_text(ctx, text)
        else:
            ctx.say("พิมพ์เล่าปัญหาด้วยนะคะ", "Now please describe the problem in words.")
        return
    if len(text) < MIN_TEXT:
        ctx.say(
            f"กรุณาเล่าปัญหาอย่างน้อย {MIN_TEXT} ตัวอักษร", f"Please describe the problem in at least {MIN_TEXT} characters."
        )
        return
    _add_text(draft_of(ctx), text)
    ctx.goto("photos")


def photos_prompt(ctx: Ctx) -> None:
    ctx.say(
        f"ส่งรูปถ่ายประกอบได้ (ไม่เกิน {MAX_PHOTOS} รูป) หรือพิมพ์รายละเอียดเพิ่ม แล้วกด ถัดไป",
        f"Send photos if you have them (up to {MAX_PHOTOS}) or add more details, then press Next.",
    )
    ctx.offer(option("ถัดไป", "Next", "next"), option("ย้อนกลับ", "Back", "back"), option("ยกเลิก", "Cancel", "cancel"))


def photos_handle(ctx: Ctx, action: str, text: str) -> None:
    got_photos = _take_photos(ctx)
    if action == "next" or text.lower() in {"ถัดไป", "next", "done", "เสร็จ", "ต่อไป"}:
        ctx.goto("province")
        return
    if text:
        _add_text(draft_of(ctx), text)
        ctx.say("เพิ่มรายละเอียดแล้ว", "Details added.")
    elif not got_photos and ctx.event and ctx.event.location:
        _take_location(ctx)
        return
    photos_prompt(ctx)


# --- where ----------------------------------------------------------------------------------------


def _take_location(ctx: Ctx) -> None:
    loc = ctx.event.location
    d = draft_of(ctx)
    d.location = f"{loc.latitude:.6f},{loc.longitude:.6f} {loc.address}".strip()
    where = places.locate(loc.address)  # by its address text: geothai has no coordinates
    province, district = where.province, where.district
    if province is None:
        ctx.say(
            "ได้รับตำแหน่งแล้ว แต่ระบุจังหวัดไม่ได้ กรุณาพิมพ์ชื่อจังหวัด",
            "Location received, but I could not tell the province from it. Please type the province.",
        )
        ctx.goto("province")
        return
    d.province_code, d.district_code = province.code, district.code if district else None
    d.subdistrict_code = where.subdistrict.code if where.subdistrict else None
    if district is None:
        ctx.goto("district")
    else:
        suggest(ctx)


def province_prompt(ctx: Ctx) -> None:
    ctx.say(
        "เกิดเหตุที่จังหวัดไหน พิมพ์ชื่อจังหวัด (ไทยหรืออังกฤษ) หรือแชร์ตำแหน่ง",
        "Which province did it happen in? Type its name (Thai or English) or share a location.",
    )


def _pick(ctx: Ctx, options, prefix: str) -> None:
    ctx.say("หมายถึงที่ไหนคะ", "Did you mean one of these?")
    ctx.offer(
        *[option(p.name_th, p.name_en, f"{prefix}:{p.code}") for p in options[:11]], option("ยกเลิก", "Cancel", "cancel")
    )


def province_handle(ctx: Ctx, action: str, text: str) -> None:
    d = draft_of(ctx)
    if ctx.event and ctx.event.location:
        _take_location(ctx)
        return
    if action.startswith("prov:") and places.province(action[5:]):
        d.province_code, d.district_code = action[5:], None
        ctx.goto("district")
        return
    if not expect_text(ctx, text) or flows_place.take_postal_code(ctx, text):
        return
    found = places.find_province(text)
    if found.place:
        d.province_code, d.district_code = found.place.code, None
        ctx.goto("district")
    elif found.options:
        _pick(ctx, found.options, "prov")
    else:
        ctx.say(
            f"ไม่พบจังหวัด “{text[:60]}” ลองพิมพ์ใหม่ เช่น ตรัง หรือ Chiang Mai",
            f"No province called “{text[:60]}”. Try again, e.g. Trang or เชียงใหม่.",
        )


def district_prompt(ctx: Ctx) -> None:
    p = places.province(draft_of(ctx).province_code)
    name = p.name(ctx.lang) if p else ""
    ctx.say(f"อำเภอหรือเขตไหนใน{name}", f"Which district (amphoe or khet) in {name}?")
    ctx.offer(option("ไม่ทราบ/ข้าม", "Not sure / skip", "skip"), option("ย้อนกลับ", "Back", "back"))


def district_handle(ctx: Ctx, action: str, text: str) -> None:
    d = draft_of(ctx)
    if action == "skip":
        d.district_code = None
        suggest(ctx)
        return
    if action.startswith("dist:") and places.district(action[5:]):
        d.district_code = action[5:]
        suggest(ctx)
        return
    if not expect_text(ctx, text):
        return
    found = places.find_district(d.province_code or "", text)
    if not found.place and flows_place.take_tambon(ctx, text):
        return
    if found.place:
        d.district_code = found.place.code
        suggest(ctx)
    elif found.options:
        _pick(ctx, found.options, "dist")
    else:
        ctx.say(
            f"ไม่พบอำเภอ “{text[:60]}” ในจังหวัดนี้ ลองพิมพ์ใหม่ หรือกด ข้าม",
            f"No district called “{text[:60]}” in this province. Try again, or skip.",
        )


# --- the office ---------------------------------------------------------------------------------


def suggest(ctx: Ctx) -> None:
    d = draft_of(ctx)
    if d.subdistrict_code and not d.subdistrict_code.startswith(d.district_code or "-"):
        d.subdistrict_code = None  # the district changed since the tambon was named
    channel = ctx.event.channel if ctx.event else ""
    s = ctx.senses.suggest(d.text, d.province_code, d.district_code, channel, subdistrict=d.subdistrict_code)
    ctx.state.suggestion = Suggested(
        s.category,
        Bi(s.category_th, s.category_en),
        # A chat opened at a center's door files there unless the citizen chooses another office.
        door_office(ctx) or OfficeRef(s.center.code, Bi(s.center.name_th, s.center.name_en)),
        OfficeRef(s.agency.code, Bi(s.agency.name_th, s.agency.name_en)) if s.agency else None,
    )
    ctx.goto("suggestion")


def suggestion_prompt(ctx: Ctx) -> None:
    s = ctx.state.suggestion
    if s is None:  # "back" into this step from a draft that never had one
        suggest(ctx)
        return
    center, agency = s.center.name, s.agency.name if s.agency else None
    if s.category and agency:
        ctx.say(
            f"เรื่องนี้น่าจะเป็นเรื่อง{s.category_label.th} ยื่นที่{center.th} และส่งให้{agency.th}ดำเนินการ ใช่ไหมคะ",
            f"This looks like a matter of {s.category_label.en.lower()}. File it with the {center.en}, "
            f"to be handled by the {agency.en}?",
        )
    else:
        ctx.say(
            f"ยื่นเรื่องที่{center.th} เจ้าหน้าที่จะคัดกรองและส่งต่อหน่วยงานที่รับผิดชอบ ใช่ไหมคะ",
            f"File it with the {center.en}, whose officers will screen it and pass it to the right agency?",
        )
    ctx.offer(
        option("ใช่ ยื่นที่นี่", "Yes, file there", "office:accept"),
        option("เลือกที่อื่น", "Another office", "office:other"),
        *flows_place.offer_tambon(ctx),
        option("ย้อนกลับ", "Back", "back"),
    )


def suggestion_handle(ctx: Ctx, action: str, text: str) -> None:
    s = ctx.state.suggestion
    d = draft_of(ctx)
    if s is not None and (action == "office:accept" or (not action and text.lower() in YES)):
        d.category, d.center_code = s.category, s.center.code
        d.agency_code = s.agency.code if s.agency else None
        d.office_th = s.center.name.th + (f" (ส่ง{s.agency.name.th})" if s.agency else "")
        d.office_en = s.center.name.en + (f" (for the {s.agency.name.en})" if s.agency else "")
        _to_contact(ctx)
    elif action == "office:other":
        ctx.goto("office_search")
    elif action == "tambon":
        ctx.goto("subdistrict")
    else:
        suggestion_prompt(ctx)


def _short(name: str) -> str:
    """An office's name without the words every center shares, for a button."""
    short = name.removeprefix("ศูนย์ดำรงธรรม").replace(" Damrongdham Center", "").strip()
    return (short or name)[:16]


def office_search_prompt(ctx: Ctx) -> None:
    ctx.say(
        "พิมพ์ชื่อศูนย์ดำรงธรรมหรือหน่วยงานที่ต้องการ เช่น “ศูนย์ดำรงธรรมจังหวัดตรัง” หรือ “กรมที่ดิน”",
        "Type part of the name of a Damrongdham center or agency, e.g. “Trang Provincial” or “Department of Lands”.",
    )


def office_search_handle(ctx: Ctx, action: str, text: str) -> None:
    d = draft_of(ctx)
    hits = ctx.state.scratch.get("hits", [])
    if not action and text.isdigit() and 1 <= int(text) <= len(hits):
        action = hits[int(text) - 1]  # the number in the list
    if action.startswith(("pick:center:", "pick:agency:")):
        _, kind, code = action.split(":", 2)
        office = ctx.senses.office(kind, code)
        if office is None:
            office_search_prompt(ctx)
            return
        s = ctx.state.suggestion
        d.category = s.category if s else None
        if kind == "center":
            d.center_code, d.agency_code = office.code, None
        else:
            d.agency_code = office.code
            d.center_code = s.center.code if s else None
        d.office_th, d.office_en = office.name_th, office.name_en
        _to_contact(ctx)
        return
    if not expect_text(ctx, text):
        return
    hits = ctx.senses.search_offices(text, 10)
    if not hits:
        ctx.say(f"ไม่พบ “{text[:60]}” ลองพิมพ์คำอื่น", f"Nothing found for “{text[:60]}”. Try other words.")
        return
    # Full names in the message, short numbered labels on the buttons (LINE shows 20 characters).
    ctx.say(
        "เลือกจากรายการนี้:\n" + "\n".join(f"{i}. {h.name_th}" for i, h in enumerate(hits, 1)),
        "Choose one of these:\n" + "\n".join(f"{i}. {h.name_en}" for i, h in enumerate(hits, 1)),
    )
    ctx.offer(
        *[
            option(f"{i}. {_short(h.name_th)}", f"{i}. {_short(h.name_en)}", f"pick:{h.kind}:{h.code}")
            for i, h in enumerate(hits, 1)
        ],
        option("ย้อนกลับ", "Back", "back"),
    )
    ctx.state.scratch["hits"] = [f"pick:{h.kind}:{h.code}" for h in hits]


def _to_contact(ctx: Ctx) -> None:
    d = draft_of(ctx)
    ctx.goto("confirm" if not d.consent else "contact")
