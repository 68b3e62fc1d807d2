"""Directory endpoints: the centers (ministry -> province -> district) with their facts for citizens,
the agencies (linked and unlinked), the categories, a search by Thai or English name, and the whole
directory as a feed document (`/api/directory/export`, docs/directory-feed.md). Offices' names and
contact details are public; agencies' connector settings (where and how a linked agency is reached)
go only to a ministry-scope officer token or a known partner API key."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import AfterValidator

from api.deps import ApiClientDep, SessionDep
from db import queries
from db.center_facts import facts_of
from db.directory_export import ExportCache
from db.search import search_directory
from intake.text import clean
from workflows.domain.centers import MINISTRY
from workflows.errors import CaseNotFound

router = APIRouter(prefix="/api", tags=["directory"])
Limit = Annotated[int, Query(ge=1, le=500)]
# An offset past the largest 64-bit integer cannot reach a database (SQLite raises OverflowError, a 500).
Offset = Annotated[int, Query(ge=0, le=2**63 - 1)]


def _cleaned(field: str):
    # PostgreSQL cannot compare text holding a NUL: a code or a filter with one was a 500, now a 422.
    return AfterValidator(lambda value: value if value is None else clean(value, field, 200))


Code = Annotated[str, Path(max_length=200), _cleaned("code")]
Filter = Annotated[str | None, Query(max_length=200), _cleaned("filter")]


def _center(c) -> dict:
    # The facts (address, phone, e-mail, office hours, LINE, map) are null until a feed or an
    # administrator gives them; `demo` marks details that are not a real center's.
    return facts_of(c).to_json()


def _agency(a) -> dict:
    return {
        "code": a.code,
        "type": a.agency_type,
        "name_th": a.name_th,
        "name_en": a.name_en,
        "linked": a.linked,
        "province_code": a.province_code,
        "district_code": a.district_code,
        "postal_address": a.postal_address,
        "email": a.email,
        "active": a.active is not False,
        "demo": bool(a.demo),
    }


@router.get("/centers")
def list_centers(
    session: SessionDep,
    parent: Filter = None,
    level: Filter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict]:
    return [_center(c) for c in queries.centers(session, parent, level, limit, offset)]


@router.get("/centers/{code}")
def get_center(code: Code, session: SessionDep) -> dict:
    c = queries.center(session, code)
    if c is None:
        raise CaseNotFound(f"ไม่พบศูนย์ / no center '{code}'")
    return _center(c)


@router.get("/agencies")
def list_agencies(
    session: SessionDep,
    type: Filter = None,
    province: Filter = None,
    linked: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict]:
    return [_agency(a) for a in queries.agencies(session, type, province, linked, limit, offset)]


@router.get("/agencies/{code}")
def get_agency(code: Code, session: SessionDep) -> dict:
    a = queries.agency(session, code)
    if a is None:
        raise CaseNotFound(f"ไม่พบหน่วยงาน / no agency '{code}'")
    return _agency(a)


@router.get("/categories")
def list_categories(session: SessionDep) -> list[dict]:
    return [
        {
            "code": c.code,
            "name_th": c.name_th,
            "name_en": c.name_en,
            "resolution_business_days": c.resolution_business_days,
        }
        for c in queries.categories(session)
    ]


@router.get("/directory/search")
async def search(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=100), _cleaned("q")],
    kind: Literal["center", "agency", "all"] = "all",
    limit: Limit = 20,
) -> list[dict]:
    hits = await run_in_threadpool(search_directory, session, q, kind, limit)
    return [asdict(h) for h in hits]


def _sees_connector_settings(request: Request, api_client: ApiClientDep, authorization: str | None) -> bool:
    """A known partner API key, or an officer token of the ministry's scope; another officer token
    gets the public document, and a token nobody issued is a 401."""
    if api_client:
        return True
    token = (authorization or "").removeprefix("Bearer ").strip()
    if not token:
        return False
    officer = request.app.state.settings.officer_tokens.get(token)
    if officer is None:
        raise HTTPException(
            401, "ต้องเข้าสู่ระบบเจ้าหน้าที่ / officer sign-in required", headers={"WWW-Authenticate": "Bearer"}
        )
    return officer.center_code == MINISTRY


@router.get("/directory/export")
async def export_directory(
    request: Request,
    session: SessionDep,
    api_client: ApiClientDep,
    authorization: Annotated[str | None, Header(max_length=500)] = None,
) -> Response:
    """The directory in the feed format (version 1); a sync of it changes nothing."""
    full = _sees_connector_settings(request, api_client, authorization)
    cache = getattr(request.app.state, "directory_export", None)
    if cache is None:
        cache = request.app.state.directory_export = ExportCache()
    body = await run_in_threadpool(cache.body, session, full)
    return Response(body, media_type="application/json")
