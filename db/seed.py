"""Writes the directory (db/directory.py) into the tables: centers, agencies, categories and routing
rules. Idempotent and bulk: it reads what is there in one query per table, inserts the rows that are
missing, updates only the rows whose seeded columns differ, and never deletes, so rows an administrator
added stay. What an administrator tunes is left alone on re-seeding: a category's resolution days and
default agency type, and a routing rule's priority (rules are matched on their whole target, so an
edited priority survives and no duplicate appears). The caller commits."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from db import directory
from db.models import Agency, Base, Category, Center, RoutingRule

_CENTER_LEVELS = ("ministry", "dopa", "province", "district")
_CATEGORY_TUNABLES = ("resolution_business_days", "default_agency_type", "public")
# How an agency is reached is one decision (a connector, hence linked) that an administrator or the
# directory feed may change after the seed put it in: re-seeding leaves it alone.
_AGENCY_LINK = ("linked", "connector", "connector_settings")
_RULE_KEY = ("category", "province_code", "district_code", "agency_code", "agency_type")


def _upsert(
    session: Session,
    model: type[Base],
    rows: list[dict],
    keep: tuple[str, ...] = (),
) -> tuple[int, int]:
    """Insert missing rows and update changed ones by primary key; columns in `keep` are insert-only."""
    if not rows:
        return 0, 0
    columns = [c for c in rows[0] if c not in keep]
    pk = model.__mapper__.primary_key[0].name
    existing = {row[0]: row for row in session.execute(select(*(getattr(model, c) for c in [pk, *columns]))).all()}
    new = [r for r in rows if r[pk] not in existing]
    changed = [
        {c: r[c] for c in [pk, *columns]}
        for r in rows
        if r[pk] in existing and tuple(existing[r[pk]][1:]) != tuple(r[c] for c in columns)
    ]
    if model is Center:
        # Parents go in before children, in separate statements, for databases that check the
        # self-referencing foreign key per statement.
        for level in _CENTER_LEVELS:
            batch = [r for r in new if r["level"] == level]
            if batch:
                session.execute(insert(model), batch)
    elif new:
        session.execute(insert(model), new)
    if changed:
        session.execute(update(model), changed)
    return len(new), len(changed)


def _add_missing_rules(session: Session, rules: list[dict]) -> int:
    have = {tuple(r) for r in session.execute(select(*(getattr(RoutingRule, c) for c in _RULE_KEY)))}
    new = [r for r in rules if tuple(r[c] for c in _RULE_KEY) not in have]
    if new:
        session.execute(insert(RoutingRule), new)
    return len(new)


def seed_directory(session: Session, agency_base_url: str = directory.DEFAULT_AGENCY_BASE_URL) -> dict[str, int]:
    """Upsert the directory; returns the seeded rows per table plus how many were inserted/updated."""
    centers = directory.centers()
    agencies = directory.agencies(agency_base_url)
    categories = directory.categories()
    rules = directory.routing_rules()
    # Autoflush off: pending ORM objects of the caller would otherwise be flushed mid-seed.
    with session.no_autoflush:
        ins_c, upd_c = _upsert(session, Center, centers)
        ins_a, upd_a = _upsert(session, Agency, agencies, keep=_AGENCY_LINK)
        ins_k, upd_k = _upsert(session, Category, categories, keep=_CATEGORY_TUNABLES)
        ins_r = _add_missing_rules(session, rules)
    return {
        "centers": len(centers),
        "agencies": len(agencies),
        "categories": len(categories),
        "routing_rules": len(rules),
        "inserted": ins_c + ins_a + ins_k + ins_r,
        "updated": upd_c + upd_a + upd_k,
    }
