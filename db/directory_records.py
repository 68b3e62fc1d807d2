"""Centers and agencies as feed records (docs/directory-feed.md) and back: which fields a record has,
how each is read from and written to the tables, and the provenance rule every writer obeys. A field's
value comes from the seed, a feed or an administrator (`sources`, one entry per field); a feed never
overwrites an administrator's value and the seed overwrites neither a feed's nor an administrator's,
but what they would have set is kept in `held`, so releasing an administrator's value brings back the
feed's (or the seed's). Every write that changes something appends a `DirectoryChange` (the audit log).

Connector columns (`connector`, `connector_settings`) and the `agency_areas` table belong to other
migrations (0016, 0015); they are used when the model has them, and otherwise a connector maps onto
`linked`, `api_base_url` and `credential_ref`, and the areas onto the agency's province and district."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import geothai
from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import Session

from db import models
from db.directory import search_key
from db.models import Agency, Center, DirectoryChange

CENTER_FIELDS = (
    "level", "parent", "name_th", "name_en", "area", "address", "phone", "email", "office_hours",
    "line_official_account", "map", "active", "demo",
)  # fmt: skip
AGENCY_FIELDS = (
    "kind", "name_th", "name_en", "areas", "connector", "connector_settings", "postal_address", "email",
    "active", "demo",
)  # fmt: skip
FIELDS = {"center": CENTER_FIELDS, "agency": AGENCY_FIELDS}
MODELS: dict[str, type] = {"center": Center, "agency": Agency}
ORIGINS = ("seed", "feed", "admin")
_RANK = {"seed": 0, "feed": 1, "admin": 2}
_PENDING_AREAS = "directory_pending_agency_areas"
DEFAULT_CONNECTOR = "damrongdham-json"  # what a linked agency speaks before connector columns exist


def now() -> datetime:
    return datetime.now(UTC)


def has_connector_columns() -> bool:
    return hasattr(Agency, "connector") and hasattr(Agency, "connector_settings")


def area_model():
    """D2's `AgencyArea` (migration 0015) when it exists."""
    return getattr(models, "AgencyArea", None)


# --- reading ---------------------------------------------------------------------------------------


def _area(province: str | None, district: str | None, subdistrict: str | None = None) -> dict:
    return normal_area({"province": province, "district": district, "subdistrict": subdistrict})


def normal_area(area: dict | None) -> dict:
    """An area with the larger codes a smaller one implies filled in: {"subdistrict": "920501"} is
    {"province": "92", "district": "9205", "subdistrict": "920501"}. Null keys are dropped."""
    area = {k: v for k, v in (area or {}).items() if v}
    if area.get("subdistrict"):
        area.setdefault("district", area["subdistrict"][:4])
    if area.get("district"):
        area.setdefault("province", area["district"][:2])
    return {k: area[k] for k in ("province", "district", "subdistrict") if k in area}


def normal_areas(areas: list[dict] | None) -> list[dict]:
    """Areas normalised, deduplicated and sorted, so two lists of the same areas compare equal."""
    found = {tuple(normal_area(a).items()) for a in areas or []}
    return [dict(a) for a in sorted(found, key=lambda a: [v for _, v in a])]


def areas_by_agency(s: Session, codes: list[str] | None = None) -> dict[str, list[dict]]:
    """Every agency's served areas from `agency_areas` (empty when the table is not there)."""
    model = area_model()
    if model is None:
        return {}
    q = select(model)
    if codes is not None:
        q = q.where(model.agency_code.in_(codes))
    found: dict[str, list[dict]] = {}
    for row in s.scalars(q):
        area = _area(row.province_code, row.district_code, getattr(row, "subdistrict_code", None))
        found.setdefault(row.agency_code, []).append(area)
    return {code: normal_areas(areas) for code, areas in found.items()}


