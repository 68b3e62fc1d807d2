"""The supervisors' board (issue 5, item 5), under /board: overdue and at-risk counts by center with a
drill-down (all centers -> province -> district), aging buckets, the overdue list with who holds each
case and which clock is late, escalate and reassign from that list (workflow updates through the
gateway, refusals shown next to the action), SLA compliance per center and per category over a chosen
period (its own fragment, loaded after the page), a CSV export for Excel, and bar charts as inline SVG.
Supervisors and admins only; a center outside the user's scope is a 404, like a case. The counts come
from `db.board_queries`; this module parses, calls, and shapes numbers into bars."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, StreamingResponse

from db import board_queries as bq
from db import staff
from db.queries import case_by_number, categories
from web import i18n
from web.auth import StaffUser, Supervisor
from web.deps import DbSession, Gateway
from web.inbox import assign_cases
from web.pages import WebRoute, render
from web.scope import Scope, case_clause, ensure_visible, scope_of
from workflows import contracts as c
from workflows.domain import tracking
from workflows.domain.centers import center_above
from workflows.errors import CaseError, CaseNotFound

router = APIRouter(route_class=WebRoute)
PERIODS = ("30d", "90d", "fy", "custom")
MAX_REASON = 1000

i18n.add_texts(
    {
        "board_title": ("กระดานเรื่องเกินกำหนด", "Overdue board"),
        "board_all_centers": ("ทุกศูนย์", "All centers"),
        "board_by_center": ("เรื่องเกินกำหนดและใกล้ครบกำหนดตามศูนย์", "Overdue and at risk by center"),
        "board_aging": ("อายุเรื่องที่เกินกำหนด", "How long overdue"),
        "board_at_risk": ("ใกล้ครบกำหนด (ภายใน 24 ชม.)", "At risk (due within 24 h)"),
        "board_up_to_7": ("เกินไม่เกิน 7 วัน", "Up to 7 days overdue"),
        "board_8_30": ("เกิน 8-30 วัน", "8-30 days overdue"),
        "board_over_30": ("เกินกว่า 30 วัน", "Over 30 days overdue"),
        "board_overdue_total": ("เกินกำหนดทั้งหมด", "Overdue in total"),
        "board_overdue_list": ("รายการเรื่องเกินกำหนด", "Overdue cases"),
        "board_late_clock": ("นาฬิกาที่เกิน", "Late clock"),
        "board_late_by": ("เกินมาแล้ว", "Late by"),
        "board_holder": ("ผู้รับผิดชอบ", "Held by"),
        "board_no_overdue": ("ไม่มีเรื่องเกินกำหนด", "Nothing is overdue"),
        "board_drill": ("ดูรายอำเภอ", "Open its districts"),
        "board_export": ("ส่งออก CSV (Excel)", "Export CSV (Excel)"),
        "board_compliance": ("การดำเนินการทันกำหนด (SLA)", "SLA compliance"),
        "board_compliance_by_category": ("ตามหมวดเรื่อง", "By category"),
        "board_compliance_by_center": ("ตามศูนย์", "By center"),
        "board_compliance_note": (
            "เรื่องที่รับในช่วงเวลานี้: ทันกำหนด = ยุติแล้วโดยไม่มีนาฬิกาใดเกินกำหนด; เกินกำหนด = มีนาฬิกาเกินกำหนด; "
            "อัตรา = ทันกำหนด / (ทันกำหนด + เกินกำหนด)",
            "Cases filed in the period: met = settled with no clock late; late = a clock went past due; "
            "rate = met / (met + late)",
        ),
        "board_met": ("ทันกำหนด", "Met"),
        "board_late": ("เกินกำหนด", "Late"),
        "board_pending": ("ยังไม่ยุติ", "Pending"),
        "board_rate": ("อัตราทันกำหนด", "On-time rate"),
        "board_period": ("ช่วงเวลา", "Period"),
        "board_period_30d": ("30 วันล่าสุด", "Last 30 days"),
        "board_period_90d": ("90 วันล่าสุด", "Last 90 days"),
        "board_period_fy": ("ปีงบประมาณนี้", "This fiscal year"),
        "board_period_custom": ("กำหนดเอง", "Custom"),
        "board_from": ("ตั้งแต่วันที่", "From"),
        "board_to": ("ถึงวันที่", "To"),
        "board_show": ("แสดง", "Show"),
        "board_loading": ("กำลังโหลด…", "Loading…"),
        "board_reassign": ("มอบหมายใหม่", "Reassign"),
        "board_escalate": ("ส่งขึ้นศูนย์ระดับสูงกว่า", "Escalate to the center above"),
        "board_escalated_ok": ("ส่งเรื่องขึ้นแล้ว", "Escalated"),
        "board_reassigned_ok": ("มอบหมายใหม่แล้ว", "Reassigned"),
        "board_reason_needed": ("กรุณาระบุเหตุผล", "Give a reason"),
        "board_chart_aging": ("แผนภูมิแท่ง: อายุเรื่องที่เกินกำหนด", "Bar chart: how long cases are overdue"),
        "board_chart_centers": ("แผนภูมิแท่ง: เรื่องเกินกำหนดตามศูนย์", "Bar chart: overdue cases by center"),
        "board_chart_rate": ("แผนภูมิแท่ง: อัตราทันกำหนดตามศูนย์", "Bar chart: on-time rate by center"),
        "board_definitions": (
            "เกินกำหนด = มีนาฬิกาที่ยังเดินอยู่เลยเวลากำหนด (ไม่นับเรื่องที่ดำเนินการแล้วหรือปิดแล้ว); "
            "ใกล้ครบกำหนด = ครบกำหนดภายใน 24 ชั่วโมง",
            "Overdue = a running clock is past its due time (resolved and closed cases aside); "
            "at risk = due within the next 24 hours",
        ),
        "board_more": ("และอีก", "and"),
        "board_more_after": ("เรื่อง", "more"),
    }
)


# --- parsing the request ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    name: str
    start: datetime
    end: datetime
    first_day: date
    last_day: date

    def query(self) -> dict[str, str]:
        q = {"period": self.name}
        if self.name == "custom":
            q.update({"from": self.first_day.isoformat(), "to": self.last_day.isoformat()})
        return q


def _bangkok_midnight(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=i18n.BANGKOK).astimezone(UTC)


def period_of(name: str | None, first: str | None, last: str | None, now: datetime) -> Period:
    """The compliance period in Bangkok days; the Thai fiscal year starts on 1 October."""
    today = now.astimezone(i18n.BANGKOK).date()
    name = name if name in PERIODS else "30d"
    if name == "custom":
        try:
            a, b = date.fromisoformat(first or ""), date.fromisoformat(last or "")
        except ValueError:
            name = "30d"
        else:
            a, b = min(a, b), max(a, b)
            return Period(name, _bangkok_midnight(a), _bangkok_midnight(b + timedelta(days=1)), a, b)
    if name == "fy":
        a = date(today.year if today.month >= 10 else today.year - 1, 10, 1)
    else:
        a = today - timedelta(days=(90 if name == "90d" else 30) - 1)
    return Period(name, _bangkok_midnight(a), _bangkok_midnight(today + timedelta(days=1)), a, today)


def where_to_look(s, user: StaffUser, scope: Scope, code: str | None) -> bq.Node:
    """The drill-down node: the asked center if the user oversees it, else 404; by default all
    centers for the ministry and DOPA, the user's own center otherwise."""
    if not code:
        code = None if scope.everything else user.center_code
    at = bq.node(s, code)
    if at is None or not (scope.everything or (at.code is not None and scope.covers(at.code))):
        raise CaseNotFound("ไม่พบศูนย์นี้ หรือไม่อยู่ในความรับผิดชอบของคุณ / no such center within your centers")
    return at


