"""Where a complaint happened, from what a citizen types: a province, district or sub-district
(tambon) in Thai or English, with or without a level word, or with a typo ("เชียงไหม่", "Chaing Mai"),
or a postal code. Exact names resolve through `db.directory.resolve_area` and
`db.subdistricts.resolve_place` (geothai); otherwise the closest names by similarity are offered as
choices. A shared location's address is searched for the province, district and tambon names it
contains: geothai has no coordinates, so a location is placed by its address text alone.
Pure: geothai's data is in the package, nothing here touches the database."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

import geothai
from geothai import normalize

from db import subdistricts as tambons
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


# --- sub-districts and postal codes ---------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """What a postal code or an address tells: the province, district and tambon as far as it goes, and
    the tambons (or districts) it leaves to choose from."""

    province: Place | None = None
    district: Place | None = None
    subdistrict: Place | None = None
    options: tuple[Place, ...] = ()  # tambons (6-digit codes) or districts (4-digit codes) to choose from


@cache
def subdistricts(district_code: str) -> tuple[Place, ...]:
    return tuple(Place(t.code, t.name_th, t.name_en) for t in geothai.subdistricts(district_code))


def subdistrict(code: str | None) -> Place | None:
    if not code or len(code) != 6:
        return None
    return next((t for t in subdistricts(code[:4]) if t.code == code), None)


def is_postal_code(text: str) -> bool:
    code = tambons.digits(text)
    return len(code) == 5 and code.isdigit()


def find_postal_code(text: str) -> Where:
    """A postal code's place: its one tambon; or its district with its tambons to choose from; or its
    province with its districts to choose from; or nothing (an unknown code)."""
    try:
        found = tambons.by_postal_code(text)
    except UnknownArea:
        return Where()
    first = found[0]
    if len(found) == 1:
        return Where(province(first.province_code), district(first.district_code), subdistrict(first.code))
    district_codes = sorted({t.district_code for t in found})
    if len(district_codes) == 1:
        return Where(
            province(first.province_code),
            district(first.district_code),
            None,
            tuple(subdistrict(t.code) for t in found),
        )
    province_codes = {t.province_code for t in found}
    return Where(
        province(first.province_code) if len(province_codes) == 1 else None,
        None,
        None,
        tuple(district(code) for code in district_codes),
    )


def find_subdistrict(province_code: str, district_code: str | None, text: str) -> Found:
    """A tambon in the province (and district, when known) by its name or code, else the closest names."""
    try:
        _, _, code = tambons.resolve_place(province_code, district_code, text[:100])
    except tambons.AmbiguousArea as err:
        return Found(options=tuple(subdistrict(t.code) for t in err.options[:11]))
    except UnknownArea:
        code = None
    if code:
        return Found(subdistrict(code))
    area = [district_code] if district_code else [d.code for d in districts(province_code)]
    options = _closest(text[:100], tuple(t for code_ in area for t in subdistricts(code_)))
    return Found(options[0]) if len(options) == 1 else Found(options=options)


def locate(address: str) -> Where:
    """The province, district and tambon a shared location's address names, as far as they appear."""
    found_province, found_district = from_address(address)
    if found_province is None:
        return Where()
    found = tambons.in_address(address, found_province.code, found_district.code if found_district else None)
    if found is None:
        return Where(found_province, found_district)
    return Where(found_province, district(found.district_code), subdistrict(found.code))
