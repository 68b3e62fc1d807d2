"""Chat sessions (the dialogue's state per chat identity) and de-duplicated channel events (issue 4).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:00:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_sessions",
        sa.Column("session_key", sa.String(length=240), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("channel_ref", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_key"),
    )
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_chat_sessions_updated_at", ["updated_at"], unique=False)
    op.create_table(
        "chat_events",
        sa.Column("event_key", sa.String(length=240), nullable=False),
        sa.Column("session_key", sa.String(length=240), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_key"),
    )
    with op.batch_alter_table("chat_events", schema=None) as batch_op:
        batch_op.create_index("ix_chat_events_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_table("chat_events")
    op.drop_table("chat_sessions")