def _crumbs(s, scope: Scope, at: bq.Node) -> list[bq.Node]:
    return [n for n in bq.trail(s, at) if scope.everything or (n.code and scope.covers(n.code))]


# --- charts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is printed at the end of the bar
    share: float  # 0..1 of the chart's width
    tone: str = ""


def bars(items: list[tuple[str, float, str, str]], scale: float | None = None) -> list[Bar]:
    """(label, value, printed text, tone) -> bars scaled to the largest value (or to `scale`)."""
    top = scale or max((v for _, v, _, _ in items), default=0) or 1
    return [Bar(label, v, text, max(0.0, min(1.0, v / top)), tone) for label, v, text, tone in items]


def _name(row, lang: str) -> str:
    return row.name_th if lang == "th" else row.name_en


# --- the board --------------------------------------------------------------------------------------


def _board(s, user: StaffUser, code: str | None, page: int, lang: str) -> dict:
    now = datetime.now(UTC)
    scope = scope_of(s, user)
    at = where_to_look(s, user, scope, code)
    visible = None if scope.everything else case_clause(scope)
    loads = bq.center_loads(s, visible, at, now)
    total = bq.total_aging(loads)
    rows = bq.overdue_cases(s, visible, at, now, limit=bq.PAGE_SIZE, offset=page * bq.PAGE_SIZE)
    aging_bars = bars(
        [
            (i18n.text("board_at_risk", lang), total.at_risk, str(total.at_risk), "risk"),
            (i18n.text("board_up_to_7", lang), total.up_to_7, str(total.up_to_7), "late"),
            (i18n.text("board_8_30", lang), total.d8_30, str(total.d8_30), "later"),
            (i18n.text("board_over_30", lang), total.over_30, str(total.over_30), "latest"),
        ]
    )
    top = [r for r in loads if r.aging.overdue][:15]
    center_bars = bars([(_name(r, lang), r.aging.overdue, str(r.aging.overdue), "late") for r in top])
    return dict(
        now=now,
        at=at,
        crumbs=_crumbs(s, scope, at),
        loads=loads,
        total=total,
        rows=rows,
        page=page,
        more=max(0, total.overdue - (page + 1) * bq.PAGE_SIZE),
        aging_bars=aging_bars,
        center_bars=center_bars,
        categories={k.code: k for k in categories(s)},
        takers=_takers(s, user, rows),
    )


