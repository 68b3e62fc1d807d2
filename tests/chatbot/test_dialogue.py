"""The dialogue engine on its own (pure: state + message -> state + replies + effect), with the real
senses over the session's read model: "back", "cancel" and "start over" at every step of filing, the
menu reachable any time, the language detected from the first message and switchable, a draft that
expires after 60 minutes of silence, quick replies within LINE's 13, and the filing effect keyed by the
confirming message's id. And, through the service, a draft that survives an app restart."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chatbot import dialogue
from chatbot.messages import MAX_QUICK_REPLIES, FileComplaint, Inbound, QuickReplies, Text
from chatbot.senses import ReadModelSenses
from db.session import make_engine, make_sessions
from nlp.classifier import load_default
from nlp.faq import load_faq

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# The filing steps in order, with a message that moves each one on.
FILING = [
    ("consent", {"action": "consent:yes"}),
    ("problem", {"text": "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว"}),
    ("photos", {"action": "next"}),
    ("province", {"text": "ตรัง"}),
    ("district", {"text": "สิเกา"}),
    ("suggestion", {"action": "office:accept"}),
    ("contact", {"action": "contact:give"}),
    ("name", {"text": "สมชาย ใจดี"}),
    ("phone", {"text": "0812345678"}),
    ("national_id", {"action": "skip"}),
    ("confirm", {"action": "confirm"}),
]


@pytest.fixture(scope="module")
def senses(sqlite_url):
    engine = make_engine(sqlite_url)
    yield ReadModelSenses(make_sessions(engine), load_default(), load_faq())
    engine.dispose()


class Talk:
    def __init__(self, senses) -> None:
        self.senses, self.state, self.at = senses, {}, START
        self.turn = None

    def __call__(self, text: str = "", action: str = "", after: timedelta = timedelta(seconds=10)):
        self.at += after
        self.turn = dialogue.step(
            self.state, Inbound(at=self.at, event_id=uuid.uuid4().hex, text=text, action=action), self.senses
        )
        self.state = self.turn.state
        return self.turn

    @property
    def step(self) -> str:
        return self.state["step"]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.turn.replies if isinstance(r, Text))


def walk_to(talk: Talk, step: str) -> None:
    talk(action="menu:file")
    for name, message in FILING:
        if name == step:
            return
        assert talk.step == name, (talk.step, talk.text)
        talk(**message)
    raise AssertionError(step)


@pytest.mark.parametrize("step", [name for name, _ in FILING])
def test_back_cancel_and_start_over_work_at_every_filing_step(senses, step):
    talk = Talk(senses)
    walk_to(talk, step)
    assert talk.step == step
    before = list(talk.state["history"])
    talk("ย้อนกลับ")
    assert talk.step == (before[-1] if before else "menu")

    walk_to(talk := Talk(senses), step)
    talk("cancel")
    assert talk.step == "menu" and talk.state["draft"] is None and "ยกเลิกแล้ว" in talk.text

    walk_to(talk := Talk(senses), step)
    talk("เริ่มใหม่")
    assert talk.step == "menu" and talk.state["draft"] is None

    walk_to(talk := Talk(senses), step)
    talk(action="menu:track")  # the menu is reachable any time
    assert talk.step == "track_number"


def test_confirm_asks_to_file_once_keyed_by_the_confirming_message(senses):
    talk = Talk(senses)
    walk_to(talk, "confirm")
    turn = talk(action="confirm")
    (effect,) = turn.effects
    assert isinstance(effect, FileComplaint)
    assert effect.draft["district_code"] == "9205" and effect.draft["phone"] == "0812345678"
    assert effect.key  # the message's id: a redelivered confirm files the same case


def test_language_is_detected_from_the_first_message_and_switchable(senses):
    talk = Talk(senses)
    talk("Hello there")
    assert talk.state["lang"] == "en" and "Choose what you need" in talk.text
    talk(action="lang:th")
    assert talk.state["lang"] == "th" and "เลือกสิ่งที่ต้องการ" in talk.text
    talk("english")
    assert talk.state["lang"] == "en"

    thai = Talk(senses)
    thai("สวัสดีครับ")
    assert thai.state["lang"] == "th"


def test_a_draft_expires_after_60_minutes_of_silence(senses):
    talk = Talk(senses)
    walk_to(talk, "district")
    talk("สิเกา", after=timedelta(minutes=59))
    assert talk.step == "suggestion"
    talk(action="office:accept", after=timedelta(minutes=61))
    assert "หมดอายุ" in talk.text and talk.step == "menu" and talk.state["draft"] is None


def test_quick_replies_never_exceed_thirteen(senses):
    talk = Talk(senses)
    walk_to(talk, "suggestion")
    talk(action="office:other")
    talk("อำเภอ")  # matches hundreds of centers and agencies
    quick = [r for r in talk.turn.replies if isinstance(r, QuickReplies)]
    assert quick and all(len(q.items) <= MAX_QUICK_REPLIES for q in quick)
    assert all(len(i.label) <= 20 for i in quick[0].items)  # LINE's limit for a button's label
    talk("2")  # the number in the list picks that office
    assert talk.step == "contact" and talk.state["draft"]["office_th"]


async def test_a_draft_survives_an_app_restart(chat_stack, http):
    """Half a complaint through the running app, then a second app on the same database carries on."""
    import httpx

    from api.app import create_app
    from tests.chatbot.conftest import Chat, chat_settings

    chat = Chat(http)
    await chat.say(action="menu:file")
    await chat.say(action="consent:yes")
    await chat.say("ไฟฟ้าส่องสว่างริมถนนดับทั้งซอยมาสองสัปดาห์แล้ว")
    settings = chat_settings(
        chat_stack.database_url,
        chat_stack.gateway.client.service_client.config.target_host,
        chat_stack.gateway.task_queue,
        chat_stack.var_dir,
        chat_stack.line.base_url,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://restarted") as again:
            resumed = Chat(again, session_id=chat.session_id)
            await resumed.say(action="resume")
            assert "ทำต่อจากเดิม" in resumed.text and "ส่งรูป" in resumed.text
            await resumed.say(action="next")
            assert "จังหวัดไหน" in resumed.text


def test_a_problem_described_at_the_menu_becomes_the_complaint_text(senses):
    talk = Talk(senses)
    talk("น้ำประปาไม่ไหลมาสามวันแล้ว ทั้งหมู่บ้านเดือดร้อนมาก ไม่มีน้ำใช้")
    assert talk.step == "consent"
    talk(action="consent:yes")
    assert talk.step == "photos" and "น้ำประปาไม่ไหลมาสามวันแล้ว" in talk.state["draft"]["text"]

    talk = Talk(senses)
    talk("I want to file a complaint")  # a request, not a description
    talk(action="consent:yes")
    assert talk.step == "problem" and talk.state["draft"]["text"] == ""
