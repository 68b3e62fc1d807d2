"""Slot for issue 14 part 2 (the case conversation): a placeholder, empty until that change needs a table.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 02:10:00
"""

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
