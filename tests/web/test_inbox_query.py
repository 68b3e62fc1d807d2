"""The inbox query on a real read model (fresh SQLite and PostgreSQL databases, migrated and seeded), with rows written
as the projection writes them: keyset pages walk every task exactly once in each order, the filters
(overdue, at risk, mine, unassigned, kind, search in Thai and English) pick the right rows, a question
left for an officer is a task in the same list, and scope keeps other centers' rows out. Also the
Buddhist-era formatting and the phrases the pages use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from db.inbox_queries import InboxFilter, inbox_page
from db.models import Case, Question, Task
from db.session import make_engine, make_sessions
from tests.conftest import ready_database
from web import i18n
from web.case_view import ACTION_RULES
from web.scope import Scope, scope_of
from web.texts import TEXTS
from workflows import contracts as c

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class Who:
    def __init__(self, center_code: str) -> None:
        self.center_code = center_code


def _load(url: str) -> None:
    engine = make_engine(url)
    with make_sessions(engine).begin() as s:
        for i in range(12):
            number = f"2569-INB{i:03d}"
            due = NOW + timedelta(hours=[-30, 5, 72][i % 3])  # overdue, at risk, later
            s.add(
                Case(
                    tracking_number=number,
                    workflow_id=f"complaint-{number}",
                    pin_hash="x",
                    status=c.TRIAGE if i % 2 else c.RETURNED,
                    text=("ถนนพังหน้าโรงเรียน" if i % 4 == 0 else "street light broken") + f" #{i}",
                    category="infrastructure",
                    agency_code="PAO-92" if i == 5 else None,
                    center_code="D9205" if i < 10 else "D8101",
                    filed_with=None,
                    province_code="92",
                    district_code="9205",
                    filed_at=NOW - timedelta(days=i),
                    updated_at=NOW,
                    assignee="sikao" if i in (1, 2) else None,
                    next_due_at=due,
                )
            )
            s.add(
                Task(
                    task_key=f"{number}:triage:1",
                    tracking_number=number,
                    kind=c.TASK_TRIAGE,
                    center_code="D9205",
                    assignee="sikao" if i in (1, 2) else None,
                    state="open",
                    opened_at=NOW - timedelta(days=i, minutes=i % 2),
                )
            )
        s.add(
            Task(
                task_key="2569-INB000:follow_up:0",
                tracking_number="2569-INB000",
                kind=c.TASK_FOLLOW_UP,
                center_code="D9205",
                state="done",
                opened_at=NOW,
            )
        )
        s.add(
            Question(
                question_id="q-inbox-1",
                workflow_id="question-q-inbox-1",
                status="open",
                text="ต่อภาษีรถได้ที่ไหน",
                center_code="D9205",
                channel="web",
                asked_at=NOW - timedelta(hours=1),
                due_at=NOW + timedelta(hours=2),
                overdue=False,
            )
        )
        s.add(
            Question(
                question_id="q-inbox-2",
                workflow_id="question-q-inbox-2",
                status="answered",
                text="ตอบแล้ว",
                center_code="D9205",
                channel="web",
                asked_at=NOW,
                overdue=False,
            )
        )
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request, tmp_path_factory, fake_agency):
    """A database of its own: these made-up rows have no workflows behind them."""
    with ready_database(request.param, tmp_path_factory.mktemp("inbox"), fake_agency.base_url) as url:
        _load(url)
        engine = make_engine(url)
        yield make_sessions(engine)
        engine.dispose()


def keys(sessions, scope: Scope, **kw) -> list[str]:
    with sessions() as s:
        got, after = [], ""
        for _ in range(50):
            page = inbox_page(s, InboxFilter(after=after, limit=4, **kw), scope.clause, "sikao", NOW)
            got += [r.key for r in page.rows]
            if page.next_cursor is None:
                return got
            after = page.next_cursor
    raise AssertionError("the pages never ended")


def test_keyset_pages_walk_every_open_task_once_in_each_order(loaded):
    with loaded() as s:
        sikao = scope_of(s, Who("D9205"))
    expected = {f"2569-INB{i:03d}:triage:1" for i in range(10)} | {"q-inbox-1"}
    for sort in ("newest", "oldest", "due"):
        walked = keys(loaded, sikao, sort=sort)
        assert len(walked) == len(set(walked)) and set(walked) == expected, sort
    newest = keys(loaded, sikao, sort="newest")
    assert newest[0] == "2569-INB000:triage:1" and newest[-1] == "2569-INB009:triage:1"
    assert keys(loaded, sikao, sort="oldest") == list(reversed(newest))
    assert keys(loaded, sikao, sort="due")[:4] == [
        "2569-INB000:triage:1",
        "2569-INB003:triage:1",
        "2569-INB006:triage:1",
        "2569-INB009:triage:1",
    ]


def test_filters_and_search(loaded):
    with loaded() as s:
        sikao, everyone = scope_of(s, Who("D9205")), scope_of(s, Who("MOI"))
    assert set(keys(loaded, sikao, due="overdue")) == {f"2569-INB{i:03d}:triage:1" for i in (0, 3, 6, 9)}
    assert set(keys(loaded, sikao, due="at_risk")) == {f"2569-INB{i:03d}:triage:1" for i in (1, 4, 7)} | {"q-inbox-1"}
    assert set(keys(loaded, sikao, holder="mine")) == {"2569-INB001:triage:1", "2569-INB002:triage:1"}
    assert "q-inbox-1" in keys(loaded, sikao, holder="unassigned")
    assert keys(loaded, sikao, kind="answer_question") == ["q-inbox-1"]
    assert keys(loaded, sikao, status=c.RETURNED) == [f"2569-INB{i:03d}:triage:1" for i in (0, 2, 4, 6, 8)]
    assert set(keys(loaded, sikao, q="ถนนพัง")) == {f"2569-INB{i:03d}:triage:1" for i in (0, 4, 8)}
    assert len(keys(loaded, sikao, q="Street LIGHT")) == 7  # any case
    assert keys(loaded, sikao, q="2569-inb005") == ["2569-INB005:triage:1"]
    assert keys(loaded, sikao, q="องค์การบริหารส่วนจังหวัดตรัง") == ["2569-INB005:triage:1"]  # the agency's name
    assert keys(loaded, sikao, q="ภาษีรถ") == ["q-inbox-1"]
    assert not set(keys(loaded, sikao)) & {"2569-INB010:triage:1", "2569-INB011:triage:1"}
    assert {"2569-INB010:triage:1", "2569-INB011:triage:1"} <= set(keys(loaded, everyone))


def test_buddhist_era_dates_and_labels():
    at = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # 16:30 in Bangkok
    assert i18n.be_datetime(at, "th") == "24 พ.ย. 2569 16:30"
    assert i18n.be_datetime(at, "en") == "24 Nov 2569 16:30"
    assert i18n.be_date_long(date(2027, 1, 5)) == "5 มกราคม 2570"
    assert i18n.duration(3 * 86400 + 4 * 3600, "th") == "3 วัน 4 ชม."
    assert i18n.duration(-90 * 60, "en") == "1 h 30 min"
    for action in ACTION_RULES:
        assert f"act_{action}" in TEXTS
    for kind in (
        c.TASK_TRIAGE,
        c.TASK_FORWARD_LETTER,
        c.TASK_FORWARD_MANUAL,
        c.TASK_FOLLOW_UP,
        c.TASK_REVIEW_DISPUTE,
        "answer_question",
        c.SCREENING,
        c.STATUTORY,
        c.RESOLUTION,
        c.PROGRESS,
        c.RATING,
    ):
        assert kind in TEXTS
    with pytest.raises(ValueError):
        i18n.add_texts({"logout": ("x", "y")})


def test_every_phrase_a_template_asks_for_exists_in_both_languages():
    import re
    from pathlib import Path

    import web.routes  # noqa: F401  (every router, so every module's add_texts has run)

    asked = {
        m.group(1)
        for f in (Path(i18n.__file__).parent / "templates").glob("*.html")
        for m in re.finditer(r"(?<![\w.])t\('([a-z_0-9]+)'\)", f.read_text())
    }
    assert asked and not asked - set(TEXTS)
    assert all(th and en for th, en in TEXTS.values())
