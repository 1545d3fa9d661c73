"""Diary entries of a local diary: an owner other than an assessment.

The command line keeps its diary in the same database, with no assessment behind it, so an entry
now belongs either to an assessment (``assessment_id``) or to a named local diary
(``local_diary``), never both and never neither.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ONE_OWNER = "(assessment_id IS NULL) <> (local_diary IS NULL)"


def upgrade() -> None:
    # Batch mode: SQLite can change a column's nullability only by copying the table.
    with op.batch_alter_table("diary_entries") as batch:
        batch.alter_column("assessment_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("local_diary", sa.String(length=64), nullable=True))
        batch.create_index("ix_diary_entries_local_diary", ["local_diary"])
        # op.f: the name is final; the naming convention must not prefix it again.
        batch.create_check_constraint(op.f("ck_diary_entries_one_owner"), sa.text(_ONE_OWNER))


def downgrade() -> None:
    # Local diaries have no assessment to belong to: they cannot survive the older schema.
    op.execute("DELETE FROM diary_entries WHERE local_diary IS NOT NULL")
    with op.batch_alter_table("diary_entries") as batch:
        batch.drop_constraint(op.f("ck_diary_entries_one_owner"), type_="check")
        batch.drop_index("ix_diary_entries_local_diary")
        batch.drop_column("local_diary")
        batch.alter_column("assessment_id", existing_type=sa.Integer(), nullable=False)
