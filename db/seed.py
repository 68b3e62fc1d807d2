"""Writes the directory built from geothai (db/directory.py) into the tables, through the same merge
a feed goes through (db/directory_sync.py) with "seed" as the origin: missing centers, agencies,
categories and routing rules are inserted, and a seeded field whose seed value moved is updated, but
a value a feed or an administrator set is never overwritten, a category or rule that exists is left
as it is (its clocks and priority are tuned by administrators and feeds), and nothing is deactivated
or deleted. Every insert and update is audited as the seed's. The caller commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db import directory
from db.directory_feed import Feed
from db.directory_sync import merge
from db.local_governments import demo_records as demo_local_governments

SEED_ACTOR = "seed"


def _center(row: dict) -> dict:
    return {
        "code": row["code"], "level": row["level"], "parent": row["parent_code"], "name_th": row["name_th"],
        "name_en": row["name_en"], "area": {"province": row["province_code"], "district": row["district_code"]},
    }  # fmt: skip


def _agency(row: dict) -> dict:
    area = {"province": row["province_code"], "district": row["district_code"]}
    settings = {k: v for k, v in (("base_url", row["api_base_url"]), ("credential_ref", row["credential_ref"])) if v}
    return {
        "code": row["code"], "kind": row["agency_type"], "name_th": row["name_th"], "name_en": row["name_en"],
        "areas": [area] if any(area.values()) else [],
        "connector": "damrongdham-json" if row["linked"] else None,
        "connector_settings": settings if row["linked"] else None,
        "postal_address": row["postal_address"], "email": row["email"],
    }  # fmt: skip


def _category(row: dict) -> dict:
    return {"code": row["code"], "name_th": row["name_th"], "name_en": row["name_en"],
            "resolution_business_days": row["resolution_business_days"],
            "default_agency_kind": row["default_agency_type"]}  # fmt: skip


def _rule(row: dict) -> dict:
    return {"category": row["category"], "area": {}, "agency": row["agency_code"],
            "agency_kind": row["agency_type"], "priority": row["priority"]}  # fmt: skip


def seed_directory(session: Session, agency_base_url: str = directory.DEFAULT_AGENCY_BASE_URL) -> dict[str, int]:
    """Merge the seed into the directory; returns the seeded rows per table plus how many records were
    inserted and updated."""
    centers = directory.centers()
    agencies = directory.agencies(agency_base_url)
    categories = directory.categories()
    rules = directory.routing_rules()
    feed = Feed(
        source="seed",
        document={},
        centers=[_center(r) for r in centers],
        # The demo local governments (db/local_governments.py) come with the tambons they serve.
        agencies=[_agency(r) for r in agencies] + demo_local_governments(),
        categories=[_category(r) for r in categories],
        routing_rules=[_rule(r) for r in rules],
    )
    done = merge(session, feed, origin="seed", actor=SEED_ACTOR, reason=f"directory seed (geothai {_geothai()})",
                 write=True, deactivate=False)  # fmt: skip
    return {
        "centers": len(centers),
        "agencies": len(agencies),
        "categories": len(categories),
        "routing_rules": len(rules),
        "inserted": len(done.added),
        "updated": len({(c["kind"], c["code"]) for c in done.changed}),
    }


def _geothai() -> str:
    import geothai

    return str(getattr(geothai, "DATA_VERSION", "?"))
