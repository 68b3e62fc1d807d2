"""The one routing-options query: the rules for a category and the agencies they could lead to near a
complaint's area, as `workflows.domain.routing.decide_agency` needs them. The complaint workflow's
activity and the chat's suggestion both ask it, so the office the chat suggests is the office the case
goes to. When the complaint names its tambon, the local governments serving that tambon (`local_gov`,
by their `agency_areas`) come along for the rules that name the local administration."""

from __future__ import annotations

from sqlalchemy import exists, or_, select, true
from sqlalchemy.orm import Session

from db.models import Agency, AgencyArea, Category, RoutingRule
from workflows.contracts import RoutingOptions
from workflows.domain.routing import LOCAL_ADMIN, LOCAL_GOV, AgencyOption, RuleOption


def area_code(province_code: str | None, district_code: str | None, subdistrict_code: str | None) -> str:
    """An `agency_areas` row as one DOPA code (its most specific part; "" for nationwide)."""
    return subdistrict_code or district_code or province_code or ""


def local_governments(s: Session, subdistrict_code: str) -> list[AgencyOption]:
    """The active local governments whose areas hold this tambon, each with those areas."""
    covers = or_(
        AgencyArea.subdistrict_code == subdistrict_code,
        (AgencyArea.district_code == subdistrict_code[:4]) & AgencyArea.subdistrict_code.is_(None),
        (AgencyArea.province_code == subdistrict_code[:2]) & AgencyArea.district_code.is_(None),
        AgencyArea.province_code.is_(None),
    )
    rows = s.execute(
        select(Agency, AgencyArea)
        .join(AgencyArea, AgencyArea.agency_code == Agency.code)
        .where(Agency.agency_type == LOCAL_GOV, Agency.active.is_not(False), covers)
        .order_by(Agency.code)
    ).all()
    found: dict[str, tuple[Agency, list[str]]] = {}
    for agency, area in rows:
        found.setdefault(agency.code, (agency, []))[1].append(
            area_code(area.province_code, area.district_code, area.subdistrict_code)
        )
    return [
        AgencyOption(a.code, a.agency_type, a.linked, a.province_code, a.district_code, tuple(areas))
        for a, areas in found.values()
    ]


def routing_options(
    s: Session,
    category: str,
    province_code: str | None,
    district_code: str | None,
    agency_code: str | None = None,
    subdistrict_code: str | None = None,
) -> RoutingOptions:
    """Rules for `category`, and the agencies they name or whose type serves the area: nationwide ones,
    the province's own (not a district office of it) and the district's. A chosen agency is included
    whatever its area. With a tambon, the local governments serving it too, when a rule names the
    local administration."""
    province_code = province_code or (district_code or "")[:2] or None
    # Deactivated rules and agencies are kept for the cases that have them, and chosen for no new one.
    rules = list(
        s.scalars(select(RoutingRule).where(RoutingRule.category == category, RoutingRule.active.is_not(False)))
    )
    named = {r.agency_code for r in rules if r.agency_code}
    inactive = set(s.scalars(select(Agency.code).where(Agency.code.in_(named), Agency.active.is_(False))))
    rules = [r for r in rules if r.agency_code not in inactive]
    types = {r.agency_type for r in rules if r.agency_type}
    codes = {r.agency_code for r in rules if r.agency_code} | ({agency_code} - {None, ""})
    near = or_(
        Agency.province_code.is_(None),
        (Agency.province_code == province_code) & Agency.district_code.is_(None),
        Agency.district_code == district_code,
    )
    # An agency whose areas a feed listed (`agency_areas`) is near only where one of them covers the
    # complaint: one serving two provinces has no province of its own, and is not thereby nationwide.
    tambon = (
        (AgencyArea.subdistrict_code.is_(None) | (AgencyArea.subdistrict_code == subdistrict_code))
        if subdistrict_code
        else true()
    )
    covers = exists().where(
        AgencyArea.agency_code == Agency.code,
        or_(
            AgencyArea.province_code.is_(None),
            (AgencyArea.province_code == province_code) & AgencyArea.district_code.is_(None),
            (AgencyArea.district_code == district_code) & tambon,
        ),
    )
    listed = exists().where(AgencyArea.agency_code == Agency.code)
    near = or_(covers, ~listed & near)
    agencies = s.scalars(
        select(Agency).where(
            Agency.active.is_not(False), or_(Agency.code.in_(codes), Agency.agency_type.in_(types) & near)
        )
    )
    found = s.get(Category, category)
    options = [AgencyOption(a.code, a.agency_type, a.linked, a.province_code, a.district_code) for a in agencies]
    if subdistrict_code and types & {LOCAL_ADMIN, LOCAL_GOV}:
        local = local_governments(s, subdistrict_code)
        serving = {a.code for a in local}  # these with their areas, not as a row's province and district
        options = [a for a in options if a.code not in serving] + local
    return RoutingOptions(
        rules=[
            RuleOption(r.category, r.province_code, r.district_code, r.agency_code, r.agency_type, r.priority)
            for r in rules
        ],
        agencies=options,
        resolution_business_days=found.resolution_business_days if found else None,
    )
