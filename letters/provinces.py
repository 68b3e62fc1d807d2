"""The reference prefix each issuing office writes before its letter numbers (อักษรย่อจังหวัด in ที่ of an
official letter): the province's abbreviation for a provincial or district center ("ตง 0017.1/123" in
Trang), the ministry's "มท" for the ministry and DOPA. These abbreviations are public facts of Thai
official correspondence; this table is written for this project, keyed by the DOPA province code the
directory uses (10 is Bangkok)."""

from __future__ import annotations

import re

MINISTRY = "มท"

PROVINCE_PREFIXES: dict[str, str] = {
    "10": "กท",  # กรุงเทพมหานคร
    "11": "สป",  # สมุทรปราการ
    "12": "นบ",  # นนทบุรี
    "13": "ปท",  # ปทุมธานี
    "14": "อย",  # พระนครศรีอยุธยา
    "15": "อท",  # อ่างทอง
    "16": "ลบ",  # ลพบุรี
    "17": "สห",  # สิงห์บุรี
    "18": "ชน",  # ชัยนาท
    "19": "สบ",  # สระบุรี
    "20": "ชบ",  # ชลบุรี
    "21": "รย",  # ระยอง
    "22": "จบ",  # จันทบุรี
    "23": "ตร",  # ตราด
    "24": "ฉช",  # ฉะเชิงเทรา
    "25": "ปจ",  # ปราจีนบุรี
    "26": "นย",  # นครนายก
    "27": "สก",  # สระแก้ว
    "30": "นม",  # นครราชสีมา
    "31": "บร",  # บุรีรัมย์
    "32": "สร",  # สุรินทร์
    "33": "ศก",  # ศรีสะเกษ
    "34": "อบ",  # อุบลราชธานี
    "35": "ยส",  # ยโสธร
    "36": "ชย",  # ชัยภูมิ
    "37": "อจ",  # อำนาจเจริญ
    "38": "บก",  # บึงกาฬ
    "39": "นภ",  # หนองบัวลำภู
    "40": "ขก",  # ขอนแก่น
    "41": "อด",  # อุดรธานี
    "42": "ลย",  # เลย
    "43": "นค",  # หนองคาย
    "44": "มค",  # มหาสารคาม
    "45": "รอ",  # ร้อยเอ็ด
    "46": "กส",  # กาฬสินธุ์
    "47": "สน",  # สกลนคร
    "48": "นพ",  # นครพนม
    "49": "มห",  # มุกดาหาร
    "50": "ชม",  # เชียงใหม่
    "51": "ลพ",  # ลำพูน
    "52": "ลป",  # ลำปาง
    "53": "อต",  # อุตรดิตถ์
    "54": "พร",  # แพร่
    "55": "นน",  # น่าน
    "56": "พย",  # พะเยา
    "57": "ชร",  # เชียงราย
    "58": "มส",  # แม่ฮ่องสอน
    "60": "นว",  # นครสวรรค์
    "61": "อน",  # อุทัยธานี
    "62": "กพ",  # กำแพงเพชร
    "63": "ตก",  # ตาก
    "64": "สท",  # สุโขทัย
    "65": "พล",  # พิษณุโลก
    "66": "พจ",  # พิจิตร
    "67": "พช",  # เพชรบูรณ์
    "70": "รบ",  # ราชบุรี
    "71": "กจ",  # กาญจนบุรี
    "72": "สพ",  # สุพรรณบุรี
    "73": "นฐ",  # นครปฐม
    "74": "สค",  # สมุทรสาคร
    "75": "สส",  # สมุทรสงคราม
    "76": "พบ",  # เพชรบุรี
    "77": "ปข",  # ประจวบคีรีขันธ์
    "80": "นศ",  # นครศรีธรรมราช
    "81": "กบ",  # กระบี่
    "82": "พง",  # พังงา
    "83": "ภก",  # ภูเก็ต
    "84": "สฎ",  # สุราษฎร์ธานี
    "85": "รน",  # ระนอง
    "86": "ชพ",  # ชุมพร
    "90": "สข",  # สงขลา
    "91": "สต",  # สตูล
    "92": "ตง",  # ตรัง
    "93": "พท",  # พัทลุง
    "94": "ปน",  # ปัตตานี
    "95": "ยล",  # ยะลา
    "96": "นธ",  # นราธิวาส
}

KNOWN_PREFIXES = frozenset(PROVINCE_PREFIXES.values()) | {MINISTRY}


def prefix_for(level: str | None, province_code: str | None) -> str:
    """The prefix an office of this level in this province writes; the ministry's for the ministry,
    DOPA, or an office whose province is unknown."""
    if level in ("province", "district") and province_code in PROVINCE_PREFIXES:
        return PROVINCE_PREFIXES[province_code]
    return MINISTRY


def official_reference(prefix: str, typed: str) -> str:
    """The letter's ที่: the officer's number under the office's prefix ("0017.1/123" -> "ตง 0017.1/123").
    A number already written with a known prefix (a ministry officer quoting a provincial number, or
    a whole reference pasted in) is kept as typed; nothing typed gives "" (the letter leaves dots)."""
    typed = " ".join(typed.split())
    if not typed:
        return ""
    written = _WRITTEN_PREFIX.match(typed)
    if written and written.group(1) in KNOWN_PREFIXES:
        return f"{written.group(1)} {typed[written.end() :]}"
    return f"{prefix} {typed}"


# Two Thai letters (a dot or a space may follow) before the first digit: "ตง 0017.1/1", "มท0206/5".
_WRITTEN_PREFIX = re.compile(r"([\u0e01-\u0e2e]{2})\.?\s*(?=[0-9\u0e50-\u0e59])")
