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
from functools import lru_cache

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


@lru_cache(maxsize=4)
def _index(centers: tuple[CenterRow, ...]) -> tuple[list, list, dict]:
    """(provinces, districts, special) as [(thai place, english place, center)], longest names first."""
    provinces, districts, special = [], [], {}
    for c in centers:
        th, en = _place_names(c)
        if c.level == "province":
            provinces.append((th, en, c))
            if c.province_code == "10":
                provinces += [("กรุงเทพ", "bangkok", c), ("กทม", "bkk", c)]
        elif c.level == "district":
            districts.append((th, en, c))
        else:
            special[c.level] = c
    longest = lambda rows: sorted(rows, key=lambda r: -len(r[0]))  # noqa: E731
    return longest(provinces), longest(districts), special


def _in_thai(key: str, name: str, words: tuple[str, ...], bare: bool) -> bool:
    if any(w + name in key for w in words):
        return True
    return bare and len(name) >= 2 and name in key


def _in_english(key: str, name: str, after: tuple[str, ...], before: tuple[str, ...], bare: bool) -> bool:
    if not name:
        return False
    if any(f" {name} {w} " in key for w in after) or any(f" {w} {name} " in key for w in before):
        return True
    return bare and len(name) >= 3 and f" {name} " in key


def named_center(text: str, centers: tuple[CenterRow, ...]) -> CenterRow | None:
    """The center the text names, or None when it names none (or names a district ambiguously)."""
    provinces, districts, special = _index(centers)
    th, en = _thai_key(text), _english_key(text)
    if "กระทรวงมหาดไทย" in th or " ministry " in en or " moi " in en:
        return special.get("ministry")
    if "กรมการปกครอง" in th or " dopa " in en or " department of provincial administration " in en:
        return special.get("dopa")

    def province_named(bare: bool) -> list[CenterRow]:
        return [
            c
            for pth, pen, c in provinces
            if _in_thai(th, pth, _TH_PROVINCE_WORDS, bare and pth not in _COMMON)
            or _in_english(en, pen, ("province", "provincial"), ("province", "changwat"), bare)
        ]

    in_province = {c.province_code for c in province_named(bare=True)}

    def district_named(bare: bool) -> list[CenterRow]:
        hits = [
            c
            for dth, den, c in districts
            if _in_thai(th, dth, _TH_DISTRICT_WORDS, bare and len(dth) >= 3)
            or _in_english(en, den, ("district",), ("district", "amphoe", "amphur"), bare and len(den) >= 4)
        ]
        if len({c.code for c in hits}) > 1 and in_province:
            hits = [c for c in hits if c.province_code in in_province] or hits
        return hits

    for hits in (district_named(bare=False), province_named(bare=False)):
        if len({c.code for c in hits}) == 1:
            return hits[0]
    # No level word: a district name inside a named province, then a province, then a district alone.
    bare_districts = district_named(bare=True)
    if in_province:
        inside = [
            c for c in bare_districts if c.province_code in in_province and not _is_only_the_province(c, provinces, th)
        ]
        if len({c.code for c in inside}) == 1:
            return inside[0]
        found = province_named(bare=True)
        return found[0] if found else None
    if len({c.code for c in bare_districts}) == 1:
        return bare_districts[0]
    return None


def _is_only_the_province(district: CenterRow, provinces: list, th: str) -> bool:
    """A district whose name is contained in the province's name found in the text (never a real
    mention of the district on its own)."""
    dth = _place_names(district)[0]
    return any(dth in pth and pth in th and dth != pth for pth, _, _ in provinces)
