"""Checks of what identifies a citizen: a Thai phone number (mobile or landline, +66 accepted) and a
national ID number with its check digit, and the one rule for digits as people type them: Thai digits
(๐-๙) and full-width digits (０-９, from CJK and some phone keyboards) read as 0-9, so "๐๘๑ ๒๓๔ ๕๖๗๘"
is a phone number. Pure; the JSON API and the chatbot both validate with these, and their messages are
in Thai and English."""

from __future__ import annotations

import re
import unicodedata

# NFKC folds the full-width forms (digits, plus, hyphen) to ASCII; Thai digits are letters of their
# own script to Unicode and need their own table.
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def ascii_digits(text: str) -> str:
    """The text with every Thai or full-width digit (and full-width punctuation) in its ASCII form."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(THAI_DIGITS)


def valid_thai_phone(raw: str) -> str:
    digits = re.sub(r"[\s\-()]", "", ascii_digits(raw))
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    # [0-9], not \d: \d would also take digits of other scripts and store them as they came.
    if not re.fullmatch(r"0[689][0-9]{8}|0[2-7][0-9]{7}", digits):
        raise ValueError("เบอร์โทรศัพท์ไม่ถูกต้อง / not a valid Thai phone number")
    return digits


def valid_national_id(raw: str) -> str:
    digits = re.sub(r"[\s\-]", "", ascii_digits(raw))
    if not re.fullmatch(r"[0-9]{13}", digits):
        raise ValueError("เลขประจำตัวประชาชนต้องมี 13 หลัก / a national ID has 13 digits")
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(digits[:12])) % 11) % 10
    if check != int(digits[12]):
        raise ValueError("เลขประจำตัวประชาชนไม่ถูกต้อง / the national ID's check digit is wrong")
    return digits
