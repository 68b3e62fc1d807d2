"""Chat intent detection: what a citizen's free-text message in the chatbot wants to do (file a
complaint, track one, ask a question, talk to an officer, greet, cancel), in Thai or English.

This module owns the cue phrases and ``detect_intent``, the command-level reading of a message.
The decision the chat acts on, question or complaint or both, lives in ``nlp.understanding``, which
builds on these cues. Rules are instant and explainable, and "unknown" is a safe fallback because
the chatbot then shows its menu.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.text import has_content, normalize

INTENTS = ("file_complaint", "track", "ask_question", "talk_to_officer", "greeting", "cancel", "unknown")


@dataclass(frozen=True)
class Intent:
    name: str  # one of INTENTS
    confidence: float  # 0..1; rule matches are 0.9, heuristics lower


# Cue phrases per intent, checked on normalised (case-folded) text. Thai has no spaces, so Thai cues
# match anywhere; English cues match at word boundaries.
_CUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cancel": (
        ("ยกเลิก", "ไม่เอาแล้ว", "ช่างมัน", "หยุด", "ออกจากเมนู", "เลิกทำ"),
        ("cancel", "stop", "never mind", "nevermind", "abort", "quit", "forget it", "exit"),
    ),
    "talk_to_officer": (
        ("คุยกับเจ้าหน้าที่", "ขอคุยกับคน", "ติดต่อเจ้าหน้าที่", "ขอสายเจ้าหน้าที่", "ฝากคำถาม", "คุยกับคนจริง", "ขอเจ้าหน้าที่", "แอดมิน"),
        (
            "talk to an officer",
            "talk to officer",
            "speak to an officer",
            "talk to a human",
            "real person",
            "human agent",
            "talk to someone",
            "officer please",
            "leave a question",
            "contact staff",
            "speak to staff",
            "agent",
        ),
    ),
    "track": (
        (
            "ติดตาม",
            "เช็คสถานะ",
            "เช็กสถานะ",
            "ตรวจสอบสถานะ",
            "สถานะเรื่อง",
            "ความคืบหน้า",
            "เรื่องไปถึงไหน",
            "ถึงไหนแล้ว",
            "เลขติดตาม",
        ),
        (
            "track",
            "status",
            "progress",
            "follow up",
            "follow-up",
            "tracking number",
            "where is my complaint",
            "any update",
        ),
    ),
    "file_complaint": (
        ("ร้องเรียน", "ร้องทุกข์", "แจ้งเรื่อง", "แจ้งปัญหา", "ขอความช่วยเหลือ", "ขอให้ช่วย", "เดือดร้อน", "แจ้งเหตุ", "ฮ้องเรียน"),
        (
            "complain",
            "complaint",
            "report a problem",
            "report an issue",
            "file a",
            "lodge",
            "grievance",
            "i want to report",
            "report",
        ),
    ),
    "greeting": (
        ("สวัสดี", "หวัดดี", "ดีครับ", "ดีค่ะ", "ดีจ้า", "ฮัลโหล", "ฮาโหล", "สบายดีไหม", "ขอบคุณ"),
        ("hello", "hi", "hey", "good morning", "good afternoon", "good evening", "thanks", "thank you"),
    ),
}
# When several intents match, the more specific one wins ("ยกเลิกเรื่องร้องเรียน" is a cancel,
# "ติดตามเรื่องร้องเรียน" is a track, "สวัสดีค่ะ อยากร้องเรียน" is a complaint).
_PRIORITY = ("cancel", "talk_to_officer", "track", "file_complaint", "greeting")

_TRACKING_NUMBER = re.compile(r"\b[a-z]{1,4}-?\d{4}-?[a-z0-9]{4,}\b|\b\d{8,}\b")
_QUESTION_TH = (
    "ไหม",
    "มั้ย",
    "หรือเปล่า",
    "อย่างไร",
    "ยังไง",
    "เท่าไหร่",
    "เท่าไร",
    "ที่ไหน",
    "กี่",
    "อะไร",
    "เมื่อไหร่",
    "ได้บ่",
    "ทำไม",
)
_QUESTION_EN = re.compile(r"^(how|what|where|when|why|who|which|can|could|do|does|is|are|should|may)\b|\?")


def cue_matches(clean: str, intent: str) -> bool:
    """True when normalised text holds one of ``intent``'s cue phrases."""
    thai, english = _CUES[intent]
    if any(cue in clean for cue in thai):
        return True
    return any(re.search(r"\b" + re.escape(cue) + r"\b", clean) for cue in english)


def detect_intent(text: str) -> Intent:
    """The intent of one chat message; ``unknown`` when nothing fits (never raises on odd input)."""
    try:
        clean = normalize(text, max_chars=500)
    except ValueError:
        return Intent("unknown", 0.0)
    if not has_content(clean):
        return Intent("unknown", 0.0)
    matched = [name for name in _PRIORITY if cue_matches(clean, name)]
    # A greeting followed by a request is the request.
    if matched and matched != ["greeting"]:
        matched = [m for m in matched if m != "greeting"]
    if matched:
        # Cancel only counts when the message is short: "they cancelled my tour and kept the money"
        # is a complaint, not a command.
        if matched[0] == "cancel" and len(clean) > 40:
            matched = matched[1:] or ["file_complaint"]
        if (
            matched[0] == "track"
            and "file_complaint" in matched
            and not _TRACKING_NUMBER.search(clean)
            and len(clean) > 60
        ):
            return Intent("file_complaint", 0.7)
        return Intent(matched[0], 0.9)
    if _TRACKING_NUMBER.search(clean):
        return Intent("track", 0.7)
    if _QUESTION_EN.search(clean) or any(q in clean for q in _QUESTION_TH):
        return Intent("ask_question", 0.6)
    # A longer free-text message with no cue is most often someone describing a problem.
    if len(clean) >= 25:
        return Intent("file_complaint", 0.5)
    return Intent("unknown", 0.2)
