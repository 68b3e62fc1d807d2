"""Signed status links for agencies without an account, and each use of one (issue 16 §3).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "status_links",
        sa.Column("link_id", sa.String(24), primary_key=True),
        sa.Column("tracking_number", sa.String(16), nullable=False),
        sa.Column("agency_code", sa.String(40)),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("issued_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.Column("revoked_at", Stamp),
        sa.Column("revoked_by", sa.String(100)),
    )
    op.create_index("ix_status_links_tracking_number", "status_links", ["tracking_number"])
    op.create_table(
        "status_link_uses",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("link_id", sa.String(24), nullable=False),
        sa.Column("tracking_number", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(64)),
        sa.Column("client", sa.String(64)),
        sa.Column("at", Stamp, nullable=False),
    )
    op.create_index("ix_status_link_uses_link_id", "status_link_uses", ["link_id"])
    op.create_index("ix_status_link_uses_tracking_number", "status_link_uses", ["tracking_number"])


def downgrade() -> None:
    op.drop_index("ix_status_link_uses_tracking_number", table_name="status_link_uses")
    op.drop_index("ix_status_link_uses_link_id", table_name="status_link_uses")
    op.drop_table("status_link_uses")
    op.drop_index("ix_status_links_tracking_number", table_name="status_links")
    op.drop_table("status_links")
