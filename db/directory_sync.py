"""Syncing the directory with a feed: `load_feed` reads and checks one (db/directory_feed.py), `diff`
says what applying it would change and changes nothing, `apply` makes those changes in the caller's
transaction, with an audit row for each. A record the feed lists is added or updated field by field,
as the provenance rule allows (db/directory_records.py: an administrator's value holds, and the diff
lists it under `held`); a center, agency or routing rule missing from a section the feed has is
deactivated, never deleted, so open cases keep it and routing stops choosing it. Categories are added
and updated, never deactivated. The seed (db/seed.py) goes through the same merge as origin "seed",
without deactivating anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import directory_records as records
from db.directory_feed import Feed, FeedInvalid, load_feed, parse_feed, rule_key
from db.models import Agency, Category, RoutingRule

__all__ = ["DirectoryDiff", "Feed", "FeedInvalid", "apply", "diff", "load_feed", "parse_feed"]

_LEVELS = ("ministry", "dopa", "province", "district")
_RANK = {"seed": 0, "feed": 1, "admin": 2}
_CATEGORY_FIELDS = {"name_th": "name_th", "name_en": "name_en",
                    "resolution_business_days": "resolution_business_days",
                    "default_agency_kind": "default_agency_type"}  # fmt: skip


@dataclass
class DirectoryDiff:
    """What a feed changes. `added` and `deactivated` hold {"kind", "code"}; `changed` holds
    {"kind", "code", "field", "from", "to"}; `held` the fields an administrator holds that the feed
    would have changed ({"kind", "code", "field", "admin", "feed"}; not in `to_json`)."""

    added: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    deactivated: list[dict] = field(default_factory=list)
    unchanged: int = 0
    held: list[dict] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "changed": self.changed, "deactivated": self.deactivated,
                "unchanged": self.unchanged}  # fmt: skip

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.deactivated)


def rule_code(key: tuple) -> str:
    """A routing rule's name in a diff and the audit log: "land@92/9205->PH-92", "drugs@*->kind:police"."""
    category, province, district, subdistrict, agency, kind = key
    area = "/".join(x for x in (province, district, subdistrict) if x) or "*"
    return f"{category}@{area}->{agency or f'kind:{kind}'}"


def _db_rule_key(r: RoutingRule) -> tuple:
    return (r.category, r.province_code, r.district_code, getattr(r, "subdistrict_code", None), r.agency_code,
            r.agency_type)  # fmt: skip


def _normal(kind: str, record: dict, origin: str) -> dict:
    """A feed record in the form the tables give back, with a feed's defaults: listed means active,
    and a record that does not say it is a demo is not one."""
    r = dict(record)
    r.pop("linked", None)
    if kind == "center" and "area" in r:
        r["area"] = records.normal_area(r["area"])
    if kind == "agency":
        if "areas" in r:
            r["areas"] = records.normal_areas(r["areas"])
        if "connector" in r and not r["connector"]:
            r["connector_settings"] = None  # an agency without a connector keeps no settings
        elif "connector_settings" in r:  # a public export has none: then the settings stay as they are
            r["connector_settings"] = r["connector_settings"] or ({} if r.get("connector") else None)
    if origin == "feed":
        r.setdefault("active", True)
        r.setdefault("demo", False)
    return r


