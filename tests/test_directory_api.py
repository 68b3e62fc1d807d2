"""The directory's JSON doors (issue 13): a center's facts at `/api/centers/{code}` (null where nobody
gave a value, a bilingual 404 for an unknown code) and the whole directory at `/api/directory/export`,
whose connector settings only a ministry-scope officer token or a partner API key sees. The real app
on the dev server, each test with a fresh database, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.settings import OfficerToken, Settings
from db import directory_edits as edits
from db.center_facts import center_facts
from db.directory_sync import diff, parse_feed
from tests.conftest import ready_database

TOKENS = {
    "moi-token": OfficerToken("moi.admin", "MOI"),
    "trang-token": OfficerToken("trang.supervisor", "P92"),
}


@pytest.fixture(params=["sqlite", "postgresql"])
async def api(request, dev_env, tmp_path):
    with ready_database(request.param, tmp_path, "http://127.0.0.1:8100") as url:
        settings = Settings(
            database_url=url,
            temporal_address=dev_env.client.service_client.config.target_host,
            task_queue="directory-api-tests",
            var_dir=tmp_path,
            secret="directory-api-secret",
            dispatch_in_app=False,
            api_clients={"partner-key": "partner.system"},
            officer_tokens=TOKENS,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                client.sessions = app.state.sessions
                yield client


async def test_a_centers_facts_are_null_until_someone_gives_them(api):
    r = await api.get("/api/centers/D9205")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["name_th"] == "ศูนย์ดำรงธรรมอำเภอสิเกา" and got["parent"] == "P92"
    assert (got["phone"], got["email"], got["address"], got["office_hours"], got["map"]) == (None,) * 5
    assert got["line_official_account"] is None and got["active"] is True and got["demo"] is False
    hours = {day: {"open": "08:30", "close": "16:30"} for day in ("mon", "tue", "wed", "thu", "fri")}
    with api.sessions.begin() as s:
        edits.edit_record(
            s, "center", "D9205",
            {"phone": "0 7529 1234", "office_hours": {**hours, "text_en": "closed on public holidays"},
             "map": {"lat": 7.5868, "lon": 99.3458}, "line_official_account": "@sikao"},
            "moi.admin", "from the district office's letter",
        )  # fmt: skip
    got = (await api.get("/api/centers/D9205")).json()
    assert got["phone"] == "0 7529 1234" and got["map"] == {"lat": 7.5868, "lon": 99.3458}
    assert got["office_hours"]["mon"] == {"open": "08:30", "close": "16:30"}
    with api.sessions() as s:
        facts = center_facts(s, "D9205")
        assert facts.opening(0) == ("08:30", "16:30") and facts.opening(5) is None
        assert center_facts(s, "D0000") is None


async def test_an_unknown_center_is_a_404_in_thai_and_english(api):
    r = await api.get("/api/centers/D0000")
    assert r.status_code == 404
    assert "ไม่พบศูนย์" in r.json()["detail"] and "no center" in r.json()["detail"]


async def test_the_public_export_leaves_connector_settings_out(api):
    r = await api.get("/api/directory/export")
    assert r.status_code == 200
    doc = r.json()
    ocpb = next(a for a in doc["agencies"] if a["code"] == "ocpb")
    assert ocpb["connector"] == "damrongdham-json" and ocpb["linked"] is True
    assert all("connector_settings" not in a for a in doc["agencies"])
    # It is a valid feed, and syncing it back changes nothing (a missing key leaves a field alone).
    with api.sessions() as s:
        assert diff(s, parse_feed(doc)).empty
    assert (
        "connector_settings"
        not in (await api.get("/api/directory/export", headers={"Authorization": "Bearer trang-token"})).json()[
            "agencies"
        ][0]
    )


@pytest.mark.parametrize(
    "headers", [{"Authorization": "Bearer moi-token"}, {"X-Api-Key": "partner-key"}], ids=["ministry", "partner"]
)
async def test_the_ministry_and_partners_get_connector_settings(api, headers):
    doc = (await api.get("/api/directory/export", headers=headers)).json()
    ocpb = next(a for a in doc["agencies"] if a["code"] == "ocpb")
    assert ocpb["connector_settings"] == {
        "base_url": "http://127.0.0.1:8100/ocpb",
        "credential_ref": "AGENCY_SECRET_OCPB",
    }
    assert not any("secret" in k for a in doc["agencies"] for k in (a.get("connector_settings") or {}))


async def test_an_unknown_token_or_key_is_refused(api):
    r = await api.get("/api/directory/export", headers={"Authorization": "Bearer nobody"})
    assert r.status_code == 401
    assert (await api.get("/api/directory/export", headers={"X-Api-Key": "nope"})).status_code == 401


async def test_the_export_shows_a_change_at_once(api):
    def sikao(doc: dict) -> dict:
        return next(c for c in doc["centers"] if c["code"] == "D9205")

    before = (await api.get("/api/directory/export")).json()
    assert sikao(before)["email"] is None
    assert (await api.get("/api/directory/export")).json() == before  # the same document, from the cache
    with api.sessions.begin() as s:
        edits.edit_record(s, "center", "D9205", {"email": "sikao@dopa.go.th"}, "moi.admin", "from its letterhead")
    after = (await api.get("/api/directory/export")).json()
    assert sikao(after)["email"] == "sikao@dopa.go.th"
    full = (await api.get("/api/directory/export", headers={"X-Api-Key": "partner-key"})).json()
    assert sikao(full)["email"] == "sikao@dopa.go.th" and "connector_settings" in full["agencies"][0]
