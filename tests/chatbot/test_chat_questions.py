"""Questions in the chat, through the real dialogue with the real senses (understanding, FAQ with its
encoder, directory) over a seeded SQLite read model of its own: whole transcripts per kind of message
in Thai and English (question, complaint, tracking, menu, small talk); the issue's boundary examples,
none of which starts a filing (no privacy notice for a question); a problem told as a question,
answered with "file this as a complaint" that carries the text into the filing; a question below the
FAQ's threshold left for an officer; a center's own facts from its directory record (Trang's phone,
hours, e-mail and map set by an administrator's edit, Sikao's left empty and said to be missing, with
1567); and "did this help?" stored per entry through the chat service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from chatbot import dialogue
from chatbot.center_names import asked_fields, named_center
from chatbot.flows_questions import CARRY
from chatbot.messages import Bi, FileComplaint, Filed, Inbound, LeaveQuestion, Link, NoteFaqFeedback, QuickReplies, Text
from chatbot.senses import CenterRow, ReadModelSenses
from db.directory import centers
from db.directory_edits import edit_record
from db.models import Case, FaqFeedback
from db.session import make_engine, make_sessions
from nlp.classifier import load_default
from nlp.faq import load_faq
from tests.conftest import ready_database

START = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
TRANG_PHONE = "0 7500 0000"  # a test value set by an administrator's edit, not Trang's real number
TRANG_EMAIL = "trang-center@test.invalid"


@pytest.fixture(scope="module")
def senses(tmp_path_factory, fake_agency):
    with ready_database("sqlite", tmp_path_factory.mktemp("facts"), fake_agency.base_url) as url:
        engine = make_engine(url)
        sessions = make_sessions(engine)
        with sessions.begin() as s:
            edit_record(
                s,
                "center",
                "P92",
                {
                    "phone": TRANG_PHONE,
                    "email": TRANG_EMAIL,
                    "office_hours": {
                        **{d: {"open": "08:30", "close": "16:30"} for d in ("mon", "tue", "wed", "thu", "fri")},
                        "sat": {"open": "09:00", "close": "12:00"},
                    },
                    "map": {"lat": 7.5563, "lon": 99.6114},
                },
                actor="test.admin",
                reason="facts for the chat's tests",
            )
        yield ReadModelSenses(sessions, load_default(), load_faq())
        engine.dispose()


class Talk:
    def __init__(self, senses) -> None:
        self.senses, self.state, self.at, self.turn = senses, {}, START, None

    def __call__(self, text: str = "", action: str = ""):
        self.at += timedelta(seconds=20)
        event = Inbound(at=self.at, event_id=uuid.uuid4().hex, text=text, action=action)
        self.turn = dialogue.step(self.state, event, self.senses)
        self.state = self.turn.state
        return self.turn

    @property
    def step(self) -> str:
        return self.state["step"]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.turn.replies if isinstance(r, Text))

    @property
    def actions(self) -> list[str]:
        return [c.action for r in self.turn.replies if isinstance(r, QuickReplies) for c in r.items]


def no_filing(talk: Talk) -> None:
    assert talk.step != "consent" and "ประกาศความเป็นส่วนตัว" not in talk.text and "Privacy notice" not in talk.text
    assert not any(isinstance(e, FileComplaint) for e in talk.turn.effects)


# --- the boundary examples: questions are never filings ------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "ขอทราบเวลาเปิดปิดของศูนย์ดำรงธรรมจังหวัด",
        "ร้องทุกข์ผ่านช่องทางไหนได้บ้าง",
        "เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดตรัง",
        "การแจ้งตาย หลักฐานที่ต้องใช้",
        "การขอมีบัตรประจำตัวประชาชนครั้งแรก",
        "ร้องทุกข์ผ่านช่องทางไหนได้บ้าง?",  # with or without a question mark
        "How long does the Damrongdham Center take to answer a complaint?",
        "how do i file a complaint",
    ],
)
def test_a_question_is_answered_and_never_starts_a_filing(senses, question):
    talk = Talk(senses)
    talk(question)
    no_filing(talk)
    assert "ไม่เข้าใจ" not in talk.text and "did not understand" not in talk.text
    assert talk.step in ("faq_feedback", "leave_offer", "center_which"), (talk.step, talk.text)


# --- transcripts per kind of message -------------------------------------------------------------


def test_thai_question_answered_then_helped_is_noted_for_its_entry(senses):
    talk = Talk(senses)
    talk("การแจ้งตาย หลักฐานที่ต้องใช้")
    assert "มรณบัตร" in talk.text and "ช่วยได้ไหม" in talk.text and "faq:yes" in talk.actions
    entry = talk.state["scratch"]["entry"]
    assert entry
    talk(action="faq:yes")
    (note,) = talk.turn.effects
    assert isinstance(note, NoteFaqFeedback) and note.entry_id == entry and note.helpful and note.lang == "th"
    assert talk.step == "menu" and "ยินดี" in talk.text


def test_english_question_not_helped_is_noted_and_offers_an_officer(senses):
    talk = Talk(senses)
    talk("What documents do I need to report a death?")
    assert talk.state["lang"] == "en" and "Did this help?" in talk.text
    talk(action="faq:no")
    (note,) = talk.turn.effects
    assert isinstance(note, NoteFaqFeedback) and not note.helpful and note.lang == "en"
    assert "leave:yes" in talk.actions
    talk(action="leave:yes")
    (effect,) = talk.turn.effects
    assert isinstance(effect, LeaveQuestion) and effect.text == "What documents do I need to report a death?"


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("Can my cooperative borrow the village hall for a weekend seed fair?", "no good answer"),
        ("Recommend a good pad thai restaurant", "no good answer"),  # no question word: still a question
        ("อัตราแลกเปลี่ยนเงินดอลลาร์วันนี้", "ยังไม่มีคำตอบ"),
    ],
)
def test_a_question_the_faq_cannot_answer_is_offered_to_an_officer(senses, question, says):
    talk = Talk(senses)
    talk(question)
    no_filing(talk)
    assert says in talk.text and "leave:yes" in talk.actions
    talk(action="leave:yes")
    (effect,) = talk.turn.effects
    assert isinstance(effect, LeaveQuestion) and effect.text == question


@pytest.mark.parametrize(
    ("complaint", "words"),
    [
        ("น้ำประปาไม่ไหลมาสามวันแล้ว ทั้งหมู่บ้านเดือดร้อนมาก ไม่มีน้ำใช้", "น้ำประปาไม่ไหล"),
        ("The street lights on our road have been broken for a month and it is dangerous at night", "street lights"),
    ],
)
def test_a_complaint_starts_the_filing_with_its_words_kept(senses, complaint, words):
    talk = Talk(senses)
    talk(complaint)
    assert talk.step == "consent" and talk.turn.replies
    talk(action="consent:yes")
    assert talk.step == "photos" and words in talk.state["draft"]["text"]


@pytest.mark.parametrize(
    ("message", "lang"),
    [("ติดตามเรื่อง 2569-K7Q3MX", "th"), ("status of 2569 k7q3mx please", "en")],
)
def test_a_tracking_number_goes_straight_to_its_pin(senses, message, lang):
    talk = Talk(senses)
    talk(message)
    assert talk.step == "track_pin" and "2569-K7Q3MX" in talk.text and talk.state["lang"] == lang


def test_menu_words_and_small_talk(senses):
    talk = Talk(senses)
    talk("สวัสดีครับ")
    assert talk.step == "menu" and "สวัสดีค่ะ ศูนย์ดำรงธรรม" in talk.text and "menu:file" in talk.actions
    talk("ถามคำถาม")  # a menu label typed
    assert talk.step == "ask" and "พิมพ์คำถาม" in talk.text
    talk("ศูนย์ดำรงธรรมเปิดกี่โมงคะ")
    assert "08:30" in talk.text and talk.step == "faq_feedback"

    talk = Talk(senses)
    talk("hello")
    assert "Hello, this is the Damrongdham Center" in talk.text
    talk("I want to talk to an officer")
    assert talk.step == "leave_question" and "Type the question for an officer" in talk.text


# --- a problem told as a question: answered, and "file this as a complaint" carries it over -------


def test_english_problem_asked_about_is_answered_and_can_be_filed_with_its_words(senses):
    problem = "My neighbour plays loud music every night, what can I do?"
    talk = Talk(senses)
    talk(problem)
    no_filing(talk)
    assert CARRY in talk.actions
    talk(action=CARRY)
    assert talk.step == "consent" and "Privacy notice" in talk.text  # now the citizen chose to file
    talk(action="consent:yes")
    assert talk.step == "photos" and talk.state["draft"]["text"] == problem


def test_thai_problem_asked_about_offers_to_file_it_and_typing_the_label_works(senses):
    problem = "ถนนหน้าบ้านเป็นหลุมใหญ่มา 3 เดือนแล้ว จะแจ้งใครได้บ้าง"
    talk = Talk(senses)
    talk(problem)
    no_filing(talk)
    assert CARRY in talk.actions
    talk("ยื่นเป็นเรื่องร้องเรียน")  # typing the quick reply's label is the same as tapping it
    assert talk.step == "consent"
    talk(action="consent:no")  # anonymous: the words still carry over
    assert talk.step == "photos" and talk.state["draft"]["text"] == problem


# --- a center's own facts --------------------------------------------------------------------------


def test_the_phone_of_a_named_center_comes_from_its_directory_record(senses):
    talk = Talk(senses)
    talk("เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดตรัง")
    no_filing(talk)
    assert "ศูนย์ดำรงธรรมจังหวัดตรัง" in talk.text and TRANG_PHONE in talk.text and "faq:yes" in talk.actions
    talk("แล้วอีเมลล่ะคะ ศูนย์นี้")  # the chat's center: the one it just asked about
    assert TRANG_EMAIL in talk.text


def test_english_opening_hours_of_a_named_center(senses):
    talk = Talk(senses)
    talk("Trang Damrongdham center opening hours")
    assert talk.state["lang"] == "en"
    assert "Trang Provincial Damrongdham Center" in talk.text and "Mon-Fri 08:30-16:30, Sat 09:00-12:00" in talk.text


def test_a_field_the_directory_lacks_is_said_to_be_missing_with_1567(senses):
    talk = Talk(senses)
    talk("ศูนย์ดำรงธรรมอำเภอสิเกาอยู่ที่ไหน")
    no_filing(talk)
    assert "ศูนย์ดำรงธรรมอำเภอสิเกา" in talk.text and "ยังไม่มีข้อมูลที่อยู่" in talk.text and "1567" in talk.text
    assert TRANG_PHONE not in talk.text


def test_the_map_of_a_center_is_a_link_to_its_coordinates(senses):
    talk = Talk(senses)
    talk("แผนที่ศูนย์ดำรงธรรมจังหวัดตรัง")
    links = [r for r in talk.turn.replies if isinstance(r, Link)]
    assert links and "mlat=7.556300" in links[0].url and "mlon=99.611400" in links[0].url


def test_contact_details_of_a_center_give_every_field(senses):
    talk = Talk(senses)
    talk("ข้อมูลติดต่อศูนย์ดำรงธรรมจังหวัดตรัง")
    for value in (TRANG_PHONE, TRANG_EMAIL, "จ.-ศ. 08:30-16:30 น."):
        assert value in talk.text
    assert "ยังไม่มีข้อมูลที่อยู่" in talk.text  # the address was never given


def test_no_center_named_the_chat_asks_which_and_answers_for_the_one_named_next(senses):
    talk = Talk(senses)
    talk("ขอเบอร์โทรศัพท์ศูนย์ดำรงธรรมหน่อย")
    no_filing(talk)
    assert "จังหวัดหรืออำเภอ" in talk.text
    assert TRANG_PHONE not in talk.text
    talk("ตรัง")
    assert TRANG_PHONE in talk.text and talk.state["center"] == "P92"


def test_after_filing_the_chats_center_is_the_one_filed_with(senses):
    talk = Talk(senses)
    talk(action="menu:file")
    for message in (
        {"action": "consent:no"},
        {"text": "ไฟส่องสว่างริมถนนดับทั้งซอยมาสองสัปดาห์แล้ว"},
        {"action": "next"},
        {"text": "ตรัง"},
        {"text": "สิเกา"},
        {"action": "office:accept"},
    ):
        talk(**message)
    assert talk.step == "confirm" and talk.state["draft"]["center_code"] == "D9205"
    settled = dialogue.settle(talk.state, Filed("2569-K7Q3MX", "123456"))
    talk.state = settled.state
    assert talk.state["center"] == "D9205" and talk.state["step"] == "menu"
    talk("ศูนย์ที่ยื่นไปเปิดกี่โมงคะ")
    no_filing(talk)
    assert "ศูนย์ดำรงธรรมอำเภอสิเกา" in talk.text and "เวลาทำการ" in talk.text


def test_after_asking_which_center_a_complaint_naming_a_place_is_filed(senses):
    talk = Talk(senses)
    talk("อีเมลศูนย์ดำรงธรรม")
    assert talk.state["scratch"].get("fact")  # waiting for a center's name
    talk("ถนนในหมู่บ้านที่อำเภอสิเกา จังหวัดตรัง พังเป็นหลุมลึกมาสามเดือนแล้ว รถล้มทุกวัน")
    assert talk.step == "consent" and TRANG_EMAIL not in talk.text


def test_after_asking_which_center_another_question_is_still_answered(senses):
    talk = Talk(senses)
    talk("ขอเบอร์โทรศัพท์ศูนย์ดำรงธรรมหน่อย")
    talk("การแจ้งตาย หลักฐานที่ต้องใช้")
    assert "มรณบัตร" in talk.text and talk.step == "faq_feedback"


def test_asked_which_center_the_province_typed_answers_and_a_typo_is_asked_again(senses):
    talk = Talk(senses)
    talk.state = {"step": "center_which", "lang": "th", "scratch": {"fact": ["phone", "email"], "question": "เบอร์"}}
    talk("ไม่มีที่นี่")
    assert talk.step == "center_which" and "ไม่พบศูนย์ดำรงธรรมของ" in talk.text
    talk("จังหวัดตรัง")
    assert TRANG_PHONE in talk.text and TRANG_EMAIL in talk.text and talk.step == "faq_feedback"


def test_the_center_a_question_names():
    rows = tuple(
        CenterRow(c["code"], c["level"], Bi(c["name_th"], c["name_en"]), c["province_code"], c["district_code"])
        for c in centers()  # the seed's 956 centers, as the read model holds them
    )

    def code(text: str) -> str:
        found = named_center(text, rows)
        return found.code if found else "-"

    assert code("เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดตรัง") == "P92"
    assert code("ศูนย์ดำรงธรรมอำเภอเมืองตรังเปิดกี่โมง") == "D9201"  # the district, not the province in its name
    assert code("ศูนย์ดำรงธรรม จ.เชียงใหม่ อยู่ที่ไหน") == "P50"
    assert code("Sikao district Damrongdham center email") == "D9205"
    assert code("Where is the Chiang Mai provincial center?") == "P50"
    assert code("ศูนย์ดำรงธรรมกรุงเทพฯ เบอร์อะไร") == "P10"
    assert code("ศูนย์ดำรงธรรมกระทรวงมหาดไทยเบอร์อะไร") == "MOI"
    assert code("ไม่รู้เลยว่าศูนย์เปิดกี่โมง") == "-"  # "เลย" is a word here, not Loei province
    assert asked_fields("เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดตรัง") == ("phone",)
    assert asked_fields("Trang Damrongdham center opening hours") == ("hours",)
    assert asked_fields("ข้อมูลติดต่อศูนย์") == ("phone", "hours", "address", "email", "map")


# --- "did this help?" stored through the service ----------------------------------------------------


async def test_did_this_help_is_stored_per_entry_through_the_chat_service(chat, chat_stack):
    await chat.say("การแจ้งตาย หลักฐานที่ต้องใช้")
    assert "ช่วยได้ไหม" in chat.text
    await chat.say(action="faq:yes", message_id="helped-1")
    assert "ยินดี" in chat.text
    await chat.say(action="faq:yes", message_id="helped-1")  # the same tap redelivered
    rows = await chat_stack.wait_for(
        lambda s: s.scalars(select(FaqFeedback).where(FaqFeedback.event_id.like(f"{chat.session_id}/%"))).all()
    )
    assert len(rows) == 1 and rows[0].helpful and rows[0].lang == "th" and rows[0].entry_id


async def test_file_this_as_a_complaint_files_the_questions_words_through_the_app(chat, chat_stack):
    problem = "My neighbour plays loud music every night until 3 am, what can I do?"
    await chat.say(problem)
    assert "Privacy notice" not in chat.text and CARRY in chat.actions
    await chat.say(action=CARRY)
    assert "Privacy notice" in chat.text
    await chat.say(action="consent:no")  # anonymous: no personal data, straight to the summary later
    await chat.say(action="next")
    await chat.say("Trang")
    await chat.say("Sikao")
    await chat.say(action="office:accept")
    assert "Summary" in chat.text and problem in chat.text
    await chat.say(action="confirm", message_id="carry-en-1")
    assert "Your complaint is filed" in chat.text
    rows = await chat_stack.wait_for(
        lambda s: s.scalars(select(Case).where(Case.channel == "web", Case.channel_ref == chat.session_id)).all()
    )
    assert rows[0].text.startswith(problem) and rows[0].district_code == "9205"
