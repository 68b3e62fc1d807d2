"""Open311 clients and keys, public categories, inbound agency cases, callback nonces (issue 16).

Categories get a `public` flag (the public Open311 listing shows only these; the seed marks the
everyday ones public), cases the filer's consent to publish and a coarse map point, and three tables:
Open311 clients' hashed keys, cases received from linked agencies under their reference, and the nonces
of signed agency requests (replay protection).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 01:30:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

PUBLIC_BY_DEFAULT = ("infrastructure", "nuisance", "traffic", "environment", "animals", "utilities")


def upgrade() -> None:
    with op.batch_alter_table("categories") as t:
        t.add_column(sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("cases") as t:
        t.add_column(sa.Column("publish", sa.Boolean(), nullable=False, server_default=sa.false()))
        t.add_column(sa.Column("coarse_lat", sa.Float(), nullable=True))
        t.add_column(sa.Column("coarse_long", sa.Float(), nullable=True))
    categories = sa.table("categories", sa.column("code", sa.String), sa.column("public", sa.Boolean))
    op.execute(categories.update().where(categories.c.code.in_(PUBLIC_BY_DEFAULT)).values(public=True))
    op.create_table(
        "open311_clients",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "agency_transfers",
        sa.Column("agency_code", sa.String(40), primary_key=True),
        sa.Column("reference", sa.String(200), primary_key=True),
        sa.Column("tracking_number", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "callback_nonces",
        sa.Column("agency_code", sa.String(40), primary_key=True),
        sa.Column("nonce", sa.String(100), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_agency_transfers_tracking_number", "agency_transfers", ["tracking_number"])
    op.create_index("ix_callback_nonces_expires_at", "callback_nonces", ["expires_at"])


def downgrade() -> None:
    op.drop_table("callback_nonces")
    op.drop_table("agency_transfers")
    op.drop_table("open311_clients")
    with op.batch_alter_table("cases") as t:
        t.drop_column("coarse_long")
        t.drop_column("coarse_lat")
        t.drop_column("publish")
    with op.batch_alter_table("categories") as t:
        t.drop_column("public")
