"""Questions left for an officer (the projection of QuestionWorkflow); the outbox carries their answers;
cases and outbox rows remember the citizen's language.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:00:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("question_id", sa.String(length=40), nullable=False),
        sa.Column("workflow_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("center_code", sa.String(length=16), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("channel_ref", sa.String(length=200), nullable=True),
        sa.Column("assignee", sa.String(length=100), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("escalated_to", sa.String(length=16), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("question_id"),
        sa.UniqueConstraint("workflow_id"),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index("ix_questions_status", ["status"], unique=False)
        batch_op.create_index("ix_questions_center_code", ["center_code"], unique=False)
        batch_op.create_index("ix_questions_channel_ref", ["channel_ref"], unique=False)
        batch_op.create_index("ix_questions_asked_at", ["asked_at"], unique=False)
        batch_op.create_index("ix_questions_due_at", ["due_at"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=2), server_default="th", nullable=False))
        batch_op.alter_column("tracking_number", existing_type=sa.String(length=16), nullable=True)
        batch_op.create_index("ix_outbox_question_id", ["question_id"], unique=False)
        batch_op.create_index("ix_outbox_channel_ref", ["channel", "channel_ref", "id"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=2), server_default="th", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_index("ix_outbox_channel_ref")
        batch_op.drop_index("ix_outbox_question_id")
        batch_op.alter_column("tracking_number", existing_type=sa.String(length=16), nullable=False)
        batch_op.drop_column("question_id")
    op.drop_table("questions")
