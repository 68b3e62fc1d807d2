"""The conversation steps of the dialogue on their own (pure, no Temporal): what is offered to be added
to the chat's case and what is not, a LINE location and a link carried into the addition, declining
reads the message as usual, and the rating and dispute buttons from any step."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from chatbot import dialogue
from chatbot.messages import AddInfo, DisputeCase, Inbound, Location, QuickReplies, RateCase, Text
from chatbot.senses import ReadModelSenses
from db.session import make_engine, make_sessions
from nlp.classifier import load_default
from nlp.faq import load_faq
from workflows.contracts import AttachmentRef

CASE = "2569-K7Q3MX"
PHOTO = AttachmentRef("ab" * 32, "x.jpg", "image/jpeg", 10)


@pytest.fixture(scope="module")
def senses(sqlite_url):
    engine = make_engine(sqlite_url)
    yield ReadModelSenses(make_sessions(engine), load_default(), load_faq())
    engine.dispose()


def turn(senses, state: dict, text: str = "", action: str = "", **kw):
    inbound = Inbound(at=datetime.now(UTC), event_id=uuid.uuid4().hex, text=text, action=action, **kw)
    return dialogue.step(state, inbound, senses)


def words(t) -> str:
    return "\n".join(r.text for r in t.replies if isinstance(r, Text))


def actions(t) -> list[str]:
    return [i.action for r in t.replies if isinstance(r, QuickReplies) for i in r.items]


def at_menu(case: str | None = CASE) -> dict:
    return {"step": "menu", "lang": "th", "case": case}


def test_a_location_and_a_link_are_offered_and_carried_into_the_case(senses):
    t = turn(senses, at_menu(), location=Location(7.55, 99.61, "ซอยข้างตลาดสิเกา"))
    assert f"เพิ่มข้อความนี้ในเรื่อง {CASE}" in words(t) and "addcase:yes" in actions(t)
    t = turn(senses, t.state, action="addcase:yes")
    assert t.effects == [AddInfo(CASE, "ตำแหน่ง / location: 7.550000,99.610000 ซอยข้างตลาดสิเกา", ())]

    t = turn(senses, at_menu(), text="ดูคลิปนี้ https://example.org/v/1", photos=(PHOTO,))
    t = turn(senses, t.state, action="addcase:yes")
    assert t.effects == [AddInfo(CASE, "ดูคลิปนี้ https://example.org/v/1", (PHOTO,))]


def test_nothing_is_offered_without_a_case_or_for_menu_words_and_tracking(senses):
    assert "addcase:yes" not in actions(turn(senses, at_menu(None), text="ไฟดับทั้งซอยมาสามวันแล้ว ช่วยด้วย"))
    assert "addcase:yes" not in actions(turn(senses, at_menu(), text="สวัสดีค่ะ"))
    assert "addcase:yes" not in actions(turn(senses, at_menu(), text="ติดตามเรื่อง 2569-ABCDEF"))
    assert "addcase:yes" in actions(turn(senses, at_menu(), text="ไฟดับทั้งซอยมาสามวันแล้ว ช่วยด้วย"))


def test_declining_reads_the_message_as_usual_and_a_new_complaint_keeps_its_words(senses):
    text = "ไฟดับทั้งซอยมาสามวันแล้ว ช่วยด้วย อันตรายมาก"
    offered = turn(senses, at_menu(), text=text)
    declined = turn(senses, offered.state, action="addcase:no")
    assert "addcase:yes" not in actions(declined) and declined.effects == []
    assert declined.state["step"] != "add_offer"
    fresh = turn(senses, offered.state, action="addcase:new")
    assert fresh.state["step"] == "consent" and fresh.state["scratch"].get("seed") == text


def test_rating_and_dispute_buttons_work_from_any_step(senses):
    mid_filing = {"step": "problem", "lang": "th", "case": None}
    t = turn(senses, mid_filing, action=f"rate:{CASE}:3")
    assert t.effects == [RateCase(CASE, 3, proven=False)] and t.state["step"] == "menu"
    t = turn(senses, at_menu(), action=f"dispute:{CASE}")
    assert "เหตุผลที่โต้แย้ง" in words(t) and t.effects == []
    short = turn(senses, t.state, text="ไม่")
    assert short.effects == [] and "เหตุผล" in words(short)
    t = turn(senses, t.state, text="ยังไม่ได้ซ่อมเลย")
    assert t.effects == [DisputeCase(CASE, "ยังไม่ได้ซ่อมเลย", proven=True)]
    # a forged action is no rating
    assert turn(senses, at_menu(), action=f"rate:{CASE}:9").effects == []
