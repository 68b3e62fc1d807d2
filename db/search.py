"""Finding a center or an agency by what someone typed, in Thai or English: a substring match on the
rows' `search_key` (db/directory.py builds it from lower-cased names and their geothai-normalised
forms, so the query is cleaned the same two ways). Exact names come first, then names or words that
start with the query, then any other match. Read-only; the caller owns the session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from geothai import normalize
from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from db.models import Agency, Center

Kind = Literal["center", "agency", "all"]


@dataclass(frozen=True)
class DirectoryHit:
    """One search result; `group` is a center's level or an agency's type."""

    kind: Literal["center", "agency"]
    code: str
    name_th: str
    name_en: str
    group: str
    province_code: str | None
    district_code: str | None
    linked: bool = False


def _forms(query: str) -> list[str]:
    forms = []
    for form in (query.strip().lower(), normalize(query)):
        if form and form not in forms:
            forms.append(form)
    return forms


def _like(form: str, prefix: str = "%", suffix: str = "%") -> str:
    escaped = form.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{prefix}{escaped}{suffix}"


# Within a rank, the wider office first: someone typing "ตรัง" most likely means the province.
_CENTER_ORDER = case({"ministry": 0, "dopa": 1, "province": 2, "district": 3}, value=Center.level, else_=4)


def _search(session: Session, model, forms: list[str], limit: int) -> list[tuple[int, object]]:
    key = model.search_key
    breadth = _CENTER_ORDER if model is Center else case((Agency.linked, 0), else_=1)
    exact = or_(
        *(func.lower(model.name_th) == f for f in forms),
        *(func.lower(model.name_en) == f for f in forms),
        *(func.lower(model.code) == f for f in forms),
    )
    # search_key is space-separated words, so a word prefix is "starts the key" or "follows a space".
    prefix = or_(
        *(key.like(_like(f, ""), escape="\\") for f in forms),
        *(key.like(_like(f, "% "), escape="\\") for f in forms),
    )
    rank = case((exact, literal(0)), (prefix, literal(1)), else_=literal(2))
    stmt = (
        select(model, rank.label("rank"))
        .where(or_(*(key.like(_like(f), escape="\\") for f in forms)))
        .where(model.active.is_not(False))  # a deactivated office is kept for its cases, offered for none
        .order_by(rank, breadth, func.length(model.name_th), model.code)
        .limit(limit)
    )
    return [(r, obj) for obj, r in session.execute(stmt).all()]


def _hit(obj) -> DirectoryHit:
    if isinstance(obj, Center):
        return DirectoryHit("center", obj.code, obj.name_th, obj.name_en, obj.level,
                            obj.province_code, obj.district_code)  # fmt: skip
    return DirectoryHit("agency", obj.code, obj.name_th, obj.name_en, obj.agency_type,
                        obj.province_code, obj.district_code, bool(obj.linked))  # fmt: skip


def search_directory(session: Session, query: str, kind: Kind = "all", limit: int = 20) -> list[DirectoryHit]:
    """Centers and/or agencies whose Thai or English name contains `query`, best matches first."""
    forms = _forms(query)
    # No name holds a NUL, and PostgreSQL cannot even compare one: a search for it was a 500.
    if not forms or limit <= 0 or "\x00" in query:
        return []
    if kind not in ("center", "agency", "all"):
        raise ValueError(f"unknown directory kind: {kind!r}")
    found: list[tuple[int, object]] = []
    if kind in ("center", "all"):
        found += _search(session, Center, forms, limit)
    if kind in ("agency", "all"):
        found += _search(session, Agency, forms, limit)
    # The sort is stable: within a rank, centers stay before agencies, each in its SQL order.
    found.sort(key=lambda pair: pair[0])
    return [_hit(obj) for _, obj in found[:limit]]
