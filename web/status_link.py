"""The page an agency without an account opens from the status link (or QR code) on a forwarding
letter: `/agency-link/{number}/{token}`, no staff sign-in. It shows the one case the link was issued
for and lets the agency's officer accept it, post progress, post the result with a photo or scan
(JPEG, PNG, WebP, GIF), or send a misrouted case back. Each post reaches the workflow as the same
`agency_event` signal a linked agency's signed callback sends (so the workflow's rules and its
de-duplication by event id apply alike), and every use, opening the page included, is logged in
`status_link_uses`. A forged or unknown token is a 404, another case's a 403, an expired or revoked
link, or one whose case has gone to another agency, a 410, each with a message in Thai and English."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from db import queries, status_links
from db.letters import place_of
from db.models import Case, Category
from intake import uploads
from intake.clients import client_address
from intake.text import clean
from web.deps import DbSession, Gateway
from web.i18n import status_label
from web.pages import WebRoute, templates
from workflows.contracts import AgencyEvent
from workflows.domain import tracking
from workflows.domain.transitions import refusal
from workflows.errors import CaseError, CaseNotFound, InvalidInput, InvalidTransition

router = APIRouter(route_class=WebRoute)
PATH = status_links.PATH
NOTE_MAX = 5000
# What the agency may post, and the transition rule the workflow checks each against.
KINDS = {
    "acknowledged": "acknowledged",
    "progress": "agency_progress",
    "resolved": "agency_resolved",
    "returned": "returned",
}
FILE_FIELD = "file"
HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}  # the token is in the address


def _render(request: Request, status_code: int = 200, **values) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "agency_link.html", {"request": request, **values}, status_code=status_code, headers=HEADERS
    )


def _open(s, secret: str, number: str, token: str) -> tuple[Case, status_links.StatusLink]:
    """The case and its link, or the refusal; the token is judged first, so a genuine link used on
    another case's address is told so (403) even when that address names no case."""
    number = tracking.normalise(number)
    case = queries.case_by_number(s, number) if tracking.PATTERN.match(number) else None
    agency = case.agency_code if case is not None else None
    link = status_links.verify(s, secret, number, token, agency, datetime.now(UTC))
    if case is None:
        raise CaseNotFound()
    return case, link


def _view(s, secret: str, number: str, token: str, client: str) -> dict:
    case, link = _open(s, secret, number, token)
    status_links.log_use(s, link, "opened", datetime.now(UTC), client)
    s.commit()
    detail = queries.case_detail(s, case, public_only=True)
    category = s.get(Category, case.category) if case.category else None
    return dict(
        case=case,
        link=link,
        agency=detail.agency,
        category=category.name_th if category else "",
        place=place_of(s, case),
        events=[e for e in detail.events if e.kind in ("forwarded", "progress", "resolved", "returned")],
        event_id=uuid.uuid4().hex,
    )


def _with_status(values: dict, status: str) -> dict:
    return dict(
        values,
        allowed=[k for k, rule in KINDS.items() if refusal(rule, status) is None],
        status=(status_label(status, "th"), status_label(status, "en")),
        live_status=status,
    )


@router.get(PATH + "/{number}/{token}", response_class=HTMLResponse)
async def status_page(request: Request, number: str, token: str, s: DbSession, gateway: Gateway, done: str = ""):
    settings = request.app.state.settings
    client = client_address(request, settings.trusted_proxies)
    try:
        values = await run_in_threadpool(_view, s, settings.secret, number, token, client)
    except CaseError as err:
        return _render(request, err.status_code, error=err.message)
    return _render(request, done=done in KINDS and done, **_with_status(values, await _status(gateway, values["case"])))


async def _form(request: Request, settings) -> uploads.Form:
    content_type = request.headers.get("content-type", "")
    limits = uploads.PartLimits(photo_field=FILE_FIELD, max_photos=1, max_photo_bytes=settings.max_photo_bytes)
    if uploads.is_multipart(content_type):
        return await uploads.read_form(content_type, request.stream(), limits)
    form = await request.form()
    return uploads.Form(fields={k: str(v) for k, v in form.items() if isinstance(v, str)})


def _checked(s, secret: str, number: str, token: str, kind: str) -> tuple[Case, status_links.StatusLink]:
    case, link = _open(s, secret, number, token)
    if kind not in KINDS:
        raise InvalidInput(f"ไม่รู้จักรายการ / unknown action '{kind[:40]}'")
    return case, link


async def _status(gateway, case: Case) -> str:
    """The workflow's own status (the read model may lag a post just made), or the projected one
    when the engine cannot answer."""
    try:
        return (await gateway.status(case.tracking_number)).status
    except CaseError:
        return case.status


async def _allowed(gateway, case: Case, kind: str) -> None:
    """Checked against the workflow's own status, so a second click is told at once; the workflow
    checks again and drops what does not fit."""
    reason = refusal(KINDS[kind], await _status(gateway, case))
    if reason:
        raise InvalidTransition(reason)


def _log(s, link, kind: str, event_id: str, client: str) -> None:
    status_links.log_use(s, link, kind, datetime.now(UTC), client, event_id)
    s.commit()


@router.post(PATH + "/{number}/{token}", response_class=HTMLResponse)
async def post_event(request: Request, number: str, token: str, s: DbSession, gateway: Gateway):
    settings = request.app.state.settings
    client = client_address(request, settings.trusted_proxies)
    try:
        form = await _form(request, settings)
        kind = form.fields.get("kind", "")
        note = clean(form.fields.get("note", "").strip(), "note", NOTE_MAX)
        event_id = clean(form.fields.get("event_id", ""), "event_id", 64) or uuid.uuid4().hex
        case, link = await run_in_threadpool(_checked, s, settings.secret, number, token, kind)
        await _allowed(gateway, case, kind)
        if kind in ("resolved", "returned") and not note:
            raise InvalidInput("กรุณาระบุผลหรือเหตุผล / write the result or the reason")
        refs = await uploads.store(
            request.app.state.sessions, settings.upload_dir, form.photos, f"agency-link:{link.link_id}"
        )
        await gateway.signal(
            case.tracking_number,
            "agency_event",
            AgencyEvent(
                event_id=f"link-{event_id}",
                kind=kind,
                note=note or kind,
                agency_code=case.agency_code or "",
                attachments=refs,
            ),
        )
        await run_in_threadpool(_log, s, link, kind, f"link-{event_id}", client)
    except CaseError as err:
        return _render(request, err.status_code, error=err.message)
    return RedirectResponse(f"{PATH}/{case.tracking_number}/{token}?done={kind}", status_code=303, headers=HEADERS)
