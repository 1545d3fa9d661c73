"""Private links that expire, and diary entry ids numbered within their own diary.

``assessments.expires_at``: after it, the private token finds nothing (existing rows get the
default 90 days from the upgrade). ``diary_entries.number``: the id an entry is known by, 1, 2, 3
... within its own diary, so an id says nothing about other people's diaries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NUMBER = """
UPDATE diary_entries SET number = (
    SELECT count(*) FROM diary_entries AS d
    WHERE d.id <= diary_entries.id
      AND ((d.assessment_id = diary_entries.assessment_id)
           OR (d.assessment_id IS NULL AND diary_entries.assessment_id IS NULL
               AND d.local_diary = diary_entries.local_diary))
)
"""


def upgrade() -> None:
    # Added in place, never by batch mode: copying ``assessments`` on SQLite would drop the old
    # table, and with it (ON DELETE CASCADE) every diary entry. Nullable in the schema for that
    # reason; every row has a value from here on.
    op.add_column("assessments", sa.Column("expires_at", sa.DateTime(timezone=True)))
    op.execute(
        sa.text("UPDATE assessments SET expires_at = :at").bindparams(
            at=datetime.now(UTC) + timedelta(days=90)
        )
    )
    op.create_index("ix_assessments_expires_at", "assessments", ["expires_at"])

    with op.batch_alter_table("diary_entries") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    op.execute(_NUMBER)
    with op.batch_alter_table("diary_entries") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_index(
            "ux_diary_entries_assessment_number", ["assessment_id", "number"], unique=True
        )
        batch.create_index("ux_diary_entries_local_number", ["local_diary", "number"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("diary_entries") as batch:
        batch.drop_index("ux_diary_entries_local_number")
        batch.drop_index("ux_diary_entries_assessment_number")
        batch.drop_column("number")
    op.drop_index("ix_assessments_expires_at", table_name="assessments")
    op.drop_column("assessments", "expires_at")
