"""Site keys: secrets the service makes once and every worker shares (issue 13).

``site_keys.name`` names a key (``"interview"`` seals the interview's state into each question's
address); ``value`` is its random bytes, URL-safe base64. Kept in the database, so that every
worker and every machine on one database reads the same key, with or without a configured one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site_keys",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_site_keys"),
    )


def downgrade() -> None:
    op.drop_table("site_keys")
