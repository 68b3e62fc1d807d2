"""The bilingual topic gazetteer: Thai and English surface forms of the things complaints are about
(street lights, potholes, loan sharks, title deeds, ...), each tied to one concept with a canonical
Thai phrase.

This module owns the cross-language bridge of the classifier and the FAQ retriever. Training data is
mostly Thai, so an English complaint would share almost no features with it; expanding every text
with the canonical Thai phrase and a concept tag of each concept it mentions gives an English text
the same features as its Thai twin, and folds Thai synonyms and slang ("ฟุตบาท", "ทางเดินเท้า") onto
one feature. Pure data and a matcher, fast and offline; extend the table rather than adding rules
elsewhere.
"""

from __future__ import annotations

import re
from functools import lru_cache

# concept: (canonical Thai phrase, Thai surface forms, English stems). English stems match at a word
# start and may be followed by letters ("pothole" matches "potholes"); keep them specific enough
# not to fire inside unrelated words.
CONCEPTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # land
    "land_title": (
        "โฉนดที่ดิน",
        ("โฉนด", "น.ส.3", "นส3", "สค.1", "เอกสารสิทธิ์", "ส.ป.ก", "สปก"),
        ("title deed", "land title", "land document", "deed"),
    ),
    "land_boundary": (
        "แนวเขตที่ดิน รุกล้ำ",
        ("แนวเขต", "รุกล้ำ", "หลักหมุด", "รังวัด", "บุกรุกที่", "ฮุกล้ำ"),
        ("boundary", "encroach", "survey", "surveyor", "land dispute"),
    ),
    "land": ("ที่ดิน", ("ที่ดิน", "ที่นา", "ดินนา", "ที่ดิง", "ขายฝาก"), ("land", "plot", "farmland", "rice field")),
    # debt
    "loan_shark": (
        "เงินกู้นอกระบบ เจ้าหนี้",
        ("นอกระบบ", "เงินกู้", "เจ้าหนี้", "ทวงหนี้", "ดอกเบี้ย", "ดอกโหด", "กู้เงิน", "หมวกกันน็อก", "เงินด่วน", "กู้รายวัน"),
        ("loan shark", "loan", "lender", "creditor", "debt collect", "interest", "borrow"),
    ),
    "debt": ("หนี้สิน", ("หนี้", "ค้ำประกัน", "ไกล่เกลี่ยหนี้"), ("debt", "owe", "repay", "guarantor")),
    # officials
    "bribe": (
        "เรียกรับเงิน ทุจริต",
        ("ใต้โต๊ะ", "เรียกรับ", "ทุจริต", "คอรัปชั่น", "คอร์รัปชัน", "ฮั้ว", "ซื้อเสียง", "รีดไถ", "ค่าน้ำร้อนน้ำชา", "เงินหลวง"),
        ("bribe", "corrupt", "bid rigging", "vote buying", "kickback", "extort"),
    ),
    "official": (
        "เจ้าหน้าที่ราชการ",
        ("เจ้าหน้าที่", "ข้าราชการ", "ปลัด", "กำนัน", "ผู้ใหญ่บ้าน", "นายอำเภอ", "นายก อบต", "เจ้าพนักงาน"),
        ("official", "officer", "civil servant", "headman", "clerk", "mayor", "staff"),
    ),
    # consumer
    "online_shop": (
        "ซื้อสินค้าออนไลน์ ไม่ตรงปก",
        ("ไม่ตรงปก", "ออนไลน์", "สั่งซื้อ", "สั่งของ", "ร้านค้าออนไลน์", "เพจ"),
        ("online", "marketplace", "ordered", "seller", "not as described"),
    ),
    "refund": (
        "คืนเงิน สินค้า",
        ("คืนเงิน", "สินค้า", "ประกันสินค้า", "หมดอายุ", "โฆษณาเกินจริง", "ศูนย์บริการ"),
        ("refund", "product", "warranty", "expired", "overcharg", "receipt", "customer"),
    ),
    # drugs, gambling
    "drugs": (
        "ยาเสพติด ยาบ้า",
        ("ยาเสพติด", "ยาบ้า", "ยาไอซ์", "ไอซ์", "เสพ", "ติดยา", "กัญชา", "เคตามีน", "ยาอี", "กระท่อม", "บำบัด"),
        ("drug", "meth", "yaba", "ice", "cannabis", "marijuana", "ecstasy", "ketamine", "rehab", "addict", "dealer"),
    ),
    "gambling": (
        "การพนัน บ่อน",
        ("พนัน", "บ่อน", "หวยใต้ดิน", "หวยเถื่อน", "ไพ่", "ไก่ชน", "สล็อต", "คาสิโน", "แทงบอล", "โต๊ะบอล", "ไฮโล", "เจ้ามือ"),
        ("gambl", "casino", "betting", "bet", "bookie", "cockfight", "slot machine", "underground lottery", "lottery"),
    ),
    # infrastructure
    "road": (
        "ถนนชำรุด",
        ("ถนน", "หลุม", "บ่อ", "ยางมะตอย", "ลูกรัง", "ทรุด", "หนทาง", "ลูกระนาด", "ผิวจราจร"),
        ("road", "pothole", "asphalt", "street surface", "pavement crack", "resurfac", "speed bump", "speed hump"),
    ),
    "sidewalk": (
        "ทางเท้า",
        ("ทางเท้า", "ฟุตบาท", "ฟุตปาธ", "ทางเดินเท้า", "บาทวิถี"),
        ("sidewalk", "footpath", "pavement", "walkway", "paving", "kerb", "curb"),
    ),
    "street_light": (
        "ไฟส่องสว่าง ไฟถนน",
        ("ไฟส่องสว่าง", "ไฟถนน", "ไฟทาง", "ไฟกิ่ง", "เสาไฟ", "หลอดไฟ", "ไฟทางดับ"),
        ("street light", "streetlight", "street lamp", "lamp post", "lamp", "lighting", "light", "bulb"),
    ),
    "drain": (
        "ท่อระบายน้ำ",
        ("ท่อระบาย", "ท่อตัน", "ฝาท่อ", "รางระบาย", "ลอกท่อ", "ขุดลอก"),
        ("drain", "sewer", "gutter", "manhole", "dredg", "culvert"),
    ),
    "flood": (
        "น้ำท่วม",
        ("น้ำท่วม", "ท่วมขัง", "น้ำขัง", "น้ำป่า", "น้ำหลาก", "ท่วม"),
        ("flood", "waterlogg", "inundat", "rainwater", "standing water"),
    ),
    "tree": ("ต้นไม้ กิ่งไม้", ("ต้นไม้", "กิ่งไม้", "ตัดกิ่ง", "ตัดแต่งกิ่ง", "ไม้ล้ม", "ต้นไม้ล้ม", "รากไม้"), ("tree", "branch", "trim")),
    "bridge": ("สะพาน", ("สะพาน",), ("bridge", "overpass")),
    "cable": (
        "สายไฟ สายสื่อสาร",
        ("สายไฟ", "สายสื่อสาร", "สายโทรศัพท์", "สายเคเบิล", "สายหย่อน"),
        ("cable", "wire", "power line"),
    ),
    "sign": ("ป้าย", ("ป้ายโฆษณา", "ป้าย", "โปสเตอร์"), ("sign", "billboard", "banner", "poster")),
    # nuisance
    "noise": (
        "เสียงดัง รบกวน",
        ("เสียงดัง", "เสียงรบกวน", "หนวกหู", "เปิดเพลง", "ลำโพง", "คาราโอเกะ", "เสียง"),
        ("noise", "noisy", "loud", "music", "karaoke", "bark"),
    ),
    "garbage": (
        "ขยะ",
        ("ขยะ", "ทิ้งขยะ", "เก็บขยะ", "ถังขยะ", "สิ่งปฏิกูล"),
        ("garbage", "rubbish", "trash", "waste bin", "litter", "dump"),
    ),
    "smell": ("กลิ่นเหม็น", ("กลิ่น", "เหม็น"), ("smell", "stink", "odour", "odor")),
    "vendor": (
        "หาบเร่แผงลอย",
        ("หาบเร่", "แผงลอย", "ตั้งโต๊ะ", "ขายของ", "ผู้ค้า", "รถเข็น"),
        ("vendor", "street stall", "hawker", "stall", "food truck", "food cart"),
    ),
    # obstruction, risk spots and broken public facilities: three of Traffy's categories, which citizens
    # describe by the thing (a bench, a railing, a dark lane) more than by a category word
    "obstruction": (
        "กีดขวาง",
        ("กีดขวาง", "ขวางทาง", "ตั้งขวาง", "วางของขวาง", "รุกล้ำทางสาธารณะ"),
        ("obstruct", "in the way", "takes up the", "taken over the"),
    ),
    "risk_spot": (
        "จุดเสี่ยง อันตราย",
        ("จุดเสี่ยง", "อันตราย", "เปลี่ยว", "มั่วสุม", "ราวกันตก", "ราวกั้น", "กล้องวงจรปิด", "ชิงทรัพย์", "ลักขโมย", "ขโมย"),
        (
            "danger",
            "unsafe",
            "risk",
            "hazard",
            "cctv",
            "guard rail",
            "railing",
            "robber",
            "thie",
            "steal",
            "mugg",
            "deserted",
        ),
    ),
    "public_facility": (
        "อุปกรณ์ อาคาร ชำรุด",
        (
            "ชำรุด",
            "ม้านั่ง",
            "ศาลาที่พัก",
            "ห้องน้ำสาธารณะ",
            "เครื่องออกกำลังกาย",
            "สนามเด็กเล่น",
            "บันไดเลื่อน",
            "ลิฟต์",
            "หัวดับเพลิง",
            "ประปาหัวแดง",
            "สกายวอล์ค",
        ),
        (
            "bench",
            "bus shelter",
            "public toilet",
            "restroom",
            "exercise equipment",
            "playground",
            "escalator",
            "elevator",
            "hydrant",
            "skywalk",
            "out of order",
        ),
    ),
    # utilities
    "tap_water": (
        "น้ำประปา",
        ("ประปา", "น้ำไม่ไหล", "มิเตอร์น้ำ", "ค่าน้ำ", "ท่อประปา", "น้ำบ่ไหล"),
        ("tap water", "water supply", "water bill", "water pipe", "water meter", "no water", "water pressure"),
    ),
    "electricity": (
        "ไฟฟ้าดับ ค่าไฟ",
        ("ไฟฟ้าดับ", "ไฟดับ", "ไฟตก", "ค่าไฟ", "การไฟฟ้า", "หม้อแปลง", "มิเตอร์ไฟ", "ไฟฟ้า"),
        ("electricity", "power cut", "power outage", "blackout", "transformer", "electric"),
    ),
    "phone": (
        "สัญญาณโทรศัพท์ อินเทอร์เน็ต",
        ("สัญญาณ", "อินเทอร์เน็ต", "เน็ต", "ค่ายมือถือ", "โทรศัพท์"),
        ("phone", "mobile signal", "signal", "internet", "wifi", "telecom"),
    ),
    # traffic
    "parking": (
        "จอดรถกีดขวาง",
        ("จอดซ้อน", "จอดขวาง", "จอดรถ", "จอดแช่", "จอดบนทางเท้า"),
        ("park", "double park", "blocking my"),
    ),
    "traffic": (
        "การจราจร รถติด",
        (
            "จราจร",
            "รถติด",
            "ไฟแดง",
            "ไฟเขียว",
            "สัญญาณไฟ",
            "ย้อนศร",
            "ขับเร็ว",
            "แข่งรถ",
            "เด็กแว้น",
            "ทางม้าลาย",
            "อุบัติเหตุ",
            "เมาแล้วขับ",
        ),
        (
            "traffic",
            "jam",
            "speeding",
            "wrong way",
            "racing",
            "zebra crossing",
            "accident",
            "drunk driv",
            "hit and run",
        ),
    ),
    "vehicle": (
        "รถ",
        ("รถยนต์", "รถบรรทุก", "มอเตอร์ไซค์", "มอไซค์", "รถเมล์", "รถตู้", "แท็กซี่", "วินมอเตอร์ไซค์"),
        ("car", "truck", "motorbike", "motorcycle", "bus", "van", "taxi", "driver"),
    ),
    # environment
    "pollution": (
        "มลพิษ น้ำเสีย",
        ("มลพิษ", "น้ำเสีย", "ควันดำ", "สารเคมี", "ปนเปื้อน", "คราบน้ำมัน", "ควันพิษ"),
        ("pollut", "wastewater", "chemical", "toxic", "contaminat", "oil slick", "leachate"),
    ),
    "dust_smoke": (
        "ฝุ่นควัน",
        ("ฝุ่น", "pm2.5", "ควัน", "เผา", "เถ้า", "ขี้เถ้า"),
        ("dust", "smoke", "pm2.5", "burn", "ash", "haze"),
    ),
    "forest": (
        "ป่าไม้",
        ("ป่า", "ตัดไม้", "ไม้พะยูง", "ป่าชายเลน", "ไฟป่า", "ปะการัง"),
        ("forest", "logging", "mangrove", "coral", "wildfire"),
    ),
    "factory": ("โรงงาน", ("โรงงาน", "เหมือง", "โรงปูน", "ฟาร์ม"), ("factory", "plant", "quarry", "mine", "farm")),
    # animals
    "dog_cat": ("สุนัขจรจัด", ("สุนัข", "หมา", "แมว", "พิษสุนัขบ้า"), ("dog", "puppy", "cat", "kitten", "rabies", "stray")),
    "animal": (
        "สัตว์",
        ("สัตว์", "งู", "ลิง", "จระเข้", "ช้างป่า", "วัว", "ควาย", "ยุง", "ผึ้ง", "นกพิราบ", "ตัวเงินตัวทอง"),
        ("animal", "snake", "cobra", "monkey", "crocodile", "elephant", "cow", "buffalo", "mosquito", "bee", "pigeon"),
    ),
    # labour
    "wages": (
        "ค่าจ้าง นายจ้าง",
        (
            "ค่าจ้าง",
            "ค่าแรง",
            "ค่าแฮง",
            "เงินเดือน",
            "โอที",
            "ล่วงเวลา",
            "นายจ้าง",
            "ลูกจ้าง",
            "เลิกจ้าง",
            "ค่าชดเชย",
            "ประกันสังคม",
            "แรงงาน",
            "จัดหางาน",
            "ตกงาน",
        ),
        (
            "wage",
            "salary",
            "employer",
            "employee",
            "overtime",
            "dismiss",
            "fired",
            "severance",
            "social security",
            "worker",
            "job",
            "minimum wage",
        ),
    ),
    # welfare
    "allowance": (
        "เบี้ยยังชีพ สวัสดิการ",
        (
            "เบี้ยยังชีพ",
            "เบี้ยผู้สูงอายุ",
            "เบี้ยความพิการ",
            "เบี้ยคนพิการ",
            "บัตรสวัสดิการ",
            "บัตรคนจน",
            "สวัสดิการ",
            "เงินเยียวยา",
            "เยียวยา",
            "ถุงยังชีพ",
        ),
        ("allowance", "welfare", "benefit", "compensation", "relief"),
    ),
    "vulnerable": (
        "ผู้ยากไร้ ขอความช่วยเหลือ",
        ("ผู้สูงอายุ", "คนชรา", "คนพิการ", "ผู้พิการ", "ติดเตียง", "ยากจน", "ไร้บ้าน", "กำพร้า", "ขอความช่วยเหลือ", "ช่วยเหลือ"),
        ("elderly", "disabled", "disability", "bedridden", "poor", "homeless", "orphan", "need help", "wheelchair"),
    ),
    # family
    "family": (
        "ครอบครัว สามีภรรยา",
        ("สามี", "ภรรยา", "ผัว", "เมีย", "หย่า", "ค่าเลี้ยงดู", "ลูก", "มรดก", "ครอบครัว", "พี่น้อง", "แฟนเก่า"),
        ("husband", "wife", "divorce", "child support", "custody", "family", "spouse", "inheritance", "ex-"),
    ),
    "violence": (
        "ทำร้ายร่างกาย",
        ("ทำร้าย", "ตบตี", "ตีเมีย", "ความรุนแรง", "ขู่ฆ่า", "ข่มขู่"),
        ("beat", "abuse", "violence", "threaten", "assault", "hurt"),
    ),
    # information and suggestions
    "info_request": (
        "สอบถามข้อมูล",
        ("ขอทราบ", "อยากทราบ", "สอบถาม", "ขอข้อมูล", "อยากรู้", "อยากฮู้", "ขั้นตอน", "ต้องใช้เอกสาร", "ขอสำเนา"),
        (
            "how do i",
            "how can i",
            "what documents",
            "information",
            "where is",
            "when does",
            "what are",
            "request official",
        ),
    ),
    "suggestion": (
        "ข้อเสนอแนะ",
        ("เสนอ", "ข้อเสนอแนะ", "แนะนำให้", "ควรมี", "อยากให้มี", "ชื่นชม", "ชมเชย", "ขอบคุณที่"),
        ("suggest", "recommend", "should", "would be great", "thank", "propose", "consider"),
    ),
    "civil_registration": (
        "ทะเบียนราษฎร บัตรประชาชน",
        ("บัตรประชาชน", "ทะเบียนบ้าน", "ทะเบียนราษฎร", "เปลี่ยนชื่อ", "ย้ายทะเบียน", "แจ้งเกิด", "แจ้งตาย"),
        ("id card", "house registration", "civil registration", "change my name", "birth certificate"),
    ),
}


