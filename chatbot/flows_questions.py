"""Questions in the chat: answers from the FAQ (with its links and image) and "did this help?"; when
the FAQ has no good answer, or did not help, the offer to leave the question for an officer, which
becomes a `QuestionWorkflow` (the `LeaveQuestion` effect, keyed by the message's id) with its
office-hours clock; the bot quotes when to expect the answer, and the answer arrives by push."""

from __future__ import annotations

from chatbot.dialogue import SETTLE, YES, Ctx, expect_text, menu_prompt, register
from chatbot.messages import Image, LeaveQuestion, Link, QuestionLeft, Text

MIN_QUESTION = 5


def answer_from_faq(ctx: Ctx, text: str, quiet: bool = False) -> bool:
    """Answer from the FAQ. Without an answer: offer an officer, or (quiet) say nothing and return False."""
    found = ctx.senses.faq(text)
    if found is None:
        if quiet:
            return False
        ctx.state.scratch = {"question": text}
        ctx.state.go("leave_offer")
        ctx.say(
            "ยังไม่มีคำตอบที่ตรงกับคำถามนี้ ฝากคำถามไว้ให้เจ้าหน้าที่ตอบในเวลาราชการไหมคะ",
            "I have no good answer to that. Shall I leave the question for an officer to answer in office hours?",
        )
        leave_offer_choices(ctx)
        return True
    ctx.state.scratch = {"question": text}
    ctx.state.go("faq_feedback")
    ctx.replies.append(Text(found.answer))
    for link in found.links:
        ctx.replies.append(Link(link["url"], link["title"]))
    if found.image:
        ctx.replies.append(Image(found.image, ""))
    ctx.say("คำตอบนี้ช่วยได้ไหมคะ", "Did this help?")
    ctx.offer(
        ("ช่วยได้", "Yes, it helped", "faq:yes"),
        ("ไม่ช่วย", "No", "faq:no"),
        ("ฝากถามเจ้าหน้าที่", "Ask an officer", "faq:leave"),
        ("เมนู", "Menu", "menu"),
    )
    return True


def ask_prompt(ctx: Ctx) -> None:
    ctx.say("พิมพ์คำถามได้เลยค่ะ", "Type your question.")


def ask_handle(ctx: Ctx, action: str, text: str) -> None:
    if expect_text(ctx, text):
        answer_from_faq(ctx, text)


def faq_feedback_prompt(ctx: Ctx) -> None:
    ctx.say("คำตอบนี้ช่วยได้ไหมคะ", "Did this help?")
    ctx.offer(
        ("ช่วยได้", "Yes, it helped", "faq:yes"),
        ("ไม่ช่วย", "No", "faq:no"),
        ("ฝากถามเจ้าหน้าที่", "Ask an officer", "faq:leave"),
        ("เมนู", "Menu", "menu"),
    )


def faq_feedback_handle(ctx: Ctx, action: str, text: str) -> None:
    if action == "faq:yes":
        ctx.say("ยินดีค่ะ", "Glad it helped.")
        ctx.to_menu()
    elif action in ("faq:no", "faq:leave"):
        ctx.state.go("leave_offer")
        if action == "faq:no":
            ctx.say("ขออภัยค่ะ ฝากคำถามไว้ให้เจ้าหน้าที่ตอบไหมคะ", "Sorry. Shall I leave the question for an officer?")
        else:
            ctx.say("ฝากคำถามนี้ไว้ให้เจ้าหน้าที่ไหมคะ", "Leave this question for an officer?")
        leave_offer_choices(ctx)
    elif text:
        answer_from_faq(ctx, text)  # another question
    else:
        faq_feedback_prompt(ctx)


def leave_offer_choices(ctx: Ctx) -> None:
    ctx.offer(("ฝากคำถาม", "Leave the question", "leave:yes"), ("ไม่ต้อง", "No, thanks", "menu"))


def leave_offer_prompt(ctx: Ctx) -> None:
    ctx.say("ฝากคำถามไว้ให้เจ้าหน้าที่ตอบในเวลาราชการไหมคะ", "Leave the question for an officer to answer in office hours?")
    leave_offer_choices(ctx)


def leave_offer_handle(ctx: Ctx, action: str, text: str) -> None:
    question = ctx.state.scratch.get("question", "")
    if (action == "leave:yes" or (not action and text.lower() in YES)) and question:
        ctx.effects.append(LeaveQuestion(ctx.event.event_id, question))
    elif text and not action:
        answer_from_faq(ctx, text)
    else:
        leave_offer_prompt(ctx)


def leave_question_prompt(ctx: Ctx) -> None:
    ctx.say(
        "พิมพ์คำถามที่ต้องการฝากถึงเจ้าหน้าที่ เจ้าหน้าที่จะตอบในเวลาราชการ (จ.-ศ. 08:30-16:30 น.) และคำตอบจะส่งมาที่แชตนี้",
        "Type the question for an officer. Officers answer in office hours (Mon-Fri 08:30-16:30) "
        "and the answer will come to this chat.",
    )


def leave_question_handle(ctx: Ctx, action: str, text: str) -> None:
    if not expect_text(ctx, text):
        return
    if len(text) < MIN_QUESTION:
        ctx.say("กรุณาพิมพ์คำถามให้ชัดเจนขึ้น", "Please write the question out a little more.")
        return
    ctx.state.scratch["question"] = text
    ctx.effects.append(LeaveQuestion(ctx.event.event_id, text))


def question_left(ctx: Ctx, out: QuestionLeft) -> None:
    ctx.state.reset()
    ctx.say(
        f"ฝากคำถามถึงเจ้าหน้าที่แล้ว จะได้รับคำตอบภายใน {out.due_th} คำตอบจะส่งมาที่แชตนี้",
        f"Your question is with the officers. Expect an answer by {out.due_en}; it will come to this chat.",
    )
    menu_prompt(ctx)


register("ask", ask_prompt, ask_handle)
register("faq_feedback", faq_feedback_prompt, faq_feedback_handle)
register("leave_offer", leave_offer_prompt, leave_offer_handle)
register("leave_question", leave_question_prompt, leave_question_handle)
SETTLE[QuestionLeft] = question_left
