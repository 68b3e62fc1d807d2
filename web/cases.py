"""The case page and what hangs off it: the page itself (timeline, live clocks, photos, messages,
internal notes, masked personal data, action forms, the agency's status link and its uses), the
logged reveal of one personal-data field with its reason, and the photos (the forwarding letter is
`web.case_letter`'s). Every route first checks the case is within the
user's centers (else 404). Actions are posted to `web.case_actions`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import select

from db import queries, staff, status_links
from db.models import Attachment, StaffIntake
from db.photos import sniff
from db.search import search_directory
from intake.text import clean
from web.auth import ActingStaff, CurrentStaff, StaffUser
from web.case_view import REVEALABLE, case_sheet, forwarding, reveal
from web.deps import DbSession, Gateway
from web.i18n import BANGKOK
from web.pages import WebRoute, render
from web.scope import ensure_visible, scope_of
from workflows import contracts as c
from workflows.domain import tracking
from workflows.errors import CaseError, CaseNotFound, InvalidInput

router = APIRouter(route_class=WebRoute)
UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f"\\;]')  # nothing that could break the header


def bangkok_today() -> date:
    return datetime.now(BANGKOK).date()


def visible_case(s, user: StaffUser, number: str):
    number = tracking.normalise(number)
    if not tracking.PATTERN.match(number):
        raise CaseNotFound()
    return ensure_visible(s, user, queries.case_by_number(s, number))


async def live_view(gateway, case) -> c.CaseView | None:
    """The workflow's own view; None for a finished case or when the engine cannot answer (the page
    then shows the projected record)."""
    if case.status in c.TERMINAL_STATUSES:
        return None
    try:
        return await gateway.status(case.tracking_number)
    except CaseError:
        return None


def page_values(s, user: StaffUser, case, view: c.CaseView | None) -> dict:
    sheet = case_sheet(s, case, view)
    scope = scope_of(s, user)
    assignable = staff.usernames_at(s, None if scope.everything else list(scope.codes)) if user.supervises else []
    return dict(
        sheet=sheet,
        case=case,
        categories=queries.categories(s),
        assignable=assignable,
        letter=forwarding(sheet.detail),
        today=bangkok_today().isoformat(),
        status_links=status_links.links(s, case.tracking_number)[:5],
        link_uses=status_links.uses(s, case.tracking_number, 20),
        now=datetime.now(UTC),
        staff_intake=s.get(StaffIntake, case.tracking_number),  # filed by an officer for a citizen (web.walk_in)
    )


async def case_page_values(s, gateway, user: StaffUser, number: str) -> dict:
    case = await run_in_threadpool(visible_case, s, user, number)
    view = await live_view(gateway, case)
    return await run_in_threadpool(page_values, s, user, case, view)


@router.get("/cases/{number}", response_class=HTMLResponse)
async def case_page(request: Request, number: str, s: DbSession, gateway: Gateway, user: CurrentStaff):
    values = await case_page_values(s, gateway, user, number)
    return render(request, "case.html", "_case.html", nav="inbox", **values)


async def reveal_reason(request: Request) -> str:
    """The reason typed beside a reveal button, kept in the reveal log (PDPA); `required` refuses none."""
    return clean(str((await request.form()).get("reason", "")).strip(), "reason", staff.REVEAL_REASON_MAX)


def required(reason: str) -> str:
    if not reason:
        raise InvalidInput("กรุณาระบุเหตุผลที่ต้องเปิดดูข้อมูลส่วนบุคคล / give the reason you need to see this personal data")
    return reason


def _reveal(s, user: StaffUser, number: str, field_name: str, reason: str) -> str:
    case = visible_case(s, user, number)  # first: a case out of scope is a 404 whatever was posted
    required(reason)
    value = reveal(s, case.tracking_number, field_name)
    if value is None:
        raise CaseNotFound()
    staff.log_reveal(s, case.tracking_number, user.username, field_name, reason)
    s.commit()
    return value


@router.post("/cases/{number}/reveal/{field_name}", response_class=HTMLResponse)
async def reveal_field(request: Request, number: str, field_name: str, s: DbSession, user: ActingStaff):
    if field_name not in REVEALABLE:
        raise CaseNotFound()
    reason = await reveal_reason(request)
    value = await run_in_threadpool(_reveal, s, user, number, field_name, reason)
    return render(request, "revealed.html", "_revealed.html", field_name=field_name, value=value, number=number)


def _photo(s, user: StaffUser, number: str, sha256: str) -> Attachment:
    case = visible_case(s, user, number)
    row = s.scalar(
        select(Attachment).where(Attachment.tracking_number == case.tracking_number, Attachment.sha256 == sha256)
    )
    if row is None:
        raise CaseNotFound()
    return row


@router.get("/cases/{number}/photos/{sha256}")
async def photo(request: Request, number: str, sha256: str, s: DbSession, user: CurrentStaff):
    row = await run_in_threadpool(_photo, s, user, number, sha256)
    path = request.app.state.settings.upload_dir / row.sha256[:2] / row.sha256
    if not path.exists():
        raise CaseNotFound("ไม่พบไฟล์รูปภาพ / the photo file is missing")
    return await run_in_threadpool(photo_response, path, row.filename)


def photo_response(path: Path, filename: str) -> FileResponse:
    """A stored file served as the type its own bytes show, never as what a row or a client claimed:
    one of the four image types inline, anything else as a download, so no upload renders as a page
    (HTML, SVG) from our origin."""
    with path.open("rb") as f:
        kind = sniff(f.read(16))
    name = UNSAFE_NAME.sub("_", filename)[:200] or "photo"
    return FileResponse(
        path,
        media_type=kind or "application/octet-stream",
        filename=name,
        content_disposition_type="inline" if kind else "attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.get("/directory/agencies", response_class=HTMLResponse)
async def agency_options(
    request: Request,
    s: DbSession,
    user: CurrentStaff,
    q: Annotated[str, Query(max_length=100)] = "",
    agency_code: Annotated[str, Query(max_length=100)] = "",
):
    """<option>s for the agency field's datalist, found by Thai or English name (the field sends its
    own value as `agency_code`)."""
    q = (q or agency_code).strip()
    hits = await run_in_threadpool(search_directory, s, q, "agency", 15) if q else []
    return render(request, "_agency_options.html", hits=hits)
