"""The case conversation on the case page: what the citizen sent after filing (information and photos
added from the chat, a dispute's reason, a rating) and the officers' replies to the citizen with their
photos, in order, as one thread. It is its own fragment (`GET /cases/{number}/conversation`), which the
case page polls, so a citizen's message appears while the officer has the page open. Internal notes
are not part of it: they never reach the citizen and stay on the timeline, marked internal."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from db.conversation import thread
from web.auth import CurrentStaff, StaffUser
from web.cases import visible_case
from web.deps import DbSession
from web.pages import WebRoute, render

router = APIRouter(route_class=WebRoute)


def _values(s, user: StaffUser, number: str) -> dict:
    case = visible_case(s, user, number)
    return {"n": case.tracking_number, "said": thread(s, case.tracking_number)}


@router.get("/cases/{number}/conversation", response_class=HTMLResponse)
async def conversation(request: Request, number: str, s: DbSession, user: CurrentStaff):
    values = await run_in_threadpool(_values, s, user, number)
    return render(request, "_case_conversation.html", "_case_conversation.html", **values)
