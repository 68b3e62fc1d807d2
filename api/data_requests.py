"""A data subject's own access or erasure request (PDPA s.30, s.33) on the JSON API: `POST
/api/data-requests` with the case's tracking number and PIN in the body (or the PIN in
`X-Tracking-Pin`), never in the URL. A wrong number or PIN files nothing and is a 404, counted by the
same PIN throttle as tracking; a right one starts the request's `DataRequestWorkflow` (asking again
while it is open answers the same request), to be answered by an officer within 30 days."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SettingsDep, ThrottleDep, TrackingClient
from db.data_requests import case_opened_by_pin
from workflows.domain import tracking
from workflows.errors import CaseNotFound
from workflows.pdpa_client import DataRequestGateway

router = APIRouter(prefix="/api/data-requests", tags=["data requests"])


class DataRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["access", "erasure"]
    tracking_number: str = Field(min_length=1, max_length=40)
    pin: str | None = Field(default=None, max_length=40)


class DataRequestOut(BaseModel):
    request_id: str
    kind: str
    tracking_number: str
    status: str
    due_at: str


def _opens(state, number: str, pin: str, secret: str) -> bool:
    with state.sessions() as s:
        return case_opened_by_pin(s, number, pin, secret) is not None


@router.post("", status_code=202, response_model=DataRequestOut)
async def file_data_request(
    body: DataRequestIn,
    request: Request,
    settings: SettingsDep,
    throttle: ThrottleDep,
    client: TrackingClient,
    x_tracking_pin: Annotated[str | None, Header(max_length=40)] = None,
) -> DataRequestOut:
    """Ask for a copy of your data (`access`) or for its erasure (`erasure`), answered within 30 days."""
    number = tracking.normalise(body.tracking_number)
    pin = tracking.normalise_pin(body.pin or x_tracking_pin or "")
    if not tracking.PATTERN.match(number):  # not a number at all: nothing to guess at, nothing to count
        raise CaseNotFound()
    async with throttle.checking(client, number):
        if not await run_in_threadpool(_opens, request.app.state, number, pin, settings.secret):
            raise CaseNotFound()
    gateway = DataRequestGateway(request.app.state.temporal, settings.task_queue)
    view = await gateway.file(body.kind, number, filed_by="citizen")
    return DataRequestOut(
        request_id=view.request_id,
        kind=view.kind,
        tracking_number=view.tracking_number,
        status=view.status,
        due_at=view.due_at,
    )
