"""Where a complaint happened, from what a citizen types: a province or district in Thai or English,
with or without a level word, or with a typo ("เชียงไหม่", "Chaing Mai"). Exact names resolve through
`db.directory.resolve_area` (geothai); otherwise the closest names by similarity are offered as
choices. A shared location's address is searched for the province and district names it contains.
Pure: geothai's data is in the package, nothing here touches the database."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

import geothai
from geothai import normalize

from db.directory import UnknownArea, resolve_area

# Close enough to offer as "did you mean"; below this the citizen is asked to type it again.
CUTOFF = 0.6


@dataclass(frozen=True)
class Place:
    code: str
    name_th: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_th


@dataclass(frozen=True)
class Found:
    """Either one place (`place`), or a few close names to choose from (`options`), or neither."""

    place: Place | None = None
    options: tuple[Place, ...] = ()


def _key(text: str) -> str:
    return normalize(text).replace("ฯ", "")


@cache
def provinces() -> tuple[Place, ...]:
    return tuple(Place(p.code, p.name_th, p.name_en) for p in geothai.provinces())


@cache
def districts(province_code: str) -> tuple[Place, ...]:
    return tuple(Place(d.code, d.name_th, d.name_en) for d in geothai.districts(province_code))


def province(code: str | None) -> Place | None:
    return next((p for p in provinces() if p.code == code), None) if code else None


def district(code: str | None) -> Place | None:
    if not code:
        return None
    return next((d for d in districts(code[:2]) if d.code == code), None)


def _closest(text: str, places: tuple[Place, ...], limit: int = 5) -> tuple[Place, ...]:
    key = _key(text)
    if not key:
        return ()
    names: dict[str, Place] = {}
    for p in places:
        for n in (p.name_th, p.name_en):
            names.setdefault(_key(n), p)
    ranked = difflib.get_close_matches(key, list(names), n=limit * 2, cutoff=CUTOFF)
    out: list[Place] = []
    for n in ranked:
        if names[n] not in out:
            out.append(names[n])
    return tuple(out[:limit])


def find_province(text: str) -> Found:
    try:
        code, _ = resolve_area(text[:100], None)
    except UnknownArea:
        code = None
    if code:
        return Found(province(code))
    options = _closest(text[:100], provinces())
    # One close name with a clear lead is the typo it looks like; several are offered.
    return Found(options[0]) if len(options) == 1 else Found(options=options)


def find_district(province_code: str, text: str) -> Found:
    try:
        _, code = resolve_area(province_code, text[:100])
    except UnknownArea:
        code = None
    if code:
        return Found(district(code))
    options = _closest(text[:100], districts(province_code))
    return Found(options[0]) if len(options) == 1 else Found(options=options)


def from_address(address: str) -> tuple[Place | None, Place | None]:
    """The province and district named in a shared location's address, as far as they appear."""
    key = _key(address)
    found_province = next(
        (
            p
            for p in sorted(provinces(), key=lambda p: -len(p.name_th))
            if _key(p.name_th) in key or _key(p.name_en) in key
        ),
        None,
    )
    if found_province is None:
        return None, None
    found_district = next(
        (
            d
            for d in sorted(districts(found_province.code), key=lambda d: -len(d.name_th))
            if _key(d.name_th) in key or _key(d.name_en) in key
        ),
        None,
    )
    return found_province, found_district
