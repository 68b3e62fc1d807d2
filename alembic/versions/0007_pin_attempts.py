"""Tracking-PIN attempts on a shared store (the read model), so several app processes agree on who guessed how often.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 22:50:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pin_attempts",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_pin_attempts_last_failed_at", "pin_attempts", ["last_failed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pin_attempts_last_failed_at", table_name="pin_attempts")
    op.drop_table("pin_attempts")
