"""Data subjects' requests for the staff (PDPA s.30 access, s.33 erasure): `/data-requests` lists the
requests on cases within the user's centers, open ones first by their 30-day due date, overdue ones
marked, and lets an officer file one for a citizen whose identity they have checked (how, in words;
never the ID number). A request's page shows what was asked, the decision and, for a fulfilled access
request, the answer to hand over (each showing logged as a reveal of the contact details in it); an open one can be fulfilled, or refused with its legal reason (the
`fulfil` and `refuse` updates of its `DataRequestWorkflow`). Outside the user's centers is a 404."""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from db import staff
from db.data_requests import DataRequest, visible_requests
from db.models import Case
from intake.text import clean
from web import i18n
from web.auth import ActingStaff, CurrentStaff
from web.pages import WebRoute, render
from web.scope import ensure_visible, scope_of
from workflows import pdpa
from workflows.domain import tracking
from workflows.errors import CaseError, CaseNotFound, InvalidInput
from workflows.pdpa_client import DataRequestGateway

router = APIRouter(route_class=WebRoute)
REQUEST_ID = re.compile(r"DR-[0-9A-F]{12}")

i18n.add_texts(
    {
        "nav_data_requests": ("คำขอเกี่ยวกับข้อมูลส่วนบุคคล", "Data requests"),
        "data_requests_title": ("คำขอของเจ้าของข้อมูลส่วนบุคคล (PDPA)", "Data subjects' requests (PDPA)"),
        "data_request_title": ("คำขอเกี่ยวกับข้อมูลส่วนบุคคล", "Data request"),
        "data_requests_none": ("ไม่มีคำขอ", "No requests"),
        "request_kind": ("ประเภทคำขอ", "Kind"),
        "request_access": ("ขอสำเนาข้อมูล", "Access"),
        "request_erasure": ("ขอลบข้อมูล", "Erasure"),
        "request_status": ("สถานะ", "Status"),
        "filed_by": ("ผู้ยื่น", "Filed by"),
        "identity_note": ("ตรวจสอบตัวตนโดย", "Identity checked by"),
        "file_request": ("ยื่นคำขอแทนผู้ร้อง (ตรวจสอบตัวตนแล้ว)", "File a request for a citizen (identity checked)"),
        "fulfil": ("ดำเนินการตามคำขอ", "Fulfil"),
        "refuse": ("ปฏิเสธ (ระบุเหตุผลทางกฎหมาย)", "Refuse (give the legal reason)"),
        "request_answer": ("ข้อมูลที่ต้องส่งมอบ", "The answer to hand over"),
        "request_counts": ("จำนวนรายการ", "Items"),
        "data_request_overdue": ("คำขอข้อมูลส่วนบุคคลเกิน 30 วัน", "Data request past its 30 days"),
    }
)


def _gateway(request: Request) -> DataRequestGateway:
    return DataRequestGateway(request.app.state.temporal, request.app.state.settings.task_queue)


def _list(request: Request, user) -> list[DataRequest]:
    with request.app.state.sessions() as s:
        return visible_requests(s, scope_of(s, user).clause(DataRequest.center_code))


def _visible_request(request: Request, user, request_id: str) -> DataRequest:
    with request.app.state.sessions() as s:
        # Only a well-formed id reaches the database (PostgreSQL cannot compare a NUL).
        row = s.get(DataRequest, request_id) if REQUEST_ID.fullmatch(request_id) else None
        if row is None or not scope_of(s, user).covers(row.center_code):
            raise CaseNotFound("ไม่พบคำขอ / no such data request")
        s.expunge(row)
        return row


def _visible_case(request: Request, user, number: str) -> str:
    if not tracking.PATTERN.match(number):
        raise CaseNotFound()
    with request.app.state.sessions() as s:
        return ensure_visible(s, user, s.get(Case, number)).tracking_number


def _page(request: Request, user, **values) -> HTMLResponse:
    rows = values.pop("rows", None)
    return render(request, "data_requests.html", "_data_requests.html", nav="data_requests", rows=rows, **values)


@router.get("/data-requests", response_class=HTMLResponse)
async def data_requests(request: Request, user: CurrentStaff):
    rows = await run_in_threadpool(_list, request, user)
    return _page(request, user, rows=rows)


@router.post("/data-requests", response_class=HTMLResponse)
async def file_for_citizen(
    request: Request,
    user: ActingStaff,
    kind: Annotated[str, Form(max_length=8)],
    tracking_number: Annotated[str, Form(max_length=40)],
    identity_note: Annotated[str, Form(max_length=500)] = "",
):
    identity_note = clean(identity_note, "identity_note", 500)
    if not identity_note.strip():
        raise InvalidInput("กรุณาระบุวิธีตรวจสอบตัวตนผู้ยื่นคำขอ / say how the requester's identity was checked")
    number = await run_in_threadpool(_visible_case, request, user, tracking.normalise(tracking_number))
    view = await _gateway(request).file(kind, number, filed_by=user.username, identity_note=identity_note)
    return RedirectResponse(f"/data-requests/{view.request_id}", status_code=303)


def _log_answer_shown(request: Request, user, row: DataRequest) -> None:
    """The answer shows the complainant's contact details unmasked: each showing is a logged reveal."""
    fields = sorted((row.answer or {}).get("personal_data") or {})
    if fields:
        with request.app.state.sessions.begin() as s:
            for name in fields:
                staff.log_reveal(s, row.tracking_number, user.username, name, f"data request {row.request_id}")


@router.get("/data-requests/{request_id}", response_class=HTMLResponse)
async def data_request(request: Request, request_id: str, user: CurrentStaff):
    row = await run_in_threadpool(_visible_request, request, user, request_id)
    await run_in_threadpool(_log_answer_shown, request, user, row)
    answer = json.dumps(row.answer, ensure_ascii=False, indent=2) if row.answer else ""
    return render(request, "data_request.html", "_data_request.html", nav="data_requests", r=row, answer=answer)


@router.post("/data-requests/{request_id}/{action}", response_class=HTMLResponse)
async def decide(
    request: Request,
    request_id: str,
    action: str,
    user: ActingStaff,
    reason: Annotated[str, Form(max_length=pdpa.MAX_REASON_CHARS)] = "",
):
    row = await run_in_threadpool(_visible_request, request, user, request_id)
    try:
        reason = clean(reason, "reason", pdpa.MAX_REASON_CHARS)
        await _gateway(request).decide(
            row.workflow_id, row.run_id, action, pdpa.DataRequestDecision(officer=user.username, reason=reason)
        )
    except CaseError as err:
        return render(
            request,
            "data_request.html",
            "_data_request.html",
            status_code=err.status_code,
            nav="data_requests",
            r=row,
            answer="",
            refusal=err.message,
        )
    return RedirectResponse(f"/data-requests/{row.request_id}", status_code=303)