def _takers(s, user: StaffUser, rows: list[bq.OverdueCase]) -> dict[str, list]:
    """Whom each listed case can be given to: staff at its center or the center above, and the
    viewer's own center (the inbox's assignment checks have the last word)."""
    centers = {user.center_code} | {r.center_code for r in rows if r.center_code}
    centers |= {center_above(code) for code in list(centers)}
    people = staff.usernames_at(s, sorted(centers))
    return {
        r.tracking_number: [
            p for p in people if p.center_code in (r.center_code, center_above(r.center_code), user.center_code)
        ]
        for r in rows
    }


def _at_query(at: bq.Node, **extra) -> str:
    return urlencode({**({"at": at.code} if at.code else {}), **{k: v for k, v in extra.items() if v}})


def _links(values: dict) -> dict:
    """The page's own links: the compliance fragment (default period) and the node's query string."""
    period = period_of(None, None, None, values["now"])
    return dict(
        period=period,
        at_query=_at_query(values["at"]),
        compliance_url="/board/compliance?" + _at_query(values["at"], **period.query()),
    )


@router.get("/board", response_class=HTMLResponse)
async def board(request: Request, s: DbSession, user: Supervisor, at: str | None = None, page: int = 0):
    values = await run_in_threadpool(_board, s, user, at, max(0, min(page, 10_000)), i18n.language(request))
    return render(request, "board.html", "_board_body.html", nav="board", **_links(values), **values)


# --- SLA compliance (its own fragment: it scans every case filed in the period) ----------------------


def _compliance(s, user: StaffUser, code: str | None, period: Period, lang: str) -> dict:
    scope = scope_of(s, user)
    at = where_to_look(s, user, scope, code)
    tables = bq.compliance(
        s, None if scope.everything else case_clause(scope), at, period.start, period.end, datetime.now(UTC)
    )
    rated = [r for r in tables.by_center if r.rate is not None][:15]
    return dict(
        at=at,
        tables=tables,
        rate_bars=bars(
            [(_name(r, lang), r.rate * 100, f"{r.rate:.0%}", "good" if r.rate >= 0.8 else "late") for r in rated],
            scale=100,
        ),
    )


@router.get("/board/compliance", response_class=HTMLResponse)
async def compliance(
    request: Request,
    s: DbSession,
    user: Supervisor,
    at: str | None = None,
    period: str | None = None,
    to: str | None = None,
):
    # `from` is a Python keyword, so it is read from the query string by hand.
    chosen = period_of(period, request.query_params.get("from"), to, datetime.now(UTC))
    values = await run_in_threadpool(_compliance, s, user, at, chosen, i18n.language(request))
    return render(
        request,
        "board_compliance.html",
        "_board_compliance.html",
        nav="board",
        period=chosen,
        periods=PERIODS,
        at_query=_at_query(values["at"]),
        **values,
    )


# --- acting from the overdue list -------------------------------------------------------------------


def _number(raw: str) -> str:
    number = tracking.normalise(raw or "")
    if not tracking.PATTERN.match(number):
        raise CaseNotFound()
    return number


