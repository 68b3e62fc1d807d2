"""The board's read queries on real migrated read models, SQLite and PostgreSQL, with cases projected
through the real projection: counts by center that roll districts up into their province and open
on the districts, aging buckets and at-risk, what is not overdue (resolved, paused, due later), the
overdue list with its late clock and holder, SLA compliance per center and category over a period,
a provincial supervisor's scope, and the CSV rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db import board_queries as bq
from db.session import make_engine, make_sessions
from tests.web.board_fixtures import NOW, clock, only, seed_case
from web.auth import StaffUser
from web.board import where_to_look
from web.scope import case_clause, scope_of
from workflows import contracts as c
from workflows.errors import CaseNotFound

H, D = timedelta(hours=1), timedelta(days=1)


@pytest.fixture(params=["sqlite", "postgres"])
def sessions(request):
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture
def seeded(sessions):
    """Trang (P92): Sikao overdue 3 and 10 days, Kantang 40 days, the province's own center at risk,
    Sikao due in 3 days; Krabi (P81) overdue 2 days; and three that are not overdue: resolved with the
    rating window past, paused for information, closed."""
    with sessions.begin() as s:
        cases = {
            "sikao_3d": seed_case(
                s,
                "D9205",
                clocks=[clock("statutory", -3 * D), clock("resolution", 20 * D)],
                assignee="sikao",
                tasks=("follow_up",),
            ),
            "sikao_10d": seed_case(
                s,
                "D9205",
                status=c.RECEIVED,
                clocks=[clock("screening", -10 * D)],
                tasks=("forward_letter",),
                category="land",
            ),
            "kantang_40d": seed_case(
                s, "D9202", clocks=[clock("resolution", -40 * D)], assignee="kantang", filed_ago=60 * D
            ),
            "p92_at_risk": seed_case(s, "P92", clocks=[clock("statutory", 5 * H)]),
            "sikao_later": seed_case(s, "D9205", clocks=[clock("statutory", 3 * D)]),
            "krabi_2d": seed_case(s, "D8101", clocks=[clock("statutory", -2 * D)]),
            "resolved": seed_case(
                s,
                "D9205",
                status=c.RESOLVED,
                clocks=[clock("statutory", -5 * D, "met", overdue=True), clock("rating", -1 * H)],
            ),
            "paused": seed_case(s, "D9205", status=c.NEEDS_INFO, clocks=[clock("statutory", -5 * D, "paused")]),
            "closed": seed_case(s, "D9202", status=c.CLOSED, clocks=[clock("statutory", 2 * D, "met")]),
        }
    return cases


def _by_code(rows):
    return {r.code: r.aging for r in rows}


def test_counts_roll_districts_up_into_their_province_and_open_on_the_districts(sessions, seeded):
    visible = only(seeded.values())
    with sessions() as s:
        top = _by_code(bq.center_loads(s, visible, bq.ALL, NOW))
        assert top == {"P92": bq.Aging(at_risk=1, up_to_7=1, d8_30=1, over_30=1), "P81": bq.Aging(up_to_7=1)}
        loads = bq.center_loads(s, visible, bq.node(s, "P92"), NOW)
        assert _by_code(loads) == {
            "D9205": bq.Aging(up_to_7=1, d8_30=1),
            "D9202": bq.Aging(over_30=1),
            "P92": bq.Aging(at_risk=1),
        }
        assert [r.code for r in loads] == ["D9205", "D9202", "P92"]  # most overdue first
        assert bq.total_aging(loads) == bq.Aging(at_risk=1, up_to_7=1, d8_30=1, over_30=1)
        assert _by_code(bq.center_loads(s, visible, bq.node(s, "D9205"), NOW)) == {
            "D9205": bq.Aging(up_to_7=1, d8_30=1)
        }
        names = {r.code: r for r in bq.center_loads(s, visible, bq.ALL, NOW)}
        assert names["P92"].name_th == "ศูนย์ดำรงธรรมจังหวัดตรัง" and names["P92"].drillable


def test_overdue_list_is_longest_overdue_first_with_late_clock_and_holder(sessions, seeded):
    with sessions() as s:
        rows = bq.overdue_cases(s, only(seeded.values()), bq.ALL, NOW)
    assert [r.tracking_number for r in rows] == [
        seeded[k] for k in ("kantang_40d", "sikao_10d", "sikao_3d", "krabi_2d")
    ]
    first, _, third, _ = rows
    assert first.late_clocks == ("resolution",) and first.assignee == "kantang" and first.days_late == 40
    assert third.late_clocks == ("statutory",) and third.assignee == "sikao"
    assert [h.kind for h in third.holders] == ["follow_up"]
    assert rows[1].assignee is None and [h.kind for h in rows[1].holders] == ["forward_letter"]
    assert third.center_th == "ศูนย์ดำรงธรรมอำเภอสิเกา" and third.center_en.startswith("Sikao")


def test_provincial_supervisor_sees_nothing_of_another_province(sessions, seeded):
    trang = StaffUser("trang", "Trang", "supervisor", "P92", "x")
    with sessions() as s:
        scope = scope_of(s, trang)
        visible = only(seeded.values(), case_clause(scope))
        assert set(_by_code(bq.center_loads(s, visible, bq.ALL, NOW))) == {"P92"}
        listed = {r.tracking_number for r in bq.overdue_cases(s, visible, bq.ALL, NOW)}
        assert seeded["krabi_2d"] not in listed and seeded["sikao_3d"] in listed
        assert seeded["krabi_2d"] not in {r.tracking_number for r in bq.all_overdue(s, visible, bq.ALL, NOW)}
        assert where_to_look(s, trang, scope, None).code == "P92"
        assert where_to_look(s, trang, scope, "D9202").code == "D9202"
        for elsewhere in ("P81", "D8101", "MOI", "NOPE"):
            with pytest.raises(CaseNotFound):
                where_to_look(s, trang, scope, elsewhere)


def test_compliance_counts_met_late_and_pending_per_center_and_category(sessions):
    with sessions.begin() as s:
        numbers = [
            # met: closed with every clock met in time
            seed_case(s, "D9205", status=c.CLOSED, filed_ago=10 * D, clocks=[clock("statutory", -1 * D, "met")]),
            # late: closed, but the statutory clock was flagged overdue on the way
            seed_case(
                s,
                "D9205",
                status=c.CLOSED,
                filed_ago=12 * D,
                category="land",
                clocks=[clock("statutory", -2 * D, "met", overdue=True)],
            ),
            # late: still open and past due
            seed_case(s, "D9202", filed_ago=20 * D, clocks=[clock("statutory", -5 * D)]),
            # pending: open, nothing due yet
            seed_case(s, "D9202", filed_ago=2 * D, clocks=[clock("statutory", 13 * D)]),
            # filed before the period: not counted
            seed_case(s, "D9205", status=c.CLOSED, filed_ago=100 * D, clocks=[clock("statutory", -90 * D, "met")]),
        ]
    with sessions() as s:
        tables = bq.compliance(s, only(numbers), bq.node(s, "P92"), NOW - 30 * D, NOW, NOW)
    centers = {r.key: (r.met, r.late, r.pending) for r in tables.by_center}
    assert centers == {"D9205": (1, 1, 0), "D9202": (0, 1, 1)}
    cats = {r.key: (r.met, r.late, r.pending) for r in tables.by_category}
    assert cats == {"infrastructure": (1, 1, 1), "land": (0, 1, 0)}
    assert (tables.total.met, tables.total.late, tables.total.pending) == (1, 2, 1)
    assert tables.total.rate == pytest.approx(1 / 3)
    assert tables.by_center[0].key == "D9202"  # the worst rate first


def test_the_export_streams_the_whole_overdue_list(sessions, seeded):
    with sessions() as s:
        rows = list(bq.all_overdue(s, only(seeded.values()), bq.node(s, "P92"), NOW))
    assert [r.tracking_number for r in rows] == [seeded[k] for k in ("kantang_40d", "sikao_10d", "sikao_3d")]
    kantang = rows[0]
    assert kantang.center_th == "ศูนย์ดำรงธรรมอำเภอกันตัง" and kantang.assignee == "kantang"
    assert kantang.late_clocks == ("resolution",) and kantang.days_late == 40
