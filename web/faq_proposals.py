"""FAQ entries from answered questions (issue 14, part 6): on an answered question's page an officer of
its center proposes the answer as an FAQ entry (the question's wordings and the answer, Thai and
English); administrators review the proposals under `/admin/faq/proposals`: edit, approve or reject
with a reason. Approval tells this app process's chat to reload its FAQ at once (`app.state.faq_changed`,
set by the chat front); other processes notice the read model's stamp within seconds. Who proposed,
edited, approved or rejected, and when, is kept with each proposal (db.faq_proposals)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from db import faq_proposals
from web import i18n
from web.auth import ActingStaff, Admin
from web.deps import DbSession
from web.pages import WebRoute, render
from web.questions import visible_question
from workflows.errors import CaseNotFound, InvalidTransition

router = APIRouter(route_class=WebRoute)

i18n.add_texts(
    {
        "faq_propose": ("เสนอเป็นคำถามที่พบบ่อย", "Propose as an FAQ entry"),
        "faq_propose_intro": (
            "คำตอบที่ดีช่วยผู้ถามคนต่อไปได้ทันที ใส่คำถามได้หลายแบบ (บรรทัดละแบบ) และคำตอบทั้งสองภาษา ผู้ดูแลระบบจะตรวจก่อนแชตบอตใช้",
            "A good answer can answer the next citizen at once. Give the question in several wordings (one a "
            "line) and the answer in both languages; an administrator reviews it before the chat uses it.",
        ),
        "faq_questions_th": ("คำถาม (ภาษาไทย บรรทัดละแบบ)", "Question in Thai (one wording a line)"),
        "faq_questions_en": ("คำถาม (ภาษาอังกฤษ บรรทัดละแบบ)", "Question in English (one wording a line)"),
        "faq_answer_th": ("คำตอบ (ภาษาไทย)", "Answer in Thai"),
        "faq_answer_en": ("คำตอบ (ภาษาอังกฤษ)", "Answer in English"),
        "faq_proposed": ("ส่งให้ผู้ดูแลระบบพิจารณาแล้ว", "Sent to the administrators for review"),
        "faq_proposals_title": ("คำถามที่พบบ่อยที่เสนอ", "Proposed FAQ entries"),
        "faq_pending": ("รอพิจารณา", "Waiting for review"),
        "faq_reviewed": ("พิจารณาแล้ว", "Reviewed"),
        "faq_none_pending": ("ไม่มีรายการรอพิจารณา", "Nothing waiting for review"),
        "faq_approve": ("อนุมัติ (แชตบอตใช้ทันที)", "Approve (the chat uses it at once)"),
        "faq_reject": ("ไม่อนุมัติ", "Reject"),
        "faq_reason": ("เหตุผล", "Reason"),
        "faq_proposed_by": ("เสนอโดย", "Proposed by"),
        "faq_approved_msg": ("อนุมัติแล้ว แชตบอตใช้คำตอบนี้แล้ว", "Approved: the chat answers with it now"),
        "faq_rejected_msg": ("ไม่อนุมัติแล้ว", "Rejected"),
        "faq_history": ("ประวัติ", "History"),
    }
)

Field = Annotated[str, Form(max_length=8000)]


@router.post("/questions/{question_id}/faq", response_class=HTMLResponse)
def propose(
    request: Request,
    question_id: str,
    s: DbSession,
    user: ActingStaff,
    questions_th: Field = "",
    questions_en: Field = "",
    answer_th: Field = "",
    answer_en: Field = "",
):
    row = visible_question(s, user, question_id)
    if row.status != "answered":
        raise InvalidTransition("คำถามนี้ยังไม่มีคำตอบ / this question has no answer yet")
    draft = {"questions_th": questions_th, "questions_en": questions_en, "answer_th": answer_th, "answer_en": answer_en}
    try:
        w = faq_proposals.wording(questions_th, questions_en, answer_th, answer_en)
    except faq_proposals.ProposalRefused as err:
        return render(request, "question.html", status_code=422, nav="inbox", q=row, faq_refusal=err.message, faq=draft)
    faq_proposals.propose(s, w, user.username, question_id=row.question_id, center_code=row.center_code)
    s.commit()
    flash = i18n.text("faq_proposed", i18n.language(request))
    return render(request, "question.html", nav="inbox", q=row, flash=flash, faq_done=True)


def _lists(s) -> dict:
    return {"pending": faq_proposals.pending(s), "reviewed": faq_proposals.reviewed(s)}


@router.get("/admin/faq/proposals", response_class=HTMLResponse)
def proposals_page(request: Request, s: DbSession, user: Admin, done: str = ""):
    flash = i18n.text(done, i18n.language(request)) if done in ("faq_approved_msg", "faq_rejected_msg") else ""
    return render(request, "admin_faq_proposals.html", nav="faq", flash=flash, **_lists(s))


@router.post("/admin/faq/proposals/{proposal_id}/approve", response_class=HTMLResponse)
async def approve(
    request: Request,
    proposal_id: int,
    s: DbSession,
    user: Admin,
    questions_th: Field = "",
    questions_en: Field = "",
    answer_th: Field = "",
    answer_en: Field = "",
    note: Annotated[str, Form(max_length=1000)] = "",
):
    def approve_it() -> str:
        w = faq_proposals.wording(questions_th, questions_en, answer_th, answer_en)
        faq_proposals.approve(s, _id(proposal_id), w, user.username, note)
        s.commit()
        return "faq_approved_msg"

    return await _review(request, s, approve_it)


@router.post("/admin/faq/proposals/{proposal_id}/reject", response_class=HTMLResponse)
async def reject(
    request: Request, proposal_id: int, s: DbSession, user: Admin, note: Annotated[str, Form(max_length=1000)] = ""
):
    def reject_it() -> str:
        faq_proposals.reject(s, _id(proposal_id), user.username, note)
        s.commit()
        return "faq_rejected_msg"

    return await _review(request, s, reject_it)


def _id(proposal_id: int) -> int:
    if not 0 < proposal_id < 2**31:  # PostgreSQL's integer
        raise CaseNotFound("ไม่พบรายการ / no such proposal")
    return proposal_id


async def _review(request: Request, s, act) -> HTMLResponse:
    try:
        said = await run_in_threadpool(act)
    except LookupError as err:
        raise CaseNotFound("ไม่พบรายการ / no such proposal") from err
    except faq_proposals.ProposalRefused as err:
        s.rollback()
        lists = await run_in_threadpool(_lists, s)
        return render(request, "admin_faq_proposals.html", status_code=422, nav="faq", refusal=err.message, **lists)
    changed = getattr(request.app.state, "faq_changed", None)
    if changed is not None:  # this process's chat reloads its FAQ before the next answer
        changed()
    if request.headers.get("HX-Request") != "true":
        return RedirectResponse(f"/admin/faq/proposals?done={said}", status_code=303)
    lists = await run_in_threadpool(_lists, s)
    flash = i18n.text(said, i18n.language(request))
    return render(request, "admin_faq_proposals.html", nav="faq", flash=flash, **lists)
