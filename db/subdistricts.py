"""Sub-districts (tambon, Bangkok's khwaeng) from what people type: a name in Thai or English, with or
without its level word ("ตำบล", "ต.", "แขวง", "Tambon", "Subdistrict"), a 6-digit DOPA code, or a
postal code, which may cover several tambons. `resolve_place` is `db.directory.resolve_area` one
level down: it returns province, district and tambon codes, each filled in from the smaller area when
only that was given, and raises `UnknownArea` (or `AmbiguousArea`, with the tambons to choose from)
naming the field that does not resolve. `in_address` reads the tambon out of a free address (a LINE
location's), the only way here to place a point: geothai, the source of every tambon and postal code,
has no coordinates. Pure lookups in geothai's data; nothing here touches the database."""

from __future__ import annotations

import re
from functools import cache

import geothai
from geothai import Subdistrict, normalize

from db.directory import UnknownArea, resolve_area

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_EN_LEVEL = re.compile(r"^(?:tambon|khwaeng|subdistrict|sub-district)|(?:subdistrict|sub-district)$")
_POSTAL = re.compile(r"(?<!\d)\d{5}(?!\d)")


class AmbiguousArea(UnknownArea):
    """A tambon name or postal code that fits more than one tambon; `options` are those tambons."""

    def __init__(self, field: str, value: str, options: tuple[Subdistrict, ...]) -> None:
        super().__init__(field, value, "ambiguous")
        self.options = options


def digits(text: str) -> str:
    """Thai digits as Arabic ones, spaces dropped: "๙๒ ๑๕๐" -> "92150"."""
    return text.translate(_THAI_DIGITS).replace(" ", "").strip()


def tambon_key(text: str) -> str:
    """A tambon name in one form: geothai's `normalize`, plus the English level words it leaves in."""
    key = normalize(text)
    return _EN_LEVEL.sub("", key) or key


@cache
def _by_name() -> dict[str, tuple[Subdistrict, ...]]:
    index: dict[str, list[Subdistrict]] = {}
    for p in geothai.provinces():
        for d in geothai.districts(p.code):
            for t in geothai.subdistricts(d.code):
                for key in {tambon_key(t.name_th), tambon_key(t.name_en)}:
                    index.setdefault(key, []).append(t)
    return {k: tuple(v) for k, v in index.items()}


def subdistrict(code: str | None) -> Subdistrict | None:
    return geothai.subdistrict(code) if code else None


def by_postal_code(postal_code: str) -> tuple[Subdistrict, ...]:
    """The tambons a postal code covers (Thai digits too); raises UnknownArea for anything else."""
    code = digits(postal_code)
    found = tuple(geothai.by_postal_code(code)) if len(code) == 5 and code.isdigit() else ()
    if not found:
        raise UnknownArea("postal_code", postal_code)
    return found


def _within(options, province: str | None, district: str | None, postal: tuple[Subdistrict, ...] | None):
    return tuple(
        t
        for t in options
        if (not province or t.province_code == province)
        and (not district or t.district_code == district)
        and (postal is None or t in postal)
    )


def _named(value: str) -> tuple[Subdistrict, ...]:
    text = digits(value)
    if text.isdigit():
        found = geothai.subdistrict(text) if len(text) == 6 else None
        return (found,) if found else ()
    return _by_name().get(tambon_key(value), ())


