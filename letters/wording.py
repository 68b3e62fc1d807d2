"""The words of a forwarding letter, in the Thai official external-letter layout (ที่, the sender's
office, the Buddhist-era date, เรื่อง, เรียน, อ้างถึง, สิ่งที่ส่งมาด้วย, the body, ขอแสดงความนับถือ, the
signature block and the footer), computed once from `LetterData` so that the print page and the PDF
print the same sentences. Thai only, as an official letter is."""

from __future__ import annotations

from dataclasses import dataclass

from letters.data import LetterData, numerals
from workflows.domain.calendar import format_date_long_th

DOTS = "................"
HOTLINE = "1567"


@dataclass(frozen=True)
class Wording:
    reference: str
    office: tuple[str, ...]
    date: str
    subject: str
    salutation: str
    refers_to: str
    enclosures: str
    opening: str
    facts: tuple[tuple[str, str], ...]  # the summary's label and value pairs
    quote_label: str
    quote: str
    request: str
    status_link: str  # "" when the letter carries no status link
    conclusion: str
    closing: str
    signature: tuple[str, ...]
    footer: tuple[str, ...]


def long_date(d, thai: bool) -> str:
    return numerals(format_date_long_th(d), thai)


def wording(letter: LetterData) -> Wording:
    n = lambda text: numerals(text, letter.thai_digits)  # noqa: E731  (the letter's own numbers only)
    reference = letter.reference or f"{letter.reference_prefix} {DOTS}/{DOTS[:10]}"
    issuer = letter.issuer or "ศูนย์ดำรงธรรม"
    filed = long_date(letter.filed_on, letter.thai_digits)
    photos = len(letter.photos)
    enclosures = n("สำเนาเรื่องร้องเรียน จำนวน 1 ชุด") + (n(f" และภาพถ่าย จำนวน {photos} ภาพ") if photos else "")
    if letter.complainant and letter.named:
        source = f"จาก {letter.complainant}"
    elif letter.complainant:
        source = f"จาก {letter.complainant} (ปกปิดชื่อตามกฎหมายคุ้มครองข้อมูลส่วนบุคคล)"
    else:
        source = "จากผู้ร้อง (ผู้ร้องขอปกปิดชื่อ)"
    facts = [("เรื่องเลขที่", letter.tracking_number), ("วันที่รับเรื่อง", filed)]
    if letter.category:
        facts.append(("ประเภทเรื่อง", letter.category))
    if letter.place:
        facts.append(("สถานที่", letter.place))
    status_link = ""
    if letter.status_url:
        until = (
            f" ใช้ได้ถึงวันที่ {long_date(letter.status_expires_on, letter.thai_digits)}" if letter.status_expires_on else ""
        )
        status_link = (
            "หน่วยงานของท่านสามารถตอบรับเรื่อง แจ้งความคืบหน้า และแจ้งผลการดำเนินการ พร้อมแนบไฟล์ "
            f"ได้ทางลิงก์หรือคิวอาร์โค้ดท้ายหนังสือนี้ โดยไม่ต้องมีบัญชีผู้ใช้{until}"
        )
    return Wording(
        reference=f"ที่ {n(reference)}",
        office=(issuer, letter.issuer_address),
        date=long_date(letter.sent_on, letter.thai_digits),
        subject="ขอส่งเรื่องร้องเรียนเพื่อพิจารณาดำเนินการ",
        salutation=f"ผู้อำนวยการ / หัวหน้า{letter.agency_name}" if letter.agency_name else DOTS * 2,
        refers_to=f"เรื่องร้องเรียนเลขที่ {letter.tracking_number} ลงวันที่ {filed}",
        enclosures=enclosures,
        opening=f"ด้วย{issuer}ได้รับเรื่องร้องเรียน{source} เมื่อวันที่ {filed} สรุปได้ดังนี้",
        facts=tuple(facts),
        quote_label="ข้อความร้องเรียน",
        quote=letter.summary,
        request=(
            f"{issuer}พิจารณาแล้ว เห็นว่าเรื่องดังกล่าวอยู่ในอำนาจหน้าที่ของหน่วยงานท่าน "
            "จึงขอส่งเรื่องมาเพื่อโปรดพิจารณาตรวจสอบข้อเท็จจริงและดำเนินการตามอำนาจหน้าที่ "
            + n("แล้วแจ้งผลให้ศูนย์ดำรงธรรมทราบภายใน 15 วัน นับแต่วันที่ได้รับหนังสือนี้ ")
            + f"โดยอ้างเลขที่เรื่อง {letter.tracking_number}"
        ),
        status_link=status_link,
        conclusion="จึงเรียนมาเพื่อโปรดพิจารณาดำเนินการต่อไป",
        closing="ขอแสดงความนับถือ",
        signature=(f"( {letter.signer or DOTS * 2} )", f"เจ้าหน้าที่{issuer}"),
        footer=(issuer, n(f"โทร. สายด่วน {HOTLINE}"), f"เรื่องเลขที่ {letter.tracking_number}"),
    )