class _Merge:
    """One pass over a feed's sections, either only counting (`write` False) or writing too."""

    def __init__(self, s: Session, origin: str, actor: str, reason: str, write: bool, deactivate: bool) -> None:
        self.s, self.origin, self.actor, self.reason = s, origin, actor, reason
        self.write, self.deactivate = write, deactivate
        self.at = records.now()
        self.diff = DirectoryDiff()

    def _audit(self, kind: str, code: str, field: str | None, before: Any, after: Any) -> None:
        records.audit(self.s, origin=self.origin, actor=self.actor, reason=self.reason, kind=kind, code=code,
                      field=field, before=before, after=after, at=self.at)  # fmt: skip

    def entries(self, kind: str, feed_records: list[dict]) -> None:
        model = records.MODELS[kind]
        rows = {r.code: r for r in self.s.scalars(select(model))}
        areas = records.areas_by_agency(self.s) if kind == "agency" else {}
        listed = [_normal(kind, raw, self.origin) for raw in feed_records]
        new = [rec for rec in listed if rec["code"] not in rows]
        self.diff.added += [{"kind": kind, "code": rec["code"]} for rec in new]
        # New records go in first: an existing center may be moved under a new one.
        if self.write and new:
            self._insert(kind, new)
        for rec in listed:
            row = rows.get(rec["code"])
            if row is None:
                continue
            current = (
                records.center_record(row) if kind == "center" else records.agency_record(row, areas.get(row.code))
            )
            if not self._fields(kind, row, rec, current):
                self.diff.unchanged += 1
        if self.deactivate:
            codes = {r["code"] for r in listed}
            for code, row in rows.items():
                if code not in codes and row.active:
                    self._field(kind, row, "active", False, True, deactivating=True)

    def _fields(self, kind: str, row, rec: dict, current: dict) -> bool:
        changed = False
        for name in records.FIELDS[kind]:
            if name in rec:
                changed |= self._field(kind, row, name, rec[name], current[name])
        return changed

    def _field(self, kind: str, row, name: str, value: Any, current: Any, deactivating: bool = False) -> bool:
        what = records.outcome(row, name, self.origin, value, current)
        if what == "held":
            if records.source_of(row, name) == "admin" and value != current:
                self.diff.held.append({"kind": kind, "code": row.code, "field": name, "admin": current,
                                       self.origin: value})  # fmt: skip
            if self.write:
                records.assign(self.s, kind, row, name, value, origin=self.origin, actor=self.actor,
                               reason=self.reason, current=current, at=self.at)  # fmt: skip
            return False
        if what == "change":
            if deactivating:
                self.diff.deactivated.append({"kind": kind, "code": row.code})
            else:
                self.diff.changed.append({"kind": kind, "code": row.code, "field": name, "from": current,
                                          "to": value})  # fmt: skip
        if self.write:
            records.assign(self.s, kind, row, name, value, origin=self.origin, actor=self.actor,
                           reason=self.reason, current=current, at=self.at)  # fmt: skip
        return what == "change"

    def _insert(self, kind: str, new: list[dict]) -> None:
        # Parents before children, flushed level by level: databases check the self-reference per statement.
        batches = [[r for r in new if r.get("level") == level] for level in _LEVELS] if kind == "center" else [new]
        for batch in batches:
            for rec in batch:
                self.s.add(records.new_row(self.s, kind, rec, self.origin))
                self._audit(kind, rec["code"], None, None, rec)
            self.s.flush()
        records.add_pending_areas(self.s)

    def categories(self, feed_categories: list[dict]) -> None:
        rows = {c.code: c for c in self.s.scalars(select(Category))}
        for rec in feed_categories:
            row = rows.get(rec["code"])
            if row is None:
                self.diff.added.append({"kind": "category", "code": rec["code"]})
                if self.write:
                    self.s.add(Category(code=rec["code"], **{col: rec[f] for f, col in _CATEGORY_FIELDS.items()}))
                    self._audit("category", rec["code"], None, None, rec)
                continue
            if self.origin == "seed":  # a category's names and clocks are the feed's and administrators'
                self.diff.unchanged += 1
                continue
            changed = False
            for f, col in _CATEGORY_FIELDS.items():
                before = getattr(row, col)
                if f in rec and rec[f] != before:
                    changed = True
                    self.diff.changed.append({"kind": "category", "code": row.code, "field": f, "from": before,
                                              "to": rec[f]})  # fmt: skip
                    if self.write:
                        setattr(row, col, rec[f])
                        self._audit("category", row.code, f, before, rec[f])
            self.diff.unchanged += not changed
        if self.write:
            self.s.flush()

    def rules(self, feed_rules: list[dict]) -> None:
        rows = {_db_rule_key(r): r for r in self.s.scalars(select(RoutingRule))}
        listed = set()
        for raw in feed_rules:
            rec = {**raw, "area": records.normal_area(raw.get("area"))}
            key = rule_key(rec)
            listed.add(key)
            row = rows.get(key)
            if row is None:
                self.diff.added.append({"kind": "rule", "code": rule_code(key)})
                if self.write:
                    self._add_rule(key, rec)
                continue
            if self.origin == "seed":  # a rule's priority and state are the feed's and administrators'
                self.diff.unchanged += 1
                continue
            changed = self._rule_field(row, key, "priority", rec.get("priority", 0))
            changed |= self._rule_field(row, key, "active", rec.get("active", True))
            self.diff.unchanged += not changed
        if self.deactivate:
            for key, row in rows.items():
                if key not in listed and row.active and _RANK[self.origin] >= _RANK[row.source or "seed"]:
                    self.diff.deactivated.append({"kind": "rule", "code": rule_code(key)})
                    if self.write:
                        self._set_rule(row, key, "active", False)

    def _add_rule(self, key: tuple, rec: dict) -> None:
        category, province, district, subdistrict, agency, kind = key
        row = RoutingRule(category=category, province_code=province, district_code=district, agency_code=agency,
                          agency_type=kind, priority=rec.get("priority", 0), active=rec.get("active", True),
                          source=self.origin)  # fmt: skip
        if subdistrict is not None:
            row.subdistrict_code = subdistrict  # D2's column (migration 0015); checked by the feed's areas
        self.s.add(row)
        self._audit("rule", rule_code(key), None, None, rec)

    def _rule_field(self, row: RoutingRule, key: tuple, name: str, value: Any) -> bool:
        current = getattr(row, name)
        if value == current:
            return False
        if _RANK[self.origin] < _RANK[row.source or "seed"]:
            if row.source == "admin":
                self.diff.held.append({"kind": "rule", "code": rule_code(key), "field": name, "admin": current,
                                       self.origin: value})  # fmt: skip
            return False
        self.diff.changed.append({"kind": "rule", "code": rule_code(key), "field": name, "from": current,
                                  "to": value})  # fmt: skip
        if self.write:
            self._set_rule(row, key, name, value)
        return True

    def _set_rule(self, row: RoutingRule, key: tuple, name: str, value: Any) -> None:
        before = getattr(row, name)
        setattr(row, name, value)
        row.source = self.origin
        self._audit("rule", rule_code(key), name, before, value)


