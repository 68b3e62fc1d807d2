"""The callback linked agencies call to report on a case they hold: acknowledged, progress, resolved
or returned. The raw body is signed with HMAC-SHA256 under the agency's secret (header
`X-Signature: sha256=<hex>`); a bad signature is 401 before the body is even parsed."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import GatewayDep, SessionDep
from api.schemas import CallbackIn
from db import queries
from db.credentials import agency_secret
from workflows.contracts import AGENCY_EVENT_KINDS, AgencyEvent
from workflows.domain import tracking
from workflows.errors import CaseNotFound, InvalidInput

router = APIRouter(prefix="/api/agencies", tags=["agency callbacks"])


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@router.post("/{code}/callbacks", status_code=202)
async def agency_callback(
    code: str,
    request: Request,
    session: SessionDep,
    gateway: GatewayDep,
    x_signature: Annotated[str | None, Header()] = None,
) -> dict:
    agency = await run_in_threadpool(queries.agency, session, code)
    body = await request.body()
    if (
        agency is None
        or not agency.linked
        or not x_signature
        # bytes, not str: compare_digest raises TypeError on a non-ASCII str (a forged header was a 500)
        or not hmac.compare_digest(
            signature(agency_secret(agency.credential_ref), body).encode(), x_signature.encode("utf-8", "replace")
        )
    ):
        raise HTTPException(401, "ลายมือชื่อไม่ถูกต้อง / bad signature")
    event = CallbackIn.model_validate_json(body)
    if event.kind not in AGENCY_EVENT_KINDS:
        raise InvalidInput(f"ไม่รู้จักเหตุการณ์ / unknown event kind '{event.kind}'")
    number = tracking.normalise(event.tracking_number)
    case = await run_in_threadpool(queries.case_by_number, session, number)
    if case is None or case.agency_code != code:
        raise CaseNotFound()
    await gateway.signal(
        number,
        "agency_event",
        AgencyEvent(
            event_id=event.event_id, kind=event.kind, note=event.note, reference=event.reference, agency_code=code
        ),
    )
    return {"accepted": True}
