"""The directory as data that stays true (issue 13): export, change, dry run, apply and re-seed; an
administrator's edit against a feed and against the seed; a deactivated agency keeping its cases and
leaving routing; an invalid feed changing nothing; the audit log; the command line. Each test gets a
fresh database, migrated from scratch and seeded, on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from db import directory_edits as edits
from db.directory_export import export_feed
from db.directory_sync import FeedInvalid, apply, diff, parse_feed
from db.models import Agency, Case, Center, DirectoryChange, RoutingRule
from db.routing import routing_options
from db.search import search_directory
from db.session import make_engine, make_sessions
from tests.conftest import ROOT, migrate, ready_database, seed
from workflows.domain.routing import decide_agency

BASE = "http://127.0.0.1:8100"


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path):
    """(url, sessions) of a fresh, migrated and seeded read model."""
    with ready_database("sqlite" if request.param == "sqlite" else "postgresql", tmp_path, BASE) as url:
        engine = make_engine(url)
        yield url, make_sessions(engine)
        engine.dispose()


def exported(sessions) -> dict:
    with sessions() as s:
        return json.loads(json.dumps(export_feed(s, with_connector_settings=True)))


def record(doc: dict, section: str, code: str) -> dict:
    return next(r for r in doc[section] if r["code"] == code)


def audit_count(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(DirectoryChange))


def test_an_exported_directory_synced_back_changes_nothing(db):
    _, sessions = db
    doc = exported(sessions)
    assert doc["format"] == "damrongdham-directory" and doc["version"] == 1
    with sessions() as s:
        found = diff(s, parse_feed(doc))
    assert found.to_json() == {"added": [], "changed": [], "deactivated": [], "unchanged": found.unchanged}
    assert found.unchanged == len(doc["centers"]) + len(doc["agencies"]) + len(doc["categories"]) + len(
        doc["routing_rules"]
    )


def test_one_changed_email_is_the_whole_difference_and_survives_migrate_and_seed(db):
    url, sessions = db
    doc = exported(sessions)
    record(doc, "agencies", "DO-9205")["email"] = "saraban.sikao@dopa.go.th"
    feed = parse_feed(doc, "test")
    with sessions() as s:
        dry = diff(s, feed).to_json()
    assert dry["changed"] == [
        {"kind": "agency", "code": "DO-9205", "field": "email", "from": None, "to": "saraban.sikao@dopa.go.th"}
    ]
    assert dry["added"] == [] and dry["deactivated"] == []
    with sessions() as s:  # the dry run wrote nothing
        assert s.get(Agency, "DO-9205").email is None
    with sessions.begin() as s:
        applied = apply(s, feed, "moi.admin", "the province's list of 2026-12")
    assert applied.to_json() == dry
    migrate(url)  # what `make run` does at every start
    seed(url, "https://agencies.elsewhere.test")
    with sessions() as s:
        assert s.get(Agency, "DO-9205").email == "saraban.sikao@dopa.go.th"
        assert edits.provenance(s, "agency", "DO-9205")["email"] == "feed"
        # Every field the feed listed is the feed's now: the seed's new agency base URL moved nothing.
        assert s.get(Agency, "lands").api_base_url == f"{BASE}/lands"
        assert diff(s, feed).empty


def test_an_administrators_edit_survives_a_feed_and_the_seed_until_released(db):
    url, sessions = db
    with sessions.begin() as s:
        edits.edit_record(s, "agency", "PH-92", {"email": "saraban@trang.go.th"}, "moi.admin", "phoned the hall")
        edits.edit_record(s, "center", "D9205", {"phone": "0 7529 1234"}, "moi.admin", "from the district office")
    doc = exported(sessions)
    record(doc, "agencies", "PH-92")["email"] = "feed@trang.go.th"
    record(doc, "centers", "D9205")["phone"] = None
    record(doc, "centers", "D9205")["name_en"] = "Sikao District Damrongdham Centre"
    feed = parse_feed(doc)
    with sessions() as s:
        found = diff(s, feed)
    assert found.changed == [
        {"kind": "center", "code": "D9205", "field": "name_en", "from": "Sikao District Damrongdham Center",
         "to": "Sikao District Damrongdham Centre"},
    ]  # fmt: skip
    assert {(h["code"], h["field"], h["feed"]) for h in found.held} == {
        ("PH-92", "email", "feed@trang.go.th"),
        ("D9205", "phone", None),
    }
    with sessions.begin() as s:
        apply(s, feed, "sync", "monthly list")
    seed(url, BASE)
    with sessions() as s:
        assert s.get(Agency, "PH-92").email == "saraban@trang.go.th"
        assert s.get(Center, "D9205").phone == "0 7529 1234"
        # the seed does not put its name back over the feed's
        assert s.get(Center, "D9205").name_en == "Sikao District Damrongdham Centre"
    with sessions.begin() as s:
        assert edits.release_field(s, "agency", "PH-92", "email", "moi.admin", "the feed has it now") == (
            "feed@trang.go.th"
        )
    with sessions() as s:
        assert s.get(Agency, "PH-92").email == "feed@trang.go.th"
        assert edits.provenance(s, "agency", "PH-92")["email"] == "feed"


def test_the_seed_moves_only_what_it_owns(db):
    url, sessions = db
    with sessions.begin() as s:
        settings = {"base_url": "https://ocpb.example.test/api", "credential_ref": "AGENCY_SECRET_OCPB"}
        edits.edit_record(s, "agency", "ocpb", {"connector_settings": settings}, "moi.admin", "new endpoint")
    seed(url, "https://agencies.test")
    with sessions() as s:
        assert s.get(Agency, "ocpb").api_base_url == "https://ocpb.example.test/api"
        assert s.get(Agency, "lands").api_base_url == "https://agencies.test/lands"  # seed-owned: moved


def test_a_deactivated_agency_keeps_its_open_cases_and_routing_stops_choosing_it(db):
    _, sessions = db
    now = datetime.now(UTC)
    with sessions.begin() as s:
        s.add(RoutingRule(category="labour", province_code="92", agency_code="PH-92", priority=5, source="feed"))
        s.add(Case(tracking_number="2569-OPEN01", workflow_id="complaint-2569-OPEN01", pin_hash="x",
                   status="FORWARDED", text="น้ำเสียจากโรงงาน", category="environment", agency_code="PH-92",
                   province_code="92", district_code="9205", filed_at=now, updated_at=now))  # fmt: skip

    def routed(category: str) -> str | None:
        with sessions() as s:
            o = routing_options(s, category, "92", "9205")
            return decide_agency(category, "92", "9205", o.rules, o.agencies)

    assert routed("environment") == "PH-92" and routed("labour") == "PH-92"
    doc = exported(sessions)
    doc["agencies"] = [a for a in doc["agencies"] if a["code"] != "PH-92"]
    doc["routing_rules"] = [r for r in doc["routing_rules"] if r["agency"] != "PH-92"]
    feed = parse_feed(doc)
    with sessions() as s:
        found = diff(s, feed)
    assert found.deactivated == [
        {"kind": "agency", "code": "PH-92"},
        {"kind": "rule", "code": "labour@92->PH-92"},
    ]
    assert found.changed == [] and found.added == []
    with sessions.begin() as s:
        apply(s, feed, "sync", "PH-92 left the list")
    with sessions() as s:
        assert s.get(Agency, "PH-92") is not None and s.get(Agency, "PH-92").active is False
        assert s.get(Case, "2569-OPEN01").agency_code == "PH-92"
    with sessions() as s:  # nor offered to a citizen or an officer choosing an office
        assert "PH-92" not in {h.code for h in search_directory(s, "ศาลากลางจังหวัดตรัง", "agency")}
    assert routed("environment") is None  # no other provincial hall serves Trang: manual triage
    assert routed("labour") is None
    assert routed("drugs") == "POL-92"
    # Listed again, it comes back.
    with sessions.begin() as s:
        back = apply(s, parse_feed(exported_with(sessions, "PH-92", doc)), "sync", "back on the list")
    assert {"kind": "agency", "code": "PH-92", "field": "active", "from": False, "to": True} in back.changed
    assert routed("environment") == "PH-92"
    with sessions() as s:
        assert search_directory(s, "ศาลากลางจังหวัดตรัง", "agency")[0].code == "PH-92"


def exported_with(sessions, code: str, doc: dict) -> dict:
    full = exported(sessions)
    again = copy.deepcopy(doc)
    again["agencies"].append({**record(full, "agencies", code), "active": True})
    return again


def test_an_invalid_feed_changes_nothing_and_says_what_is_wrong(db, tmp_path):
    url, sessions = db
    doc = exported(sessions)
    doc["centers"].append(dict(record(doc, "centers", "D9205")))  # duplicate code
    doc["centers"].append({"code": "D9999", "level": "district", "parent": "P99", "name_th": "x", "name_en": "x"})
    record(doc, "agencies", "DO-9205")["email"] = "not an e-mail"
    record(doc, "agencies", "ocpb")["connector_settings"]["api_secret"] = "hunter2"
    doc["routing_rules"].append({"category": "land", "area": {"province": "92"}, "agency": "NOPE"})
    record(doc, "centers", "P92")["parent"] = "D9205"  # a loop: Trang under its own district
    before = audit_count(sessions)
    with pytest.raises(FeedInvalid) as schema_refusal:
        parse_feed(doc)
    ocpb = next(i for i, a in enumerate(doc["agencies"]) if a["code"] == "ocpb")
    do9205 = next(i for i, a in enumerate(doc["agencies"]) if a["code"] == "DO-9205")
    assert any(e.startswith(f"$.agencies[{do9205}].email:") for e in schema_refusal.value.errors)
    record(doc, "agencies", "DO-9205")["email"] = None
    with pytest.raises(FeedInvalid) as refusal:
        parse_feed(doc)
    errors = refusal.value.errors
    n = len(doc["centers"])
    assert f"$.centers[{n - 2}]: duplicate 'D9205' (also at $.centers[" in "".join(errors)
    assert f"$.centers[{n - 1}].parent: unknown parent center 'P99'" in errors
    p92 = next(i for i, c in enumerate(doc["centers"]) if c["code"] == "P92")
    assert f"$.centers[{p92}].parent: the chain of parents of 'P92' comes back to it" in errors
    assert any(e.startswith(f"$.agencies[{ocpb}].connector_settings.api_secret:") for e in errors)
    assert f"$.routing_rules[{len(doc['routing_rules']) - 1}].agency: unknown agency 'NOPE'" in errors
    # The command line refuses it too, and the directory is as it was.
    path = feed_file(tmp_path, doc)
    cli = run_cli(url, path, apply=True)
    assert cli.returncode != 0 and "unknown parent center 'P99'" in cli.stderr
    assert audit_count(sessions) == before
    with sessions() as s:
        assert s.get(Center, "D9999") is None


def feed_file(tmp_path, doc: dict) -> str:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run_cli(url: str, source: str, apply: bool = False, reason: str = "") -> subprocess.CompletedProcess:
    """`make directory-sync` as an operator types it (`-o setup`: the test's .venv is already set up)."""
    args = ["make", "-s", "-o", "setup", "directory-sync", f"SOURCE={source}", f"REASON={reason}"]
    return subprocess.run(
        args + (["APPLY=1"] if apply else []),
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_command_line_prints_the_difference_and_applies_it_only_when_asked(db, tmp_path):
    url, sessions = db
    doc = exported(sessions)
    record(doc, "centers", "P92")["phone"] = "0 7521 8888"
    path = feed_file(tmp_path, doc)
    dry = run_cli(url, path)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["changed"] == [
        {"kind": "center", "code": "P92", "field": "phone", "from": None, "to": "0 7521 8888"}
    ]
    with sessions() as s:
        assert s.get(Center, "P92").phone is None
    done = run_cli(url, path, apply=True, reason="the province's phone list")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(dry.stdout)
    with sessions() as s:
        assert s.get(Center, "P92").phone == "0 7521 8888"
        [change] = edits.history(s, "center", "P92")[:1]
        assert change.reason == "the province's phone list" and change.actor.startswith("cli:")
    again = run_cli(url, path)
    assert json.loads(again.stdout)["changed"] == []


def test_every_change_is_in_the_audit_log(db):
    _, sessions = db
    with sessions() as s:
        created = s.scalars(
            select(DirectoryChange).where(DirectoryChange.record_code == "D9205", DirectoryChange.field.is_(None))
        ).one()
        assert (created.origin, created.actor, created.before) == ("seed", "seed", None)
        assert created.after["name_th"] == "ศูนย์ดำรงธรรมอำเภอสิเกา"
    doc = exported(sessions)
    record(doc, "centers", "D9205")["line_official_account"] = "@sikao-damrongdham"
    with sessions.begin() as s:
        apply(s, parse_feed(doc), "sync.bot", "LINE accounts from the province")
        edits.edit_record(s, "center", "D9205", {"email": "sikao@example.go.th"}, "moi.admin", "asked by phone")
    with sessions.begin() as s:
        edits.release_field(s, "center", "D9205", "email", "moi.admin", "wrong address")
    with sessions() as s:
        rows = edits.history(s, "center", "D9205")
    assert [(c.origin, c.actor, c.field, c.before, c.after) for c in rows[:3]] == [
        ("admin", "moi.admin", "email", "sikao@example.go.th", None),
        ("admin", "moi.admin", "email", None, "sikao@example.go.th"),
        ("feed", "sync.bot", "line_official_account", None, "@sikao-damrongdham"),
    ]
    assert rows[0].reason == "released: wrong address" and rows[1].reason == "asked by phone"
    assert rows[2].reason == "LINE accounts from the province"
    assert all(c.at.tzinfo is not None for c in rows)


def test_an_edit_is_checked_like_a_feed_and_needs_a_reason(db):
    _, sessions = db
    with sessions.begin() as s:
        with pytest.raises(edits.EditInvalid) as bad:
            edits.edit_record(s, "agency", "DO-9205", {"areas": [{"province": "99"}], "email": "x"}, "a", "why")
        assert "$.areas[0].province: unknown province code '99'" in bad.value.errors
        assert any(e.startswith("$.email:") for e in bad.value.errors)
        with pytest.raises(edits.EditInvalid):
            edits.edit_record(s, "agency", "DO-9205", {"email": "a@b.go.th"}, "a", "  ")
        with pytest.raises(edits.EditInvalid):
            edits.edit_record(s, "agency", "DO-9205", {"search_key": "x"}, "a", "why")
        with pytest.raises(edits.EditInvalid) as loop:
            edits.edit_record(s, "center", "P92", {"parent": "D9205"}, "a", "why")
        assert loop.value.errors == ["$.parent: 'D9205' is under 'P92'; a center cannot be under itself"]
        with pytest.raises(edits.RecordNotFound):
            edits.edit_record(s, "center", "D0000", {"phone": "1"}, "a", "why")
    with sessions() as s:
        assert s.get(Agency, "DO-9205").email is None


def test_a_new_center_and_a_center_moved_under_it_apply_together(db):
    _, sessions = db
    doc = exported(sessions)
    doc["centers"].append(
        {"code": "R-SOUTH", "level": "dopa", "parent": "DOPA", "name_th": "ศูนย์ดำรงธรรมภาคใต้ (ทดสอบ)",
         "name_en": "Southern Damrongdham Center (test)", "area": {}, "demo": True}
    )  # fmt: skip
    record(doc, "centers", "P92")["parent"] = "R-SOUTH"
    with sessions.begin() as s:
        done = apply(s, parse_feed(doc), "sync", "a regional center")
    assert done.added == [{"kind": "center", "code": "R-SOUTH"}]
    assert done.changed == [{"kind": "center", "code": "P92", "field": "parent", "from": "MOI", "to": "R-SOUTH"}]
    with sessions() as s:
        assert s.get(Center, "P92").parent_code == "R-SOUTH" and s.get(Center, "R-SOUTH").demo is True
        assert s.get(Center, "R-SOUTH").search_key.startswith("ศูนย์ดำรงธรรมภาคใต้")


def test_reseeding_a_directory_from_before_provenance_drops_the_invented_emails(db):
    url, sessions = db
    with sessions.begin() as s:  # as migration 0014 finds an older read model: no sources, made-up e-mails
        for agency in s.scalars(select(Agency).where(Agency.code.in_(("DO-9205", "PH-92")))):
            agency.email, agency.sources = f"{agency.code.lower()}@example.go.th", None
    seed(url, BASE)
    with sessions() as s:
        assert s.get(Agency, "DO-9205").email is None and s.get(Agency, "PH-92").email is None
        [change] = [c for c in edits.history(s, "agency", "DO-9205") if c.field == "email"]
    assert (change.origin, change.before, change.after) == ("seed", "do-9205@example.go.th", None)


def test_an_agency_serving_two_provinces_is_chosen_in_them_and_nowhere_else(db):
    _, sessions = db
    doc = exported(sessions)
    doc["agencies"] = [a for a in doc["agencies"] if a["code"] not in ("PH-91", "PH-92", "PH-93")]
    doc["agencies"].append(
        {"code": "ENV-SOUTH", "kind": "provincial_hall", "name_th": "สำนักงานภาคใต้ (ทดสอบ)",
         "name_en": "Southern office (test)", "areas": [{"province": "91"}, {"province": "93"}], "demo": True}
    )  # fmt: skip
    with sessions.begin() as s:
        apply(s, parse_feed(doc), "sync", "a regional office")

    def routed(province: str, district: str) -> str | None:
        with sessions() as s:
            o = routing_options(s, "environment", province, district)
            return decide_agency("environment", province, district, o.rules, o.agencies)

    assert routed("91", "9101") == "ENV-SOUTH"  # Satun
    assert routed("93", "9301") == "ENV-SOUTH"  # Phatthalung
    assert routed("92", "9205") is None  # Trang: not one of its areas, though it has no province column
    with sessions() as s:
        assert record(exported(sessions), "agencies", "ENV-SOUTH")["areas"] == [{"province": "91"}, {"province": "93"}]
        assert s.get(Agency, "ENV-SOUTH").province_code is None
