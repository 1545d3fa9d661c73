"""The repository: save an assessment under a private token, find it again by that token."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import URL, Connection, make_url

from crepitus.store._models import Assessment
from crepitus.store._sqlite import (
    BEGIN,
    Checkpointer,
    database_file,
    enable_wal,
    setup_lock,
    sqlite_engine,
)

__all__ = ["Store", "StoredAssessment", "normalise_url"]

# secrets.token_urlsafe(32): 256 random bits as 43 URL-safe characters.
_TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Any constant: serialises migrations of several workers starting at once on PostgreSQL.
_MIGRATION_LOCK = 0x63726570


@dataclass(frozen=True)
class StoredAssessment:
    token: str
    created_at: datetime
    knowledge_version: str
    level: str
    case: dict[str, Any]
    result: dict[str, Any]


def normalise_url(url: str) -> URL:
    """The SQLAlchemy URL to use: PostgreSQL always through psycopg 3; SQLite as given."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in {"postgresql+psycopg", "sqlite", "sqlite+pysqlite"}:
        return parsed
    raise ValueError(
        f"unsupported database URL scheme '{parsed.drivername}': "
        "use sqlite:///PATH or postgresql://USER@HOST/DB"
    )


class Store:
    """Assessments in SQLite or PostgreSQL, each behind a private random token."""

    def __init__(self, url: str) -> None:
        parsed = normalise_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        #: True for SQLite: every call is one local statement of well under a millisecond,
        #: cheaper to make right on an event loop than to hand to a thread.
        self.local = sqlite
        if sqlite:
            self._engine = sqlite_engine(parsed)
        else:
            self._engine = create_engine(parsed, pool_pre_ping=True)
        self._checkpointer: Checkpointer | None = None
        path = database_file(parsed) if sqlite else None
        if path is None:
            self._migrate()  # PostgreSQL serialises this itself; in memory, nobody else is there
            return
        with setup_lock(path):
            enable_wal(path)
            self._migrate()
        self._checkpointer = Checkpointer(path)

    def _migrate(self) -> None:
        cfg = Config()
        scripts = resources.files("crepitus.store") / "migrations"
        cfg.set_main_option("script_location", str(scripts))
        with self._engine.connect() as conn:
            conn.execution_options(**{BEGIN: "immediate"})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")

    @contextmanager
    def _statement(self) -> Iterator[Connection]:
        """A connection for one statement, which is atomic by itself.

        On SQLite no transaction is opened around it (see _sqlite.BEGIN); on PostgreSQL it runs
        in a transaction of its own. Every call of the store is one statement, so several
        threads may even share one SQLite connection (in memory) without mixing transactions.
        """
        with self._engine.connect() as conn:
            yield conn.execution_options(**{BEGIN: "none"})

    def save_assessment(self, case: dict[str, Any], result: dict[str, Any]) -> str:
        """Store one assessment, atomically (one statement); return its private token."""
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        row = insert(Assessment).values(
            token=token,
            created_at=datetime.now(UTC),
            knowledge_version=str(result["knowledge_version"]),
            level=str(result["triage"]["level"]),
            case=case,
            result=result,
        )
        with self._statement() as conn:
            conn.execute(row)
            conn.commit()
        if self._checkpointer is not None:
            self._checkpointer.wrote()
        return token

    def get_assessment(self, token: str) -> StoredAssessment | None:
        """The assessment saved under ``token``, or None for any token that is not one of ours."""
        if not _TOKEN.fullmatch(token):
            return None  # cannot be ours: spare the database
        with self._statement() as conn:
            row = conn.execute(select(Assessment).where(Assessment.token == token)).first()
        if row is None:
            return None
        created = row.created_at
        if created.tzinfo is None:  # SQLite keeps no zone; we only ever write UTC
            created = created.replace(tzinfo=UTC)
        return StoredAssessment(
            token=row.token,
            created_at=created,
            knowledge_version=row.knowledge_version,
            level=row.level,
            case=row.case,
            result=row.result,
        )

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self._statement() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self._engine.dispose()
