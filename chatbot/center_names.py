"""Which Damrongdham center a citizen's question names, and which of its facts it asks for: "เบอร์โทร
ศูนย์ดำรงธรรมจังหวัดตรัง" is the Trang provincial center's phone, "Sikao district center opening hours"
the Sikao district center's hours. Pure: it reads the list of centers the senses hold (the 956 of the
directory) and the text, nothing else.

Names are found the way people write them: with a level word ("จังหวัด", "จ.", "อำเภอ", "อ.", "province",
"district", "amphoe") or without one; a district with its level word wins over the province around it
("อำเภอเมืองตรัง" is the district, not Trang province). A bare name that is also an everyday word ("เลย")
counts only with its level word. A district name shared by several provinces, with no province to tell
them apart, names no center (the chat asks)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.senses import CenterRow

FIELDS = ("phone", "hours", "address", "email", "map")

# Words that ask for a fact; checked on the lower-cased text with spaces removed for Thai.
_ASKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "phone": (("เบอร์", "โทรศัพท์", "เบอร์โทร", "หมายเลขโทร", "โทรหา", "โทรไป", "โทรติดต่อ"),
              ("phone", "telephone", "tel", "call", "phone number", "hotline")),
    "hours": (("เวลาเปิด", "เวลาปิด", "เปิดกี่โมง", "ปิดกี่โมง", "เปิดปิด", "เวลาทำการ", "เปิดทำการ", "เปิดวัน",
               "เปิดถึง", "ปิดวัน", "เปิดไหม", "เปิดมั้ย", "เปิดกี่", "วันหยุด", "เวลาราชการ"),
              ("hours", "opening", "open", "opens", "closing", "close", "closes", "what time", "office hours")),
    "address": (("ที่อยู่", "อยู่ที่ไหน", "อยู่ไหน", "ตั้งอยู่", "ไปยังไง", "ไปอย่างไร", "เดินทางไป", "สถานที่ตั้ง"),
                ("address", "where is", "where's", "located", "location", "how do i get", "how to get")),
    "email": (("อีเมล", "อีเมล์", "e-mail", "email", "เมล"), ("email", "e-mail", "mail")),
    "map": (("แผนที่", "พิกัด", "หมุด"), ("map", "directions", "coordinates", "gps")),
}  # fmt: skip
_ALL = (("ช่องทางติดต่อ", "ข้อมูลติดต่อ", "ติดต่อศูนย์", "ติดต่อได้"), ("contact", "contacts", "reach"))
_CENTER_WORDS = ("ศูนย์ดำรงธรรม", "ศูนย์", "ดำรงธรรม", "damrongdham", "center", "centre", "office", "ศดธ")

# Province names that are everyday words too; they count only after "จังหวัด" / "จ." / "province".
_COMMON = {"เลย", "ตาก", "แพร่", "น่าน", "ตราด", "ยะลา", "ระนอง"}
_TH_PROVINCE_WORDS = ("จังหวัด", "จ.")
_TH_DISTRICT_WORDS = ("อำเภอ", "อ.", "เขต")
_PREFIXES = ("ศูนย์ดำรงธรรมจังหวัด", "ศูนย์ดำรงธรรมอำเภอ", "ศูนย์ดำรงธรรม")
_EN_SUFFIXES = (" provincial damrongdham center", " district damrongdham center", " damrongdham center")


def _thai_key(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def _english_key(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "


def _has(key_th: str, key_en: str, words: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
    thai, english = words
    return any(w in key_th for w in thai) or any(f" {w} " in key_en for w in english)


def asked_fields(text: str) -> tuple[str, ...]:
    """The facts the text asks for, in `FIELDS` order; all of them for "contact details"."""
    th, en = _thai_key(text), _english_key(text)
    found = tuple(f for f in FIELDS if _has(th, en, _ASKS[f]))
    if not found and _has(th, en, _ALL):
        return FIELDS
    return found


def mentions_a_center(text: str) -> bool:
    th = _thai_key(text)
    return any(w in th for w in _CENTER_WORDS)


def _place_names(center: CenterRow) -> tuple[str, str]:
    """The place part of a center's names: "ตรัง" and "trang" of "ศูนย์ดำรงธรรมจังหวัดตรัง"."""
    th = _thai_key(center.name.th)
    for prefix in _PREFIXES:
        if th.startswith(prefix):
            th = th[len(prefix) :]
            break
    en = center.name.en.lower()
    for suffix in _EN_SUFFIXES:
        if en.endswith(suffix):
            en = en[: -len(suffix)]
            break
    return th, " ".join(re.sub(r"[^a-z0-9]+", " ", en).split())


