"""Data subjects' access and erasure requests (`data_requests`, with their 30-day due date, decision
and what was handed over or erased), and the retention schedule's record of each run
(`retention_runs`, how many items of each kind it erased).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:00:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("request_id", sa.String(40), primary_key=True),
        sa.Column("workflow_id", sa.String(80), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("tracking_number", sa.String(16), nullable=False),
        sa.Column("center_code", sa.String(16)),
        sa.Column("filed_by", sa.String(64), nullable=False),
        sa.Column("identity_note", sa.Text()),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("filed_at", Stamp, nullable=False),
        sa.Column("due_at", Stamp, nullable=False),
        sa.Column("escalated_at", Stamp),
        sa.Column("decided_at", Stamp),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("reason", sa.Text()),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON()),
        sa.Column("answer_erased_at", Stamp),
    )
    for column in ("workflow_id", "tracking_number", "center_code", "status", "due_at"):
        op.create_index(f"ix_data_requests_{column}", "data_requests", [column])
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(100), nullable=False, unique=True),
        sa.Column("started_at", Stamp, nullable=False),
        sa.Column("finished_at", Stamp, nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
    )
    op.create_index("ix_retention_runs_started_at", "retention_runs", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_retention_runs_started_at", table_name="retention_runs")
    op.drop_table("retention_runs")
    for column in ("workflow_id", "tracking_number", "center_code", "status", "due_at"):
        op.drop_index(f"ix_data_requests_{column}", table_name="data_requests")
    op.drop_table("data_requests")
