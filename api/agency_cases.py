"""Cases a linked agency sends us (a transfer from the 1111 center, say): `POST /api/agencies/{code}/cases`,
signed like its callbacks (`api.agency_signing`: timestamp, nonce, the agency's own secret). The case
goes through the same front desk as every door (`intake.desk`, door `agency`), carries the sender's
reference, and is one case per (agency, reference) for good: sent again, tomorrow or next year, it
answers with the same tracking number. Officers see "received from <agency>, their reference X" on
the case page. The answer holds the citizen's PIN, for the sending agency to pass on."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.agency_signing import give_back, verified
from api.deps import SessionDep, SettingsDep
from api.schemas import ContactIn
from db import queries, transfers
from intake import desk
from intake.filing import ComplaintFiling, Door
from intake.text import Clean, load_json
from workflows.contracts import RECEIVED, Contact
from workflows.errors import InvalidInput, Unavailable

router = APIRouter(prefix="/api/agencies", tags=["agency transfers"])


class TransferIn(BaseModel):
    """A case as the sending agency has it."""

    model_config = ConfigDict(extra="forbid")
    reference: Clean("reference", 200) = Field(min_length=1, description="the sender's own reference")
    text: Clean("text") = Field(min_length=1)
    category: Clean("category") | None = None
    center: Clean("center") | None = None
    province: Clean("province") | None = None
    district: Clean("district") | None = None
    contact: ContactIn | None = None
    anonymous: bool = False
    language: Clean("language", 2) = "th"

    @field_validator("reference")
    @classmethod
    def _reference(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("ต้องมีเลขอ้างอิงของหน่วยงาน / the sender's reference is required")
        return v.strip()

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        if len(v.strip()) < 10:
            raise ValueError("กรุณาเล่าปัญหาอย่างน้อย 10 ตัวอักษร / describe the problem in at least 10 characters")
        return v.strip()

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        if v not in ("th", "en"):
            raise ValueError("ภาษาต้องเป็น th หรือ en / language must be th or en")
        return v


class TransferOut(BaseModel):
    tracking_number: str
    reference: str
    pin: str | None = Field(description="the citizen's PIN, for the sender to pass on; null when sent again")
    status: str
    created: bool


def _filing(form: TransferIn) -> ComplaintFiling:
    contact = None
    if form.contact is not None:
        c = form.contact
        contact = Contact(name=c.name, phone=c.phone or "", national_id=c.national_id or "", email=c.email or "")
    return ComplaintFiling(
        text=form.text,
        province=form.province,
        district=form.district,
        category=form.category,
        center=form.center,
        contact=contact,
        anonymous=form.anonymous or contact is None,
        language=form.language,
    )


def _receive(state, code: str, form: TransferIn, secret: str) -> TransferOut:
    with state.sessions() as directory:
        number = transfers.known(directory, code, form.reference)
        if number is not None:  # sent before: the same case, however long ago
            case = queries.case_by_number(directory, number)
            status = case.status if case is not None else RECEIVED  # still in the filings queue
            return TransferOut(tracking_number=number, reference=form.reference, pin=None, status=status, created=False)
        with state.filing_sessions() as queue:
            # The reference is the idempotency key too: two copies arriving at once are one filing.
            receipt = desk.file(directory, queue, _filing(form), Door("agency", caller=code), form.reference, secret)
        number = transfers.record(directory, code, form.reference, receipt.tracking_number)
        directory.commit()
    created = receipt.created and number == receipt.tracking_number
    return TransferOut(
        tracking_number=number,
        reference=form.reference,
        pin=receipt.pin if created else None,
        status=receipt.status,
        created=created,
    )


@router.post("/{code}/cases", status_code=201, response_model=TransferOut)
async def receive_case(
    code: str, request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> TransferOut:
    """A case a linked agency transfers to us, signed (`X-Timestamp`, `X-Nonce`, `X-Signature`).
    201 with the new tracking number and PIN; 200 with the same number when the reference was sent
    before."""
    signed = await verified(request, session, code)
    data = load_json(signed.body)
    if not isinstance(data, dict):
        raise InvalidInput("ต้องเป็นออบเจกต์ JSON / the body must be a JSON object")
    form = TransferIn.model_validate(data)
    try:
        out = await run_in_threadpool(_receive, request.app.state, code, form, settings.secret)
    except Unavailable:
        await give_back(request, signed)
        raise
    if request.app.state.dispatcher is not None:
        request.app.state.dispatcher.nudge.set()
    if not out.created:
        response.status_code = 200
    return out