def _connector(a: Agency) -> tuple[str | None, dict | None]:
    if has_connector_columns():
        if not a.connector:
            return None, None
        settings = dict(a.connector_settings or {})
        # The send path still reads these columns: the feed carries them inside the settings.
        if a.credential_ref:
            settings.setdefault("credential_ref", a.credential_ref)
        if a.api_base_url and a.connector == DEFAULT_CONNECTOR:
            settings.setdefault("base_url", a.api_base_url)
        return a.connector, settings
    if not a.linked:
        return None, None
    settings = {k: v for k, v in (("base_url", a.api_base_url), ("credential_ref", a.credential_ref)) if v}
    return DEFAULT_CONNECTOR, settings


def center_record(c: Center) -> dict[str, Any]:
    return {
        "code": c.code,
        "level": c.level,
        "parent": c.parent_code,
        "name_th": c.name_th,
        "name_en": c.name_en,
        "area": _area(c.province_code, c.district_code),
        "address": c.address,
        "phone": c.phone,
        "email": c.email,
        "office_hours": c.office_hours or None,
        "line_official_account": c.line_official_account,
        "map": {"lat": c.latitude, "lon": c.longitude} if c.latitude is not None and c.longitude is not None else None,
        "active": bool(c.active if c.active is not None else True),
        "demo": bool(c.demo),
    }


def agency_record(a: Agency, areas: list[dict] | None = None) -> dict[str, Any]:
    connector, settings = _connector(a)
    if not areas:
        single = _area(a.province_code, a.district_code)
        areas = [single] if single else []
    return {
        "code": a.code,
        "kind": a.agency_type,
        "name_th": a.name_th,
        "name_en": a.name_en,
        "areas": areas,
        "linked": connector is not None,
        "connector": connector,
        "connector_settings": settings,
        "postal_address": a.postal_address,
        "email": a.email,
        "active": bool(a.active if a.active is not None else True),
        "demo": bool(a.demo),
    }


def record_of(s: Session, kind: str, row) -> dict[str, Any]:
    if kind == "center":
        return center_record(row)
    return agency_record(row, areas_by_agency(s, [row.code]).get(row.code))


def source_of(row, field: str) -> str:
    """Where a field's value came from; a row from before provenance counts as seeded."""
    return (row.sources or {}).get(field, "seed")


# --- writing ---------------------------------------------------------------------------------------


def _area_words(province: str | None, district: str | None) -> tuple[str, ...]:
    words: list[str] = []
    p = geothai.province(province) if province else None
    d = geothai.district(district) if district else None
    for place in (p, d):
        if place:
            words += [place.name_th, place.name_en]
    return tuple(words)


def _set_center(c: Center, field: str, value: Any) -> None:
    if field == "parent":
        c.parent_code = value
    elif field == "area":
        value = value or {}
        c.province_code = value.get("province") or (value.get("district") or "")[:2] or None
        c.district_code = value.get("district")
    elif field == "map":
        c.latitude, c.longitude = (value["lat"], value["lon"]) if value else (None, None)
    else:
        setattr(c, field, value)


def _set_agency(s: Session, a: Agency, field: str, value: Any) -> None:
    if field == "kind":
        a.agency_type = value
    elif field == "areas":
        _set_areas(s, a, value or [])
    elif field == "connector":
        if has_connector_columns():
            a.connector = value
        a.linked = value is not None
    elif field == "connector_settings":
        if has_connector_columns():
            a.connector_settings = value
        # The send path reads these columns until connectors own them.
        a.api_base_url = (value or {}).get("base_url")
        a.credential_ref = (value or {}).get("credential_ref")
    else:
        setattr(a, field, value)


def _set_areas(s: Session, a: Agency, areas: list[dict]) -> None:
    """One area goes on the agency's own columns; several share their province if they have one
    (routing then finds the agency by province), and `agency_areas` holds them all when it exists."""
    provinces = {x.get("province") or (x.get("district") or x.get("subdistrict") or "")[:2] for x in areas}
    if len(areas) == 1:
        only = areas[0]
        a.province_code = provinces.pop() or None
        a.district_code = only.get("district") or (only.get("subdistrict") or "")[:4] or None
    else:
        a.province_code = provinces.pop() or None if len(provinces) == 1 else None
        a.district_code = None
    model = area_model()
    if model is None:
        return
    rows = [
        model(
            agency_code=a.code,
            province_code=x.get("province") or (x.get("district") or x.get("subdistrict") or "")[:2] or None,
            district_code=x.get("district") or (x.get("subdistrict") or "")[:4] or None,
            subdistrict_code=x.get("subdistrict"),
        )
        for x in areas
    ]
    if inspect(a).persistent:
        s.execute(delete(model).where(model.agency_code == a.code))
        s.add_all(rows)
    else:
        # A new agency's areas go in once the agency row is there (`add_pending_areas`).
        s.info.setdefault(_PENDING_AREAS, []).extend(rows)


