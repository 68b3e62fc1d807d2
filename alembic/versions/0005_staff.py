"""Staff accounts, sessions, login throttling and the personal-data reveal log (issue 5).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
