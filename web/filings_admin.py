"""The administrators' view of the filings queue: how many accepted filings wait for their workflow,
and the dead letters, the filings the dispatcher gave up on, each with its tracking number, door,
attempts and last error (their personal data is already wiped), so an administrator can tell the
citizen and find the fault. Read from the queue's own database, which on SQLite is not the read model."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from db import filings
from web import i18n
from web.auth import Admin
from web.pages import WebRoute, render

router = APIRouter(route_class=WebRoute)

i18n.add_texts(
    {
        "nav_filings": ("คิวรับเรื่อง", "Filings queue"),
        "tracking_number": ("เลขที่เรื่อง", "Tracking number"),
        "filings_title": ("คิวรับเรื่องที่รอเริ่มดำเนินการ", "Filings waiting for their case to start"),
        "filings_waiting": ("รอเริ่ม", "Waiting to start"),
        "dead_letters": ("เรื่องที่ระบบเริ่มไม่ได้", "Filings the system gave up on"),
        "dead_letters_none": ("ไม่มีเรื่องค้าง", "None"),
        "door": ("ช่องทาง", "Door"),
        "attempts": ("จำนวนครั้งที่ลอง", "Attempts"),
        "last_error": ("ข้อผิดพลาดล่าสุด", "Last error"),
        "accepted_at": ("รับเรื่องเมื่อ", "Accepted"),
        "given_up_at": ("เลิกลองเมื่อ", "Given up"),
    }
)


def _queue(request: Request) -> tuple[int, list]:
    with request.app.state.filing_sessions() as s:
        return filings.waiting_count(s), filings.dead_letters(s)


@router.get("/admin/filings", response_class=HTMLResponse)
async def filings_queue(request: Request, user: Admin):
    waiting, dead = await run_in_threadpool(_queue, request)
    return render(request, "admin_filings.html", "_admin_filings.html", waiting=waiting, dead=dead, nav="filings")
