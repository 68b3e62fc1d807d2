""" "Did this help?" answers per FAQ entry, on SQLite and PostgreSQL migrated from scratch: each chat
message counts once however often it is redelivered, and the counts come back per entry, least helpful
first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db import faq_feedback
from db.session import make_engine, make_sessions
from tests.conftest import ready_database

AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_answers_are_counted_per_entry_once_per_message(kind, tmp_path, fake_agency):
    with ready_database(kind, tmp_path, fake_agency.base_url) as url:
        engine = make_engine(url)
        sessions = make_sessions(engine)
        try:
            with sessions.begin() as s:
                assert faq_feedback.record(s, event_id="m1", entry_id="hotline", helpful=True, lang="th", at=AT)
                assert faq_feedback.record(s, event_id="m2", entry_id="hotline", helpful=False, lang="en", at=AT)
                assert faq_feedback.record(
                    s, event_id="m3", entry_id="hotline", helpful=True, lang="th", at=AT + timedelta(hours=1)
                )
                assert faq_feedback.record(s, event_id="m4", entry_id="id_card", helpful=False, lang="th", at=AT)
            with sessions.begin() as s:
                # The same tap delivered again (a LINE retry) is not a second answer.
                assert not faq_feedback.record(s, event_id="m4", entry_id="id_card", helpful=True, lang="th", at=AT)
            with sessions() as s:
                got = faq_feedback.stats(s)
                assert [r.entry_id for r in got] == ["id_card", "hotline"]
                id_card, hotline = got
                assert (id_card.helpful, id_card.not_helpful) == (0, 1)
                assert (hotline.helpful, hotline.not_helpful, hotline.total) == (2, 1, 3)
                assert abs(hotline.helpful_share - 2 / 3) < 1e-9
                assert hotline.last_at.replace(tzinfo=UTC) == AT + timedelta(hours=1)
                assert [r.entry_id for r in faq_feedback.stats(s, ["hotline"])] == ["hotline"]
        finally:
            engine.dispose()


def test_an_answer_without_its_message_or_entry_is_refused(tmp_path, fake_agency):
    with ready_database("sqlite", tmp_path, fake_agency.base_url) as url:
        engine = make_engine(url)
        try:
            with make_sessions(engine)() as s:
                with pytest.raises(ValueError, match="entry"):
                    faq_feedback.record(s, event_id="m1", entry_id="", helpful=True, lang="th", at=AT)
                assert faq_feedback.stats(s) == []
        finally:
            engine.dispose()
