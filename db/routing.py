"""The one routing-options query: the rules for a category and the agencies they could lead to near a
complaint's area, as `workflows.domain.routing.decide_agency` needs them. The complaint workflow's
activity and the chat's suggestion both ask it, so the office the chat suggests is the office the case
goes to."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import Agency, Category, RoutingRule
from workflows.contracts import RoutingOptions
from workflows.domain.routing import AgencyOption, RuleOption


def routing_options(
    s: Session, category: str, province_code: str | None, district_code: str | None, agency_code: str | None = None
) -> RoutingOptions:
    """Rules for `category`, and the agencies they name or whose type serves the area: nationwide ones,
    the province's own (not a district office of it) and the district's. A chosen agency is included
    whatever its area."""
    province_code = province_code or (district_code or "")[:2] or None
    rules = list(s.scalars(select(RoutingRule).where(RoutingRule.category == category)))
    types = {r.agency_type for r in rules if r.agency_type}
    codes = {r.agency_code for r in rules if r.agency_code} | ({agency_code} - {None, ""})
    near = or_(
        Agency.province_code.is_(None),
        (Agency.province_code == province_code) & Agency.district_code.is_(None),
        Agency.district_code == district_code,
    )
    agencies = s.scalars(select(Agency).where(or_(Agency.code.in_(codes), Agency.agency_type.in_(types) & near)))
    found = s.get(Category, category)
    return RoutingOptions(
        rules=[
            RuleOption(r.category, r.province_code, r.district_code, r.agency_code, r.agency_type, r.priority)
            for r in rules
        ],
        agencies=[AgencyOption(a.code, a.agency_type, a.linked, a.province_code, a.district_code) for a in agencies],
        resolution_business_days=found.resolution_business_days if found else None,
    )
