"""Questions in the chat: answers from the FAQ (with its links and image) and "did this help?" (the
answer goes to the FAQ feedback store as a `NoteFaqFeedback` effect, per entry); when the FAQ has no
good answer, or did not help, the offer to leave the question for an officer, which becomes a
`QuestionWorkflow` (the `LeaveQuestion` effect, keyed by the message's id) with its office-hours
clock; the bot quotes when to expect the answer, and the answer arrives by push. A problem told as a
question gets "file this as a complaint" beside the answer (`CARRY`), which starts the filing with the
citizen's words already in it."""

from __future__ import annotations

from chatbot.center_names import asked_fields, mentions_a_center
from chatbot.flows_door import door_name, question_center
from chatbot.flows_facts import answer_center_facts, complete_center_facts, fields_of
from chatbot.messages import FeedbackNoted, Image, LeaveQuestion, Link, NoteFaqFeedback, QuestionLeft, Text, option
from chatbot.turn import YES, Ctx, expect_text

MIN_QUESTION = 5
CARRY = "file:carry"  # the quick reply that files the question's text as a complaint
FILE_THIS = option("ยื่นเป็นเรื่องร้องเรียน", "File this as a complaint", CARRY)


_LOOK = object()  # "look the answer up": the caller has not


def answer_from_faq(ctx: Ctx, text: str, quiet: bool = False, carry: bool = False, found=_LOOK) -> bool:
    """Answer from the FAQ (`found`, when the caller looked it up already). Without an answer: offer an
    officer, or (quiet) say nothing and return False. `carry`: the text is also a complaint; "file this
    as a complaint" is offered with the answer."""
    if found is _LOOK:
        found = ctx.senses.faq(text)
    seed = ctx.state.scratch.get("seed", "") if carry else ""
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
    ctx.state.scratch = {"question": text, "entry": found.entry_id}
    if seed:
        ctx.state.scratch["seed"] = seed
    ctx.state.go("faq_feedback")
    ctx.replies.append(Text(found.answer))
    for link in found.links:
        ctx.replies.append(Link(link["url"], link["title"]))
    if found.image:
        ctx.replies.append(Image(found.image, ""))
    # An answer that differs per center (its phone, hours, ...) is completed from the directory.
    fields = fields_of(found.center_fact) or (asked_fields(text) if mentions_a_center(text) else ())
    if fields:
        complete_center_facts(ctx, text, fields)
    ask_feedback(ctx)
    return True


def ask_feedback(ctx: Ctx) -> None:
    ctx.say("คำตอบนี้ช่วยได้ไหมคะ", "Did this help?")
    carry = (FILE_THIS,) if ctx.state.scratch.get("seed") else ()
    ctx.offer(
        option("ช่วยได้", "Yes, it helped", "faq:yes"),
        option("ไม่ช่วย", "No", "faq:no"),
        *carry,
        option("ฝากถามเจ้าหน้าที่", "Ask an officer", "faq:leave"),
        option("เมนู", "Menu", "menu"),
    )


def ask_prompt(ctx: Ctx) -> None:
    ctx.say("พิมพ์คำถามได้เลยค่ะ", "Type your question.")


def ask_handle(ctx: Ctx, action: str, text: str) -> None:
    if not expect_text(ctx, text):
        return
    reading = ctx.senses.read(text)
    if not answer_center_facts(ctx, text, reading):
        # The citizen chose "ask a question": answered from the FAQ whatever the message sounds like.
        answer_from_faq(ctx, text, found=reading.faq if reading.faq_checked else _LOOK)


def _note(ctx: Ctx, helpful: bool) -> None:
    entry = ctx.state.scratch.get("entry", "")
    if entry and ctx.event is not None:
        ctx.effects.append(NoteFaqFeedback(ctx.event.event_id, entry, helpful, ctx.event.at, ctx.lang))


