"""The sentence encoder loads from its installed package and encodes with no network: a fresh
process whose sockets refuse to connect (and to resolve names) loads the weights, encodes Thai and
English, and builds the FAQ retriever on them. Thai and English wordings of one question then find the
same entry, and the no-answer threshold still refuses what the knowledge base does not cover."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nlp.faq import load_faq

ROOT = Path(__file__).resolve().parents[2]

OFFLINE = textwrap.dedent(
    """
    import json, socket

    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network is blocked in this test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from nlp.encoder import SentenceEncoder
    from nlp.faq import load_faq

    encoder = SentenceEncoder()
    thai, english, other = encoder.encode(
        ["ศูนย์ดำรงธรรมเปิดกี่โมง", "What time does the Damrongdham Center open?", "ถนนหน้าบ้านเป็นหลุม"]
    )
    answer = load_faq().answer("What time does the Damrongdham Center open?")
    print(json.dumps({
        "shape": list(encoder.encode(["x"]).shape),
        "same": float(thai @ english),
        "different": float(thai @ other),
        "answer": answer.id if answer else None,
        "attempts": attempts,
    }))
    """
)


def test_the_encoder_loads_and_encodes_with_the_network_blocked():
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["attempts"] == []  # nothing even tried to connect
    assert got["shape"] == [1, 512]
    assert got["same"] > got["different"] + 0.2  # the Thai and English wordings of one question meet
    assert got["answer"] == "office_hours"


@pytest.mark.parametrize(
    "thai, english, entry",
    [
        ("บัตรประชาชนหายต้องทำอย่างไร", "I lost my national ID card, what should I do?", "id_card"),
        ("แจ้งตายต้องใช้เอกสารอะไร", "Which papers are needed to report a death?", "death_registration"),
        ("โฉนดที่ดินหาย", "My land title deed is missing", "land_title_lost"),
        ("นายจ้างไม่จ่ายค่าจ้าง ร้องเรียนที่ไหน", "Where do I complain when my boss does not pay wages?", "labour_rights"),
        ("ร้องเรียนแล้วกี่วันถึงได้คำตอบ", "How many days until I get an answer to my complaint?", "how_long"),
        ("ย้ายเข้าบ้านใหม่ต้องแจ้งที่ไหน", "Where do I register when I move into a new house?", "move_in"),
    ],
)
def test_thai_and_english_wordings_find_the_same_entry_in_their_own_language(thai, english, entry):
    faq = load_faq()
    in_thai, in_english = faq.answer(thai), faq.answer(english)
    assert in_thai is not None and in_thai.id == entry and in_thai.lang == "th"
    assert in_english is not None and in_english.id == entry and in_english.lang == "en"
    assert in_thai.answer != in_english.answer


def test_the_encoder_carries_a_question_the_lexical_match_alone_misses():
    """Across languages the words share nothing; the blended score clears the threshold where the
    lexical score alone does not."""
    faq = load_faq()
    lexical, semantic = faq.paraphrase_scores("Where can I get help with informal debt?")
    per_entry = faq.blend(lexical, semantic)
    best = int(per_entry.argmax())
    assert faq.entries[best].id == "debt_help" and per_entry[best] >= faq.threshold
    assert faq.blend(lexical, semantic, weight=0.0).max() < per_entry[best]


@pytest.mark.parametrize("question", ["ขอสูตรผัดกะเพราหน่อย", "How do I bake sourdough bread?", "แนะนำร้านกาแฟหน่อย"])
def test_what_the_knowledge_base_does_not_cover_gets_no_answer(question):
    assert load_faq().answer(question) is None