def _thai_pattern() -> re.Pattern[str]:
    forms = sorted({f.casefold() for _, th, _ in CONCEPTS.values() for f in th}, key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in forms))


def _english_pattern() -> re.Pattern[str]:
    stems = sorted({s.casefold() for _, _, en in CONCEPTS.values() for s in en}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")[a-z]*")


_THAI_RE = _thai_pattern()
_EN_RE = _english_pattern()
_THAI_INDEX = {f.casefold(): c for c, (_, th, _) in CONCEPTS.items() for f in th}
_EN_INDEX = {s.casefold(): c for c, (_, _, en) in CONCEPTS.items() for s in en}


@lru_cache(maxsize=8192)
def concepts_in(text: str) -> tuple[str, ...]:
    """Concepts mentioned in normalised (case-folded) text, in order of first mention."""
    found: dict[str, None] = {}
    for m in _THAI_RE.finditer(text):
        found.setdefault(_THAI_INDEX[m.group(0)], None)
    for m in _EN_RE.finditer(text):
        found.setdefault(_EN_INDEX[m.group(1)], None)
    return tuple(found)


def expansion(text: str) -> str:
    """The canonical Thai phrases and concept tags to append to ``text`` before vectorising."""
    parts = []
    for concept in concepts_in(text):
        parts.append(CONCEPTS[concept][0])
        parts.append("concept_" + concept)
    return " ".join(parts)
