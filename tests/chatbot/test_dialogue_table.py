"""The dialogue as plain data: every step a flow moves to is in the table, every outcome has a way to
settle, bilingual text is a value picked at rendering (never a string split on " / " inside the chat),
the suggestion is a typed value in the state, and the state JSON that the version before this one
stored (tests/chatbot/data/chat_states_2026_12_04.json, written by that version's dialogue half-way
through real conversations) still loads and carries on: an old session mid-dialogue is not lost."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chatbot import dialogue, messages, steps
from chatbot.messages import Bi, FileComplaint, Inbound, NoteFaqFeedback, Option, QuickReplies, Refused, Text
from chatbot.senses import ReadModelSenses
from chatbot.state import ChatState, OfficeRef, Suggested
from db.session import make_engine, make_sessions
from nlp.classifier import load_default
from nlp.faq import load_faq

CHATBOT = Path(__file__).resolve().parents[2] / "chatbot"
OLD_STATES = json.loads((Path(__file__).parent / "data" / "chat_states_2026_12_04.json").read_text(encoding="utf-8"))
AT = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)  # a few minutes after the old states' last message


@pytest.fixture(scope="module")
def senses(sqlite_url):
    engine = make_engine(sqlite_url)
    yield ReadModelSenses(make_sessions(engine), load_default(), load_faq())
    engine.dispose()


def turn(state: dict, senses, text: str = "", action: str = ""):
    event = Inbound(at=AT, event_id=uuid.uuid4().hex, text=text, action=action)
    return dialogue.step(state, event, senses)


def said(t) -> str:
    return "\n".join(r.text for r in t.replies if isinstance(r, Text))


def actions(t) -> list[str]:
    return [c.action for r in t.replies if isinstance(r, QuickReplies) for c in r.items]


def test_every_step_a_flow_moves_to_is_in_the_table():
    named = set()
    for path in CHATBOT.glob("flows_*.py"):
        source = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"goto\(\"([a-z_]+)\"", source))
        named |= set(re.findall(r"state\.go\(\"([a-z_]+)\"", source))
        named |= set(re.findall(r"steps\[\"([a-z_]+)\"\]", source))
    named |= set(steps.FLOW_START.values())
    assert named and named <= set(steps.STEPS), named - set(steps.STEPS)
    assert all(callable(s.prompt) and callable(s.handle) for s in steps.STEPS.values())


def test_every_outcome_of_an_effect_settles():
    outcomes = set(messages.Outcome.__args__)
    assert outcomes - {Refused} == set(steps.SETTLE)


def test_no_chat_text_is_split_on_a_separator_outside_the_one_boundary():
    for path in CHATBOT.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        splits = re.findall(r"\.(?:partition|split)\(\" / \"\)", source)
        allowed = 1 if path.name == "messages.py" else 0  # Bi.from_pair: errors written outside the chat
        assert len(splits) == allowed, path.name


def test_bilingual_text_is_a_value_picked_at_rendering():
    text = Bi("ยกเลิกแล้ว", "Cancelled.")
    assert text.pick("th") == "ยกเลิกแล้ว" and text.pick("en") == "Cancelled." and text.pick(None) == "ยกเลิกแล้ว"
    assert Bi.from_json(text.to_json()) == text
    assert Bi.from_pair("ไม่พบเรื่องร้องเรียน / complaint not found") == Bi("ไม่พบเรื่องร้องเรียน", "complaint not found")
    assert Option(text, "cancel").choice("en").label == "Cancelled."


def test_a_refusal_is_said_in_the_chats_language(senses):
    state = ChatState(step="track_pin", lang="en", scratch={"number": "2569-K7Q3MX"}).to_json()
    t = dialogue.settle(state, Refused(Bi("เลขที่เรื่องหรือ PIN ไม่ถูกต้อง", "The tracking number or PIN is wrong.")))
    assert "The tracking number or PIN is wrong." in said(t) and "ไม่ถูกต้อง" not in said(t)
    assert "6-digit PIN" in said(t)  # asked again at the same step


def test_the_suggestion_is_a_typed_value_that_round_trips():
    suggested = Suggested(
        "land",
        Bi("ที่ดิน", "Land"),
        OfficeRef("D9205", Bi("ศูนย์ดำรงธรรมอำเภอสิเกา", "Sikao District Damrongdham Center")),
        OfficeRef("lands", Bi("กรมที่ดิน", "Department of Lands")),
    )
    state = ChatState(step="suggestion", suggestion=suggested)
    again = ChatState.from_json(json.loads(json.dumps(state.to_json())))
    assert again.suggestion == suggested


def test_an_old_session_at_the_suggestion_loads_and_files_where_it_was_suggested(senses):
    old = OLD_STATES["suggestion"]
    assert isinstance(old["scratch"]["suggestion"]["center"], list)  # the old positional shape
    state = ChatState.from_json(old)
    assert state.suggestion is not None and state.suggestion.center.code == "D9205"
    assert state.suggestion.agency and state.suggestion.agency.code == "PAO-92"
    assert "suggestion" not in state.scratch

    t = turn(old, senses, action="office:accept")
    assert t.state["step"] == "contact", said(t)
    draft = t.state["draft"]
    assert draft["center_code"] == "D9205" and draft["agency_code"] == "PAO-92"
    assert draft["office_th"] == "ศูนย์ดำรงธรรมอำเภอสิเกา (ส่งองค์การบริหารส่วนจังหวัดตรัง)"
    assert draft["category"] == old["scratch"]["suggestion"]["category"]


def test_an_old_session_asked_again_shows_the_suggestion_in_its_own_words(senses):
    t = turn(OLD_STATES["suggestion"], senses, action="resume")
    assert "ทำต่อจากเดิม" in said(t) and "ศูนย์ดำรงธรรมอำเภอสิเกา" in said(t) and "office:accept" in actions(t)


def test_an_old_session_going_back_from_contact_finds_its_suggestion(senses):
    t = turn(OLD_STATES["contact"], senses, text="ย้อนกลับ")
    assert t.state["step"] == "suggestion" and "องค์การบริหารส่วนจังหวัดตรัง" in said(t)
    assert t.state["suggestion"]["agency"]["code"] == "PAO-92"


def test_an_old_session_picking_from_its_office_search_carries_on(senses):
    old = OLD_STATES["office_search"]
    t = turn(old, senses, text="1")  # the first of the hits the old version listed
    assert t.state["step"] == "contact", said(t)
    kind, code = old["scratch"]["hits"][0].split(":")[1:]
    draft = t.state["draft"]
    assert (draft["center_code"] if kind == "center" else draft["agency_code"]) == code


def test_an_old_session_at_confirm_files_its_draft(senses):
    old = OLD_STATES["confirm"]
    t = turn(old, senses, action="confirm")
    (effect,) = t.effects
    assert isinstance(effect, FileComplaint) and effect.draft["text"] == old["draft"]["text"]
    assert effect.draft["district_code"] == "9205" and effect.draft["phone"] == "0812345678"


def test_an_old_session_after_an_faq_answer_takes_its_did_this_help(senses):
    old = OLD_STATES["faq_feedback"]
    t = turn(old, senses, action="faq:yes")
    assert "ยินดี" in said(t) and t.state["step"] == "menu"
    # The old state never noted which entry answered: nothing to count, and nothing breaks.
    assert not [e for e in t.effects if isinstance(e, NoteFaqFeedback)]
