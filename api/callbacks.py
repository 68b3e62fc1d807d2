"""The callback linked agencies call to report on a case they hold: acknowledged, progress, resolved
or returned. Signed over a timestamp, a nonce and the body with the agency's own secret
(`api.agency_signing`): a bad signature is 401 before the body is even parsed, a stale or replayed
request is refused."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.agency_signing import give_back, verified
from api.deps import GatewayDep, SessionDep
from api.schemas import CallbackIn
from db import queries
from workflows.contracts import AGENCY_EVENT_KINDS, AgencyEvent
from workflows.domain import tracking
from workflows.errors import CaseNotFound, InvalidInput, Unavailable

router = APIRouter(prefix="/api/agencies", tags=["agency callbacks"])


@router.post("/{code}/callbacks", status_code=202)
async def agency_callback(code: str, request: Request, session: SessionDep, gateway: GatewayDep) -> dict:
    """An agency's event on a case it holds, signed (`X-Timestamp`, `X-Nonce`, `X-Signature`)."""
    signed = await verified(request, session, code)
    event = CallbackIn.model_validate_json(signed.body)
    if event.kind not in AGENCY_EVENT_KINDS:
        raise InvalidInput(f"ไม่รู้จักเหตุการณ์ / unknown event kind '{event.kind}'")
    number = tracking.normalise(event.tracking_number)
    case = await run_in_threadpool(queries.case_by_number, session, number)
    if case is None or case.agency_code != code:
        raise CaseNotFound()
    try:
        await gateway.signal(
            number,
            "agency_event",
            AgencyEvent(
                event_id=event.event_id, kind=event.kind, note=event.note, reference=event.reference, agency_code=code
            ),
        )
    except Unavailable:
        await give_back(request, signed)
        raise
    return {"accepted": True}
