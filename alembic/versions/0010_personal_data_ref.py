"""Personal data is written by the intake and referenced by the workflow, never carried in it.

The intake's dispatcher writes the complainant's contact details and chat address into `personal_data`
before the case's workflow starts (the workflow carries only its number): the row now exists before its
case, so its foreign key to `cases` goes, and it holds the chat address (`channel_ref`) the projection
copies to the case.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 23:00:00
"""

import sqlalchemy as sa

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _table(with_case_key: bool) -> sa.Table:
    """personal_data without channel_ref, for SQLite's batch mode to copy from (its key has no name)."""
    columns = [
        sa.Column("tracking_number", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(200)),
        sa.Column("phone", sa.String(20)),
        sa.Column("national_id", sa.String(13)),
        sa.Column("email", sa.String(200)),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("erase_after", sa.DateTime(timezone=True)),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
    ]
    if with_case_key:
        columns.append(sa.ForeignKeyConstraint(["tracking_number"], ["cases.tracking_number"]))
    return sa.Table("personal_data", sa.MetaData(), *columns)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("personal_data", recreate="always", copy_from=_table(False)) as batch:
            batch.add_column(sa.Column("channel_ref", sa.String(200), nullable=True))
        return
    op.drop_constraint("personal_data_tracking_number_fkey", "personal_data", type_="foreignkey")
    op.add_column("personal_data", sa.Column("channel_ref", sa.String(200), nullable=True))


def downgrade() -> None:
    # Rows of filings whose case never came cannot keep a key to `cases`.
    op.execute("DELETE FROM personal_data WHERE tracking_number NOT IN (SELECT tracking_number FROM cases)")
    if op.get_bind().dialect.name == "sqlite":
        # Copied from the old shape: the new table has the key again and no channel_ref.
        with op.batch_alter_table("personal_data", recreate="always", copy_from=_table(True)):
            pass
        return
    op.drop_column("personal_data", "channel_ref")
    op.create_foreign_key(
        "personal_data_tracking_number_fkey", "personal_data", "cases", ["tracking_number"], ["tracking_number"]
    )
