"""The chat takes the tambon (issue 13, part 5): a postal code where the province is asked, a tambon's
name where the district is asked, "Name the tambon" from the suggestion, and a LINE location's address;
the suggestion then names the tambon's local government, the same office the case goes to. The
dialogue with the real senses over the seeded read model, and LINE end to end on the dev server."""

from __future__ import annotations

import re

from sqlalchemy import select

from chatbot import dialogue
from chatbot.messages import FileComplaint, Inbound, Location, QuickReplies
from db.models import Case
from tests.chatbot.test_dialogue import Talk, senses  # noqa: F401 (the module's senses fixture)
from tests.chatbot.test_line import say, user

NUMBER = re.compile(r"25\d\d-[23456789A-HJKMNP-Z]{6}")  # a tracking number
POTHOLE = "ถนนในหมู่บ้านเป็นหลุมลึก รถจักรยานยนต์ล้มหลายครั้งแล้ว"


def to_province(talk: Talk) -> None:
    talk(action="menu:file")
    talk(action="consent:yes")
    talk(POTHOLE)
    talk(action="next")
    assert talk.step == "province"


def buttons(talk: Talk) -> dict[str, str]:
    quick = [r for r in talk.turn.replies if isinstance(r, QuickReplies)]
    return {c.label: c.action for c in quick[-1].items} if quick else {}


def test_a_postal_code_of_several_tambons_asks_which_and_the_suggestion_names_its_local_government(senses):  # noqa: F811
    talk = Talk(senses)
    to_province(talk)
    talk("92150")
    assert talk.step == "subdistrict"
    assert set(buttons(talk)) >= {"บ่อหิน", "เขาไม้แก้ว", "กะลาเส", "ไม้ฝาด"}
    assert "นาเมืองเพชร" not in buttons(talk)  # another postal code
    talk(action="sub:920501")
    assert talk.step == "suggestion" and "องค์การบริหารส่วนตำบลบ่อหิน" in talk.text
    talk(action="office:accept")
    talk(action="contact:anon")
    assert "บ่อหิน" in talk.text  # the summary's where
    (effect,) = talk(action="confirm").effects
    assert isinstance(effect, FileComplaint)
    assert (effect.draft["district_code"], effect.draft["subdistrict_code"]) == ("9205", "920501")
    assert effect.draft["agency_code"] == "LG-920501"


def test_a_postal_code_of_several_districts_offers_the_districts(senses):  # noqa: F811
    talk = Talk(senses)
    to_province(talk)
    talk("๙๒๐๐๐")
    assert talk.step == "district"
    assert {"dist:9201", "dist:9205"} <= set(buttons(talk).values())
    talk(action="dist:9205")
    assert talk.step == "suggestion" and "องค์การบริหารส่วนจังหวัดตรัง" in talk.text


def test_an_unknown_postal_code_asks_for_the_province_again(senses):  # noqa: F811
    talk = Talk(senses)
    to_province(talk)
    talk("99999")
    assert talk.step == "province" and "99999" in talk.text


def test_a_tambon_typed_for_the_district_takes_both(senses):  # noqa: F811
    talk = Talk(senses)
    to_province(talk)
    talk("ตรัง")
    talk("ต.กะลาเส")
    assert talk.step == "suggestion" and "องค์การบริหารส่วนตำบลกะลาเส" in talk.text
    assert talk.state["draft"]["subdistrict_code"] == "920503"


def test_name_the_tambon_from_the_suggestion_changes_the_office(senses):  # noqa: F811
    talk = Talk(senses)
    to_province(talk)
    talk("ตรัง")
    talk("สิเกา")
    assert "องค์การบริหารส่วนจังหวัดตรัง" in talk.text and buttons(talk)["ระบุตำบล"] == "tambon"
    talk(action="tambon")
    assert talk.step == "subdistrict" and "sub:920504" in buttons(talk).values()
    talk("Mai Fatt")  # a typo: the one close name is taken
    assert talk.step == "suggestion" and "องค์การบริหารส่วนตำบลไม้ฝาด" in talk.text
    assert "ระบุตำบล" not in buttons(talk)
    talk("ย้อนกลับ")
    assert talk.step == "subdistrict"


def test_a_shared_location_with_a_tambon_in_its_address_is_placed_there(senses):  # noqa: F811
    talk = Talk(senses)
    to_province(talk)
    address = "ตำบล นาเมืองเพชร อำเภอสิเกา ตรัง 92000 ประเทศไทย"
    shared = Inbound(at=talk.at, event_id="loc-1", location=Location(7.57, 99.34, address))
    talk.turn = dialogue.step(talk.state, shared, senses)
    talk.state = talk.turn.state
    assert talk.step == "suggestion" and "องค์การบริหารส่วนตำบลนาเมืองเพชร" in talk.text
    assert talk.state["draft"]["subdistrict_code"] == "920505"


async def test_a_line_location_naming_its_tambon_files_a_case_for_that_local_government(http, chat_stack):
    line, who = chat_stack.line, user()
    await say(http, line, who, text="Hello")
    await say(http, line, who, postback="lang:en")
    await say(http, line, who, postback="menu:file")
    await say(http, line, who, postback="consent:yes")
    await say(http, line, who, text="The road in our village is full of deep potholes, motorbikes fall")
    await say(http, line, who, postback="next")
    answer = await say(
        http,
        line,
        who,
        location={"title": "pin", "address": "Khao Mai Kaeo, Sikao, Trang 92150", "latitude": 7.6, "longitude": 99.3},
    )
    assert "Khao Mai Kaeo Subdistrict Administrative Organization" in answer
    await say(http, line, who, postback="office:accept")
    assert "Where: Khao Mai Kaeo, Sikao, Trang" in await say(http, line, who, postback="contact:anon")
    filed = await say(http, line, who, postback="confirm")
    number = NUMBER.search(filed).group(0)
    case = await chat_stack.wait_for(
        lambda s: s.scalar(select(Case).where(Case.tracking_number == number, Case.routed_at.is_not(None))),
        timeout=60,
    )
    assert (case.subdistrict_code, case.agency_code) == ("920502", "LG-920502")
