"""Similar complaints together on the officers' pages (issue 14 part 5): the case page's panel of open
cases of the same area and category whose text is alike (`nlp.similar`, computed when the panel is
asked for: its own fragment, loaded after the case page), the lead this case follows with an unlink
form, the cases that follow this one, and a link form per similar case; and the supervisors' board of
clusters. Linking and unlinking post to the case's actions (`link_lead`, `unlink_lead`), which become
workflow updates; the lead's and followers' workflows do the rest."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from db import queries, similar_cases
from nlp.similar import THRESHOLD, similar
from web import i18n
from web.auth import CurrentStaff, StaffUser, Supervisor
from web.cases import visible_case
from web.deps import DbSession
from web.pages import WebRoute, render
from web.scope import case_clause, scope_of
from workflows.domain.transitions import refusal

router = APIRouter(route_class=WebRoute)
SHOWN = 10  # the most alike; an officer reads these, not a ranking of hundreds

i18n.add_texts(
    {
        "similar_title": ("เรื่องที่คล้ายกัน (พื้นที่และหมวดเดียวกัน)", "Similar cases (same area and category)"),
        "similar_none": ("ไม่พบเรื่องที่เปิดอยู่ที่คล้ายกัน", "No similar open case"),
        "similar_score": ("ความคล้าย", "Similarity"),
        "similar_follows": ("เรื่องนี้เชื่อมกับเรื่องหลัก", "This case follows the leading case"),
        "similar_followers": ("เรื่องที่เชื่อมกับเรื่องนี้", "Cases following this one"),
        "similar_link": ("เชื่อมกับเรื่องหลักนี้", "Link to this lead"),
        "similar_link_number": ("เชื่อมกับเรื่องหลักเลขที่", "Link to the leading case number"),
        "similar_unlink": ("ยกเลิกการเชื่อม", "Unlink"),
        "similar_lead_of": ("เรื่องหลักของเรื่องนี้คือ", "its lead is"),
        "similar_note": (
            "เรื่องที่เชื่อมแล้วจะได้รับความคืบหน้าและผลของเรื่องหลัก ผู้ร้องแต่ละคนได้รับแจ้งตามเลขเรื่องของตน",
            "A linked case gets its lead's progress and result; each citizen hears under their own number",
        ),
        "clusters_title": ("กลุ่มเรื่องเดียวกัน", "Clusters of the same problem"),
        "clusters_lead": ("เรื่องหลัก", "Lead"),
        "clusters_cases": ("จำนวนเรื่อง", "Cases"),
        "clusters_open": ("ยังเปิดอยู่", "Open"),
        "clusters_oldest": ("รับเรื่องแรกสุด", "Oldest filed"),
        "clusters_none": ("ยังไม่มีเรื่องที่เชื่อมกัน", "No linked cases yet"),
        "ev_linked": ("เชื่อมกับเรื่องหลัก", "Linked to a lead"),
        "ev_unlinked": ("ยกเลิกการเชื่อมกับเรื่องหลัก", "Unlinked from its lead"),
        "ev_follower_linked": ("มีเรื่องเชื่อมเข้ามา", "A case now follows this one"),
        "ev_follower_unlinked": ("เรื่องที่เชื่อมไว้ถูกยกเลิก", "A case no longer follows this one"),
    }
)


CACHED = 256  # panels kept: keyed by numbers only, so a few kilobytes each
_cache: OrderedDict[tuple[str, tuple[str, ...]], tuple[tuple[str, float], ...]] = OrderedDict()
_cache_lock = Lock()


def _alike(case, pool: list) -> tuple[tuple[str, float], ...]:
    """(number, score) of the pool's cases alike to `case`, most alike first. Cached by the numbers:
    a complaint's text never changes, so the same case against the same open cases scores the same;
    a case filed, closed or linked meanwhile makes another pool and a fresh computation."""
    key = (case.tracking_number, tuple(p.tracking_number for p in pool))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    found = tuple((pool[m.index].tracking_number, m.score) for m in similar(case.text, [p.text for p in pool])[:SHOWN])
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return found


def _panel(s, user: StaffUser, number: str) -> dict:
    case = visible_case(s, user, number)
    scope = scope_of(s, user)
    pool = similar_cases.candidates(s, case, None if scope.everything else case_clause(scope))
    followers = similar_cases.followers(s, case.tracking_number)
    mine = {f.tracking_number for f in followers}
    pool = [p for p in pool if p.tracking_number not in mine and p.tracking_number != case.lead_tracking_number]
    by_number = {p.tracking_number: p for p in pool}
    alike = _alike(case, pool)
    lead = queries.case_by_number(s, case.lead_tracking_number) if case.lead_tracking_number else None
    return dict(
        case=case,
        lead=lead,
        followers=followers,
        # a similar case that follows a lead already offers that lead: one level of links only
        matches=[(by_number[n], score, by_number[n].lead_tracking_number or n) for n, score in alike],
        can_link=refusal("link", case.status) is None and not followers and not case.lead_tracking_number,
        can_unlink=refusal("unlink", case.status) is None and bool(case.lead_tracking_number),
        threshold=THRESHOLD,
    )


@router.get("/cases/{number}/similar", response_class=HTMLResponse)
async def similar_panel(request: Request, number: str, s: DbSession, user: CurrentStaff):
    values = await run_in_threadpool(_panel, s, user, number)
    return render(request, "similar_cases.html", "_similar_cases.html", nav="inbox", **values)


def _clusters(s, user: StaffUser) -> dict:
    scope = scope_of(s, user)
    return dict(clusters=similar_cases.clusters(s, None if scope.everything else case_clause(scope)))


@router.get("/board/clusters", response_class=HTMLResponse)
async def board_clusters(request: Request, s: DbSession, user: Supervisor):
    values = await run_in_threadpool(_clusters, s, user)
    return render(request, "board_clusters.html", "_board_clusters.html", nav="board", **values)
