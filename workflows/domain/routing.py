"""Where a complaint goes: which agency acts on it (the routing decision, from the category, the area
down to the sub-district (tambon) and the routing rules) and which Damrongdham center files it (from
the area alone). Pure standard-library code, run inside workflows; the rules and the candidate agencies
arrive as data from the directory, loaded by an activity."""

# No `from __future__ import annotations`: these dataclasses travel in payloads (see workflows/contracts.py).
from dataclasses import dataclass

MINISTRY_CENTER = "MOI"
DOPA_CENTER = "DOPA"
BANGKOK = "10"
# The agency types of local administration: `local_admin` is the level a category names (the
# provincial administrative organisation, Bangkok's BMA), `local_gov` the municipality (เทศบาล) or
# sub-district administrative organisation (อบต.) that serves a tambon, the office closest to a pothole.
LOCAL_ADMIN = "local_admin"
LOCAL_GOV = "local_gov"


@dataclass(frozen=True)
class RuleOption:
    """One routing rule: for `category` in an area (none = nationwide), an agency or an agency type."""

    category: str
    province_code: str | None
    district_code: str | None
    agency_code: str | None
    agency_type: str | None
    priority: int = 0


@dataclass(frozen=True)
class AgencyOption:
    """An agency the rules may pick, with the area it serves (none = nationwide).

    `areas` are the DOPA codes of the areas it serves when the directory lists them (`agency_areas`):
    a province (2 digits), a district (4) or a tambon (6); a code serves every area whose code starts
    with it. When given they replace `province_code`/`district_code` as the agency's area."""

    code: str
    agency_type: str
    linked: bool
    province_code: str | None
    district_code: str | None
    areas: tuple[str, ...] = ()


def _province_of(province_code: str | None, district_code: str | None) -> str | None:
    # A DOPA district code starts with its province's code, so a district alone fixes the province.
    return province_code or (district_code[:2] if district_code else None)


def _specificity(rule: RuleOption, province_code: str | None, district_code: str | None) -> int:
    """2 for a district rule, 1 for a province rule, 0 nationwide, -1 when the rule does not apply."""
    if rule.district_code:
        return 2 if rule.district_code == district_code else -1
    if rule.province_code:
        return 1 if rule.province_code == province_code else -1
    return 0


def _reach(
    agency: AgencyOption, province_code: str | None, district_code: str | None, subdistrict_code: str | None
) -> int:
    """How closely the agency serves the complaint's area: the length of the code of the smallest of
    its areas holding the place (6 tambon, 4 district, 2 province, 0 nationwide), -1 when it does not
    serve it."""
    if agency.areas:
        place = subdistrict_code or district_code or province_code or ""
        return max((len(area) for area in agency.areas if place.startswith(area)), default=-1)
    if district_code and agency.district_code == district_code:
        return 4
    if province_code and agency.province_code == province_code and not agency.district_code:
        return 2
    if not agency.province_code and not agency.district_code:
        return 0
    return -1


def _nearest(
    agency_type: str,
    province_code: str | None,
    district_code: str | None,
    agencies: list[AgencyOption],
    subdistrict_code: str | None = None,
) -> str | None:
    """The agency of this type closest to the area: same tambon, same district, same province, then
    nationwide."""
    reach = {a.code: _reach(a, province_code, district_code, subdistrict_code) for a in agencies}
    candidates = [a for a in agencies if a.agency_type == agency_type and reach[a.code] >= 0]
    if not candidates:
        return None
    # A linked agency takes the case at once, so it wins a tie; the code keeps it stable.
    return min(candidates, key=lambda a: (-reach[a.code], not a.linked, a.code)).code


def decide_agency(
    category: str,
    province_code: str | None,
    district_code: str | None,
    rules: list[RuleOption],
    agencies: list[AgencyOption],
    subdistrict_code: str | None = None,
) -> str | None:
    """The agency that should act on a complaint, or None when no rule leads to one (manual triage).

    Matching rules are tried from the most specific area down (district, province, nationwide), and by
    higher priority within an area. A rule naming an agency gives it; a rule naming a type gives the
    nearest agency of that type; when no agency of that type serves the area, the next rule is tried.
    A rule for the local administration (`local_admin`) of a complaint whose tambon is known gives the
    local government (`local_gov`) serving that tambon first, and the nearest `local_admin` (the
    provincial administrative organisation) only when none does. Without a tambon nothing changes."""
    province_code = _province_of(province_code, district_code)
    ranked = sorted(
        (
            (spec, rule)
            for rule in rules
            if rule.category == category and (spec := _specificity(rule, province_code, district_code)) >= 0
        ),
        key=lambda pair: (-pair[0], -pair[1].priority),
    )
    for _, rule in ranked:
        if rule.agency_code:
            return rule.agency_code
        if rule.agency_type:
            found = None
            if rule.agency_type == LOCAL_ADMIN and subdistrict_code:
                found = _nearest(LOCAL_GOV, province_code, district_code, agencies, subdistrict_code)
            found = found or _nearest(rule.agency_type, province_code, district_code, agencies, subdistrict_code)
            if found:
                return found
    return None


def province_center(province_code: str) -> str:
    return f"P{province_code}"


def district_center(district_code: str) -> str:
    return f"D{district_code}"


def center_for_area(province_code: str | None, district_code: str | None) -> str:
    """The Damrongdham center that files a complaint from this area.

    Bangkok's 50 khet have no district center, so a Bangkok complaint goes to the provincial center
    (P10); anywhere else the district (amphoe) center, else the provincial center, else the ministry."""
    province_code = _province_of(province_code, district_code)
    if district_code and province_code != BANGKOK:
        return district_center(district_code)
    if province_code:
        return province_center(province_code)
    return MINISTRY_CENTER
