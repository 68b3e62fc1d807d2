"""Answers to "did this help?" per FAQ entry (issue 12).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa  # noqa: F401

from alembic import op  # noqa: F401

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved slot in the chain; filled by the work it names


def downgrade() -> None:
    pass
