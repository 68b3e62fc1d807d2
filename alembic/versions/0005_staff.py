"""Staff accounts, sessions, login throttling and the personal-data reveal log (issue 5).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:00:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("center_code", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_code"],
            ["centers.code"],
        ),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_index("ix_staff_users_center_code", "staff_users", ["center_code"], unique=False)
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["staff_users.username"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_staff_sessions_username", "staff_sessions", ["username"], unique=False)
    op.create_index("ix_staff_sessions_expires_at", "staff_sessions", ["expires_at"], unique=False)
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "at"], unique=False)
    op.create_index("ix_login_attempts_client_at", "login_attempts", ["client", "at"], unique=False)
    op.create_table(
        "personal_data_reveals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tracking_number", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tracking_number"],
            ["cases.tracking_number"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_personal_data_reveals_tracking_number", "personal_data_reveals", ["tracking_number"], unique=False
    )
    op.create_index("ix_personal_data_reveals_username", "personal_data_reveals", ["username"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_cases_assignee", ["assignee"], unique=False)
        batch_op.create_index("ix_cases_filed_with", ["filed_with"], unique=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_state_opened", ["state", "opened_at", "task_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_state_opened")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_filed_with")
        batch_op.drop_index("ix_cases_assignee")
        batch_op.drop_column("assignee")
    op.drop_table("personal_data_reveals")
    op.drop_table("login_attempts")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
