"""The directory administration's read queries: find centers and agencies by name (Thai or English),
code or area, within one province or nationwide; one record by kind and code; the routing rules an
administrator manages. Read-only; the caller owns the session. (The chat's office search, ranked for a
citizen's typing, is `db.search`; this one lists records for the people who keep them.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from geothai import normalize
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Agency, Center, DirectoryChange, RoutingRule

Kind = Literal["center", "agency"]
KINDS: tuple[Kind, ...] = ("center", "agency")
MODELS = {"center": Center, "agency": Agency}


@dataclass(frozen=True)
class RecordRow:
    """One line of the administrators' search: `group` is a center's level or an agency's type."""

    kind: Kind
    code: str
    name_th: str
    name_en: str
    group: str
    province_code: str | None
    district_code: str | None
    active: bool


def _forms(query: str) -> list[str]:
    forms: list[str] = []
    for form in (query.strip().lower(), normalize(query)):
        if form and form not in forms:
            forms.append(form)
    return forms


def _like(form: str) -> str:
    return "%" + form.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _row(kind: Kind, obj) -> RecordRow:
    group = obj.level if kind == "center" else obj.agency_type
    return RecordRow(
        kind, obj.code, obj.name_th, obj.name_en, group, obj.province_code, obj.district_code, obj.active is not False
    )


def find_records(
    s: Session, query: str, kind: Kind | None = None, province: str | None = None, limit: int = 50
) -> list[RecordRow]:
    """Records whose names, code or area (the words of `search_key`) contain `query`, or all records
    when it is blank; only those of `province` when one is given (then nationwide records are left
    out). Centers first, then agencies, each by code."""
    forms = [] if "\x00" in query else _forms(query)  # PostgreSQL cannot compare a NUL
    if query.strip() and not forms:
        return []
    found: list[RecordRow] = []
    for k in (kind,) if kind else KINDS:
        model = MODELS[k]
        stmt = select(model).order_by(model.code).limit(limit - len(found))
        if forms:
            stmt = stmt.where(
                or_(
                    *(model.search_key.like(_like(f), escape="\\") for f in forms),
                    *(func.lower(model.code).like(_like(f), escape="\\") for f in forms),
                )
            )
        if province:
            stmt = stmt.where(model.province_code == province)
        if len(found) < limit:
            found += [_row(k, obj) for obj in s.scalars(stmt)]
    return found


def record(s: Session, kind: str, code: str):
    """The center or agency row, or None (also for an unknown kind)."""
    model = MODELS.get(kind)
    return s.get(model, code) if model is not None else None


def record_province(s: Session, kind: str, code: str) -> tuple[bool, str | None]:
    """(exists, province code) of a record: what decides who may keep it."""
    row = record(s, kind, code)
    return (row is not None, row.province_code if row is not None else None)


def routing_rules(s: Session, province: str | None = None, category: str | None = None) -> list[RoutingRule]:
    """Rules by category, then area (nationwide first), then priority (highest first). With a province,
    the rules that can apply there: nationwide ones and the province's own (its districts' too)."""
    stmt = select(RoutingRule).order_by(
        RoutingRule.category,
        RoutingRule.province_code.is_not(None),
        RoutingRule.province_code,
        RoutingRule.district_code.is_not(None),
        RoutingRule.district_code,
        RoutingRule.priority.desc(),
        RoutingRule.id,
    )
    if province:
        stmt = stmt.where(or_(RoutingRule.province_code.is_(None), RoutingRule.province_code == province))
    if category:
        stmt = stmt.where(RoutingRule.category == category)
    return list(s.scalars(stmt))


def rule_changes(s: Session, codes: list[str], per_rule: int = 5) -> dict[str, list[DirectoryChange]]:
    """The latest audit rows of each rule (by its name in the log), newest first."""
    found: dict[str, list[DirectoryChange]] = {}
    if not codes:
        return found
    stmt = (
        select(DirectoryChange)
        .where(DirectoryChange.record_kind == "rule", DirectoryChange.record_code.in_(codes))
        .order_by(DirectoryChange.id.desc())
    )
    for row in s.scalars(stmt):
        rows = found.setdefault(row.record_code, [])
        if len(rows) < per_rule:
            rows.append(row)
    return found
