"""Checks of what identifies a citizen: a Thai phone number (mobile or landline, +66 accepted) and a
national ID number with its check digit. Pure; the JSON API and the chatbot both validate with these,
and their messages are in Thai and English."""

from __future__ import annotations

import re


def valid_thai_phone(raw: str) -> str:
    digits = re.sub(r"[\s\-()]", "", raw)
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    if not re.fullmatch(r"0[689]\d{8}|0[2-7]\d{7}", digits):
        raise ValueError("เบอร์โทรศัพท์ไม่ถูกต้อง / not a valid Thai phone number")
    return digits


def valid_national_id(raw: str) -> str:
    digits = re.sub(r"[\s\-]", "", raw)
    if not re.fullmatch(r"\d{13}", digits):
        raise ValueError("เลขประจำตัวประชาชนต้องมี 13 หลัก / a national ID has 13 digits")
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(digits[:12])) % 11) % 10
    if check != int(digits[12]):
        raise ValueError("เลขประจำตัวประชาชนไม่ถูกต้อง / the national ID's check digit is wrong")
    return digits
