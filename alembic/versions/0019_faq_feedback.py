"""Answers to "did this help?" per FAQ entry (issue 12).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_feedback",
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("entry_id", sa.String(64), nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_faq_feedback_entry_id", "faq_feedback", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_faq_feedback_entry_id", table_name="faq_feedback")
    op.drop_table("faq_feedback")
