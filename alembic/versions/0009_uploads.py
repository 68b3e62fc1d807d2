"""Photos uploaded by citizens, each issued to the door and caller that uploaded it: the `uploads`
table, so photos no case took (a filing refused after its photos were stored, an abandoned chat) can
be found and deleted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 22:50:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_uploads_sha256", "uploads", ["sha256"])
    op.create_index("ix_uploads_stored_at", "uploads", ["stored_at"])


def downgrade() -> None:
    op.drop_index("ix_uploads_stored_at", table_name="uploads")
    op.drop_index("ix_uploads_sha256", table_name="uploads")
    op.drop_table("uploads")
