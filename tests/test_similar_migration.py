"""Migration 0023 on SQLite and PostgreSQL: cases gain `lead_tracking_number` (indexed), a case row
from before keeps its data and follows no lead; and it goes down again."""

from __future__ import annotations

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
            conn.execute(
                sa.text(
                    "INSERT INTO cases (tracking_number, workflow_id, pin_hash, status, text, channel, anonymous,"
                    " filed_at, updated_at, last_seq) VALUES ('2569-AAAAAA', 'complaint-2569-AAAAAA', 'x',"
                    " 'RECEIVED', 'ไฟดับ', 'api', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
                )
            )
        command.upgrade(cfg, "0023")
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert "lead_tracking_number" in {c["name"] for c in inspector.get_columns("cases")}
            assert "ix_cases_lead_tracking_number" in {i["name"] for i in inspector.get_indexes("cases")}
            row = conn.execute(sa.text("SELECT text, lead_tracking_number FROM cases")).one()
            assert tuple(row) == ("ไฟดับ", None)
        command.downgrade(cfg, "0022")
        with engine.connect() as conn:
            assert "lead_tracking_number" not in {c["name"] for c in sa.inspect(conn).get_columns("cases")}
            assert conn.execute(sa.text("SELECT count(*) FROM cases")).scalar() == 1
        command.upgrade(cfg, "head")
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migration_0023_adds_the_lead_of_a_case(kind, tmp_path):
    with empty_database(kind, tmp_path) as url:
        check(url)
