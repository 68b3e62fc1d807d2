"""Sub-districts on complaints and the areas agencies serve, down to tambon (issue 13).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa  # noqa: F401

from alembic import op  # noqa: F401

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved slot in the chain; filled by the work it names


def downgrade() -> None:
    pass
