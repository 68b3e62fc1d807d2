"""Whole conversations in English through the JSON endpoint, against the live app, worker and read
model: an anonymous complaint with a photo (the province picked from "did you mean"), tracking it by
number and PIN from another chat, adding information with a photo and withdrawing it; a FAQ answer with
its links; a question the FAQ cannot answer, left for an officer and answered by push in English."""

from __future__ import annotations

import re

from sqlalchemy import select

from db.models import Attachment, Case, CaseEvent
from tests.chatbot.conftest import PNG
from workflows import contracts as c

NUMBER = re.compile(r"25\d\d-[23456789A-HJKMNP-Z]{6}")


async def test_english_citizen_files_anonymously_with_a_photo_tracks_adds_info_and_withdraws(chat, chat_stack):
    await chat.say("Hello")
    assert "Damrongdham Center" in chat.text and "lang:th" in chat.actions

    await chat.say("I want to file a complaint")
    assert "Privacy notice" in chat.text
    await chat.say("I consent")
    assert "Tell us the problem" in chat.text
    await chat.say("The street lights on our road have been broken for a month and it is dangerous at night")
    await chat.say(image=PNG)
    assert "Photo received (1 in all)" in chat.text
    await chat.say(action="next")
    await chat.say("Chaing Mai")  # a typo with several close names: the bot asks
    assert "Did you mean" in chat.text and "prov:50" in chat.actions
    await chat.say(action="prov:50")
    assert "Which district" in chat.text and "Chiang Mai" in chat.text
    await chat.say("Mueang Chiang Mai")
    assert "File it with the" in chat.text
    await chat.say(action="office:accept")
    await chat.say("Stay anonymous")
    assert "Summary" in chat.text and "anonymous" in chat.text and "Photos: 1" in chat.text
    await chat.say("back")  # back to the contact question, then forward again
    assert "contact:give" in chat.actions
    await chat.say(action="contact:anon")
    await chat.say(action="confirm", message_id="confirm-en-1")
    assert "Your complaint is filed" in chat.text
    number = NUMBER.search(chat.text).group(0)
    pin = re.search(r"PIN (\d{6})", chat.text).group(1)

    rows = await chat_stack.wait_for(lambda s: s.scalars(select(Case).where(Case.tracking_number == number)).all())
    assert rows[0].anonymous and rows[0].channel == "web" and rows[0].province_code == "50"

    other = chat_stack.chat(chat.http)
    await other.say("track a complaint")
    assert "tracking number" in other.text
    await other.say(number.replace("-", " ").lower())  # as people type it
    await other.say("123")
    assert "6 digits" in other.text
    await other.say(pin)
    assert f"Complaint {number}:" in other.text and "Filed on" in other.text and "2569" in other.text

    await other.say(action="case:add")
    await other.say(image=PNG + b"second")
    assert "Photo received" in other.text
    await other.say("The pole next to house 12 is leaning too")
    assert f"added to complaint {number}" in other.text
    await chat_stack.wait_for(
        lambda s: s.scalars(
            select(CaseEvent).where(CaseEvent.tracking_number == number, CaseEvent.kind == "info_added")
        ).all()
    )
    await chat_stack.wait_for(
        lambda s: len(s.scalars(select(Attachment).where(Attachment.tracking_number == number)).all()) == 2
    )

    await other.say(action="case:withdraw")
    assert "Withdraw complaint" in other.text
    await other.say(action="withdraw:yes")
    assert "has been withdrawn" in other.text
    await chat_stack.wait_for(
        lambda s: s.scalar(select(Case.status).where(Case.tracking_number == number)) == c.WITHDRAWN
    )
    await chat.pushed("Withdrawn")  # the filing chat hears of it


async def test_english_faq_then_a_question_for_an_officer_answered_by_push(chat, chat_stack):
    await chat.say("How do I file a complaint?")
    assert "tracking number" in chat.text and "Did this help?" in chat.text
    await chat.say("What is the Damrongdham Center?")
    assert any(r["type"] == "link" and r["url"].startswith("https://") for r in chat.last)
    await chat.say(action="faq:no")
    assert "leave:yes" in chat.actions

    await chat.say(action="menu:ask")
    await chat.say("Can my cooperative borrow the village hall for a weekend seed fair?", message_id="ask-en-1")
    assert "no good answer" in chat.text and "leave:yes" in chat.actions
    await chat.say(action="leave:yes", message_id="ask-en-2")
    assert re.search(r"Expect an answer by (Mon|Tue|Wed|Thu|Fri) \d{1,2} \w{3} 25\d\d, \d\d:\d\d", chat.text), chat.text

    await chat_stack.gateway.answer_question(
        "web:ask-en-2",
        c.QuestionAnswer(officer="demo.officer", text="Yes: book it with the subdistrict office a week ahead."),
    )
    pushed = await chat.pushed("subdistrict office")
    assert any("book it with the subdistrict office" in m["text"] for m in pushed)
