"""The supervisors' board (issue 5): `cases.late` (a clock of the case was flagged overdue at some
point, kept by the projection) and an index covering what the SLA compliance table reads of the
period's cases, so that table is one index scan; and an index on the open cases' (center, next due
time), so the counts by center read the index alone and a province's overdue cases are its ranges.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:20:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("late", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE cases SET late = TRUE WHERE tracking_number IN (SELECT tracking_number FROM case_clocks WHERE overdue)"
    )
    op.create_index(
        "ix_cases_filed_outcome",
        "cases",
        ["filed_at", "center_code", "category", "status", "late", "next_due_at"],
        unique=False,
    )
    open_ = sa.text("status NOT IN ('RESOLVED', 'CLOSED', 'WITHDRAWN', 'REJECTED')")
    op.create_index(
        "ix_cases_center_due",
        "cases",
        ["center_code", "next_due_at"],
        unique=False,
        postgresql_where=open_,
        sqlite_where=open_,
    )


def downgrade() -> None:
    op.drop_index("ix_cases_center_due", table_name="cases")
    op.drop_index("ix_cases_filed_outcome", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("late")
