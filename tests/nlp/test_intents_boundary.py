"""The question-versus-complaint boundary (issue 12): questions, headings and informal wording are
answered and never turned into a filing, with or without a question mark; a problem described as a
question is both; a complaint is a complaint; tracking, menu choices and small talk are what they say."""

from __future__ import annotations

import pytest

from nlp.intents import detect_intent
from nlp.understanding import KINDS, understand

# The examples of questions the chat hijacked into a filing, with the entry that answers each.
HIJACKED = [
    ("ขอทราบเวลาเปิดปิดของศูนย์ดำรงธรรมจังหวัด", "office_hours"),
    ("ร้องทุกข์ผ่านช่องทางไหนได้บ้าง", "channels"),
    ("เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดตรัง", "hotline"),
    ("การแจ้งตาย หลักฐานที่ต้องใช้", "death_registration"),
    ("การขอมีบัตรประจำตัวประชาชนครั้งแรก", "id_card_first"),
    ("How long does the Damrongdham Center take to answer a complaint?", "how_long"),
]


@pytest.mark.parametrize("text, entry", HIJACKED)
@pytest.mark.parametrize("mark", ["", "?", " ?", "ครับ", " ค่ะ"])
def test_a_question_is_answered_and_never_filed_with_or_without_a_question_mark(text, entry, mark):
    got = understand(text + mark)
    assert got.kind == "question", (text + mark, got)
    assert got.faq is not None and got.faq.id == entry, (text + mark, got.faq)


def test_a_question_about_one_named_center_names_that_center_and_the_fact_asked_for():
    got = understand("เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดตรัง")
    assert got.area.province == "92"  # Trang, from geothai's codes
    assert got.faq.center_fact == "phone"
    english = understand("What is the phone number of the Trang Damrongdham Center?")
    assert english.kind == "question" and english.area.province == "92" and english.faq.center_fact == "phone"
    district = understand("ศูนย์ดำรงธรรมอำเภอแม่ริมเปิดกี่โมง")
    assert district.area.district == "5007" and district.area.province == "50" and district.faq.id == "office_hours"


@pytest.mark.parametrize(
    "text, entry",
    [
        ("การแจ้งย้ายออก", "move_out"),
        ("แจ้งเกิดเกินกำหนด", "late_birth"),
        ("บัตรประชาชนหมดอายุ", "id_card_renew"),
        ("ขอเลขที่บ้าน", "house_number"),
        ("ID card renewal", "id_card_renew"),
        ("Late birth registration", "late_birth"),
        ("ร้องเรียนแบบไม่ระบุชื่อ", "anonymous"),
        ("Complaint channels", "channels"),
    ],
)
def test_a_short_heading_is_understood_as_a_question(text, entry):
    got = understand(text)
    assert got.kind == "question" and got.faq is not None and got.faq.id == entry, (text, got)


@pytest.mark.parametrize(
    "text",
    [
        "ร้องเรียนยังไงคะ",
        "ร้องเรียนยังงัย",  # a typo of ยังไง
        "ร้องเรียนได้ที่ไหนบ้าง",
        "how do i file a complaint",
        "Where can I complain about a bad seller?",
        "วิธีติดตามเรื่องร้องเรียน",
        "lost my tracking number",
        "ยกเลิกเรื่องร้องเรียนได้ไหม",
    ],
)
def test_asking_about_filing_tracking_or_cancelling_is_a_question_not_the_command(text):
    assert understand(text).kind == "question", text


@pytest.mark.parametrize(
    "text",
    [
        "ข้างบ้านเปิดเพลงดังมาก ทำยังไงดี",
        "my employer hasn't paid me for two months, what can I do?",
        "ถนนหน้าบ้านเป็นหลุมใหญ่ แจ้งใครได้บ้าง",
        "My neighbour's dogs bite people, who do I tell?",
    ],
)
def test_a_problem_described_as_a_question_is_both_answered_and_offered_as_a_complaint(text):
    got = understand(text)
    assert got.kind == "both" and got.describes, (text, got)
    assert got.faq is not None, text


@pytest.mark.parametrize(
    "text, describes",
    [
        ("ถนนหน้าบ้านพังมาสามเดือนแล้วไม่มีใครมาซ่อม", True),
        ("ไฟถนนในซอยดับมาหนึ่งอาทิตย์แล้ว", True),
        ("การไฟฟ้ามาตัดไฟบ้านผมโดยไม่แจ้งล่วงหน้า", True),  # starts like a heading ("การ…"), is an account
        ("The street lights on my road have been broken for two weeks", True),
        ("A factory is dumping waste water into the canal", True),
        ("อยากร้องเรียน", False),
        ("I want to file a complaint", False),
    ],
)
def test_a_complaint_starts_a_filing_and_says_whether_it_describes_the_problem(text, describes):
    got = understand(text)
    assert got.kind == "complaint" and got.action == "menu:file", (text, got)
    assert got.describes is describes


@pytest.mark.parametrize(
    "text, kind, action",
    [
        ("ติดตามเรื่องร้องเรียน", "tracking", ""),
        ("what is the status of my complaint", "tracking", ""),
        ("ขอคุยกับเจ้าหน้าที่", "menu", "menu:leave"),
        ("can I talk to a real person", "menu", "menu:leave"),
        ("ยกเลิก", "menu", "cancel"),
        ("สวัสดีครับ", "small_talk", ""),
        ("thank you", "small_talk", ""),
    ],
)
def test_tracking_menu_choices_and_small_talk(text, kind, action):
    got = understand(text)
    assert (got.kind, got.action) == (kind, action), (text, got)


def test_a_tracking_number_in_the_text_is_kept():
    got = understand("เรื่อง 2569-k7q3mx ถึงไหนแล้วคะ")
    assert got.kind == "tracking" and got.tracking_number == "2569K7Q3MX"


def test_the_language_to_answer_in_follows_the_message():
    assert understand("ศูนย์เปิดกี่โมง").lang == "th"
    assert understand("When is the center open?").lang == "en"
    assert understand("When is the center open?").faq.answer.startswith("Centers are open")


@pytest.mark.parametrize("text", ["", "   ", "😀", "?", "\x00", "ก" * 10_000])
def test_odd_input_never_raises(text):
    assert understand(text).kind in KINDS


def test_detect_intent_keeps_working_for_its_callers():
    assert detect_intent("ติดตามเรื่องร้องเรียน").name == "track"
    assert understand("ติดตามเรื่องร้องเรียน").intent == "track"
