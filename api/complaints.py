"""Citizens' JSON API: file a complaint (JSON, or multipart with photos) and track it with its PIN,
sent in a header or a POST body, never in the URL (URLs land in access logs). Filing commits the
complaint to the filings queue and answers at once; the dispatcher starts its workflow, which persists
and routes it durably afterwards. Tracking reads the read model (and, for a case filed a moment ago,
the filings queue)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ApiClientDep, PinDep, SettingsDep, ThrottleDep, TrackingClient, WithinFilingRate
from api.door import is_json
from api.schemas import ComplaintIn, FiledOut, TrackingOut
from db.tracking import track_with_pin
from intake import desk, uploads
from intake.desk import Receipt
from intake.filing import ComplaintFiling, Door
from intake.text import Clean, load_json
from workflows.contracts import Contact
from workflows.domain import tracking

router = APIRouter(prefix="/api/complaints", tags=["complaints"])


def _inlined(schema: dict) -> dict:
    """The model's JSON Schema with its `$defs` written in place: a `#/$defs/...` reference inside the
    OpenAPI document would point at the document's root, where nothing is."""
    defs = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


FILING_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": _inlined(ComplaintIn.model_json_schema())},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "payload": {"type": "string", "description": "the JSON body as a string"},
                        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
        },
        "required": True,
    }
}


async def _read_filing(request: Request, settings, scope: str = "api") -> tuple[ComplaintIn, list]:
    """The filing and its photos, read within the door's limits (`intake.uploads`, `api.door`); the
    photos are stored only once the whole filing has been read and validated."""
    kind = request.headers.get("content-type", "")
    if uploads.is_multipart(kind):
        limits = uploads.PartLimits("photos", settings.max_photos, settings.max_photo_bytes)
        form = await uploads.read_form(kind, request.stream(), limits, strict=True)
        raw = form.fields.get("payload")
        data = load_json(raw.encode()) if raw is not None else form.fields
        filing = ComplaintIn.model_validate(data)
        return filing, await uploads.store(request.app.state.sessions, settings.upload_dir, form.photos, scope)
    if not is_json(kind):
        raise uploads.unsupported(kind)
    return ComplaintIn.model_validate(load_json(await request.body())), []


def _file(state, form: ComplaintIn, photos: list, door: Door, key: str | None, secret: str) -> Receipt:
    contact = None
    if form.contact is not None:
        c = form.contact
        contact = Contact(name=c.name, phone=c.phone or "", national_id=c.national_id or "", email=c.email or "")
    filing = ComplaintFiling(
        text=form.text,
        province=form.province,
        district=form.district,
        subdistrict=form.subdistrict,
        postal_code=form.postal_code,
        category=form.category,
        center=form.center,
        agency=form.agency,
        contact=contact,
        anonymous=form.anonymous,
        share_contact_with_agency=form.share_contact_with_agency,
        publish=form.publish,
        attachments=tuple(photos),
    )
    # One thread hop for the whole filing: bursts are what this path serves.
    with state.sessions() as directory, state.filing_sessions() as queue:
        return desk.file(directory, queue, filing, door, key, secret)


@router.post("", status_code=201, response_model=FiledOut, openapi_extra=FILING_BODY, dependencies=[WithinFilingRate])
async def file_complaint(
    request: Request,
    settings: SettingsDep,
    client: ApiClientDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> FiledOut:
    """File a complaint. The same `Idempotency-Key` from the same API client with the same body is
    the same complaint (for 24 hours); its PIN is shown again only to an identified client
    (`X-Api-Key`); the same key with another body is refused with 422."""
    form, photos = await _read_filing(request, settings)
    door = Door("api", caller=client)
    filed = await run_in_threadpool(_file, request.app.state, form, photos, door, idempotency_key, settings.secret)
    if request.app.state.dispatcher is not None:
        request.app.state.dispatcher.nudge.set()
    return FiledOut(
        tracking_number=filed.tracking_number,
        pin=filed.pin,
        status=filed.status,
        status_url=f"/api/complaints/{filed.tracking_number}",
        created=filed.created,
    )


class PinIn(BaseModel):
    """A tracking PIN in a POST body, for a browser form that cannot set a header."""

    model_config = ConfigDict(extra="forbid")
    pin: Clean("pin", 40) = Field(description="the PIN (Thai digits too)")


async def _tracked(request: Request, settings, throttle, client: str, number: str, given: str) -> TrackingOut:
    number, state = tracking.normalise(number), request.app.state
    async with throttle.checking(client, number):
        return await track_with_pin(
            state.sessions, state.filing_sessions, number, given, settings.secret, state.gateway.pin_matches
        )


@router.get("/{number}", response_model=TrackingOut)
async def track_complaint(
    number: str,
    request: Request,
    settings: SettingsDep,
    throttle: ThrottleDep,
    client: TrackingClient,
    given: PinDep,
) -> TrackingOut:
    """The case's status for the holder of its PIN, sent in the `X-Tracking-Pin` header (Thai digits
    too); a PIN in the URL is refused. Wrong PINs make the client wait (429, `Retry-After`) and slow,
    but never close, the number to everyone else."""
    return await _tracked(request, settings, throttle, client, number, given)


@router.post("/{number}/track", response_model=TrackingOut)
async def track_complaint_by_post(
    number: str,
    body: PinIn,
    request: Request,
    settings: SettingsDep,
    throttle: ThrottleDep,
    client: TrackingClient,
) -> TrackingOut:
    """The same as `GET /api/complaints/{number}`, with the PIN in the JSON body (`{"pin": "123456"}`)."""
    return await _tracked(request, settings, throttle, client, number, tracking.normalise_pin(body.pin))
