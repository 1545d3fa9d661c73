"""Tables, as SQLAlchemy Core tables. The migrations create them; keep both in step.

Core tables rather than ORM classes: the store only ever runs Core statements, and not loading
``sqlalchemy.orm`` keeps about 6 MB out of every worker.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["assessments", "diary_entries", "metadata", "site_keys"]

# Stable constraint names, so later migrations can refer to them on SQLite and PostgreSQL alike.
_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

metadata = MetaData(naming_convention=_NAMING)

# Plain JSON rather than PostgreSQL's JSONB: JSONB reorders keys, and a stored assessment
# should read back exactly as it was answered.
assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False, unique=True, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("knowledge_version", String(64), nullable=False),
    Column("case", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("level", String(32), nullable=False),
    # After this the private token finds nothing (migration 0003); renewing moves it on.
    # Always written; nullable only because SQLite adds a column in place that way.
    Column("expires_at", DateTime(timezone=True), nullable=True, index=True),
)

#: One entry of a symptom diary (issue 6). A diary belongs either to an assessment (reached
#: through its private token) or, for the command line, to a named local diary that no
#: assessment owns (``local_diary``, e.g. "default"); exactly one of the two is set
#: (migration 0002).
diary_entries = Table(
    "diary_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    # The id the entry is known by outside: 1, 2, 3 ... within its own diary (migration 0003).
    Column("number", Integer, nullable=False),
    Column(
        "assessment_id",
        Integer,
        ForeignKey("assessments.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    Column("local_diary", String(64), nullable=True, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("pain", Integer, nullable=True),
    Column("sound", Boolean, nullable=True),
    Column("activity", String(200), nullable=True),
    Column("findings", JSON, nullable=False),
    Column("note", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("(assessment_id IS NULL) <> (local_diary IS NULL)", name="one_owner"),
    Index("ux_diary_entries_assessment_number", "assessment_id", "number", unique=True),
    Index("ux_diary_entries_local_number", "local_diary", "number", unique=True),
)

#: A secret the service makes once and every worker shares (migration 0004).
site_keys = Table(
    "site_keys",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
