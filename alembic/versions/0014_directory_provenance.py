"""Directory provenance, audit log and center contact details (issue 13).

Centers get the facts citizens ask for (address, phone, e-mail, office hours, LINE official account,
map coordinates); centers, agencies and routing rules get an `active` flag (deactivated, never
deleted); centers and agencies record where each field's value came from (`sources`) and what the
seed or feed would have set while an administrator's value holds (`held`); `demo` marks records that
are not real. `directory_changes` is the audit log; `directory_sync_runs` holds loaded feeds and their
differences for review. Rows that exist before this migration have no `sources`: they count as seeded.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _flags() -> list[sa.Column]:
    return [
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("sources", sa.JSON(), nullable=True),
        sa.Column("held", sa.JSON(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("centers") as t:
        t.add_column(sa.Column("address", sa.Text(), nullable=True))
        t.add_column(sa.Column("phone", sa.String(100), nullable=True))
        t.add_column(sa.Column("email", sa.String(200), nullable=True))
        t.add_column(sa.Column("office_hours", sa.JSON(), nullable=True))
        t.add_column(sa.Column("line_official_account", sa.String(100), nullable=True))
        t.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        t.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        for column in _flags():
            t.add_column(column)
    with op.batch_alter_table("agencies") as t:
        for column in _flags():
            t.add_column(column)
    with op.batch_alter_table("routing_rules") as t:
        t.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        t.add_column(sa.Column("source", sa.String(8), nullable=False, server_default="seed"))
    op.create_table(
        "directory_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("record_kind", sa.String(16), nullable=False),
        sa.Column("record_code", sa.String(120), nullable=False),
        sa.Column("field", sa.String(40), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    )
    op.create_index("ix_directory_changes_at", "directory_changes", ["at"])
    op.create_index("ix_directory_changes_record", "directory_changes", ["record_kind", "record_code", "id"])
    op.create_table(
        "directory_sync_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=True),
        sa.Column("feed", sa.JSON(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_directory_sync_runs_fetched_at", "directory_sync_runs", ["fetched_at"])
    op.create_index("ix_directory_sync_runs_status", "directory_sync_runs", ["status"])


def downgrade() -> None:
    op.drop_table("directory_sync_runs")
    op.drop_table("directory_changes")
    with op.batch_alter_table("routing_rules") as t:
        t.drop_column("source")
        t.drop_column("active")
    with op.batch_alter_table("agencies") as t:
        for name in ("held", "sources", "demo", "active"):
            t.drop_column(name)
    with op.batch_alter_table("centers") as t:
        for name in ("held", "sources", "demo", "active", "longitude", "latitude", "line_official_account",
                     "office_hours", "email", "phone", "address"):  # fmt: skip
            t.drop_column(name)
