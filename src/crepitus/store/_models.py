"""Tables, as typed SQLAlchemy declarative models. The migrations create them; keep both in step."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Assessment", "Base", "DiaryEntry", "SiteKey"]

# Stable constraint names, so later migrations can refer to them on SQLite and PostgreSQL alike.
_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)
    # Plain JSON rather than PostgreSQL's JSONB: JSONB reorders keys, and a stored assessment
    # should read back exactly as it was answered.
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class Assessment(Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    knowledge_version: Mapped[str] = mapped_column(String(64))
    case: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]
    level: Mapped[str] = mapped_column(String(32))
    # After this the private token finds nothing (migration 0003); renewing moves it on.
    # Always written; nullable only because SQLite adds a column in place that way.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class DiaryEntry(Base):
    """One entry of a symptom diary (issue 6).

    A diary belongs either to an assessment (reached through its private token) or, for the
    command line, to a named local diary that no assessment owns (``local_diary``, e.g.
    "default"); exactly one of the two is set (migration 0002).
    """

    __tablename__ = "diary_entries"
    __table_args__ = (
        CheckConstraint("(assessment_id IS NULL) <> (local_diary IS NULL)", name="one_owner"),
        Index("ux_diary_entries_assessment_number", "assessment_id", "number", unique=True),
        Index("ux_diary_entries_local_number", "local_diary", "number", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The id the entry is known by outside: 1, 2, 3 ... within its own diary (migration 0003).
    number: Mapped[int] = mapped_column(Integer)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    local_diary: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    pain: Mapped[int | None] = mapped_column(Integer)
    sound: Mapped[bool | None]
    activity: Mapped[str | None] = mapped_column(String(200))
    findings: Mapped[list[str]]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SiteKey(Base):
    """A secret the service makes once and every worker shares (migration 0004)."""

    __tablename__ = "site_keys"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
