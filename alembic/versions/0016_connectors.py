"""Agency connectors and their settings (issue 16): `agencies.connector` names how cases reach an
agency (null: by letter) and `agencies.connector_settings` holds its non-secret settings. The agencies
already linked spoke our JSON protocol, so they get `damrongdham-json`. (The citizen's consent to share
contact details travels with the case's workflow input; it needs no column.)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agencies") as t:
        t.add_column(sa.Column("connector", sa.String(32), nullable=True))
        t.add_column(sa.Column("connector_settings", sa.JSON(), nullable=True))
    agencies = sa.table("agencies", sa.column("linked", sa.Boolean), sa.column("connector", sa.String))
    op.execute(
        agencies.update()
        .where(agencies.c.linked == sa.true(), agencies.c.connector.is_(None))
        .values(connector="damrongdham-json")
    )


def downgrade() -> None:
    with op.batch_alter_table("agencies") as t:
        t.drop_column("connector_settings")
        t.drop_column("connector")
