"""Migration 0020 and the FAQ proposals' store on SQLite and PostgreSQL: the table goes up, down and
up again; a proposal is refused without both languages, proposed, edited and approved once (a second
review is refused), its history names who did what; rejecting needs a reason; the approved set's
stamp changes with each approval (it is what every app process compares before rebuilding its FAQ)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from alembic import command
from db import faq_proposals as fp
from tests.conftest import alembic_config, empty_database


def check(url: str) -> None:
    cfg = alembic_config(url)
    command.upgrade(cfg, "0020")
    command.downgrade(cfg, "0019")
    engine = sa.create_engine(url)
    try:
        assert "faq_proposals" not in sa.inspect(engine).get_table_names()
        command.upgrade(cfg, "0020")
        engine.dispose()
        assert "faq_proposals" in sa.inspect(engine).get_table_names()
        sessions = sessionmaker(engine)
        with pytest.raises(fp.ProposalRefused, match="in Thai and in English"):
            fp.wording("ถามอะไร", "\n \n", "ตอบ", "answer")
        with sessions.begin() as s:
            assert fp.version(s) == (0, "")
            first = fp.propose(s, fp.wording("ถามหนึ่ง\nถามหนึ่ง", "ask one", "ตอบหนึ่ง", "one"), "sikao", "q-1", "D9205")
            second = fp.propose(s, fp.wording("ถามสอง", "ask two", "ตอบสอง", "two"), "sikao")
            ids = first.id, second.id
        with sessions.begin() as s:
            assert s.get(fp.FaqProposal, ids[0]).questions_th == "ถามหนึ่ง"  # the repeat dropped
            fp.approve(s, ids[0], fp.wording("ถามหนึ่ง\nถามแบบอื่น", "ask one", "ตอบหนึ่ง", "one"), "root")
        with sessions.begin() as s:
            stamp = fp.version(s)
            assert stamp[0] == 1
            with pytest.raises(fp.ProposalRefused, match="reviewed already"):
                fp.approve(s, ids[0], fp.wording("a", "b", "c", "d"), "root")
            with pytest.raises(fp.ProposalRefused, match="give a reason"):
                fp.reject(s, ids[1], "root", "  ")
            fp.reject(s, ids[1], "root", "ซ้ำกับหัวข้อเดิม")
        with sessions() as s:
            assert fp.version(s) == stamp  # a rejection does not change what the chat answers
            row = s.get(fp.FaqProposal, ids[0])
            assert [(h["action"], h["by"]) for h in row.history] == [
                ("proposed", "sikao"),
                ("edited", "root"),
                ("approved", "root"),
            ]
            assert row.history[1]["before"] == {"questions_th": "ถามหนึ่ง"}
            assert [r.id for r in fp.approved(s)] == [ids[0]] and fp.pending(s) == []
            assert {r.id for r in fp.reviewed(s)} == set(ids)
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_faq_proposals_migrate_and_keep_their_review_history(kind, tmp_path):
    with empty_database(kind, tmp_path) as url:
        check(url)
