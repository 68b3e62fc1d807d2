"""The directory as a feed document (docs/directory-feed.md): what `GET /api/directory/export`
returns, and what a sync of the same document finds nothing to change in. Connector settings are
left out unless the caller may see them (they say where and how linked agencies are reached; the
secrets themselves are never in the directory, only their names)."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import directory_records as records
from db.directory_feed import FORMAT, VERSION
from db.models import Agency, Category, Center, DirectoryChange, RoutingRule

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


class ExportCache:
    """The export as JSON bytes per audience (public or with connector settings), built again once the
    audit log has a newer row (every change of the seed, a feed or an administrator writes one) or
    after `max_age` seconds: some 1.3 MB that would otherwise be rebuilt for every caller."""

    def __init__(self, max_age: float = 60.0) -> None:
        self.max_age = max_age
        self._lock = threading.Lock()
        self._bodies: dict[bool, tuple[int, float, bytes]] = {}

    def body(self, s: Session, with_connector_settings: bool) -> bytes:
        marker = s.scalar(select(func.max(DirectoryChange.id))) or 0
        with self._lock:
            hit = self._bodies.get(with_connector_settings)
        if hit and hit[0] == marker and time.monotonic() - hit[1] < self.max_age:
            return hit[2]
        body = json.dumps(export_feed(s, with_connector_settings), ensure_ascii=False).encode()
        with self._lock:
            self._bodies[with_connector_settings] = (marker, time.monotonic(), body)
        return body
