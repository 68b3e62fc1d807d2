"""The similar-cases read queries on real migrated read models, SQLite and PostgreSQL, with cases and
links projected through the real projection: the candidates of a case (open, same category, same
district, never itself), a lead's followers, and the board's clusters (counts, open count, oldest
filing) within a supervisor's scope."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from db import similar_cases
from db.models import Case
from db.projection import apply_event
from db.session import make_engine, make_sessions
from tests.web.board_fixtures import NOW, iso, only, seed_case
from web.auth import StaffUser
from web.scope import case_clause, scope_of
from workflows import contracts as c


@pytest.fixture(params=["sqlite", "postgres"])
def sessions(request):
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    yield make_sessions(engine)
    engine.dispose()


def link(s, number: str, lead: str | None, status: str = c.IN_PROGRESS) -> None:
    """Project the follower's `linked` (or `unlinked`) event as its workflow would."""
    state = c.CaseState(status=status, category="infrastructure", center_code="D9205", lead=lead, seq=3)
    kind = "linked" if lead else "unlinked"
    apply_event(s, c.CaseEventRecord(number, f"complaint-{number}", 3, kind, iso(NOW), "o", state, public=False))


def test_candidates_are_open_cases_of_the_same_area_and_category(sessions):
    with sessions.begin() as s:
        case = seed_case(s, "D9205")
        alike = seed_case(s, "D9205", status=c.FORWARDED)
        other_kind = seed_case(s, "D9205", category="consumer")
        other_district = seed_case(s, "D9202")
        closed = seed_case(s, "D9205", status=c.CLOSED)
    with sessions() as s:
        got = {x.tracking_number for x in similar_cases.candidates(s, s.get(Case, case))}
        assert alike in got
        assert not got & {case, other_kind, other_district, closed}


def test_clusters_count_a_lead_and_its_followers_within_scope(sessions):
    with sessions.begin() as s:
        lead = seed_case(s, "D9205", filed_ago=timedelta(days=3))
        first = seed_case(s, "D9205", filed_ago=timedelta(days=9))
        second = seed_case(s, "D9205", status=c.RESOLVED, filed_ago=timedelta(days=1))
        gone = seed_case(s, "D9205")
        link(s, first, lead)
        link(s, second, lead, status=c.RESOLVED)
        link(s, gone, lead)
    with sessions.begin() as s:  # unlinked later: no longer in the cluster
        state = c.CaseState(status=c.IN_PROGRESS, category="infrastructure", center_code="D9205", seq=4)
        apply_event(s, c.CaseEventRecord(gone, f"complaint-{gone}", 4, "unlinked", iso(NOW), "o", state, public=False))
    mine = [lead, first, second, gone]
    with sessions() as s:
        assert [f.tracking_number for f in similar_cases.followers(s, lead)] == [first, second]
        (cluster,) = similar_cases.clusters(s, only(mine))
        assert cluster.lead == lead and cluster.cases == 3 and cluster.open_cases == 2
        assert cluster.district_code == "9205" and cluster.category == "infrastructure"
        assert abs((_aware(cluster.oldest) - (NOW - timedelta(days=9))).total_seconds()) < 2
        trang = StaffUser("trang", "Trang", "supervisor", "P92", "x")
        krabi = StaffUser("krabi", "Krabi", "supervisor", "P81", "x")
        assert len(similar_cases.clusters(s, only(mine, case_clause(scope_of(s, trang))))) == 1
        assert similar_cases.clusters(s, only(mine, case_clause(scope_of(s, krabi)))) == []


def _aware(t):
    return t if t.tzinfo else t.replace(tzinfo=UTC)  # SQLite's datetimes come back naive (UTC)
