"""Open311 clients and keys, public categories, inbound agency cases, callback nonces (issue 16).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa  # noqa: F401

from alembic import op  # noqa: F401

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved slot in the chain; filled by the work it names


def downgrade() -> None:
    pass
