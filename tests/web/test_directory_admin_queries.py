"""What the directory administration reads and writes, on SQLite and PostgreSQL both (migrated from
scratch and seeded): the search by name, code and area within a province or nationwide (a LIKE on
escaped forms, nothing PostgreSQL refuses); the routing rules a province sees; a rule added, changed
and deactivated with its audit rows under the sync's rule names, and a rule said twice found; and the
routing box's explanation, the same answer as `decide_agency` with the deciding rule marked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from db.directory_lookup import find_records, routing_rules
from db.models import DirectoryChange, RoutingRule
from db.routing import routing_options
from db.routing_rule_edits import DuplicateRule, RuleValues, add_rule, change_rule, same_rule
from db.session import make_engine, make_sessions
from tests.conftest import ready_database
from web.route_preview import explain
from workflows.domain.routing import decide_agency


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sessions(request, tmp_path_factory, fake_agency) -> Iterator:
    with ready_database(request.param, tmp_path_factory.mktemp("dirq"), fake_agency.base_url) as url:
        engine = make_engine(url)
        yield make_sessions(engine)
        engine.dispose()


def test_the_search_finds_by_name_code_and_area_and_keeps_to_a_province(sessions):
    with sessions() as s:
        assert {"D9205", "DO-9205"} <= {r.code for r in find_records(s, "สิเกา")}
        assert "DO-9205" in {r.code for r in find_records(s, "SIKAO", kind="agency")}
        assert [r.code for r in find_records(s, "ph-81")] == ["PH-81"]
        in_trang = find_records(s, "", province="92", limit=500)
        assert in_trang and {r.province_code for r in in_trang} == {"92"}
        assert not [r for r in find_records(s, "ph-81", province="92")]
        assert find_records(s, "100%_\\") == [] and find_records(s, "x\x00y") == []  # escaped; a NUL refused
        assert len(find_records(s, "", limit=7)) == 7


def test_a_rule_is_added_changed_and_deactivated_with_its_audit_rows(sessions):
    values = RuleValues("animals", "92", "9209", "PH-92", None, 7)
    with sessions.begin() as s:
        rule = add_rule(s, values, "root", "ทดลอง")
        rule_id = rule.id
        assert same_rule(s, values).id == rule_id and same_rule(s, values, other_than=rule_id) is None
        with pytest.raises(DuplicateRule) as twin:  # the store refuses a second rule saying the same
            add_rule(s, RuleValues("animals", "92", "9209", "PH-92", None, 3), "root", "อีกกฎ")
        assert twin.value.rule_id == rule_id
    with sessions.begin() as s:
        rule = s.get(RoutingRule, rule_id)
        changed = change_rule(s, rule, RuleValues("animals", "92", "9209", "PH-92", None, 7, False), "root", "เลิก")
        assert changed == ["active"]
        assert change_rule(s, rule, RuleValues("animals", "92", "9209", "PH-92", None, 7, False), "root", "x") == []
    with sessions() as s:
        rows = s.scalars(
            select(DirectoryChange)
            .where(DirectoryChange.record_kind == "rule", DirectoryChange.record_code == "animals@92/9209->PH-92")
            .order_by(DirectoryChange.id)
        ).all()
        assert [(r.field, r.before, r.after, r.reason, r.origin) for r in rows] == [
            (None, None, {**values.__dict__}, "ทดลอง", "admin"),
            ("active", True, False, "เลิก", "admin"),
        ]
        rule = s.get(RoutingRule, rule_id)
        assert (rule.active, rule.source) == (False, "admin")
        assert rule_id in {r.id for r in routing_rules(s, "92", "animals")}
        assert rule_id not in {r.id for r in routing_rules(s, "81", "animals")}
        assert all(r.province_code in (None, "92") for r in routing_rules(s, "92"))


def test_the_box_explains_with_the_decisions_own_answer(sessions):
    with sessions.begin() as s:
        rule = add_rule(s, RuleValues("traffic", "92", "9209", None, "provincial_hall", 3), "root", "ทดลอง")
        rule_id = rule.id
    try:
        with sessions() as s:
            chosen, steps, considered, _ = explain(s, "traffic", "92", "9209")
            opts = routing_options(s, "traffic", "92", "9209")
            assert chosen == decide_agency("traffic", "92", "9209", opts.rules, opts.agencies) == "PH-92"
            assert [step.area for step in steps] == ["district", "nationwide"]
            assert [step.decided for step in steps] == [True, False]
            assert steps[1].leads_to == "POL-92"  # what the nationwide police rule alone would give
            assert considered == len(opts.rules)
            elsewhere, steps, _, _ = explain(s, "traffic", "92", "9201")  # the district rule does not apply
            assert elsewhere == "POL-92" and [step.area for step in steps] == ["nationwide"]
    finally:
        with sessions.begin() as s:
            s.get(RoutingRule, rule_id).active = False
