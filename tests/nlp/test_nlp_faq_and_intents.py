"""FAQ answers (paraphrases, both languages, no-answer threshold) and chat intent detection."""

from pathlib import Path

import pytest

from nlp.faq import evaluate_faq, load_entries, load_faq
from nlp.intents import INTENTS, detect_intent

EVAL = Path(__file__).resolve().parents[2] / "nlp" / "data" / "faq_eval.csv"


def test_knowledge_base_has_sixty_bilingual_entries_with_unique_ids():
    entries = load_entries()
    assert len(entries) >= 60
    assert len({e.id for e in entries}) == len(entries)
    assert all(e.answer["th"] and e.answer["en"] and e.questions["th"] and e.questions["en"] for e in entries)
    assert any(e.links for e in entries) and any(e.image for e in entries)


def test_thai_paraphrase_gets_the_thai_answer_with_links():
    answer = load_faq().answer("เบอร์สายด่วนศูนย์ดำรงธรรม")
    assert answer is not None and answer.id == "hotline"
    assert "1567" in answer.answer and answer.links[0]["url"].startswith("https://")


def test_english_question_gets_the_english_answer():
    answer = load_faq().answer("how long does it take before I hear back?")
    assert answer is not None and answer.id == "how_long" and "15 days" in answer.answer


def test_typo_still_matches():
    answer = load_faq().answer("ร้องเรียนแบบไม่เปิดเผยชื่อได้มั้ยคะ")
    assert answer is not None and answer.id == "anonymous"


@pytest.mark.parametrize("question", ["พรุ่งนี้ฝนจะตกไหม", "tell me a joke", "", "😀😀"])
def test_out_of_scope_question_gets_no_answer(question):
    assert load_faq().answer(question) is None


def test_faq_eval_figures_on_the_shipped_eval_set():
    figures = evaluate_faq(load_faq(), EVAL)
    assert figures["precision"] >= 0.9 and figures["recall"] >= 0.9 and figures["no_answer_accuracy"] >= 0.9


@pytest.mark.parametrize(
    "text, intent",
    [
        ("สวัสดีครับ", "greeting"),
        ("hello", "greeting"),
        ("สวัสดีค่ะ อยากร้องเรียนเรื่องถนน", "file_complaint"),
        ("I want to file a complaint", "file_complaint"),
        ("ถนนหน้าบ้านพังมาสามเดือนแล้วไม่มีใครมาซ่อม", "file_complaint"),
        ("ติดตามเรื่องร้องเรียน", "track"),
        ("what is the status of my complaint", "track"),
        ("ขอคุยกับเจ้าหน้าที่", "talk_to_officer"),
        ("can I talk to a real person", "talk_to_officer"),
        ("ยกเลิก", "cancel"),
        ("cancel", "cancel"),
        ("ศูนย์เปิดกี่โมง", "ask_question"),
        ("Where is the provincial center?", "ask_question"),
        ("", "unknown"),
        ("😀", "unknown"),
    ],
)
def test_intent_detection(text, intent):
    result = detect_intent(text)
    assert result.name == intent and result.name in INTENTS
