"""Stripping a complaint's text of the people in it before anyone outside sees it (the public Open311
listing): e-mail addresses, web links, every number (phone numbers, national ID numbers, house and
village numbers, amounts), Thai licence plates ("1กข 1234", "กท-5678"), and names that follow an
honorific or a word that introduces one, in Thai ("นายสมชาย ใจดี", "ป้าแดง", "ชื่อสมศรี") and English
("Mr. John Smith", "Khun Somchai"). Thai has no spaces between words, so an honorific counts only as a
whole word of PyThaiNLP's tokenizer ("ป้า" is an aunt, "ป้าย" a sign); the name runs to the next space,
and the chunk after that space goes too when it is short (a surname looks like any other word). It errs
on the side of removing. A rule that can be read and tested, and that never sends the text anywhere."""

from __future__ import annotations

import re

# newmm as nlp.text imports it, after pointing PyThaiNLP's data folder into the repository.
from nlp.text import word_tokenize

NAME = "[ชื่อ/name]"
NUMBER = "[ตัวเลข/number]"
EMAIL = "[อีเมล/e-mail]"
LINK = "[ลิงก์/link]"
PLATE = "[ทะเบียนรถ/plate]"
SURNAME_CHARS = 20  # a chunk after a name this short is taken for the surname

_DIGIT = "0-9๐-๙"
THAI_HONORIFICS = frozenset(
    {
        "นาย", "นาง", "นางสาว", "น.ส.", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง", "คุณ", "ลุง", "ป้า", "น้า", "อา",
        "ตา", "ยาย", "พี่", "น้อง", "เจ๊", "เฮีย", "ผู้ใหญ่", "กำนัน", "ดร.", "จ่า", "ดาบ", "ส.ต.ต.", "ส.ต.อ.",
        "ด.ต.", "ร.ต.ต.", "ร.ต.ท.", "ร.ต.อ.", "พ.ต.ต.", "พ.ต.ท.", "พ.ต.อ.", "ชื่อ", "นามสกุล", "สกุล",
    }
)  # fmt: skip
# Words that often follow a name and are never a surname: the chunk they start is left alone.
NOT_SURNAMES = frozenset(
    {
        "โทร", "เบอร์", "อายุ", "อยู่", "บ้าน", "ที่", "ซึ่ง", "และ", "กับ", "ได้", "เป็น", "มา", "ไป", "ไม่", "ก็",
        "จะ", "ขับ", "จอด", "ขาย", "ทำ", "เลี้ยง", "เปิด", "ปิด", "ทิ้ง", "เผา", "ชอบ", "มัก", "ยัง", "ถูก",
    }
)  # fmt: skip
_EN_HONORIFICS = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Khun|Uncle|Aunt|Auntie|Sir|Madam|Officer|Sgt|Lt|Capt|Col|Pol)"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A Thai plate: an optional leading digit, one to three Thai consonants, then up to four digits.
# It starts a word: "โทร 081" is a phone number, not the plate "ทร 081".
_PLATE = re.compile(rf"(?<![\u0E00-\u0E7F{_DIGIT}])(?:[{_DIGIT}]\s?)?[ก-ฮ]{{1,3}}[\s-]?[{_DIGIT}]{{1,4}}(?![{_DIGIT}])")
# Any run of digits, with the separators phone and ID numbers are written with in between.
_NUMBER = re.compile(rf"\+?[{_DIGIT}](?:[{_DIGIT}]|[\s.\-/](?=[{_DIGIT}]))*")
_EN_NAME = re.compile(rf"\b{_EN_HONORIFICS}\.?\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?")
_EN_NAMED = re.compile(r"\b(?:[Nn]amed|[Cc]alled|[Nn]ame is)\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?")
_THAI = re.compile("[\u0e00-\u0e7f]")


def redact(text: str) -> str:
    """`text` with the people in it replaced by bracketed placeholders (Thai/English)."""
    text = _EMAIL.sub(EMAIL, text or "")
    text = _LINK.sub(LINK, text)
    text = _thai_names(text) if _THAI.search(text) else text  # before any placeholder holds "ชื่อ"
    text = _EN_NAME.sub(NAME, text)
    text = _EN_NAMED.sub(NAME, text)
    text = _PLATE.sub(PLATE, text)
    return _NUMBER.sub(NUMBER, text)


def _thai_names(text: str) -> str:
    tokens = word_tokenize(text, engine="newmm", keep_whitespace=True)
    out, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token not in THAI_HONORIFICS:
            out.append(token)
            continue
        while i < len(tokens) and tokens[i].startswith(" "):  # "นาย สมชาย": a space before the name
            i += 1
        named = i
        while i < len(tokens) and not tokens[i].isspace() and tokens[i] not in THAI_HONORIFICS:
            i += 1
        if i == named:  # an honorific with nothing after it names nobody
            out.append(token)
            continue
        out.append(token + NAME)
        surname = i + 1
        end = surname
        while end < len(tokens) and not tokens[end].isspace():
            end += 1
        chunk = "".join(tokens[surname:end])
        first = tokens[surname] if surname < end else ""
        if (
            i < len(tokens)
            and chunk
            and len(chunk) <= SURNAME_CHARS
            and _THAI.search(chunk)
            and "[" not in chunk
            and first not in NOT_SURNAMES
        ):
            out.append(tokens[i] + NAME)
            i = end
    return "".join(out)
