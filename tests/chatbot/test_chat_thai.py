"""Whole conversations in Thai through the JSON endpoint, against the live app, worker and read model:
filing a complaint with a photo (consent, typo'd province, the classifier's suggestion, contact with a
validated mobile number and national ID, summary, confirm), the same confirm arriving twice, "my
complaints", the acknowledgement pushed back to the chat, a FAQ answer, and a question left for an
officer whose answer arrives by push."""

from __future__ import annotations

import re

from sqlalchemy import select

from db.models import Attachment, Case, PersonalData
from tests.chatbot.conftest import PNG
from workflows import contracts as c

NUMBER = re.compile(r"25\d\d-[23456789A-HJKMNP-Z]{6}")


def national_id(first12: str) -> str:
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10
    return first12 + str(check)


async def test_thai_citizen_files_a_land_complaint_with_a_photo_and_hears_back(chat, chat_stack):
    await chat.say("สวัสดีค่ะ")
    assert "ศูนย์ดำรงธรรม" in chat.text and "menu:file" in chat.actions

    await chat.say("อยากร้องเรียนค่ะ")
    assert "ประกาศความเป็นส่วนตัว" in chat.text and "consent:yes" in chat.actions
    await chat.say(action="consent:yes")
    assert "เล่าปัญหา" in chat.text

    await chat.say("เพื่อนบ้านบุกรุกที่ดินของผมและสร้างรั้วทับแนวเขตโฉนด ดูแผนที่ที่ https://example.org/map/1")
    assert "ส่งรูป" in chat.text
    await chat.say(image=PNG)
    assert "ได้รับรูปแล้ว (รวม 1 รูป)" in chat.text
    await chat.say("ถัดไป")  # typing a quick reply's label works like tapping it
    assert "จังหวัดไหน" in chat.text

    await chat.say("ตรงั")  # a typo of ตรัง
    assert "อำเภอหรือเขตไหนในตรัง" in chat.text
    await chat.say("สีเกา")  # a typo of สิเกา
    assert "ที่ดิน" in chat.text and "กรมที่ดิน" in chat.text and "ศูนย์ดำรงธรรมอำเภอสิเกา" in chat.text
    await chat.say(action="office:accept")
    assert "contact:anon" in chat.actions
    await chat.say(action="contact:give")
    await chat.say("สมหญิง ใจดี")
    await chat.say("02 123 4567")  # a landline is not a mobile number
    assert "เบอร์มือถือไม่ถูกต้อง" in chat.text
    await chat.say("081-234-5678")
    good = national_id("110170020345")
    await chat.say(good[:12] + str((int(good[12]) + 1) % 10))  # a wrong check digit
    assert "เลขประจำตัวประชาชนไม่ถูกต้อง" in chat.text
    await chat.say(good)
    summary = chat.text
    assert "สรุปเรื่องร้องเรียน" in summary and "รูป: 1 รูป" in summary and "สิเกา, ตรัง" in summary
    assert "xxxxxx5678" in summary and "0812345678" not in summary

    replies = await chat.say(action="confirm", message_id="confirm-th-1")
    filed = chat.text
    number = NUMBER.search(filed).group(0)
    pin = re.search(r"PIN (\d{6})", filed).group(1)
    assert "ยื่นเรื่องเรียบร้อยแล้ว" in filed
    assert any(r["type"] == "link" and number in r["url"] for r in replies)

    # The same confirm again (a double tap, a retried request whose response was lost) files nothing
    # and shows the same number and PIN again.
    again = await chat.http.post(
        "/api/chat/messages", json={"session_id": chat.session_id, "action": "confirm", "message_id": "confirm-th-1"}
    )
    assert again.json()["duplicate"] is True
    repeated = " ".join(r.get("text", "") for r in again.json()["replies"])
    assert number in repeated and f"PIN {pin}" in repeated

    case = await chat_stack.wait_for(
        lambda s: s.scalars(
            select(Case).where(  # once routed
                Case.channel == "web", Case.channel_ref == chat.session_id, Case.category.is_not(None)
            )
        ).all()
    )
    assert [k.tracking_number for k in case] == [number]
    assert case[0].agency_code == "lands" and case[0].category == "land" and case[0].center_code == "D9205"
    assert "https://example.org/map/1" in case[0].text
    with chat_stack.sessions()() as s:
        assert s.scalar(select(PersonalData.phone).where(PersonalData.tracking_number == number)) == "0812345678"
        assert len(s.scalars(select(Attachment).where(Attachment.tracking_number == number)).all()) == 1

    # The acknowledgement and the status changes come back to this chat by push.
    pushed = await chat.pushed("ได้รับเรื่องของท่านแล้ว")
    assert all(number in m["text"] for m in pushed)

    await chat.say(action="menu:mine")
    assert number in chat.text and f"show:{number}" in chat.actions
    await chat.say(action="show:2569-ZZZZZZ")  # "my complaints" opens only this chat's own, without a PIN
    assert "ไม่พบเรื่องนี้ในเรื่องที่ยื่นจากแชตนี้" in chat.text and f"show:{number}" in chat.actions
    await chat.say(action=f"show:{number}")
    assert f"เรื่อง {number}:" in chat.text and "ยื่นเมื่อ" in chat.text and "2569" in chat.text
    assert "case:add" in chat.actions and "case:withdraw" in chat.actions

    # Tracking by number and PIN from another chat works too.
    other = chat_stack.chat(chat.http)
    await other.say(f"ติดตามเรื่อง {number}")
    assert "PIN" in other.text
    await other.say(pin)
    assert f"เรื่อง {number}:" in other.text
    await other.say(action="case:refresh")  # the PIN opened it for this chat: no PIN again
    assert f"เรื่อง {number}:" in other.text


async def test_thai_faq_answer_and_a_question_left_for_an_officer_answered_by_push(chat, chat_stack):
    await chat.say("ศูนย์ดำรงธรรมเปิดกี่โมงคะ")
    assert "08:30" in chat.text and "ช่วยได้ไหม" in chat.text and "faq:yes" in chat.actions
    await chat.say(action="faq:yes")
    assert "ยินดี" in chat.text

    await chat.say("ขอคุยกับเจ้าหน้าที่")
    assert "พิมพ์คำถามที่ต้องการฝากถึงเจ้าหน้าที่" in chat.text
    await chat.say("หมู่บ้านของดิฉันจะขอตั้งกองทุนหมู่บ้านใหม่ต้องยื่นเอกสารที่ไหนคะ", message_id="ask-th-1")
    assert "ฝากคำถามถึงเจ้าหน้าที่แล้ว" in chat.text
    assert re.search(r"ภายใน (จ|อ|พ|พฤ|ศ)\. \d{1,2} \S+ 25\d\d \d\d:\d\d น\.", chat.text), chat.text

    view = await chat_stack.gateway.question_status("web:ask-th-1")
    assert view.status == "open" and view.due_at
    await chat_stack.gateway.answer_question(
        "web:ask-th-1", c.QuestionAnswer(officer="demo.officer", text="ยื่นที่สำนักงานพัฒนาชุมชนอำเภอได้เลยค่ะ")
    )
    pushed = await chat.pushed("สำนักงานพัฒนาชุมชนอำเภอ")
    assert any("สำนักงานพัฒนาชุมชนอำเภอ" in m["text"] for m in pushed)
