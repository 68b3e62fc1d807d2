"""Officers' actions on a case from the case page: each form posts to
`/cases/{number}/actions/{update}` and becomes exactly one workflow update (the officer is the signed-in
user, never a form field). A refusal (404, 409 not in this status, 422 bad input, 503) comes back as a
message placed next to the action's form (htmx retargets it there); success re-renders the case. Without
JavaScript the same forms work as plain posts: success redirects to the case, a refusal re-renders the
page with the message beside the action."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import TypeAdapter, ValidationError

from db import queries
from intake.text import clean
from web import i18n
from web.auth import ActingStaff, StaffUser, is_fragment
from web.case_reply_photos import reply_photos
from web.cases import case_page_values, visible_case
from web.deps import DbSession, Gateway
from web.inbox import assign_cases
from web.pages import WebRoute, missing_or_invalid, render
from workflows.client import UPDATES
from workflows.errors import CaseError, CaseNotFound, InvalidInput

router = APIRouter(route_class=WebRoute)
MAX_TEXT = 5000
DAY = 86400


def payload_from_form(action: str, form: dict[str, str], officer: str) -> Any:
    """The update's contract from the form: only its own fields, the officer from the sign-in."""
    cls = UPDATES[action]
    data: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name == "officer":
            continue
        value = clean(str(form.get(f.name, "")).strip(), f.name, MAX_TEXT)  # NUL or overlong: a refusal
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        if value == "" and has_default:
            continue
        data[f.name] = value
    if action == "change_clock" and str(form.get("days", "")).strip():
        data["seconds"] = _int(form["days"]) * DAY  # wall-clock days, for the clocks that are not business ones
    if action == "change_clock" and "business_days" in data:
        data["business_days"] = _int(data["business_days"])
    try:
        return TypeAdapter(cls).validate_python({**data, "officer": officer})
    except ValidationError as err:
        raise InvalidInput(missing_or_invalid(e["loc"][0] for e in err.errors() if e.get("loc"))) from err


def _int(raw: str) -> int:
    try:
        return int(str(raw).strip())
    except ValueError as err:
        raise InvalidInput("ต้องเป็นตัวเลข / must be a whole number") from err


def check_codes(s, payload: Any) -> None:
    """Codes an officer names must exist in the directory; the workflow cannot know that."""
    for name, lookup in (
        ("category", queries.category),
        ("agency_code", queries.agency),
        ("center_code", queries.center),
    ):
        code = getattr(payload, name, None)
        if code and lookup(s, code) is None:
            raise InvalidInput(f"ไม่พบรหัส {code} / unknown {name} '{code}'")


async def perform(s, gateway, user: StaffUser, case, action: str, form: dict[str, str], photos=()) -> None:
    if action == "assign":
        refused = await assign_cases(
            s, gateway, user, [case.tracking_number], str(form.get("assignee", "")).strip().lower() or user.username
        )
        if refused:
            raise InvalidInput(refused[0][1])
        return
    payload = payload_from_form(action, form, user.username)
    if photos:  # a reply's photos, stored once the form was read whole (web/case_reply_photos.py)
        payload = dataclasses.replace(payload, attachments=list(photos))
    await run_in_threadpool(check_codes, s, payload)
    if action == "link_lead":  # the lead must be a case this officer may see
        await run_in_threadpool(visible_case, s, user, payload.lead)
    await gateway.act(case.tracking_number, action, payload)


@router.post("/cases/{number}/actions/{action}", response_class=HTMLResponse)
async def case_action(request: Request, number: str, action: str, s: DbSession, gateway: Gateway, user: ActingStaff):
    if action not in UPDATES:
        raise CaseNotFound(f"ไม่มีคำสั่ง {action} / no such action")
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if isinstance(v, str)}
    case = await run_in_threadpool(visible_case, s, user, number)  # out of scope: 404, before anything
    try:
        photos = await reply_photos(request.app.state, raw, user.username) if action == "reply" else []
        await perform(s, gateway, user, case, action, form, photos)
    except CaseError as err:
        s.expire_all()
        if is_fragment(request):
            return render(
                request,
                "_refusal.html",
                status_code=err.status_code,
                message=err.message,
                headers={"HX-Retarget": f"#refusal-{action}", "HX-Reswap": "innerHTML"},
            )
        values = await case_page_values(s, gateway, user, case.tracking_number)
        return render(
            request, "case.html", status_code=err.status_code, nav="inbox", refusals={action: err.message}, **values
        )
    if not is_fragment(request):
        return RedirectResponse(f"/cases/{case.tracking_number}", status_code=303)
    s.expire_all()  # the update has projected itself: read the case afresh
    try:
        values = await case_page_values(s, gateway, user, case.tracking_number)
    except CaseNotFound:  # transferred out of the user's centers: back to the inbox
        return HTMLResponse("", headers={"HX-Redirect": "/inbox"})
    return render(
        request, "case.html", "_case.html", nav="inbox", flash=i18n.text("done", i18n.language(request)), **values
    )
