"""Signed status links for agencies without an account, outgoing letters (issue 16).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa  # noqa: F401

from alembic import op  # noqa: F401

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved slot in the chain; filled by the work it names


def downgrade() -> None:
    pass