def faq_feedback_handle(ctx: Ctx, action: str, text: str) -> None:
    if action == "faq:yes":
        _note(ctx, True)
        ctx.say("ยินดีค่ะ", "Glad it helped.")
        ctx.to_menu()
    elif action in ("faq:no", "faq:leave"):
        if action == "faq:no":
            _note(ctx, False)
        carry = bool(ctx.state.scratch.get("seed"))
        ctx.state.go("leave_offer")
        if action == "faq:no":
            ctx.say("ขออภัยค่ะ ฝากคำถามไว้ให้เจ้าหน้าที่ตอบไหมคะ", "Sorry. Shall I leave the question for an officer?")
        else:
            ctx.say("ฝากคำถามนี้ไว้ให้เจ้าหน้าที่ไหมคะ", "Leave this question for an officer?")
        leave_offer_choices(ctx, carry)
    elif text:
        # Another message after an answer: a center named for the facts just asked, or the menu's reading.
        if not answer_center_facts(ctx, text, ctx.senses.read(text), pending=True):
            ctx.steps["menu"].handle(ctx, "", text)
    else:
        ask_feedback(ctx)


def leave_offer_choices(ctx: Ctx, carry: bool = False) -> None:
    ctx.offer(
        option("ฝากคำถาม", "Leave the question", "leave:yes"),
        *((FILE_THIS,) if carry else ()),
        option("ไม่ต้อง", "No, thanks", "menu"),
    )


def leave_offer_prompt(ctx: Ctx) -> None:
    ctx.say("ฝากคำถามไว้ให้เจ้าหน้าที่ตอบในเวลาราชการไหมคะ", "Leave the question for an officer to answer in office hours?")
    leave_offer_choices(ctx, bool(ctx.state.scratch.get("seed")))


def leave_offer_handle(ctx: Ctx, action: str, text: str) -> None:
    question = ctx.state.scratch.get("question", "")
    if (action == "leave:yes" or (not action and text.lower() in YES)) and question:
        ctx.effects.append(LeaveQuestion(ctx.event.event_id, question, question_center(ctx)))
    elif text and not action:
        ctx.steps["menu"].handle(ctx, "", text)  # something else: read like any message at the menu
    else:
        leave_offer_prompt(ctx)


def leave_question_prompt(ctx: Ctx) -> None:
    door = door_name(ctx)
    if door is not None:  # the door's center answers, in its own hours (quoted once the question is left)
        ctx.say(
            f"พิมพ์คำถามที่ต้องการฝากถึงเจ้าหน้าที่{door.th} เจ้าหน้าที่จะตอบในเวลาทำการของศูนย์ และคำตอบจะส่งมาที่แชตนี้",
            f"Type the question for the officers of the {door.en}. They answer in the center's office hours "
            "and the answer will come to this chat.",
        )
        return
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
    ctx.effects.append(LeaveQuestion(ctx.event.event_id, text, question_center(ctx)))


def question_left(ctx: Ctx, out: QuestionLeft) -> None:
    ctx.state.reset()
    if out.center is not None:  # its officers answer in that center's office hours (its directory record)
        ctx.say(
            f"ฝากคำถามถึงเจ้าหน้าที่{out.center.th}แล้ว เจ้าหน้าที่จะตอบในเวลาทำการ ภายใน {out.due.th} คำตอบจะส่งมาที่แชตนี้",
            f"Your question is with the officers of the {out.center.en}. They answer in office hours, "
            f"by {out.due.en}; the answer will come to this chat.",
        )
    else:
        ctx.say(
            f"ฝากคำถามถึงเจ้าหน้าที่แล้ว จะได้รับคำตอบภายใน {out.due.th} คำตอบจะส่งมาที่แชตนี้",
            f"Your question is with the officers. Expect an answer by {out.due.en}; it will come to this chat.",
        )
    ctx.show_menu()


def feedback_noted(ctx: Ctx, out: FeedbackNoted) -> None:
    """The feedback is kept (or not: a lost "did this help?" is not worth troubling the citizen)."""