def _check_against(s: Session, feed: Feed) -> None:
    """References to sections the feed does not carry must name what the database has."""
    errors = []
    if feed.routing_rules is not None:
        agencies = (
            {a["code"] for a in feed.agencies} if feed.agencies is not None else set(s.scalars(select(Agency.code)))
        )
        categories = (
            {c["code"] for c in feed.categories}
            if feed.categories is not None
            else set(s.scalars(select(Category.code)))
        )
        for i, r in enumerate(feed.routing_rules):
            if r.get("agency") and r["agency"] not in agencies:
                errors.append(f"$.routing_rules[{i}].agency: unknown agency '{r['agency']}'")
            if r["category"] not in categories:
                errors.append(f"$.routing_rules[{i}].category: unknown category '{r['category']}'")
    if errors:
        raise FeedInvalid(errors)


def merge(
    s: Session,
    feed: Feed,
    *,
    origin: str,
    actor: str,
    reason: str,
    write: bool,
    deactivate: bool = True,
) -> DirectoryDiff:
    _check_against(s, feed)
    m = _Merge(s, origin, actor, reason, write, deactivate)
    with s.no_autoflush:
        if feed.centers is not None:
            m.entries("center", feed.centers)
        if feed.agencies is not None:
            m.entries("agency", feed.agencies)
        if write:
            s.flush()
        if feed.categories is not None:
            m.categories(feed.categories)
        if feed.routing_rules is not None:
            m.rules(feed.routing_rules)
    if write:
        s.flush()
    return m.diff


def diff(session: Session, feed: Feed) -> DirectoryDiff:
    """What applying `feed` would change; changes nothing."""
    return merge(session, feed, origin="feed", actor="", reason="", write=False)


def apply(session: Session, feed: Feed, actor: str, reason: str) -> DirectoryDiff:
    """Apply `feed` in the caller's transaction (the caller commits, or rolls back on an error);
    returns what changed. Every change is audited with `actor` and `reason`."""
    return merge(
        session, feed, origin="feed", actor=actor, reason=reason or f"directory feed {feed.source}", write=True
    )
