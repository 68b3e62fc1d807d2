"""The routing rules page at /admin/directory/rules: list the rules (category x area -> agency or
agency type, with a priority), add one, change one, deactivate or reactivate it, each with a reason
that goes to the directory's audit log (`db.routing_rule_edits`); and the "where would this complaint
go?" box, answered by `web.route_preview` with the workflow's own routing code. Nationwide keepers
manage every rule; a provincial keeper (web.directory_reach) sees the rules that can apply in their
province and changes only the province's own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from db import directory_lookup, routing_rule_edits
from db.directory import UnknownArea, resolve_area
from db.models import Agency, Category, RoutingRule
from db.routing_rule_edits import RuleValues
from db.subdistricts import resolve_place
from web import i18n
from web.deps import DbSession
from web.directory_reach import DirectoryReach, Keeper
from web.directory_texts import REASON_MAX, ROW_ID_MAX, both
from web.pages import WebRoute, render
from web.route_preview import preview
from web.texts import TEXTS
from workflows.errors import CaseNotFound, InvalidInput

router = APIRouter(route_class=WebRoute)
Reason = Annotated[str, Form(max_length=REASON_MAX)]
Short = Annotated[str, Form(max_length=100)]


def _values(s, reach: DirectoryReach, **extra) -> dict:
    categories = list(s.scalars(select(Category).order_by(Category.code)))
    category_filter = extra.pop("category_filter", "") or ""
    rules = directory_lookup.routing_rules(s, reach.province, category_filter or None)
    names = {r.id: routing_rule_edits.code_of(r) for r in rules}
    return dict(
        rules=rules,
        rule_names=names,
        rule_history=directory_lookup.rule_changes(s, list(names.values())),
        category_filter=category_filter,
        categories=categories,
        category_names={c.code: (c.name_th, c.name_en) for c in categories},
        agency_types=list(s.scalars(select(Agency.agency_type).distinct().order_by(Agency.agency_type))),
        reach=reach,
        nav="directory",
        **extra,
    )


def _page(request: Request, s, reach: DirectoryReach, status_code: int = 200, **extra) -> HTMLResponse:
    return render(
        request,
        "directory_rules.html",
        "_directory_rules.html",
        status_code=status_code,
        **_values(s, reach, **extra),
    )


def _area(lang: str, province: str, district: str) -> tuple[str | None, str | None]:
    try:
        return resolve_area(province.strip() or None, district.strip() or None)
    except UnknownArea as err:
        raise InvalidInput(both(f"area_{err.field}_unknown") + f": {err.value}") from err


def _place(lang: str, province: str, district: str, subdistrict: str) -> tuple[str | None, str | None, str | None]:
    """The box's area with its tambon (db.subdistricts, the intake's own resolver)."""
    try:
        return resolve_place(province.strip() or None, district.strip() or None, subdistrict.strip() or None)
    except UnknownArea as err:
        key = f"area_{err.field}_unknown"
        raise InvalidInput(both(key if key in TEXTS else "area_subdistrict_unknown") + f": {err.value}") from err


def _rule_values(
    s, reach: DirectoryReach, lang: str, category, province, district, agency_code, agency_type, priority, active
) -> RuleValues:
    if s.get(Category, category) is None:
        raise InvalidInput(both("rule_unknown_category"))
    province_code, district_code = _area(lang, province, district)
    if not reach.covers(province_code):
        raise HTTPException(403, both("rule_outside_reach"))
    agency_code, agency_type = agency_code.strip().upper() or None, agency_type.strip() or None
    if bool(agency_code) == bool(agency_type):
        raise InvalidInput(both("rule_agency_or_type"))
    if agency_code and s.get(Agency, agency_code) is None:
        raise InvalidInput(both("rule_unknown_agency") + f": {agency_code}")
    if agency_type and s.scalar(select(Agency.code).where(Agency.agency_type == agency_type).limit(1)) is None:
        raise InvalidInput(both("rule_unknown_type") + f": {agency_type}")
    try:
        rank = int(priority.strip() or "0")
    except ValueError as err:
        raise InvalidInput(both("rule_bad_priority")) from err
    if not -1000 <= rank <= 1000:
        raise InvalidInput(both("rule_bad_priority"))
    return RuleValues(category, province_code, district_code, agency_code, agency_type, rank, active)


def _reason(lang: str, reason: str) -> str:
    if not reason.strip():
        raise InvalidInput(both("reason_required"))
    return reason.strip()


@router.get("/admin/directory/rules", response_class=HTMLResponse)
def rules(request: Request, s: DbSession, reach: Keeper, category: Annotated[str, Query(max_length=32)] = ""):
    return _page(request, s, reach, category_filter=category)


@router.post("/admin/directory/rules", response_class=HTMLResponse)
def add_rule(
    request: Request,
    s: DbSession,
    reach: Keeper,
    category: Short,
    reason: Reason = "",
    province: Short = "",
    district: Short = "",
    agency_code: Short = "",
    agency_type: Short = "",
    priority: Short = "0",
):
    lang = i18n.language(request)
    try:
        why = _reason(lang, reason)
        values = _rule_values(s, reach, lang, category, province, district, agency_code, agency_type, priority, True)
        rule = routing_rule_edits.add_rule(s, values, reach.user.username, why)
    except InvalidInput as err:
        return _page(request, s, reach, 422, error=err.message)
    except routing_rule_edits.DuplicateRule as err:
        return _page(request, s, reach, 422, error=both("rule_exists") + f" #{err.rule_id}")
    s.commit()
    return _page(request, s, reach, flash=i18n.text("rule_added", lang) + f" #{rule.id}")


@router.post("/admin/directory/rules/{rule_id}", response_class=HTMLResponse)
def change_rule(
    request: Request,
    rule_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)],
    s: DbSession,
    reach: Keeper,
    category: Short,
    reason: Reason = "",
    province: Short = "",
    district: Short = "",
    agency_code: Short = "",
    agency_type: Short = "",
    priority: Short = "0",
    active: Annotated[str, Form(max_length=8)] = "",
):
    lang = i18n.language(request)
    rule = s.get(RoutingRule, rule_id)
    if rule is None:
        raise CaseNotFound(both("rule_not_found"))
    reach.ensure(rule.province_code)  # the rule as it stands must be theirs, not only what it becomes
    try:
        why = _reason(lang, reason)
        values = _rule_values(
            s, reach, lang, category, province, district, agency_code, agency_type, priority, active == "on"
        )
        changed = routing_rule_edits.change_rule(s, rule, values, reach.user.username, why)
    except InvalidInput as err:
        return _page(request, s, reach, 422, error=err.message)
    except routing_rule_edits.DuplicateRule as err:
        return _page(request, s, reach, 422, error=both("rule_exists") + f" #{err.rule_id}")
    s.commit()
    key = "rule_saved" if changed else "nothing_changed"
    return _page(request, s, reach, flash=i18n.text(key, lang) + f" #{rule.id}")


@router.get("/admin/directory/route", response_class=HTMLResponse)
def where_would_it_go(
    request: Request,
    s: DbSession,
    reach: Keeper,
    text: Annotated[str, Query(max_length=2000)] = "",
    category: Annotated[str, Query(max_length=32)] = "",
    province: Annotated[str, Query(max_length=100)] = "",
    district: Annotated[str, Query(max_length=100)] = "",
    subdistrict: Annotated[str, Query(max_length=100)] = "",
):
    """Changes nothing, hence a GET. A plain `def`: FastAPI runs it in its thread pool, off the event
    loop, which the classifier's CPU work and the routing queries need."""
    lang = i18n.language(request)
    values = dict(text=text, category=category, province=province, district=district, subdistrict=subdistrict)
    try:
        if category and s.get(Category, category) is None:
            raise InvalidInput(both("rule_unknown_category"))
        if not category and not text.strip():
            raise InvalidInput(both("route_needs_text"))
        province_code, district_code, tambon = _place(lang, province, district, subdistrict)
    except InvalidInput as err:
        return _answer(request, 422, error=err.message, asked=values)
    from nlp.classifier import load_default  # loaded once per process (the chat has it warm already)

    classifier = load_default() if not category else None
    found = preview(s, classifier, text, category or None, province_code, district_code, tambon)
    return _answer(request, 200, found=found, asked=values, area=(province_code, district_code, tambon))


def _answer(request: Request, status_code: int, **values) -> HTMLResponse:
    return render(
        request, "directory_route.html", "_directory_route.html", status_code=status_code, nav="directory", **values
    )
