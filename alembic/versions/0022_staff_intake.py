"""Cases officers filed for citizens at the counter, on the 1567 line, from a letter or an e-mail, with
the citizen's consent to processing as recorded (issue 14 part 4).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 02:15:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_intakes",
        sa.Column("tracking_number", sa.String(16), primary_key=True),
        sa.Column("given_by", sa.String(16), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_center", sa.String(16), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_staff_intakes_recorded_center", "staff_intakes", ["recorded_center"])


def downgrade() -> None:
    op.drop_index("ix_staff_intakes_recorded_center", table_name="staff_intakes")
    op.drop_table("staff_intakes")
