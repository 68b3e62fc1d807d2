"""Officer actions and citizen events on a case, each mapped to one workflow update or signal. The
body is the action's contract (`workflows.contracts`) minus the officer, who comes from the token. A
token acts only on the cases of its center's scope, by the staff pages' own rule (web/scope.py): a case
outside it is a 404, as on the web, so scope does not reveal which numbers exist. Refusals come back
typed: 404 no such case (or out of scope), 409 not allowed in this status, 422 bad input."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter

from api.deps import ClientDep, CurrentOfficer, GatewayDep, PinDep, SessionDep, SettingsDep, ThrottleDep
from api.door import is_json
from db import queries
from intake import uploads
from intake.text import LIMITS, clean, clean_all, load_json
from web.scope import ensure_visible  # the web's scope rule itself, so the two fronts cannot drift
from workflows.client import SIGNALS, UPDATES
from workflows.contracts import ActionResult
from workflows.domain import tracking
from workflows.errors import CaseNotFound, InvalidInput

router = APIRouter(prefix="/api/complaints", tags=["actions"])
CITIZEN_EVENTS = {"add_info", "withdraw", "rate", "dispute"}


def _check_codes(s, body: dict[str, Any]) -> None:
    """Codes an officer names must exist in the directory; the workflow cannot know that."""
    checks = (("category", queries.category), ("agency_code", queries.agency), ("center_code", queries.center))
    for field, lookup in checks:
        if body.get(field) and lookup(s, body[field]) is None:
            raise InvalidInput(f"ไม่พบรหัส {body[field]} / unknown {field} '{body[field]}'")


@router.post("/{number}/actions/{action}", response_model=None)
async def officer_action(
    number: str,
    action: str,
    officer: CurrentOfficer,
    gateway: GatewayDep,
    session: SessionDep,
    body: Annotated[dict[str, Any], Body()],
) -> ActionResult:
    if action not in UPDATES:
        raise CaseNotFound(f"ไม่มีคำสั่ง {action} / no such action '{action}'")
    number = tracking.normalise(number)
    await run_in_threadpool(_in_scope, session, officer, number)  # before anything reaches the workflow
    body = clean_all(body)
    if "attachments" in body:  # files by hash could name another case's photos: only the case page uploads them
        raise InvalidInput("แนบไฟล์ได้จากหน้าเรื่องเท่านั้น / attach files from the case page; this API takes text")
    await run_in_threadpool(_check_codes, session, body)
    payload = TypeAdapter(UPDATES[action]).validate_python({**body, "officer": officer.name})
    if action == "link_lead":  # the lead too must be within the token's scope
        await run_in_threadpool(_in_scope, session, officer, tracking.normalise(payload.lead))
    return await gateway.act(number, action, payload)


def _in_scope(s, officer, number: str) -> None:
    """Nothing when the token's center sees the case (filed with or routed to its scope); else 404."""
    if not tracking.PATTERN.match(number):
        raise CaseNotFound()
    ensure_visible(s, officer, queries.case_by_number(s, number))


EVENT_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"type": "object", "description": "the event's fields, e.g. {text}"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string", "maxLength": LIMITS["add_info"]},
                        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
        },
        "required": True,
    }
}


async def _read_event(request: Request, name: str, settings) -> tuple[dict[str, Any], list]:
    """The event's fields, cleaned, and (add_info only) the photos uploaded with it, not yet stored.
    A citizen attaches photos by uploading them here, never by naming a stored file: the server
    sets each attachment's type from the bytes it sniffed."""
    kind = request.headers.get("content-type", "")
    photos: list = []
    if uploads.is_multipart(kind):
        limits = uploads.PartLimits(
            "photos", settings.max_photos if name == "add_info" else 0, settings.max_photo_bytes
        )
        form = await uploads.read_form(kind, request.stream(), limits, strict=True)
        body: Any = dict(form.fields)
        photos = form.photos
    elif is_json(kind):
        body = load_json(await request.body())
    else:
        raise uploads.unsupported(kind)
    if not isinstance(body, dict):
        raise InvalidInput("ข้อมูลต้องเป็น JSON object / the body must be a JSON object")
    if "attachments" in body:
        raise InvalidInput(
            "แนบรูปโดยอัปโหลดไฟล์มากับคำขอนี้เท่านั้น / attach photos by uploading them with this request (multipart)"
        )
    if name == "add_info" and isinstance(body.get("text"), str):
        body["text"] = clean(body["text"], "add_info")  # named as the citizen knows it
    return clean_all(body), photos


@router.post("/{number}/events/{name}", status_code=202, openapi_extra=EVENT_BODY)
async def citizen_event(
    number: str,
    name: str,
    request: Request,
    gateway: GatewayDep,
    session: SessionDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    client: ClientDep,
    given: PinDep,
) -> dict:
    body, photos = await _read_event(request, name, settings)
    number = tracking.normalise(number)
    async with throttle.checking(client, number):  # a wrong PIN (CaseNotFound) is counted
        case = await run_in_threadpool(queries.case_by_number, session, number)
        if (
            name not in CITIZEN_EVENTS
            or case is None
            or not tracking.pin_matches(settings.secret, number, given, case.pin_hash)
        ):
            raise CaseNotFound()
    payload = TypeAdapter(SIGNALS[name]).validate_python(body)
    if photos:
        scope = f"api:case:{number}"
        payload.attachments = await uploads.store(request.app.state.sessions, settings.upload_dir, photos, scope)
    await gateway.signal(number, name, payload)
    return {"accepted": True}