async def _relist(
    request: Request, s, user: StaffUser, at: str | None, page: int, status: int = 200, **flash
) -> HTMLResponse:
    """The overdue list again (or the whole board without htmx), with the outcome next to the case."""
    values = await run_in_threadpool(_board, s, user, at or None, page, i18n.language(request))
    return render(
        request,
        "board.html",
        "_board_overdue.html",
        status_code=status,
        nav="board",
        **_links(values),
        **flash,
        **values,
    )


@router.post("/board/reassign", response_class=HTMLResponse)
async def reassign(
    request: Request,
    s: DbSession,
    gateway: Gateway,
    user: Supervisor,
    number: Annotated[str, Form(max_length=20)],
    assignee: Annotated[str, Form(max_length=64)],
    at: Annotated[str, Form(max_length=16)] = "",
    page: Annotated[int, Form()] = 0,
):
    """Give an overdue case to another officer (the `assign` update; the inbox's checks on who may
    take it)."""
    number = _number(number)
    refused = await assign_cases(s, gateway, user, [number], assignee.strip().lower())
    if refused:
        return await _relist(request, s, user, at, page, 409, acted=number, refusal=refused[0][1])
    return await _relist(
        request, s, user, at, page, acted=number, flash=i18n.text("board_reassigned_ok", i18n.language(request))
    )


@router.post("/board/escalate", response_class=HTMLResponse)
async def escalate(
    request: Request,
    s: DbSession,
    gateway: Gateway,
    user: Supervisor,
    number: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=MAX_REASON)] = "",
    at: Annotated[str, Form(max_length=16)] = "",
    page: Annotated[int, Form()] = 0,
):
    """Send an overdue case up to the center above (the `escalate` update), with a reason."""
    number = _number(number)
    await run_in_threadpool(lambda: ensure_visible(s, user, case_by_number(s, number)))
    try:
        await gateway.act(number, "escalate", c.Escalation(officer=user.username, reason=reason.strip()))
    except CaseError as err:
        return await _relist(request, s, user, at, page, err.status_code, acted=number, refusal=err.message)
    return await _relist(
        request, s, user, at, page, acted=number, flash=i18n.text("board_escalated_ok", i18n.language(request))
    )


# --- CSV export -------------------------------------------------------------------------------------


CSV_HEADER = (
    "tracking_number",
    "status",
    "category",
    "center_code",
    "center",
    "escalated_to",
    "assignee",
    "due_at",
    "due_be",
    "days_late",
    "late_clocks",
    "open_tasks",
)


def _csv_lines(sessions, user: StaffUser, code: str | None, lang: str):
    """The overdue list under the node as CSV, UTF-8 with a byte-order mark so Excel reads the Thai.
    `due_at` is sortable (ISO, Bangkok time); `due_be` is the date as people read it (B.E.)."""
    with sessions() as s:
        scope = scope_of(s, user)
        at = where_to_look(s, user, scope, code)
        yield "\ufeff".encode()
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(CSV_HEADER)
        for r in bq.all_overdue(s, None if scope.everything else case_clause(scope), at, datetime.now(UTC)):
            out.writerow(
                (
                    r.tracking_number,
                    r.status,
                    r.category or "",
                    r.center_code or "",
                    r.center_th if lang == "th" else r.center_en,
                    r.escalated_to or "",
                    r.assignee or "",
                    r.due_at.astimezone(i18n.BANGKOK).isoformat(timespec="minutes"),
                    i18n.be_datetime(r.due_at, lang),
                    r.days_late,
                    " ".join(r.late_clocks),
                    " ".join(h.kind for h in r.holders),
                )
            )
            if buf.tell() > 64 * 1024:
                yield buf.getvalue().encode()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue().encode()


@router.get("/board.csv")
async def board_csv(request: Request, s: DbSession, user: Supervisor, at: str | None = None):
    # Check the node now, so a refusal is a 404 page rather than a broken download.
    await run_in_threadpool(lambda: where_to_look(s, user, scope_of(s, user), at))
    stamp = datetime.now(i18n.BANGKOK).strftime("%Y%m%d-%H%M")
    name = f"overdue-{at or 'all'}-{stamp}.csv"
    lines = _csv_lines(request.app.state.sessions, user, at, i18n.language(request))
    # A sync generator: Starlette pulls it in the threadpool, so the reads stay off the event loop.
    return StreamingResponse(
        lines, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