def add_pending_areas(s: Session) -> None:
    """Add the areas of agencies created in this session; call after flushing those agencies."""
    s.add_all(s.info.pop(_PENDING_AREAS, []))


SEARCHED = ("name_th", "name_en", "area", "areas")  # the fields the search key is made of


def refresh_search_key(kind: str, row) -> None:
    words = _area_words(row.province_code, row.district_code)
    if kind == "center":
        row.search_key = search_key(row.name_th, row.name_en, *words)
    else:
        row.search_key = search_key(row.name_th, row.name_en, row.code, *words)


def set_field(s: Session, kind: str, row, field: str, value: Any, refresh: bool = True) -> None:
    if kind == "center":
        _set_center(row, field, value)
    else:
        _set_agency(s, row, field, value)
    if refresh and field in SEARCHED:
        refresh_search_key(kind, row)


def new_row(s: Session, kind: str, record: dict[str, Any], origin: str):
    """A new center or agency from a feed-shaped record, every field it gives owned by `origin`. The
    caller adds it to the session (centers after their parent) and audits it."""
    row = MODELS[kind](code=record["code"])
    row.held, row.active, row.demo = {}, True, False
    if kind == "agency":
        row.linked = False
    given = [f for f in FIELDS[kind] if f in record]
    for field in given:
        set_field(s, kind, row, field, record[field], refresh=False)
    row.sources = dict.fromkeys(given, origin)
    refresh_search_key(kind, row)
    return row


def audit(
    s: Session,
    *,
    origin: str,
    actor: str,
    reason: str,
    kind: str,
    code: str,
    field: str | None,
    before: Any,
    after: Any,
    at: datetime | None = None,
) -> DirectoryChange:
    change = DirectoryChange(
        at=at or now(),
        actor=actor[:100],
        reason=reason,
        origin=origin,
        record_kind=kind,
        record_code=code,
        field=field,
        before=before,
        after=after,
    )
    s.add(change)
    return change


def outcome(row, field: str, origin: str, value: Any, current: Any) -> str:
    """What writing `value` from `origin` would do, without doing it: "held" (a higher origin owns the
    field and keeps its value), "same" or "change"."""
    if _RANK[origin] < _RANK[source_of(row, field)]:
        return "held"
    return "same" if value == current else "change"


def assign(
    s: Session,
    kind: str,
    row,
    field: str,
    value: Any,
    *,
    origin: str,
    actor: str,
    reason: str,
    current: Any,
    at: datetime | None = None,
) -> bool:
    """Write `value` from `origin` into a field whose value is `current`, if the field's owner lets it:
    an origin never overwrites a higher one, and a lower one's value is kept in `held` for a release.
    Returns whether the row changed (an audit row is written then)."""
    sources = dict(row.sources or {})
    owner = sources.get(field, "seed")
    if _RANK[origin] < _RANK[owner]:
        if owner == "admin":
            held = dict(row.held or {})
            under = held.get(field) or {"source": "seed"}
            # What is kept underneath is the feed's once a feed has said it: the seed does not replace it.
            if _RANK[origin] >= _RANK[under["source"]] and under != {"source": origin, "value": value}:
                held[field] = {"source": origin, "value": value}
                row.held = held
        return False
    if origin == "admin" and owner != "admin":
        row.held = {**(row.held or {}), field: {"source": owner, "value": current}}
    if owner != origin:
        sources[field] = origin
        row.sources = sources
    if value == current:
        return False
    set_field(s, kind, row, field, value)
    audit(s, origin=origin, actor=actor, reason=reason, kind=kind, code=row.code, field=field,
          before=current, after=value, at=at)  # fmt: skip
    return True
