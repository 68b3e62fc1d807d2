"""Sub-districts on complaints and the areas agencies serve, down to tambon (issue 13).

Cases get the tambon the citizen named (`subdistrict_code`, a 6-digit DOPA code), and agencies a table
of the areas they serve (`agency_areas`: province, district, sub-district; a null means the whole of
the larger area), which is how a local government (เทศบาล, อบต.) says which tambons are its own.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as t:
        t.add_column(sa.Column("subdistrict_code", sa.String(6), nullable=True))
    op.create_table(
        "agency_areas",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("agency_code", sa.String(40), sa.ForeignKey("agencies.code"), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("district_code", sa.String(4), nullable=True),
        sa.Column("subdistrict_code", sa.String(6), nullable=True),
        sa.UniqueConstraint("agency_code", "province_code", "district_code", "subdistrict_code", name="uq_agency_area"),
    )
    with op.batch_alter_table("agency_areas") as t:
        t.create_index("ix_agency_areas_agency_code", ["agency_code"])
        t.create_index("ix_agency_areas_district_code", ["district_code"])
        t.create_index("ix_agency_areas_subdistrict_code", ["subdistrict_code"])


def downgrade() -> None:
    op.drop_table("agency_areas")
    with op.batch_alter_table("cases") as t:
        t.drop_column("subdistrict_code")
