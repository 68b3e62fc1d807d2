"""Reveals of personal data on pages and letters, logged.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 23:00:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Each reveal records why it was needed; rows logged before this have no reason.
    with op.batch_alter_table("personal_data_reveals") as t:
        t.add_column(sa.Column("reason", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("personal_data_reveals") as t:
        t.drop_column("reason")
