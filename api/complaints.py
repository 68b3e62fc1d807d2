"""Citizens' JSON API: file a complaint (JSON, or multipart with photos) and track it with its PIN.
Filing commits the complaint to the filings queue and answers at once; the dispatcher starts its
workflow, which persists and routes it durably afterwards. Tracking reads the read model (and, for a
case filed a moment ago, the filings queue)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import PinDep, SettingsDep, ThrottleDep, TrackingClient, WithinFilingRate
from api.door import is_json
from api.filing_desk import accept
from api.intake import build_draft
from api.schemas import ComplaintIn, FiledOut, TrackingOut
from db.tracking import track_with_pin
from intake import uploads
from intake.text import load_json
from workflows.contracts import RECEIVED
from workflows.domain import tracking

router = APIRouter(prefix="/api/complaints", tags=["complaints"])

FILING_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": ComplaintIn.model_json_schema()},
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


def _accept(state, form: ComplaintIn, photos: list, key: str | None, secret: str):
    # One thread hop for the whole filing: bursts are what this path serves.
    with state.sessions() as directory, state.filing_sessions() as queue:
        return accept(queue, build_draft(directory, form, photos), key, secret)


@router.post("", status_code=201, response_model=FiledOut, openapi_extra=FILING_BODY, dependencies=[WithinFilingRate])
async def file_complaint(
    request: Request, settings: SettingsDep, idempotency_key: Annotated[str | None, Header(max_length=200)] = None
) -> FiledOut:
    form, photos = await _read_filing(request, settings)
    filed = await run_in_threadpool(_accept, request.app.state, form, photos, idempotency_key, settings.secret)
    if request.app.state.dispatcher is not None:
        request.app.state.dispatcher.nudge.set()
    return FiledOut(
        tracking_number=filed.tracking_number,
        pin=filed.pin,
        status=RECEIVED,
        status_url=f"/api/complaints/{filed.tracking_number}",
        created=filed.created,
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
    """The case's status for the holder of its PIN (Thai digits too). Wrong PINs make the client
    wait (429, `Retry-After`) and slow, but never close, the number to everyone else."""
    number, state = tracking.normalise(number), request.app.state
    async with throttle.checking(client, number):
        return await track_with_pin(
            state.sessions, state.filing_sessions, number, given, settings.secret, state.gateway.pin_matches
        )
