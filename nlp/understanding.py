"""What a citizen's chat message is: a question, a complaint, both (a problem asked about), a
tracking request, a menu choice or small talk, in Thai, English or both, with or without a question
mark, as a heading ("การแจ้งตาย หลักฐานที่ต้องใช้") or a sentence, informal or with typos.

This module owns that decision, so the chat never turns a question into a filing: a message is a
complaint only when it describes a problem (or asks to file) and does not ask anything; a problem
asked about is ``both`` (answered, with "file this as a complaint" offered); a heading or a message
the FAQ knows is a question. It reads three kinds of evidence: the form (question particles and
words, heading words), problem cues (harm, breakage, nuisance, money owed, someone's conduct, how
long it has lasted) and the FAQ retriever's match. The command cues come from ``nlp.intents``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.faq import FaqAnswer, FaqRetriever
from nlp.intents import cue_matches, detect_intent
from nlp.mentions import Area, area_mentioned
from nlp.text import detect_language, has_content, normalize

KINDS = ("question", "complaint", "both", "tracking", "menu", "small_talk", "unknown")

# Thai question particles and words, including common spellings and typos ("ยังงัย", "มั๊ย").
_QUESTION_TH = (
    "ไหม", "มั้ย", "มั๊ย", "ไม๊", "หรือเปล่า", "รึเปล่า", "ป่าว", "หรือไม่", "หรือยัง", "อย่างไร", "ยังไง", "ยังงัย",
    "อย่างงัย", "ไง", "งัย", "เท่าไหร่", "เท่าไร", "ที่ไหน", "ตรงไหน", "ไหนบ้าง", "ไหนได้", "กี่", "อะไร", "เมื่อไหร่",
    "เมื่อไร", "ทำไม", "ได้บ่", "บ้าง", "ขอทราบ", "อยากทราบ", "อยากรู้", "สอบถาม", "ถามหน่อย", "ขอถาม", "แนะนำ",
    "ควรทำ", "ช่วยบอก", "ใช่ไหม", "เหรอ", "หรอ", "ได้หรือ", "ต้องทำ", "ต้องไป", "ต้องเตรียม", "ได้ที่", "หรือเปล่า",
    "ใด", "ไหน", "ใคร", "ว่าไร", "แปลว่า", "หมายถึง", "ป่ะ",
)  # fmt: skip
# How-type questions ask for a procedure; "ติดตามเรื่องยังไง" is a question about tracking, not a request to track.
_HOW_TH = ("อย่างไร", "ยังไง", "ยังงัย", "อย่างงัย", "วิธี", "ขั้นตอน", "ทำไง", "ต้องทำ")
_QUESTION_EN = re.compile(
    r"\?|^(how|what|where|when|why|who|whom|which|can|could|do|does|did|is|are|am|should|may|will|would|must|"
    r"shall|whats|wheres|hows)\b|\b(how|what|where|which|who)\b|\b(can i|could i|should i|do i|may i|is there|are there|"
    r"will you|would you|can you|could you|do you|is it|are you|"
    r"i want to know|i'd like to know|tell me|wondering|any idea)\b"
)
_HOW_EN = re.compile(r"\b(how|steps|procedure)\b")
# Words that make a heading ("การแจ้งตาย หลักฐานที่ต้องใช้", "ID card renewal documents"): a topic asked about.
_HEADING_TH_START = (
    "การ", "วิธี", "ขั้นตอน", "หลักฐาน", "เอกสาร", "ค่าธรรมเนียม", "ค่าบริการ", "ระยะเวลา", "เบอร์", "หมายเลขโทร",
    "ที่อยู่", "ที่ตั้ง", "เวลาเปิด", "เวลาทำการ", "เวลาราชการ", "ช่องทาง", "สิทธิ", "คุณสมบัติ", "แผนที่", "อีเมล",
    "ติดต่อ", "ศูนย์ดำรงธรรม", "แบบฟอร์ม", "หน้าที่", "บริการ", "ข้อมูล", "กฎหมาย", "สายด่วน", "โทรศัพท์",
)  # fmt: skip
_HEADING_TH_ANY = ("หลักฐานที่ต้องใช้", "เอกสารที่ต้องใช้", "ขั้นตอน", "วิธีการ", "ค่าธรรมเนียม", "เวลาเปิด", "เวลาทำการ")
_HEADING_EN = re.compile(
    r"\b(documents?|requirements?|required|opening hours|office hours|hours|phone( number)?|telephone|contact|"
    r"address|fees?|cost|steps|procedure|process|eligibility|e-?mail|map|location|channels?|hotline|guide|"
    r"info(rmation)?|rules|rights)\b"
)
# What a problem sounds like: harm, breakage, nuisance, money, someone's conduct, how long it lasts.
_PROBLEM_TH = (
    "โดน", "ถูกโกง", "ถูกหลอก", "ถูกทำร้าย", "ถูกรังแก", "ถูกเลิกจ้าง", "ถูกไล่", "ถูกข่มขู่", "ถูกยึด", "ถูกรุก",
    "ถูกเรียก", "เสียหาย", "เดือดร้อน", "ไม่ได้รับ", "ไม่ยอม", "ไม่มา", "ไม่มีใคร", "ไม่จ่าย", "ไม่คืน", "ไม่ซ่อม",
    "ไม่เก็บ", "ไม่ตรงปก", "ไม่สนใจ", "ไม่ให้", "ไม่ไหล", "ไม่ติด", "ไม่ดี", "ไม่สุภาพ", "ไม่ปลอดภัย", "พัง", "ชำรุด",
    "รั่ว", "ท่วม", "ไฟดับ", "หลุม", "เสียงดัง", "ดังมาก", "เพลงดัง", "เหม็น", "ค้าง", "ข่มขู่", "ทำร้าย", "ตบตี",
    "ทุบตี", "รุกล้ำ", "บุกรุก", "ละเลย", "เรียกเงิน", "เรียกรับ", "ใต้โต๊ะ", "ทุจริต", "คอรัปชั่น", "คอร์รัปชัน", "โกง",
    "หลอก", "ล้ม", "ขวาง", "ลักลอบ", "มั่วสุม", "ควันไฟ", "ฝุ่นเยอะ", "เผาขยะ", "จรจัด", "กัด", "อันตราย", "มืดมาก",
    "รอนาน", "ช้ามาก", "เลือกปฏิบัติ", "ดอกโหด", "ด่า", "ขโมย", "ลักทรัพย์", "ทิ้งขยะ", "ขยะเต็ม", "ขยะล้น", "ช่วยด้วย",
    "ไม่เป็นธรรม", "ไม่ได้เงิน", "ยาบ้า", "แตก", "อุดตัน", "น้ำขัง", "ดับมา", "ดับหมด", "ดับทั้ง", "ดับแล้ว", "ดับทุก", "โดยไม่", "ตัดไฟ",
    "ตัดน้ำ", "น้ำเสีย", "น้ำเน่า", "ปลาตาย", "บ้านผม", "บ้านฉัน", "บ้านหนู", "บ้านดิฉัน", "ทิ้งไว้", "ปล่อยให้", "ไม่ได้ทำ", "ไม่เคย",
)  # fmt: skip
_PROBLEM_TH_SPAN = re.compile(r"มา\s*(\d+|หลาย|หนึ่ง|สอง|สาม|สี่|ห้า|เป็น)\s*(วัน|เดือน|ปี|อาทิตย์|สัปดาห์)|ทุกคืน|ทุกวัน|ตั้งแต่")
_PROBLEM_EN = re.compile(
    r"\b(scam\w*|cheat\w*|fraud\w*|broken|not working|doesn'?t work|flood\w*|nois\w+|loud|stink\w*|smell\w*|"
    r"garbage|rubbish|trash|pothole\w*|won'?t|refus\w+|haven'?t|hasn'?t|didn'?t|owes?|threat\w*|beat\w*|bribe\w*|"
    r"corrupt\w*|damag\w+|leak\w*|blackout|power cut|no water|stray|blocked|dangerous|unsafe|unpaid|not paid|"
    r"fired|stole|stolen|encroach\w*|harass\w*|rude|ignor\w+|nobody|no one|collapsed|fell|burning|smoke|"
    r"overcharg\w*|kept my|kept the|kept our|cancell?ed|took my|took part|on my land|fence|bites?|biting|attacked|hit me|abus\w+|bitten|stuck|dumped|dumping)\b|"
    r"\bfor (\d+|two|three|four|five|several|many) (days|weeks|months|years)\b|\bevery (night|day)\b"
)
# The platform's tracking numbers: Buddhist year, then six letters and digits without look-alikes.
_TRACKING_NUMBER = re.compile(r"\b25\d\d\s?-?\s?[2-9a-hjkmnp-z]{6}\b")
# Asking about a thing rather than asking for it: its meaning, a loss, a hypothetical.
_ABOUT = re.compile(r"แปลว่า|หมายถึง|หมายความ|หาย|\b(lost|meaning|mean|means|forgot)\b")
_HYPOTHETICAL = re.compile(r"^(หาก|ถ้า|กรณี)|\b(if|in case)\b")
_WANTS = re.compile(
    r"อยาก|ต้องการ|^ขอ|จะ|\b(want|wanna|would like|i'd like|need to|let me|help me)\b|^(file|make|lodge)\b"
)
_PERSONAL = re.compile(
    r"ผม|ฉัน|เรา|หนู|ดิฉัน|กู|บ้าน|แม่|พ่อ|ลูก|ซอย|หมู่|หน้า|ข้าง|แถว|ทุก|แล้ว|เมื่อวาน|วันนี้|ตอนนี้|"
    r"\b(i|i'm|i've|my|our|we|me|us|mine|in front|next to|near|every|since|yesterday|today|last|this)\b"
)
_ABOUT_CENTER = re.compile(r"ศูนย์|ดำรงธรรม|\b(cent(er|re)s?|damrongdham)\b")
_FACT_WORDS = {
    "phone": re.compile(r"เบอร์|โทร|\b(phone|telephone|tel|call|hotline)\b"),
    "hours": re.compile(
        r"เปิดกี่โมง|ปิดกี่โมง|กี่โมง|เวลาเปิด|เปิดปิด|เปิดทำการ|เวลาทำการ|เวลาราชการ|เปิดวัน|เปิดไหม|เปิดมั้ย|"
        r"เปิดเสาร์|เปิดอาทิตย์|\b(hours|open|opens|opening|close|closes|closing)\b"
    ),
    "address": re.compile(
        r"ที่อยู่|อยู่ที่ไหน|อยู่ตรงไหน|อยู่ไหน|ตั้งอยู่|ที่ตั้ง|แผนที่|ไปยังไง|ไปอย่างไร|"
        r"\b(address|where is|where's|located|location|map|directions)\b"
    ),
    "email": re.compile(r"อีเมล|อีเมล์|\b(e-?mail)\b"),
}
_FACT_ENTRY = {"phone": "hotline", "hours": "office_hours", "address": "center_location", "email": "center_email"}
_MY_COMPLAINT = re.compile(r"\bmy (complaint|case|report)s?\b|เรื่องของ(ผม|ฉัน|หนู|ดิฉัน)|เรื่องที่(แจ้ง|ร้องเรียน)ไว้")
_MENU_WORDS = {
    "menu:ask": ("ถามคำถาม", "ask a question", "i have a question", "มีคำถาม"),
    "menu:mine": ("เรื่องของฉัน", "my complaints", "เรื่องของผม"),
}


@dataclass(frozen=True)
class Understanding:
    """What the chat should do with one message.

    kind: one of KINDS. question: answer from ``faq`` (None: say so and offer an officer); complaint:
    start a filing (``describes`` tells whether the text is the problem itself, to keep as its first
    words); both: answer and offer "file this as a complaint" carrying the text over; tracking: ask
    for or use ``tracking_number``; menu: the command in ``action`` (menu:file, menu:leave, menu:ask,
    menu:mine, cancel); small_talk: greet back; unknown: nothing fits.
    """

    kind: str
    confidence: float
    lang: str  # "th" or "en": the language to answer in
    intent: str  # the command-level reading of nlp.intents (kept for callers of detect_intent)
    faq: FaqAnswer | None = None
    action: str = ""
    describes: bool = False
    tracking_number: str = ""
    area: Area = Area()  # a province or district the message names, for per-center answers


# Question words that ask nothing: "ไม่มีใครมาซ่อม" (nobody came to fix it), "ที่ไหนก็ได้" (anywhere).
_NOT_ASKING = re.compile(r"ไม่มีใคร|ไม่ว่า(ใคร|อะไร|ที่ไหน)|(ใคร|อะไร|ที่ไหน)ก็|ไม่รู้จะ")


def _asks(clean: str) -> bool:
    plain = _NOT_ASKING.sub(" ", clean)
    return any(q in plain for q in _QUESTION_TH) or bool(_QUESTION_EN.search(plain))


def _heading(clean: str) -> bool:
    return (
        clean.startswith(_HEADING_TH_START)
        or any(h in clean for h in _HEADING_TH_ANY)
        or (len(clean) < 80 and bool(_HEADING_EN.search(clean)))
    )


def _problem(clean: str) -> bool:
    return any(p in clean for p in _PROBLEM_TH) or bool(_PROBLEM_TH_SPAN.search(clean) or _PROBLEM_EN.search(clean))


def _personal(clean: str) -> bool:
    return _PERSONAL.search(clean) is not None or _PROBLEM_TH_SPAN.search(clean) is not None


def _short_topic(clean: str) -> bool:
    """Short enough to be a topic rather than an account: five English words, or 30 Thai characters."""
    return len(clean.split()) <= 5 if detect_language(clean) == "en" else len(clean) <= 30


def _how(clean: str) -> bool:
    return any(h in clean for h in _HOW_TH) or bool(_HOW_EN.search(clean))


def _center_fact_entry(clean: str) -> str | None:
    """The entry for a contact fact asked of a center ("เบอร์โทรศูนย์ดำรงธรรมจังหวัดตรัง"), by its words:
    the wording varies too little between these entries for similarity to tell them apart reliably."""
    if not _ABOUT_CENTER.search(clean):
        return None
    facts = [fact for fact, words in _FACT_WORDS.items() if words.search(clean)]
    if not facts:
        return None
    if "email" in facts:
        return _FACT_ENTRY["email"]  # "ที่อยู่อีเมล", "e-mail address": the address is the e-mail's
    return _FACT_ENTRY[facts[0]] if len(facts) == 1 else "center_contact"


def _faq(retriever: FaqRetriever | None, text: str) -> FaqAnswer | None:
    if retriever is None:
        from nlp.faq import load_faq

        retriever = load_faq()
    entry = _center_fact_entry(normalize(text, max_chars=500))
    if entry is not None:
        found = retriever.answer_for(entry, text, score=1.0)
        if found is not None:
            return found
    return retriever.answer(text)


def understand(text: str, retriever: FaqRetriever | None = None) -> Understanding:
    """Read one chat message (never raises on odd input). ``retriever`` defaults to the shipped FAQ."""
    try:
        clean = normalize(text, max_chars=500)
    except ValueError:
        return Understanding("unknown", 0.0, "th", "unknown")
    lang = "en" if detect_language(clean) == "en" else "th"
    command = detect_intent(text)
    if not has_content(clean):
        return Understanding("unknown", 0.0, lang, command.name)
    asks, problem, area = _asks(clean), _problem(clean), area_mentioned(clean)
    found = _TRACKING_NUMBER.search(clean)

    def made(kind: str, confidence: float, **extra) -> Understanding:
        return Understanding(kind, confidence, lang, command.name, area=area, **extra)

    if found:
        return made("tracking", 0.9, tracking_number=re.sub(r"[\s-]", "", found.group(0)).upper())
    for action, words in _MENU_WORDS.items():
        if clean in words:
            return made("menu", 0.95, action=action)
    # A heading or a how-question about a command ("วิธีติดตามเรื่อง", "lost my tracking number",
    # "การฝากคำถามถึงเจ้าหน้าที่") asks about it; only a plain request is the command itself.
    about = _how(clean) or _heading(clean) or _ABOUT.search(clean) is not None
    name = command.name
    if name == "cancel" and not asks and not about:
        return made("menu", 0.9, action="cancel")
    if name == "talk_to_officer" and not about and (not asks or len(clean) < 50):
        return made("menu", 0.9, action="menu:leave")
    if name == "track" and not problem and not about and len(clean) < 60:
        if not asks or _MY_COMPLAINT.search(clean):
            return made("tracking", 0.9)
    if name == "greeting" and not asks:
        return made("small_talk", 0.9)
    if asks:
        answer = _faq(retriever, text)
        if problem and not _HYPOTHETICAL.search(clean):
            return made("both", 0.8, faq=answer, describes=True)
        return made("question", 0.9 if answer else 0.7, faq=answer)
    wants_to_file = _WANTS.search(clean) is not None and cue_matches(clean, "file_complaint")
    if wants_to_file and not problem:
        # "อยากร้องเรียน", "I want to file a complaint": the filing, with nothing to keep as its first words.
        return made("complaint", 0.9, action="menu:file", describes=len(clean) >= 40)
    if problem:
        if not _personal(clean) and (_short_topic(clean) or clean.startswith(_HEADING_TH_START)):
            # A topic without a person or place in it ("Noise nuisance complaints", "ไฟถนนเสีย") reads
            # as a heading: answer what the FAQ knows and offer to file it.
            answer = _faq(retriever, text)
            if answer is not None:
                return made("both", 0.6, faq=answer, describes=True)
        return made("complaint", 0.9, action="menu:file", describes=True)
    if len(clean) >= 40 and _personal(clean) and not _heading(clean):
        # An account of what happened to someone ("The tour company cancelled our trip and kept the
        # money") is a complaint even where no cue word names the harm.
        return made("complaint", 0.6, action="menu:file", describes=True)
    answer = _faq(retriever, text)
    if answer is not None or _heading(clean):
        return made("question", answer.score if answer else 0.6, faq=answer)
    if cue_matches(clean, "file_complaint"):
        return made("complaint", 0.7, action="menu:file", describes=len(clean) >= 40)
    # A longer message with no cue at all is most often someone describing a problem; a short one
    # is nothing we can act on, and the chat shows its menu.
    if len(clean) >= 40:
        return made("complaint", 0.5, action="menu:file", describes=True)
    return made("unknown", 0.2)
