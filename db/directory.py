"""The directory as data, built from `geothai`: every Damrongdham center (ministry, DOPA, 77 provinces
incl. Bangkok, one per amphoe outside Bangkok), the agencies that act on complaints (four linked ones
with an API, and the unlinked offices per province, amphoe and Bangkok khet, named after their area,
with a postal address composed of the office's and the area's names and a postcode of the area, and no
e-mail: geothai has none and none is invented; a directory feed provides it), the complaint categories
and the nationwide routing rules. Centers get names, codes and areas only: their contact details come
from a feed (docs/directory-feed.md). It also owns `resolve_area`, which turns what a citizen or an API client typed for a
province and a district (Thai or English name, any case, with or without a level word, or a DOPA code)
into codes. Plain dicts here; `db/seed.py` writes them to the tables."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import geothai
from geothai import District, Province, normalize

DEFAULT_AGENCY_BASE_URL = "http://127.0.0.1:8100"
BANGKOK = "10"

# Kept in step with workflows.domain.routing.center_for_area (a test checks every area).
MINISTRY_CENTER = "MOI"
DOPA_CENTER = "DOPA"


def province_center(code: str) -> str:
    return f"P{code}"


def district_center(code: str) -> str:
    return f"D{code}"


# code, Thai, English, default agency type, resolution business days
CATEGORIES: tuple[tuple[str, str, str, str, int], ...] = (
    ("land", "ที่ดิน", "Land disputes", "lands", 60),
    ("debt", "หนี้สินและหนี้นอกระบบ", "Debt and informal lending", "district_office", 45),
    ("officials", "การปฏิบัติหน้าที่ของเจ้าหน้าที่และการทุจริต",
     "Officials' conduct and corruption", "dopa", 60),
    ("consumer", "คุ้มครองผู้บริโภค", "Consumer problems", "ocpb", 30),
    ("drugs", "ยาเสพติด", "Drugs", "police", 15),
    ("gambling", "การพนัน", "Gambling", "police", 15),
    ("infrastructure", "ถนน ไฟฟ้าสาธารณะ ท่อระบายน้ำ น้ำท่วม ต้นไม้",
     "Roads, street lights, drains, flooding, trees", "local_admin", 30),
    ("nuisance", "เหตุเดือดร้อนรำคาญ เสียง ขยะ กลิ่น",
     "Public nuisance: noise, garbage, smell", "local_admin", 30),
    ("utilities", "ประปา ไฟฟ้า โทรศัพท์", "Utilities: water, electricity, phone", "local_admin", 30),
    ("traffic", "การจราจร", "Traffic", "police", 15),
    ("environment", "สิ่งแวดล้อมและมลพิษ", "Environment and pollution", "provincial_hall", 45),
    ("animals", "สัตว์", "Animals", "local_admin", 30),
    ("labour", "แรงงาน", "Labour", "provincial_hall", 30),
    ("welfare", "สวัสดิการและขอความช่วยเหลือ", "Welfare and requests for help", "district_office", 15),
    ("family", "ข้อพิพาทในครอบครัว", "Family disputes", "district_office", 30),
    ("information", "ขอข้อมูลข่าวสาร", "Information requests", "opm1111", 15),
    ("suggestion", "ข้อเสนอแนะ", "Suggestions", "opm1111", 15),
    ("other", "อื่น ๆ", "Other", "district_office", 30),
)  # fmt: skip

# code, Thai, English: each one's agency_type is its code.
LINKED_AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("opm1111", "ศูนย์บริการประชาชน สำนักงานปลัดสำนักนายกรัฐมนตรี (สายด่วน 1111)",
     "OPM 1111 Government Contact Center"),
    ("ocpb", "สำนักงานคณะกรรมการคุ้มครองผู้บริโภค", "Office of the Consumer Protection Board"),
    ("lands", "กรมที่ดิน", "Department of Lands"),
    ("dopa", "กรมการปกครอง", "Department of Provincial Administration"),
)  # fmt: skip


class UnknownArea(ValueError):
    """A province or district that does not resolve (or a district outside the given province)."""

    def __init__(self, field: str, value: str, reason: str = "unknown") -> None:
        super().__init__(f"{reason} {field}: {value!r}")
        self.field = field
        self.value = value


def search_key(*names: str | None) -> str:
    """Lower-cased names and their geothai-normalised forms, deduplicated, joined by spaces."""
    tokens: list[str] = []
    for name in names:
        if not name:
            continue
        for token in (name.lower().strip(), normalize(name)):
            if token and token not in tokens:
                tokens.append(token)
    return " ".join(tokens)


# --- areas -------------------------------------------------------------------------------------


def _provinces() -> list[Province]:
    return geothai.provinces()


def _districts(province_code: str) -> list[District]:
    # geothai lists current areas only; abolished ones live apart in geothai.abolished.
    return geothai.districts(province_code)


_EN_LEVEL = re.compile(r"^(?:changwat|amphoe|khet)|(?:province|district)$")


def _clean(text: str) -> str:
    """`normalize`, plus the English level words and the "ฯ" of "กรุงเทพฯ" that it leaves in."""
    key = normalize(text).replace("ฯ", "")
    return _EN_LEVEL.sub("", key) or key


@cache
def _district_index() -> dict[str, tuple[District, ...]]:
    index: dict[str, list[District]] = {}
    for p in _provinces():
        for d in _districts(p.code):
            for key in {_clean(d.name_th), _clean(d.name_en)}:
                index.setdefault(key, []).append(d)
    return {k: tuple(v) for k, v in index.items()}


def _find_province(value: str) -> Province:
    text = value.strip()
    if text.isdigit():
        found = geothai.province(text.zfill(2))
        if found:
            return found
        raise UnknownArea("province", value)
    key = _clean(text)
    for p in _provinces():
        if geothai.is_province(p, key):
            return p
    raise UnknownArea("province", value)


def _find_district(value: str, province: Province | None) -> District:
    text = value.strip()
    if text.isdigit():
        found = geothai.district(text)
        if found is None:
            raise UnknownArea("district", value)
        if province and found.province_code != province.code:
            raise UnknownArea("district", value, "not in province")
        return found
    key = _clean(text)
    if province:
        for d in _districts(province.code):
            if geothai.is_district(d, key) or key in (_clean(d.name_th), _clean(d.name_en)):
                return d
        if _district_index().get(key):
            raise UnknownArea("district", value, "not in province")
        raise UnknownArea("district", value)
    matches = _district_index().get(key, ())
    if len(matches) == 1:
        return matches[0]
    raise UnknownArea("district", value, "ambiguous" if matches else "unknown")


@lru_cache(maxsize=4096)  # a burst names the same few places again and again; the scan costs 0.3 ms
def resolve_area(province: str | None, district: str | None) -> tuple[str | None, str | None]:
    """(province_code, district_code) for what someone typed; either may be None or blank.

    A district alone is accepted when its name is unique in the country; "เมือง"/"Mueang" needs the
    province. Raises UnknownArea(field, value) for a name that does not resolve, an ambiguous
    district, or a district that is not in the given province."""
    found_province = _find_province(province) if province and province.strip() else None
    if not (district and district.strip()):
        return (found_province.code if found_province else None), None
    found_district = _find_district(district, found_province)
    return found_district.province_code, found_district.code


# --- rows ----------------------------------------------------------------------------------------


def _province_names(p: Province) -> tuple[str, str]:
    """How a province is named after an office: "จังหวัดตรัง"/"Trang", Bangkok without "จังหวัด"."""
    return (p.name_th if p.code == BANGKOK else f"จังหวัด{p.name_th}"), p.name_en


def _capital_postcode(p: Province) -> str:
    first = _districts(p.code)[:1]
    return _district_postcode(first[0]) if first else ""


def _capital_district(p: Province) -> str:
    """The district of the provincial hall, as written in an address ("อำเภอเมืองตรัง", "เขตพระนคร")."""
    first = _districts(p.code)[:1]
    if not first:
        return ""
    return first[0].name_th if p.code == BANGKOK else f"อำเภอ{first[0].name_th}"


def _district_postcode(d: District) -> str:
    subs = geothai.subdistricts(d.code)
    return subs[0].postal_codes[0] if subs and subs[0].postal_codes else ""


def _area_names(p: Province, d: District | None = None) -> tuple[str, ...]:
    return (p.name_th, p.name_en) + ((d.name_th, d.name_en) if d else ())


def centers() -> list[dict]:
    """Every center as a row for `centers`, parents before children."""

    def row(code, level, th, en, parent, province=None, district=None, area=()):
        return {
            "code": code, "level": level, "name_th": th, "name_en": en, "parent_code": parent,
            "province_code": province, "district_code": district,
            "search_key": search_key(th, en, *area),
        }  # fmt: skip

    rows = [
        row(MINISTRY_CENTER, "ministry", "ศูนย์ดำรงธรรมกระทรวงมหาดไทย",
            "Ministry of Interior Damrongdham Center", None),
        row(DOPA_CENTER, "dopa", "ศูนย์ดำรงธรรมกรมการปกครอง",
            "Department of Provincial Administration Damrongdham Center", MINISTRY_CENTER),
    ]  # fmt: skip
    for p in _provinces():
        th, _ = _province_names(p)
        en = "Bangkok Damrongdham Center" if p.code == BANGKOK else (
            f"{p.name_en} Provincial Damrongdham Center")  # fmt: skip
        rows.append(row(province_center(p.code), "province", f"ศูนย์ดำรงธรรม{th}", en,
                        MINISTRY_CENTER, p.code, area=_area_names(p)))  # fmt: skip
    for p in _provinces():
        if p.code == BANGKOK:
            continue  # Bangkok's khet are served by the Bangkok center itself
        for d in _districts(p.code):
            rows.append(row(district_center(d.code), "district", f"ศูนย์ดำรงธรรมอำเภอ{d.name_th}",
                            f"{d.name_en} District Damrongdham Center", province_center(p.code),
                            p.code, d.code, area=_area_names(p, d)))  # fmt: skip
    return rows


def agencies(base_url: str = DEFAULT_AGENCY_BASE_URL) -> list[dict]:
    """Every agency as a row for `agencies`: the linked ones, then the demo offices by area."""
    base = base_url.rstrip("/")

    def row(code, kind, th, en, *, province=None, district=None, address=None, area=()):
        return {
            "code": code, "agency_type": kind, "name_th": th, "name_en": en, "linked": False,
            "api_base_url": None, "credential_ref": None, "postal_address": address,
            "email": None, "province_code": province,
            "district_code": district, "search_key": search_key(th, en, code, *area),
            "connector": None, "connector_settings": None,
        }  # fmt: skip

    rows = []
    for code, th, en in LINKED_AGENCIES:
        rows.append({
            **row(code, code, th, en), "linked": True, "email": None,
            "api_base_url": f"{base}/{code}", "credential_ref": f"AGENCY_SECRET_{code.upper()}",
            "connector": "damrongdham-json",
        })  # fmt: skip
    for p in _provinces():
        th, en = _province_names(p)
        postcode = _capital_postcode(p)
        capital = _capital_district(p)
        area = _area_names(p)
        if p.code == BANGKOK:
            hall = ("ศาลาว่าการกรุงเทพมหานคร", "Bangkok City Hall")
            local = ("BMA", "กรุงเทพมหานคร", "Bangkok Metropolitan Administration")
            police = ("กองบัญชาการตำรวจนครบาล", "Metropolitan Police Bureau")
        else:
            hall = (f"ศาลากลาง{th}", f"{en} Provincial Hall")
            local = (f"PAO-{p.code}", f"องค์การบริหารส่วน{th}",
                     f"{en} Provincial Administrative Organization")  # fmt: skip
            police = (f"ตำรวจภูธร{th}", f"{en} Provincial Police")
        for code, kind, name_th, name_en in (
            (f"PH-{p.code}", "provincial_hall", *hall),
            (local[0], "local_admin", local[1], local[2]),
            (f"POL-{p.code}", "police", *police),
        ):
            address = f"{name_th} {capital} {th} {postcode}".strip()
            rows.append(row(code, kind, name_th, name_en, province=p.code, address=address,
                            area=area))  # fmt: skip
    for p in _provinces():
        th, _ = _province_names(p)
        for d in _districts(p.code):
            # Bangkok's khet have no Damrongdham center of their own, but each has its district office
            # (สำนักงานเขต), which takes what an amphoe's office takes elsewhere: debt, welfare, family.
            if p.code == BANGKOK:
                name_th = f"สำนักงาน{d.name_th}"
                address = f"{name_th} {d.name_th} {th} {_district_postcode(d)}".strip()
            else:
                name_th = f"ที่ว่าการอำเภอ{d.name_th}"
                address = f"{name_th} อำเภอ{d.name_th} {th} {_district_postcode(d)}".strip()
            rows.append(row(f"DO-{d.code}", "district_office", name_th,
                            f"{d.name_en} District Office", province=p.code, district=d.code,
                            address=address, area=_area_names(p, d)))  # fmt: skip
    return rows


def categories() -> list[dict]:
    return [
        {"code": code, "name_th": th, "name_en": en, "default_agency_type": kind,
         "resolution_business_days": days}
        for code, th, en, kind, days in CATEGORIES
    ]  # fmt: skip


def routing_rules() -> list[dict]:
    """One nationwide rule per category, sending it to the nearest agency of its default type."""
    return [
        {"category": code, "province_code": None, "district_code": None, "agency_code": None,
         "agency_type": kind, "priority": 0}
        for code, _, _, kind, _ in CATEGORIES
    ]  # fmt: skip
