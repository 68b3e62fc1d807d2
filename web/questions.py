"""A question a citizen left for an officer: the page shows it (from the read model, within the user's
centers, else 404) and the answer form, which becomes the `answer` update on its QuestionWorkflow;
the workflow sends the answer to the citizen's chat. A refusal (already answered, withdrawn, empty) is
shown next to the form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from db.models import Question
from web import i18n
from web.auth import ActingStaff, CurrentStaff, StaffUser, is_fragment
from web.deps import DbSession, Gateway
from web.pages import WebRoute, render
from web.scope import question_visible, scope_of
from workflows import contracts as c
from workflows.errors import CaseError, CaseNotFound

router = APIRouter(route_class=WebRoute)


def visible_question(s, user: StaffUser, question_id: str) -> Question:
    row = s.get(Question, question_id[:40])
    if row is None or not question_visible(scope_of(s, user), row.center_code, row.escalated_to):
        raise CaseNotFound("ไม่พบคำถาม / no such question")
    return row


@router.get("/questions/{question_id}", response_class=HTMLResponse)
async def question_page(request: Request, question_id: str, s: DbSession, user: CurrentStaff):
    row = await run_in_threadpool(visible_question, s, user, question_id)
    return render(request, "question.html", "_question.html", nav="inbox", q=row)


@router.post("/questions/{question_id}/answer", response_class=HTMLResponse)
async def answer(
    request: Request,
    question_id: str,
    s: DbSession,
    gateway: Gateway,
    user: ActingStaff,
    text: Annotated[str, Form(max_length=5000)] = "",
):
    row = await run_in_threadpool(visible_question, s, user, question_id)
    try:
        await gateway.answer_question(row.question_id, c.QuestionAnswer(officer=user.username, text=text.strip()))
    except CaseError as err:
        if is_fragment(request):
            return render(
                request,
                "_refusal.html",
                status_code=err.status_code,
                message=err.message,
                headers={"HX-Retarget": "#refusal-answer", "HX-Reswap": "innerHTML"},
            )
        return render(
            request, "question.html", status_code=err.status_code, nav="inbox", q=row, refusal=err.message, draft=text
        )
    if not is_fragment(request):
        return RedirectResponse(f"/questions/{row.question_id}", status_code=303)
    s.expire_all()
    row = await run_in_threadpool(visible_question, s, user, question_id)
    return render(
        request,
        "question.html",
        "_question.html",
        nav="inbox",
        q=row,
        flash=i18n.text("answered", i18n.language(request)),
    )
