"""The directory administration at /admin/directory (issue 13 §4): search the centers and agencies by
name (Thai or English), code or area; a record's page with every field, where each value came from
(seed, feed or an administrator) and the record's change history (who, when, why, before and after);
an edit with a mandatory reason, which holds against the seed and the feed until it is released; and
the release of an administrator's value back to the feed. Edits and releases go through the
directory's edit service (`db.directory_edits`), which writes the audit log. Who keeps which records
is `web.directory_reach`: a record outside one's province is a 403 and never appears in a search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from db import directory_edits, directory_lookup
from db.directory_edits import EditInvalid
from web import directory_texts, i18n
from web.deps import DbSession
from web.directory_forms import FieldView, changes_from_form, field_views
from web.directory_reach import DirectoryReach, Keeper
from web.directory_texts import both
from web.pages import WebRoute, render
from workflows.errors import CaseNotFound, InvalidInput

router = APIRouter(route_class=WebRoute)
KIND_PATTERN = "^(center|agency)$"
SHOWN = 50  # search results on one page; a narrower search finds the rest
Kind = Annotated[str, Path(pattern=KIND_PATTERN)]
Reason = Annotated[str, Form(max_length=directory_texts.REASON_MAX)]


async def _posted(request: Request) -> FormData:
    """The posted form as read once (Starlette keeps it), so the edit itself runs off the event loop."""
    return await request.form()


Posted = Annotated[FormData, Depends(_posted)]


def _message(err: InvalidInput | EditInvalid) -> str:
    if isinstance(err, InvalidInput):
        return err.message
    return "ข้อมูลไม่ถูกต้อง / invalid: " + "; ".join(err.errors)


@router.get("/admin/directory", response_class=HTMLResponse)
def directory(
    request: Request,
    s: DbSession,
    reach: Keeper,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: Annotated[str, Query(pattern="^(center|agency|)$")] = "",
):
    found = directory_lookup.find_records(s, q, kind or None, reach.province, limit=SHOWN)
    return render(
        request,
        "directory_admin.html",
        "_directory_search.html",
        found=found,
        more=len(found) >= SHOWN,
        q=q,
        kind=kind,
        reach=reach,
        nav="directory",
    )


def _record(s, reach: DirectoryReach, kind: str, code: str, lang: str):
    row = directory_lookup.record(s, kind, code)
    if row is None:
        raise CaseNotFound(both("record_not_found"))
    reach.ensure(row.province_code)
    return row


def _page(request: Request, s, reach: DirectoryReach, kind: str, row, status_code: int = 200, **extra):
    fields: list[FieldView] = field_views(s, kind, row)
    return render(
        request,
        "directory_record.html",
        "_directory_record.html",
        status_code=status_code,
        kind=kind,
        row=row,
        fields=fields,
        history=directory_edits.history(s, kind, row.code),
        reach=reach,
        nav="directory",
        **extra,
    )


def _provinces_named(changes: dict) -> set[str | None]:
    """The provinces a changed area or areas would put the record in (feed shape: code prefixes)."""
    areas = ([changes["area"]] if "area" in changes else []) + list(changes.get("areas") or [])
    if ("area" in changes and not changes["area"]) or ("areas" in changes and not changes["areas"]):
        areas.append({})  # no area at all: nationwide
    return {
        (a.get("province") or (a.get("district") or a.get("subdistrict") or "")[:2] or None)
        for a in areas
        if isinstance(a, dict)
    }


@router.get("/admin/directory/{kind}/{code}", response_class=HTMLResponse)
def record(request: Request, kind: Kind, code: str, s: DbSession, reach: Keeper):
    row = _record(s, reach, kind, code, i18n.language(request))
    return _page(request, s, reach, kind, row)


@router.post("/admin/directory/{kind}/{code}", response_class=HTMLResponse)
def edit(request: Request, kind: Kind, code: str, s: DbSession, reach: Keeper, form: Posted, reason: Reason = ""):
    lang = i18n.language(request)
    row = _record(s, reach, kind, code, lang)
    try:
        if not reason.strip():
            raise InvalidInput(both("reason_required"))
        changes = changes_from_form(s, kind, row, form, lang)
        for province in _provinces_named(changes):
            reach.ensure(province)  # a provincial keeper cannot move a record out of the province
        if changes.get("parent"):
            parent = directory_lookup.record(s, "center", changes["parent"])
            reach.ensure(parent.province_code if parent else None)  # nor hang a center under another's
        if changes:
            directory_edits.edit_record(s, kind, row.code, changes, reach.user.username, reason.strip())
    except (InvalidInput, EditInvalid) as err:
        s.rollback()
        return _page(request, s, reach, kind, _record(s, reach, kind, code, lang), 422, error=_message(err))
    s.commit()
    flash = i18n.text("record_saved" if changes else "nothing_changed", lang)
    return _page(request, s, reach, kind, row, flash=flash)


@router.post("/admin/directory/{kind}/{code}/release", response_class=HTMLResponse)
def release(
    request: Request,
    kind: Kind,
    code: str,
    s: DbSession,
    reach: Keeper,
    field: Annotated[str, Form(max_length=40)],
    reason: Reason = "",
):
    lang = i18n.language(request)
    row = _record(s, reach, kind, code, lang)
    try:
        if not reason.strip():
            raise InvalidInput(both("reason_required"))
        directory_edits.release_field(s, kind, row.code, field, reach.user.username, reason.strip())
    except (InvalidInput, EditInvalid) as err:
        s.rollback()
        return _page(request, s, reach, kind, _record(s, reach, kind, code, lang), 422, error=_message(err))
    s.commit()
    return _page(request, s, reach, kind, row, flash=i18n.text("released", lang))
