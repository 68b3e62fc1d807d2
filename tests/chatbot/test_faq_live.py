"""The chat's FAQ across app processes: an entry approved elsewhere (another process, here another
session on the same read model) is answered once this process's stamp check comes round, not before;
`invalidate()` makes it look at once; a rejected proposal never answers. Lexical retrieval only (no
encoder) keeps this fast; the web test runs the real one."""

from __future__ import annotations

import time

from alembic import command
from chatbot.faq_live import LiveFaq
from db import faq_proposals as fp
from db.session import make_engine, make_sessions
from nlp.faq import FaqRetriever, load_entries
from tests.conftest import alembic_config

QUESTION = "ขอใบอนุญาตเลี้ยงไก่ชนในหมู่บ้านต้องทำอย่างไร"
ANSWER = "ยื่นคำขอที่ปศุสัตว์อำเภอพร้อมบัตรประชาชน"


def test_an_entry_approved_by_another_process_is_answered_after_the_stamp_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'faq.db'}"  # a read model of its own: the chat stack's must not learn these
    command.upgrade(alembic_config(url), "0020")
    engine = make_engine(url)
    sessions = make_sessions(engine)
    try:
        live = LiveFaq(sessions, FaqRetriever(load_entries()), check_every=3600)
        assert getattr(live.answer(QUESTION), "answer", None) != ANSWER  # warms up: stamp read now
        with sessions.begin() as s:
            w = fp.wording(
                QUESTION,
                "How do I get a permit to keep fighting cocks?",
                ANSWER,
                "Apply at the district livestock office.",
            )
            rejected = fp.propose(s, fp.wording(QUESTION, "x y z", "ผิด", "wrong"), "sikao")
            fp.reject(s, rejected.id, "root", "ผิด")
            row = fp.propose(s, w, "sikao")
            fp.approve(s, row.id, w, "root")
        assert getattr(live.answer(QUESTION), "answer", None) != ANSWER  # not looked yet: within check_every
        live.invalidate()
        found = live.answer(QUESTION)
        assert found is not None and found.answer == ANSWER and found.id == f"db-{row.id}"
        assert live.answer_for(f"db-{row.id}", "permit for fighting cocks?").answer.startswith("Apply at")

        other = LiveFaq(sessions, FaqRetriever(load_entries()), check_every=0.2)  # another process
        assert other.answer(QUESTION).answer == ANSWER
        with sessions.begin() as s:  # a later approval reaches it when its check comes round
            w2 = fp.wording(
                "ขอเลขที่บ้านใหม่สำหรับบ้านที่สร้างเสร็จ", "house number for a new house", "ยื่นที่สำนักทะเบียน", "At the registry."
            )
            fp.approve(s, fp.propose(s, w2, "sikao").id, w2, "root")
        time.sleep(0.3)
        assert other.answer("ขอเลขที่บ้านใหม่สำหรับบ้านที่สร้างเสร็จ").answer == "ยื่นที่สำนักทะเบียน"
    finally:
        engine.dispose()
