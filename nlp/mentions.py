"""Which province or district a citizen's message names: "เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดตรัง" names
Trang, "Where is the Chiang Mai center?" names Chiang Mai, "ศูนย์ดำรงธรรมอำเภอแม่ริม" names Mae Rim.

This module owns finding those names in free text (geothai's names, shipped in its package), so a
question about one named center can be answered from the directory's record of that center. A
district is only taken when a level word stands before it (อำเภอ, อ., เขต, district), because many
district names are also ordinary words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import geothai

_DISTRICT_WORD = re.compile(
    r"(?:อำเภอ|อ\.|เขต)\s*([\u0e01-\u0e4e]+)|([a-z][a-z\s-]{2,30}?)\s+district|district\s+of\s+([a-z][a-z\s-]{2,30})"
)
# Names people use instead of the official one.
_ALIASES = (("10", "กรุงเทพ", "bangkok"), ("10", "กทม", "bkk"), ("30", "โคราช", "korat"))


@dataclass(frozen=True)
class Area:
    province: str | None = None  # geothai province code ("92")
    district: str | None = None  # geothai district code ("9201")


@lru_cache(maxsize=1)
def _provinces() -> tuple[tuple[str, str, str], ...]:
    # Longest names first, so "นครศรีธรรมราช" is found before "นคร..." prefixes of other names.
    names = [(p.code, p.name_th, p.name_en.casefold()) for p in geothai.provinces()] + list(_ALIASES)
    return tuple(sorted(names, key=lambda n: -len(n[1])))


@lru_cache(maxsize=1)
def _districts() -> dict[str, list[tuple[str, str]]]:
    """District name (Thai without its level word, and English, case-folded) -> [(code, province)]."""
    table: dict[str, list[tuple[str, str]]] = {}
    for province in geothai.provinces():
        for d in geothai.districts(province.code):
            bare = d.name_th.removeprefix("เขต").removeprefix("อำเภอ")
            for name in {bare, d.name_th, d.name_en.casefold()}:
                table.setdefault(name, []).append((d.code, province.code))
    return table


def _province_in(clean: str) -> str | None:
    for code, thai, english in _provinces():
        if thai in clean:
            return code
        if re.search(r"\b" + re.escape(english) + r"\b", clean):
            return code
    return None


def _district_in(clean: str, province: str | None) -> tuple[str | None, str | None]:
    table = _districts()
    for match in _DISTRICT_WORD.finditer(clean):
        words = next(g for g in match.groups() if g).strip()
        # Thai runs on without spaces ("อำเภอแม่ริมเปิดกี่โมง"): try the longest known prefix.
        candidates = [words[:n] for n in range(len(words), 1, -1)] if not words.isascii() else [words]
        for name in candidates:
            hits = table.get(name)
            if hits:
                inside = [h for h in hits if province is None or h[1] == province]
                code, prov = (inside or hits)[0]
                return code, prov
    return None, province


def area_mentioned(clean: str) -> Area:
    """The province and district that already-normalised text names, when it names one."""
    province = _province_in(clean)
    district, province = _district_in(clean, province)
    return Area(province, district)
