"""Migration 0016 on SQLite and PostgreSQL: agencies gain `connector` and `connector_settings`, the
agencies already linked (which could only speak our JSON protocol) get `damrongdham-json`, the others
none; and it goes down again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from alembic import command
from tests.conftest import alembic_config, empty_database

ROWS = [
    {"code": "ocpb", "linked": True, "api_base_url": "http://127.0.0.1:9/ocpb"},
    {"code": "PH-92", "linked": False, "api_base_url": None},
]


def check(url: str) -> None:
    cfg = alembic_config(url)
    command.upgrade(cfg, "0015")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for row in ROWS:
                conn.execute(
                    sa.text(
                        "INSERT INTO agencies (code, agency_type, name_th, name_en, linked, api_base_url, search_key)"
                        " VALUES (:code, 'x', 'x', 'x', :linked, :api_base_url, '')"
                    ),
                    row,
                )
        command.upgrade(cfg, "0016")
        with engine.connect() as conn:
            got = dict(conn.execute(sa.text("SELECT code, connector FROM agencies ORDER BY code")).all())
            assert got == {"PH-92": None, "ocpb": "damrongdham-json"}
            assert conn.execute(sa.text("SELECT connector_settings FROM agencies WHERE code = 'ocpb'")).scalar() is None
        command.downgrade(cfg, "0015")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("agencies")}
            assert "connector" not in columns and "connector_settings" not in columns
        command.upgrade(cfg, "0016")
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migration_0016_names_the_linked_agencies_connector(kind, tmp_path):
    with empty_database(kind, tmp_path) as url:
        check(url)
