"""The officers' inbox: open tasks and questions within the user's centers, filtered, searched,
sorted and paged by `db.inbox_queries`; the same URL answers the page or, for htmx (filters, paging,
the poll that brings new tasks without a reload), the list fragment. Claim, assign, reassign and bulk
assign are `assign` updates on each case's workflow, one per case, run concurrently; an officer may
only claim for themself, a supervisor may assign anyone at a center they oversee who can see the case."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from db import queries, staff
from db.inbox_queries import QUESTION_KIND, InboxFilter, inbox_page
from web import i18n
from web.auth import ActingStaff, CurrentStaff, StaffUser
from web.deps import DbSession, Gateway
from web.pages import WebRoute, render, templates
from web.scope import Scope, ensure_visible, scope_of
from workflows import contracts as c
from workflows.domain import tracking
from workflows.errors import CaseError, CaseNotFound, InvalidInput

router = APIRouter(route_class=WebRoute)
TASK_KINDS = (
    c.TASK_TRIAGE,
    c.TASK_FORWARD_LETTER,
    c.TASK_FORWARD_MANUAL,
    c.TASK_FOLLOW_UP,
    c.TASK_REVIEW_DISPUTE,
    c.TASK_SYSTEM_FAULT,
    QUESTION_KIND,
)
STATUSES = (c.RECEIVED, c.TRIAGE, c.FORWARDED, c.IN_PROGRESS, c.NEEDS_INFO, c.RESOLVED, c.RETURNED)
FILTER_NAMES = ("kind", "status", "category", "agency", "center", "due", "holder", "q", "sort")


def inbox_query(f: InboxFilter) -> str:
    """The filters as a query string (without the cursor): for the poll and the pager."""
    return urlencode({name: getattr(f, name) for name in FILTER_NAMES if getattr(f, name)})


templates.env.filters["inbox_query"] = inbox_query


def _filters(request: Request, form: dict | None = None) -> InboxFilter:
    src = form if form is not None else request.query_params
    f = InboxFilter()
    for name in (*FILTER_NAMES, "after"):
        value = str(src.get(name, "") or "").strip()[:200]
        value = value.upper() if name == "center" else value
        setattr(f, name, value)
    f.sort = f.sort if f.sort in ("newest", "oldest", "due") else "newest"
    return f


def _list(s, user: StaffUser, f: InboxFilter):
    scope = scope_of(s, user)
    page = inbox_page(s, f, scope.clause, user.username, datetime.now(UTC))
    staff_list = staff.usernames_at(s, None if scope.everything else list(scope.codes)) if user.supervises else []
    categories = queries.categories(s)
    return dict(
        page=page,
        f=f,
        now=datetime.now(UTC),
        categories=categories,
        category_names={k.code: (k.name_th, k.name_en) for k in categories},
        task_kinds=TASK_KINDS,
        statuses=STATUSES,
        staff_list=staff_list,
        scope=scope,
    )


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, s: DbSession, user: CurrentStaff):
    values = await run_in_threadpool(_list, s, user, _filters(request))
    return render(request, "inbox.html", "_inbox_list.html", nav="inbox", **values)


def _may_assign(s, user: StaffUser, scope: Scope, number: str, assignee: str) -> str:
    """The assignee's username, after checking who may give the case to whom; raises a domain error."""
    case = ensure_visible(s, user, queries.case_by_number(s, number))
    if not assignee:
        return ""
    if assignee != user.username and not user.supervises:
        raise InvalidInput("เจ้าหน้าที่รับงานได้เฉพาะให้ตนเอง / an officer can only claim a case for themself")
    target = staff.account(s, assignee)
    if (
        target is None
        or not target.active
        or not scope.covers(target.center_code)
        or not scope_of(s, target).covers(case.center_code, case.filed_with)
    ):
        raise InvalidInput(f"มอบหมายให้ {assignee} ไม่ได้ / {assignee} cannot take this case")
    return target.username


def _check_all(s, user: StaffUser, numbers: list[str], assignee: str) -> list[tuple[str, str, str | None]]:
    """(number, assignee, refusal) for each case; the read-model checks run in one thread, one session."""
    scope = scope_of(s, user)
    checked = []
    for number in numbers:
        try:
            checked.append((number, _may_assign(s, user, scope, number, assignee), None))
        except CaseError as err:
            checked.append((number, "", err.message))
    return checked


async def assign_cases(s, gateway, user: StaffUser, numbers: list[str], assignee: str) -> list[tuple[str, str]]:
    """One `assign` update per case, concurrently; returns (number, refusal message) for the refused."""
    checked = await run_in_threadpool(_check_all, s, user, numbers, assignee)

    async def one(number: str, target: str, refusal: str | None) -> tuple[str, str] | None:
        if refusal:
            return number, refusal
        try:
            await gateway.act(number, "assign", c.Assignment(officer=user.username, assignee=target))
            return None
        except CaseError as err:
            return number, err.message

    results = await asyncio.gather(*(one(*row) for row in checked))
    return [r for r in results if r is not None]


def _numbers(raw: list[str]) -> list[str]:
    seen = []
    for n in raw[:200]:
        n = tracking.normalise(n)
        if tracking.PATTERN.match(n) and n not in seen:
            seen.append(n)
    return seen


# The form the route reads itself, published so that the OpenAPI fuzz (tests/test_openapi_fuzz.py) sends it.
ASSIGN_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "numbers": {"type": "array", "items": {"type": "string", "maxLength": 40}},
                        "assignee": {"type": "string", "maxLength": 64, "description": "a username, or 'me'"},
                        "csrf_token": {"type": "string", "maxLength": 200},
                    },
                }
            }
        },
    }
}


@router.post("/inbox/assign", response_class=HTMLResponse, openapi_extra=ASSIGN_FORM)
async def assign(request: Request, s: DbSession, gateway: Gateway, user: ActingStaff):
    """Claim (assignee = me), assign or reassign one case, or bulk assign the selected ones."""
    form = await request.form()
    numbers = _numbers([str(v) for v in form.getlist("numbers")])
    if not numbers:
        raise CaseNotFound()
    wanted = str(form.get("assignee", "")).strip().lower()
    assignee = user.username if wanted in ("", "me") else wanted
    refused = await assign_cases(s, gateway, user, numbers, assignee)
    lang = i18n.language(request)
    done = len(numbers) - len(refused)
    flash = f"{i18n.text('assigned_ok', lang)}: {done}" if done else ""
    values = await run_in_threadpool(_list, s, user, _filters(request, dict(form)))
    status_code = 409 if refused and not done else 200  # nothing assigned: say so
    return render(
        request,
        "inbox.html",
        "_inbox_list.html",
        status_code=status_code,
        nav="inbox",
        flash=flash,
        refused=refused,
        **values,
    )
