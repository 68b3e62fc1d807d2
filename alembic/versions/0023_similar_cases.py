"""Similar complaints together (issue 14 part 5): the leading case a case follows, as its workflow
projects it, so the case page lists a lead's followers and the board counts clusters in SQL.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 02:35:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("lead_tracking_number", sa.String(16), nullable=True))
        batch.create_index("ix_cases_lead_tracking_number", ["lead_tracking_number"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_lead_tracking_number")
        batch.drop_column("lead_tracking_number")
