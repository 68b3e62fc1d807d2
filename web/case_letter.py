"""The forwarding letter of a case, for officers: the print page (`/cases/{n}/letter`) and the same
letter as a PDF (`/cases/{n}/letter.pdf`), both from `db.letters.letter_for_case` and worded by
`letters.wording`, so they say the same thing. The complainant's name is masked unless the officer
posts a reason, which logs a reveal for this letter. Each letter carries the case's signed status
link for its agency (issued at the first letter, the same one on every reprint) as a QR code; an
officer revokes it or issues a new one from the case page. Every route checks the case is within the
user's centers (else 404)."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Annotated

import segno
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from db import staff, status_links
from db.letters import letter_complainant, letter_for_case
from db.models import PersonalData
from intake.text import clean
from letters import LetterData, render_letter_pdf, wording
from letters.pdf import emblem_path
from web.auth import ActingStaff, CurrentStaff, StaffUser
from web.cases import required, reveal_reason, visible_case
from web.deps import DbSession
from web.i18n import add_texts
from web.pages import WebRoute, render
from workflows.domain import tracking

router = APIRouter(route_class=WebRoute)

add_texts(
    {
        "letter_pdf": ("ดาวน์โหลด PDF", "Download the PDF"),
        "thai_digits": ("ตัวเลขไทย", "Thai digits"),
        "status_link": ("ลิงก์สถานะสำหรับหน่วยงาน", "Status link for the agency"),
        "status_link_none": ("ยังไม่มีลิงก์ (ออกให้เมื่อพิมพ์หนังสือส่งต่อ)", "No link yet (issued with the forwarding letter)"),
        "status_link_expires": ("ใช้ได้ถึง", "valid until"),
        "status_link_revoked": ("ยกเลิกแล้ว", "revoked"),
        "status_link_revoke": ("ยกเลิกลิงก์", "Revoke the link"),
        "status_link_reissue": ("ออกลิงก์ใหม่", "Issue a new link"),
        "status_link_uses": ("การใช้ลิงก์", "Uses of the link"),
    }
)


def _letter(
    s,
    user: StaffUser,
    number: str,
    reference: str,
    sent_on: str,
    thai_digits: bool,
    link_base: str,
    secret: str,
    reveal_for: str | None = None,
    upload_dir=None,
) -> LetterData:
    """The letter's values; with `reveal_for` (the officer's reason, required when given) the name is
    printed in full and the reveal logged in the same transaction as the link, else masked."""
    case = visible_case(s, user, number)
    named = reveal_for is not None and bool(required(reveal_for))
    named = named and bool(letter_complainant(s.get(PersonalData, case.tracking_number), True))
    if named:
        staff.log_reveal(s, case.tracking_number, user.username, "name", f"letter: {reveal_for}")
    url, expires = status_links.letter_link(
        s, secret, link_base, case.tracking_number, case.agency_code, user.username, datetime.now(UTC)
    )
    s.commit()
    try:
        on = date.fromisoformat(sent_on) if sent_on else None
    except ValueError:
        on = None
    return letter_for_case(
        s,
        case,
        user.center_code,
        reference=reference,
        sent_on=on,
        named=named,
        signer=user.display_name.split(" / ")[0],
        status_url=url,
        status_expires=expires,
        thai_digits=thai_digits,
        upload_dir=upload_dir,
    )


def _args(request: Request) -> dict:
    settings = request.app.state.settings
    base = settings.public_base_url or str(request.base_url).rstrip("/")
    return dict(link_base=base, secret=settings.secret)


def _page(request: Request, letter: LetterData, reference: str, sent_on: str) -> HTMLResponse:
    qr = segno.make(letter.status_url, error="m").svg_data_uri(scale=3) if letter.status_url else ""
    return render(
        request,
        "letter.html",
        nav="inbox",
        letter=letter,
        words=wording(letter),
        typed_reference=reference,
        qr=qr,
        emblem=emblem_data_uri(),
    )


def emblem_data_uri() -> str:
    path = emblem_path()
    kind = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


Reference = Annotated[str, Query(max_length=60)]
SentOn = Annotated[str, Query(max_length=10)]


@router.get("/cases/{number}/letter", response_class=HTMLResponse)
async def letter(
    request: Request,
    number: str,
    s: DbSession,
    user: CurrentStaff,
    reference: Reference = "",
    sent_on: SentOn = "",
    thai: bool = False,
):
    data = await run_in_threadpool(_letter, s, user, number, reference, sent_on, thai, **_args(request))
    return _page(request, data, reference, sent_on)


async def _named_form(request: Request) -> tuple[str, str, str, bool]:
    reason = await reveal_reason(request)
    form = await request.form()
    reference = clean(str(form.get("reference", "")), "reference", 60)
    sent_on = clean(str(form.get("sent_on", "")), "sent_on", 10)
    return reason, reference, sent_on, str(form.get("thai", "")) in ("1", "true", "on")


@router.post("/cases/{number}/letter", response_class=HTMLResponse)
async def letter_with_name(request: Request, number: str, s: DbSession, user: ActingStaff):
    """The letter with the complainant's name printed, after a logged reveal with its reason."""
    reason, reference, sent_on, thai = await _named_form(request)
    data = await run_in_threadpool(
        _letter, s, user, number, reference, sent_on, thai, reveal_for=reason, **_args(request)
    )
    return _page(request, data, reference, sent_on)


def _pdf_response(letter: LetterData) -> Response:
    pdf = render_letter_pdf(letter)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="letter-{letter.tracking_number}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/cases/{number}/letter.pdf")
async def letter_pdf(
    request: Request,
    number: str,
    s: DbSession,
    user: CurrentStaff,
    reference: Reference = "",
    sent_on: SentOn = "",
    thai: bool = False,
):
    upload_dir = request.app.state.settings.upload_dir
    data = await run_in_threadpool(
        _letter, s, user, number, reference, sent_on, thai, upload_dir=upload_dir, **_args(request)
    )
    return await run_in_threadpool(_pdf_response, data)


@router.post("/cases/{number}/letter.pdf")
async def letter_pdf_with_name(request: Request, number: str, s: DbSession, user: ActingStaff):
    reason, reference, sent_on, thai = await _named_form(request)
    upload_dir = request.app.state.settings.upload_dir
    data = await run_in_threadpool(
        _letter, s, user, number, reference, sent_on, thai, reveal_for=reason, upload_dir=upload_dir, **_args(request)
    )
    return await run_in_threadpool(_pdf_response, data)


def _change_link(s, user: StaffUser, number: str, secret: str, reissue: bool) -> None:
    case = visible_case(s, user, number)
    now = datetime.now(UTC)
    if reissue and case.agency_code:
        status_links.issue(s, secret, case.tracking_number, case.agency_code, user.username, now)
    else:
        status_links.revoke(s, case.tracking_number, user.username, now)
    s.commit()


@router.post("/cases/{number}/status-link/{change}")
async def change_status_link(request: Request, number: str, change: str, s: DbSession, user: ActingStaff):
    """Revoke the case's status link (`revoke`) or replace it with a new one (`reissue`): the old QR
    code stops working at once."""
    if change not in ("revoke", "reissue"):
        return render(request, "error.html", status_code=404, message="ไม่พบหน้านี้ / not found")
    await run_in_threadpool(_change_link, s, user, number, request.app.state.settings.secret, change == "reissue")
    return RedirectResponse(f"/cases/{tracking.normalise(number)}#status-link", status_code=303)
