"""The directory as a feed document (docs/directory-feed.md): what `GET /api/directory/export`
returns, and what a sync of the same document finds nothing to change in. Connector settings are
left out unless the caller may see them (they say where and how linked agencies are reached; the
secrets themselves are never in the directory, only their names)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import directory_records as records
from db.directory_feed import FORMAT, VERSION
from db.models import Agency, Category, Center, RoutingRule

_LEVEL_ORDER = {"ministry": 0, "dopa": 1, "province": 2, "district": 3}


def rule_record(r: RoutingRule) -> dict[str, Any]:
    area = records.normal_area(
        {"province": r.province_code, "district": r.district_code, "subdistrict": getattr(r, "subdistrict_code", None)}
    )
    return {
        "category": r.category,
        "area": area,
        "agency": r.agency_code,
        "agency_kind": None if r.agency_code else r.agency_type,
        "priority": r.priority,
        "active": r.active is not False,
    }


def category_record(c: Category) -> dict[str, Any]:
    return {
        "code": c.code,
        "name_th": c.name_th,
        "name_en": c.name_en,
        "resolution_business_days": c.resolution_business_days,
        "default_agency_kind": c.default_agency_type,
    }


def export_feed(s: Session, with_connector_settings: bool = False, publisher: str = "") -> dict[str, Any]:
    """Every center (parents first), agency, category and routing rule, active or not."""
    centers = sorted(s.scalars(select(Center)), key=lambda c: (_LEVEL_ORDER.get(c.level, 9), c.code))
    areas = records.areas_by_agency(s)
    agencies = []
    for a in s.scalars(select(Agency).order_by(Agency.code)):
        record = records.agency_record(a, areas.get(a.code))
        if not with_connector_settings:
            del record["connector_settings"]
        agencies.append(record)
    rules = s.scalars(select(RoutingRule).order_by(RoutingRule.category, RoutingRule.id))
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if publisher:
        document["publisher"] = publisher
    document |= {
        "centers": [records.center_record(c) for c in centers],
        "agencies": agencies,
        "categories": [category_record(c) for c in s.scalars(select(Category).order_by(Category.code))],
        "routing_rules": [rule_record(r) for r in rules if r.agency_code or r.agency_type],
    }
    return document
