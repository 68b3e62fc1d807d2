"""Agency connectors and their settings, consent to share contact details (issue 16).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa  # noqa: F401

from alembic import op  # noqa: F401

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved slot in the chain; filled by the work it names


def downgrade() -> None:
    pass