def resolve_place(
    province: str | None,
    district: str | None,
    subdistrict_name: str | None = None,
    postal_code: str | None = None,
) -> tuple[str | None, str | None, str | None]:
    """(province_code, district_code, subdistrict_code) for what someone typed; any may be blank.

    A tambon name must be unique within what else was given (province, district, postal code); a
    postal code alone gives its tambon when it covers one, else its district when all its tambons lie
    in one district, else it is ambiguous. Raises UnknownArea(field, value) for a value that does not
    resolve or does not fit the rest, AmbiguousArea (with `options`) when more than one tambon fits."""
    p, d = resolve_area(province, district)
    name = (subdistrict_name or "").strip()
    postal = by_postal_code(postal_code) if postal_code and postal_code.strip() else None
    if name:
        named = _named(name)
        if not named:
            raise UnknownArea("subdistrict", name)
        fits = _within(named, p, d, postal)
        if not fits:
            raise UnknownArea("subdistrict", name, "not in the given area")
        if len(fits) > 1:
            raise AmbiguousArea("subdistrict", name, fits)
        t = fits[0]
        return t.province_code, t.district_code, t.code
    if postal is None:
        return p, d, None
    fits = _within(postal, p, d, None)
    if not fits:
        raise UnknownArea("postal_code", postal_code or "", "not in the given area")
    if len(fits) == 1:
        return fits[0].province_code, fits[0].district_code, fits[0].code
    if len({t.district_code for t in fits}) == 1:
        return fits[0].province_code, fits[0].district_code, None
    raise AmbiguousArea("postal_code", postal_code or "", fits)


def label(t: Subdistrict, lang: str = "th") -> str:
    """How a tambon is named to a person, with its district and province: "ต.บ่อหิน อ.สิเกา จ.ตรัง"."""
    d, p = geothai.district(t.district_code), geothai.province(t.province_code)
    if lang == "en":
        return f"{t.name_en}, {d.name_en if d else ''}, {p.name_en if p else ''}".strip(", ")
    if t.province_code == "10":
        return f"แขวง{t.name_th} {d.name_th if d else ''} กรุงเทพมหานคร".strip()
    return f"ต.{t.name_th} อ.{d.name_th if d else ''} จ.{p.name_th if p else ''}".strip()


def in_address(address: str, province_code: str | None, district_code: str | None) -> Subdistrict | None:
    """The tambon a free address names, within the district (or province) already read from it: by a
    tambon name in the text, else by a postal code in the text that covers just one tambon there."""
    if not (province_code or district_code):
        return None
    area = (district_code,) if district_code else tuple(d.code for d in geothai.districts(province_code or ""))
    tambons = [t for code in area for t in geothai.subdistricts(code)]
    text = normalize(address)
    # The district's and province's own names once each, so that "อ.ห้วยยอด" is not read as the
    # tambon ห้วยยอด, while "ต.ห้วยยอด อ.ห้วยยอด" still is.
    for place in (geothai.district(district_code or ""), geothai.province(province_code or "")):
        for name in (place.name_th, place.name_en) if place else ():
            text = text.replace(normalize(name), " ", 1)
    named = [t for t in tambons if normalize(t.name_th) in text or normalize(t.name_en) in text]
    if named:
        # The longest name that appears: "นาเมืองเพชร" rather than a shorter name inside it.
        return max(named, key=lambda t: max(len(t.name_th), len(t.name_en)))
    for postal in _POSTAL.findall(digits(address)):
        fits = [t for t in tambons if postal in t.postal_codes]
        if len(fits) == 1:
            return fits[0]
    return None


def area_label(
    province_code: str | None, district_code: str | None, subdistrict_code: str | None, lang: str = "th"
) -> str:
    """A case's area as a person reads it, as far down as it is known: "ต.บ่อหิน อ.สิเกา จ.ตรัง",
    "อ.สิเกา จ.ตรัง", "จ.ตรัง" (English: "Bo Hin, Sikao, Trang"); "-" when nothing is known."""
    t = subdistrict(subdistrict_code)
    if t:
        return label(t, lang)
    d = geothai.district(district_code) if district_code else None
    p = geothai.province(province_code or (district_code or "")[:2] or "")
    if lang == "en":
        return ", ".join(x.name_en for x in (d, p) if x) or "-"
    if p and p.code == "10":
        return f"{d.name_th + ' ' if d else ''}กรุงเทพมหานคร"
    return " ".join(x for x in (f"อ.{d.name_th}" if d else "", f"จ.{p.name_th}" if p else "") if x) or "-"
