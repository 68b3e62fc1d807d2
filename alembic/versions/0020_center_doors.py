"""FAQ entries proposed from answered questions and reviewed by an administrator (issue 14).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 02:00:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_proposals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question_id", sa.String(64), nullable=True),
        sa.Column("center_code", sa.String(32), nullable=True),
        sa.Column("questions_th", sa.Text, nullable=False),
        sa.Column("questions_en", sa.Text, nullable=False),
        sa.Column("answer_th", sa.Text, nullable=False),
        sa.Column("answer_en", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.String(128), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(128), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text, nullable=True),
        sa.Column("history", sa.JSON, nullable=True),
    )
    op.create_index("ix_faq_proposals_status", "faq_proposals", ["status"])
    op.create_index("ix_faq_proposals_question_id", "faq_proposals", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_faq_proposals_question_id", table_name="faq_proposals")
    op.drop_index("ix_faq_proposals_status", table_name="faq_proposals")
    op.drop_table("faq_proposals")