@dataclass(frozen=True)
class _Place:
    """One center's place name in the forms a text may hold it, built once per list of centers."""

    center: CenterRow
    th: str  # "ตรัง"
    th_marked: tuple[str, ...]  # "จังหวัดตรัง", "จ.ตรัง"
    en_bare: str  # " trang "
    en_marked: tuple[str, ...]  # " trang province ", " province trang ", ...
    bare_ok: bool  # the bare name counts (not an everyday word, not too short)

    def marked_in(self, th: str, en: str) -> bool:
        return any(m in th for m in self.th_marked) or (en != "  " and any(m in en for m in self.en_marked))

    def bare_in(self, th: str, en: str) -> bool:
        return self.bare_ok and ((self.th and self.th in th) or (self.en_bare != "  " and self.en_bare in en))


def _place(c: CenterRow, th: str, en: str) -> _Place:
    if c.level == "province":
        th_words, after, before = _TH_PROVINCE_WORDS, ("province", "provincial"), ("province", "changwat")
        bare_ok = th not in _COMMON
    else:
        th_words, after, before = _TH_DISTRICT_WORDS, ("district",), ("district", "amphoe", "amphur")
        bare_ok = len(th) >= 3 and len(en) >= 4
    en_marked = tuple(f" {en} {w} " for w in after) + tuple(f" {w} {en} " for w in before) if en else ()
    return _Place(c, th, tuple(w + th for w in th_words), f" {en} ", en_marked, bare_ok)


_INDEX: dict[int, tuple[tuple[CenterRow, ...], list[_Place], list[_Place], dict]] = {}


def _index(centers: tuple[CenterRow, ...]) -> tuple[list[_Place], list[_Place], dict]:
    """(provinces, districts, special) for this list of centers, longest names first; kept for the
    list's lifetime (the senses hold one list for the process)."""
    kept = _INDEX.get(id(centers))
    if kept is not None and kept[0] is centers:
        return kept[1], kept[2], kept[3]
    provinces, districts, special = [], [], {}
    for c in centers:
        th, en = _place_names(c)
        if c.level == "province":
            provinces.append(_place(c, th, en))
            if c.province_code == "10":
                provinces += [_place(c, "กรุงเทพ", "bangkok"), _place(c, "กทม", "bkk")]
        elif c.level == "district":
            districts.append(_place(c, th, en))
        else:
            special[c.level] = c
    provinces.sort(key=lambda p: -len(p.th))
    districts.sort(key=lambda p: -len(p.th))
    _INDEX.clear()
    _INDEX[id(centers)] = (centers, provinces, districts, special)
    return provinces, districts, special


def _one(places: list[_Place]) -> CenterRow | None:
    codes = {p.center.code for p in places}
    return places[0].center if len(codes) == 1 else None


def named_center(text: str, centers: tuple[CenterRow, ...]) -> CenterRow | None:
    """The center the text names, or None when it names none (or names a district ambiguously)."""
    provinces, districts, special = _index(centers)
    th, en = _thai_key(text), _english_key(text)
    if "กระทรวงมหาดไทย" in th or " ministry " in en or " moi " in en:
        return special.get("ministry")
    if "กรมการปกครอง" in th or " dopa " in en or " department of provincial administration " in en:
        return special.get("dopa")
    marked_p = [p for p in provinces if p.marked_in(th, en)]
    bare_p = [p for p in provinces if p.bare_in(th, en)]
    in_province = {p.center.province_code for p in marked_p + bare_p}
    marked_d = [d for d in districts if d.marked_in(th, en)]
    bare_d = [d for d in districts if d.bare_in(th, en)]
    if len({d.center.code for d in marked_d}) > 1 and in_province:
        marked_d = [d for d in marked_d if d.center.province_code in in_province] or marked_d
    for found in (_one(marked_d), _one(marked_p)):
        if found is not None:
            return found
    # No level word: a district name inside a named province, then a province, then a district alone.
    if in_province:
        names = [p.th for p in marked_p + bare_p]
        inside = [
            d
            for d in bare_d
            if d.center.province_code in in_province and not any(d.th in n and d.th != n for n in names)
        ]
        found = _one(inside)
        if found is not None:
            return found
        return (marked_p + bare_p)[0].center
    return _one(bare_d)
