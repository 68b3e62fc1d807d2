"""The staff page of the chat's knowledge base: for each FAQ entry, its question in the page's
language and what citizens answered to "did this help?" after it (helpful, not helpful, the helpful
share, the last answer), the least helpful first, so supervisors and administrators see which answers
to rewrite. Entries no one has rated yet follow. Read-only."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from db import faq_feedback, faq_proposals
from web import i18n
from web.auth import Supervisor
from web.deps import DbSession
from web.pages import WebRoute, render

router = APIRouter(route_class=WebRoute)

i18n.add_texts(
    {
        "nav_faq": ("คำตอบแชตบอต", "Chat answers"),
        "faq_title": ("ความเห็นต่อคำตอบของแชตบอต", "What citizens said about the chat's answers"),
        "faq_intro": (
            'หลังคำตอบจากฐานความรู้แต่ละครั้ง แชตบอตถามว่า "คำตอบนี้ช่วยได้ไหม" ตารางนี้นับคำตอบต่อหัวข้อ หัวข้อที่ช่วยได้น้อยที่สุดอยู่บนสุด',
            'After each answer from the knowledge base the chat asks "did this help?". This table counts the '
            "answers per entry, the least helpful first.",
        ),
        "faq_entry": ("หัวข้อ", "Entry"),
        "faq_question": ("คำถาม", "Question"),
        "faq_helpful": ("ช่วยได้", "Helpful"),
        "faq_not_helpful": ("ไม่ช่วย", "Not helpful"),
        "faq_share": ("สัดส่วนที่ช่วยได้", "Helpful share"),
        "faq_last": ("ตอบล่าสุด", "Last answer"),
        "faq_unrated": ("ยังไม่มีผู้ให้ความเห็น", "Not rated yet"),
    }
)


@lru_cache(maxsize=1)
def _questions() -> dict[str, tuple[str, str]]:
    """Entry id -> (Thai, English) first wording of its question, from the shipped knowledge base."""
    from nlp.faq import load_entries

    return {
        e.id: ((e.questions["th"] or [e.id])[0], (e.questions["en"] or e.questions["th"] or [e.id])[0])
        for e in load_entries()
    }


@router.get("/admin/faq", response_class=HTMLResponse)
def faq_feedback_page(request: Request, s: DbSession, user: Supervisor):
    # The shipped entries and those administrators approved from answered questions (db-<id>).
    approved = {
        faq_proposals.entry_id(r): (r.questions_th.split("\n")[0], r.questions_en.split("\n")[0])
        for r in faq_proposals.approved(s)
    }
    questions = {**_questions(), **approved}
    rated = faq_feedback.stats(s)
    seen = {r.entry_id for r in rated}
    unrated = [entry_id for entry_id in questions if entry_id not in seen]
    return render(
        request, "admin_faq.html", "_admin_faq.html", rated=rated, unrated=unrated, questions=questions, nav="faq"
    )
