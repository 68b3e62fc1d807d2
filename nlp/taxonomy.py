"""The Damrongdham complaint taxonomy: category codes, their Thai and English labels, the agency
types that act on complaints, and each category's default responsible agency type.

The codes here are a contract with the database seed and the routing rules; add codes, never rename
them.
"""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, str]] = {
    "land": ("ที่ดิน", "Land disputes"),
    "debt": ("หนี้สินและหนี้นอกระบบ", "Debt and informal lending"),
    "officials": ("การปฏิบัติหน้าที่ของเจ้าหน้าที่และการทุจริต", "Officials' conduct and corruption"),
    "consumer": ("คุ้มครองผู้บริโภค", "Consumer problems"),
    "drugs": ("ยาเสพติด", "Drugs"),
    "gambling": ("การพนัน", "Gambling"),
    "infrastructure": (
        "ถนน ไฟฟ้าสาธารณะ ท่อระบายน้ำ น้ำท่วม ต้นไม้",
        "Roads, street lights, drains, flooding, trees",
    ),
    "nuisance": ("เหตุเดือดร้อนรำคาญ เสียง ขยะ กลิ่น", "Public nuisance: noise, garbage, smell"),
    "utilities": ("ประปา ไฟฟ้า โทรศัพท์", "Utilities: water, electricity, phone"),
    "traffic": ("การจราจร", "Traffic"),
    "environment": ("สิ่งแวดล้อมและมลพิษ", "Environment and pollution"),
    "animals": ("สัตว์", "Animals"),
    "labour": ("แรงงาน", "Labour"),
    "welfare": ("สวัสดิการและขอความช่วยเหลือ", "Welfare and requests for help"),
    "family": ("ข้อพิพาทในครอบครัว", "Family disputes"),
    "information": ("ขอข้อมูลข่าวสาร", "Information requests"),
    "suggestion": ("ข้อเสนอแนะ", "Suggestions"),
    "other": ("อื่น ๆ", "Other"),
}

AGENCY_TYPES: dict[str, tuple[str, str]] = {
    "lands": ("กรมที่ดิน", "Department of Lands"),
    "ocpb": ("สคบ.", "Office of the Consumer Protection Board"),
    "opm1111": ("ศูนย์บริการประชาชน 1111", "OPM 1111 centre"),
    "dopa": ("กรมการปกครอง", "DOPA"),
    "district_office": ("ที่ว่าการอำเภอ", "District office"),
    "provincial_hall": ("ศาลากลางจังหวัด", "Provincial hall"),
    "local_admin": ("องค์กรปกครองส่วนท้องถิ่น", "Local administration"),
    "police": ("สถานีตำรวจ", "Police station"),
}

DEFAULT_AGENCY_TYPE: dict[str, str] = {
    "land": "lands",
    "debt": "district_office",
    "officials": "dopa",
    "consumer": "ocpb",
    "drugs": "police",
    "gambling": "police",
    "infrastructure": "local_admin",
    "nuisance": "local_admin",
    "utilities": "local_admin",
    "traffic": "police",
    "environment": "provincial_hall",
    "animals": "local_admin",
    "labour": "provincial_hall",
    "welfare": "district_office",
    "family": "district_office",
    "information": "opm1111",
    "suggestion": "opm1111",
    "other": "district_office",
}

# Traffy Fondue's 15 Bangkok categories (the shared development data) in our taxonomy, written from
# what each category covers, not fitted to data. Used only to print a routing-level figure next to
# the category figures: two Traffy categories that land on the same code of ours (a footpath and a
# road, say) go to the same agency, so confusing them costs an officer nothing.
TRAFFY_CATEGORY: dict[str, str] = {
    "ถนน": "infrastructure",
    "ทางเท้า": "infrastructure",
    "ท่อระบายน้ำ": "infrastructure",
    "น้ำท่วม": "infrastructure",
    "ต้นไม้": "infrastructure",
    "ไฟฟ้า/แสงสว่าง": "infrastructure",
    "อุปกรณ์/อาคารชำรุด": "infrastructure",
    "ป้าย": "infrastructure",
    "ความปลอดภัย/จุดเสี่ยง": "infrastructure",
    "สายไฟ/สายสื่อสาร": "utilities",
    "ความสะอาด/ขยะ": "nuisance",
    "เสียงรบกวน": "nuisance",
    "กีดขวาง/หาบเร่แผงลอย": "nuisance",
    "ฝุ่นควัน/กลิ่น": "environment",
    "จราจร": "traffic",
}

# "other" is a real answer for the classifier but never a confident routing decision.
FALLBACK_CATEGORY = "other"


def category_label(code: str, language: str = "th") -> str:
    """The human label of a category code in "th" or "en"; the code itself when unknown."""
    th, en = CATEGORIES.get(code, (code, code))
    return en if language == "en" else th


def agency_label(code: str, language: str = "th") -> str:
    """The human label of an agency type code in "th" or "en"; the code itself when unknown."""
    th, en = AGENCY_TYPES.get(code, (code, code))
    return en if language == "en" else th
