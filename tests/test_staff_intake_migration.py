"""Migration 0022 on SQLite and PostgreSQL: `staff_intakes` (the consent an officer recorded when
filing for a citizen) appears with its index, takes a row with a Thai-time stamp, and goes down again
leaving the cases alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from alembic import command
from tests.conftest import alembic_config, empty_database


def check(url: str) -> None:
    cfg = alembic_config(url)
    command.upgrade(cfg, "0022")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            inspector = sa.inspect(conn)
            assert "ix_staff_intakes_recorded_center" in {i["name"] for i in inspector.get_indexes("staff_intakes")}
            conn.execute(
                sa.text(
                    "INSERT INTO staff_intakes (tracking_number, given_by, method, recorded_by, recorded_center,"
                    " consented_at) VALUES ('2569-AAAAAA', 'citizen', 'signed_form', 'sikao', 'D9205', :at)"
                ),
                {"at": datetime(2026, 12, 5, 2, 30, tzinfo=UTC)},
            )
            row = conn.execute(sa.text("SELECT method, recorded_by FROM staff_intakes")).one()
            assert tuple(row) == ("signed_form", "sikao")
        command.downgrade(cfg, "0021")
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert "staff_intakes" not in tables and "cases" in tables
        command.upgrade(cfg, "head")
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migration_0022_keeps_the_consent_of_a_filing_for_a_citizen(kind, tmp_path):
    with empty_database(kind, tmp_path) as url:
        check(url)
