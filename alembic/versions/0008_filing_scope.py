"""The filings queue keeps each filing's door and body hash (an idempotency key is scoped to its door
and caller, and the same key with another body is refused), its next attempt time, and when the
dispatcher gave up on it (dead-lettered). A chat event keeps the replies it got, so a retried message
(a lost response) is answered again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 22:50:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("door", sa.String(length=16), server_default="", nullable=False))
        batch_op.add_column(sa.Column("body_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_filings_dead_at", ["dead_at"], unique=False)
    with op.batch_alter_table("chat_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replies", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_events", schema=None) as batch_op:
        batch_op.drop_column("replies")
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_index("ix_filings_dead_at")
        batch_op.drop_column("dead_at")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("body_hash")
        batch_op.drop_column("door")
