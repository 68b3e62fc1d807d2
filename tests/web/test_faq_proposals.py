"""Answered questions feed the FAQ (issue 14, part 6): Kantang's officer answers a question left at
Kantang's chat door and proposes the answer as an FAQ entry in Thai and English; a supervisor may not
review it; the administrator edits and approves it; the next citizen who asks in other words gets the
approved answer from the chat at once, and the proposal keeps who proposed, edited and approved it.
Bad proposals and reviews are refused with a bilingual message and change nothing."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from db import faq_proposals
from db.models import FaqProposal
from tests.web.test_center_doors import question_of, say

QUESTION = "ขายของในตลาดนัดคลองถมวันอาทิตย์ต้องขอใบอนุญาตจำหน่ายสินค้าในที่สาธารณะอย่างไร"
PARAPHRASE = "ตั้งแผงขายของตลาดนัดคลองถมต้องขอใบอนุญาตจำหน่ายสินค้าไหม"
ANSWER_TH = "ยื่นคำขอใบอนุญาตจำหน่ายสินค้าในที่สาธารณะที่เทศบาลเมืองกันตัง พร้อมบัตรประชาชน ค่าธรรมเนียมปีละ 100 บาท"
ANSWER_EN = (
    "Apply to Kantang town municipality for a street-trading permit, with your ID card; the fee is 100 baht a year."
)


async def test_an_officers_answer_becomes_an_faq_entry_the_chat_answers_with_once_approved(web_stack):
    session = f"faq-{uuid.uuid4().hex}"
    async with web_stack.client() as http:
        await say(http, session, action="door:D9202")
        await say(http, session, action="menu:leave")
        await say(http, session, QUESTION)
    q = await question_of(web_stack, session)

    async with web_stack.signed_in("krabi") as stranger:  # another district's officer: not their question
        r = await stranger.post(
            f"/questions/{q.question_id}/faq",
            data={"questions_th": QUESTION, "questions_en": "x", "answer_th": "x", "answer_en": "x"},
            headers={"X-CSRF-Token": stranger.csrf},
        )
        assert r.status_code == 404
    async with web_stack.signed_in("kantang") as officer:
        early = await officer.post(  # nothing to propose before the answer is in
            f"/questions/{q.question_id}/faq",
            data={"questions_th": QUESTION, "questions_en": "x", "answer_th": "x", "answer_en": "x"},
            headers={"X-CSRF-Token": officer.csrf},
        )
        assert early.status_code == 409 and "no answer yet" in early.text
        r = await officer.post(
            f"/questions/{q.question_id}/answer", data={"text": ANSWER_TH}, headers={"X-CSRF-Token": officer.csrf}
        )
        assert r.status_code == 303
        await web_stack.wait_question(q.question_id, "answered")
        page = await officer.get(f"/questions/{q.question_id}")
        assert 'id="faq-propose"' in page.text and QUESTION in page.text  # the form comes prefilled

        refused = await officer.post(
            f"/questions/{q.question_id}/faq",
            data={"questions_th": QUESTION, "questions_en": "", "answer_th": ANSWER_TH, "answer_en": ANSWER_EN},
            headers={"X-CSRF-Token": officer.csrf},
        )
        assert refused.status_code == 422 and "give the question in Thai and in English" in refused.text
        r = await officer.post(
            f"/questions/{q.question_id}/faq",
            data={
                "questions_th": f"{QUESTION}\n\n{QUESTION}",  # a repeat and a blank line are dropped
                "questions_en": "How do I get a permit to sell at the Khlong Thom Sunday market?",
                "answer_th": ANSWER_TH,
                "answer_en": "Apply to the municipality.",
            },
            headers={"X-CSRF-Token": officer.csrf},
        )
        assert r.status_code == 200 and 'id="faq-proposed"' in r.text
    with web_stack.sessions()() as s:
        proposal = s.scalar(select(FaqProposal).where(FaqProposal.question_id == q.question_id))
        assert proposal.status == "pending" and proposal.proposed_by == "kantang" and proposal.center_code == "D9202"
        assert proposal.questions_th == QUESTION
        pid = proposal.id

    async with web_stack.client() as http:  # not yet approved: the chat does not know the answer
        other = f"faq-{uuid.uuid4().hex}"
        await say(http, other, action="menu:ask")
        before = await say(http, other, PARAPHRASE)
        assert "100 บาท" not in before["text"]

    async with web_stack.signed_in("trang") as supervisor:
        assert (await supervisor.get("/admin/faq/proposals")).status_code == 403
    async with web_stack.signed_in("root") as admin:
        listing = await admin.get("/admin/faq/proposals")
        assert listing.status_code == 200 and f'id="proposal-{pid}"' in listing.text
        csrf = {"X-CSRF-Token": admin.csrf}
        assert (
            await admin.post(f"/admin/faq/proposals/{pid}/reject", data={"note": " "}, headers=csrf)
        ).status_code == 422
        r = await admin.post(
            f"/admin/faq/proposals/{pid}/approve",
            data={
                "questions_th": f"{QUESTION}\n{PARAPHRASE}",
                "questions_en": "How do I get a permit to sell at the Khlong Thom Sunday market?",
                "answer_th": ANSWER_TH,
                "answer_en": ANSWER_EN,  # the administrator's better English
                "note": "ตรวจกับเทศบาลแล้ว",
            },
            headers=csrf,
        )
        assert r.status_code == 303
        again = await admin.post(
            f"/admin/faq/proposals/{pid}/approve",
            data={"questions_th": QUESTION, "questions_en": "x", "answer_th": "x", "answer_en": "x"},
            headers=csrf,
        )
        assert again.status_code == 422 and "reviewed already" in again.text
        listing = await admin.get("/admin/faq/proposals")
        assert re.search(rf'id="reviewed-{pid}".*?approved · root', listing.text, re.S)
        feedback = await admin.get("/admin/faq")  # "did this help?" lists the new entry by its question
        assert re.search(rf"<code>db-{pid}</code>\s*{re.escape(QUESTION)}", feedback.text)

    with web_stack.sessions()() as s:
        row = s.get(FaqProposal, pid)
        assert [h["action"] for h in row.history] == ["proposed", "edited", "approved"]
        assert [h["by"] for h in row.history] == ["kantang", "root", "root"]
        assert row.history[1]["before"]["answer_en"] == "Apply to the municipality."
        assert row.answer_en == ANSWER_EN and row.reviewed_by == "root"
        assert faq_proposals.version(s)[0] >= 1

    async with web_stack.client() as http:  # the very next question in other words: the approved answer
        other = f"faq-{uuid.uuid4().hex}"
        await say(http, other, action="menu:ask")
        after = await say(http, other, PARAPHRASE)
        assert ANSWER_TH in after["text"], after
        en = f"faq-{uuid.uuid4().hex}"
        await say(http, en, action="lang:en")
        await say(http, en, action="menu:ask")
        answered = await say(http, en, "Do I need a permit to sell at the Khlong Thom Sunday market?")
        assert ANSWER_EN in answered["text"], answered
