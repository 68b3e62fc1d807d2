"""Staff sign-in delays per account and client, and TOTP second factors: a user's sealed TOTP secret
(pending until confirmed, with the last time step used, so a code works once) and the half-done
sign-ins that wait for a code. The delays themselves are counted from login_attempts (0005).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 23:00:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_second_factors",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("sealed_secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["staff_users.username"]),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "staff_sign_in_challenges",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("next_path", sa.String(length=300), nullable=False),
        sa.Column("wrong_codes", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["staff_users.username"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_staff_sign_in_challenges_username", "staff_sign_in_challenges", ["username"], unique=False)
    op.create_index("ix_staff_sign_in_challenges_expires_at", "staff_sign_in_challenges", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_staff_sign_in_challenges_expires_at", table_name="staff_sign_in_challenges")
    op.drop_index("ix_staff_sign_in_challenges_username", table_name="staff_sign_in_challenges")
    op.drop_table("staff_sign_in_challenges")
    op.drop_table("staff_second_factors")
