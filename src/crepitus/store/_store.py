"""The repository: save an assessment under a private token, find it again by that token; keep
the symptom diary behind that token (or a local diary), all or nothing."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import secrets
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    and_,
    create_engine,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Dialect, Row, make_url

from crepitus.store._diary import (
    MAX_DIARY_ENTRIES,
    AddedEntries,
    Diary,
    DiaryOwner,
    LocalDiary,
    StoredEntry,
    as_utc,
    case_entries,
    in_time_order,
    new_entries,
    too_many,
    validate_entries,
)
from crepitus.store._json import Serialized, dumps, loads
from crepitus.store._models import assessments, diary_entries, site_keys
from crepitus.store._sqlite import (
    BEGIN,
    Checkpointer,
    database_file,
    enable_wal,
    private_files,
    setup_lock,
    sqlite_engine,
)

__all__ = ["Store", "StoredAssessment", "is_outage", "normalise_url"]


def is_outage(exc: BaseException) -> bool:
    """Whether the database did not answer (down, unreachable, refusing, out of connections)."""
    return isinstance(
        exc,
        sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.DisconnectionError
        | sa_exc.TimeoutError,
    )


# secrets.token_urlsafe(32): 256 random bits as 43 URL-safe characters.
_TOKEN_BYTES = 32
_INSERT_ASSESSMENT = insert(assessments)
# The columns a saved assessment fills (the rest keep their defaults).
_SAVED = ("token", "created_at", "expires_at", "knowledge_version", "level", "case", "result")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
#: What ``save_assessments`` stores for one assessment: (case, result, result_json or None).
Saving = tuple[dict[str, Any], dict[str, Any], str | None]
# Any constant: serialises migrations of several workers starting at once on PostgreSQL.
_MIGRATION_LOCK = 0x63726570
#: The newest migration. A database already at it needs no migration run, so a worker starting on
#: one never imports alembic (about 10 MB of every worker's memory); a test holds it to the head.
HEAD_REVISION = "0004"
# Entry ids are 32-bit integers on PostgreSQL; anything outside cannot be one of ours.
_MAX_ID = 2**31 - 1
#: Days a private link lives unless the settings say otherwise (CREPITUS_LINK_DAYS).
DEFAULT_LINK_DAYS = 90


@dataclass(frozen=True, slots=True)
class _Insert:
    """The assessment insert, compiled once for the database's dialect, with each column's own
    conversion (dates, JSON) taken from its SQLAlchemy type: a save is then one driver call.
    SQLAlchemy's statement execution around a single insert cost as much as SQLite's write."""

    sql: str
    order: tuple[str, ...]  # column keys in parameter order (positional) or () (named)
    convert: dict[str, Callable[[Any], Any]]

    @classmethod
    def of(cls, dialect: Dialect) -> _Insert:
        compiled = _INSERT_ASSESSMENT.compile(dialect=dialect, column_keys=list(_SAVED))
        convert: dict[str, Callable[[Any], Any]] = {}
        for column in (assessments.c[k] for k in _SAVED):
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                convert[column.key] = process
        return cls(str(compiled), tuple(compiled.positiontup or ()), convert)

    def params(self, row: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = {k: (f(row[k]) if (f := self.convert.get(k)) else row[k]) for k in _SAVED}
        return tuple(values[k] for k in self.order) if self.order else values


@dataclass(frozen=True, slots=True)
class _Owner:
    match: ColumnElement[bool]  # selects the diary's stored entries
    columns: dict[str, Any]  # what a new entry of the diary stores as its owner
    case: dict[str, Any]  # the owning assessment's case ({} for a local diary)


@dataclass(frozen=True)
class StoredAssessment:
    token: str
    created_at: datetime
    knowledge_version: str
    level: str
    case: dict[str, Any]
    result: dict[str, Any]
    expires_at: datetime | None = None  # after it the token finds nothing; renewing moves it


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

    def __init__(self, url: str, link_days: int = DEFAULT_LINK_DAYS) -> None:
        #: How long a private link lives from its assessment (or from its last renewal).
        self.link_days = link_days
        parsed = normalise_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        #: True for SQLite: every call is one local statement of well under a millisecond,
        #: cheaper to make right on an event loop than to hand to a thread.
        self.local = sqlite
        if sqlite:
            self._engine = sqlite_engine(parsed)
        else:
            # hide_parameters: a database error must never log the case text it was writing.
            self._engine = create_engine(
                parsed,
                pool_pre_ping=True,
                hide_parameters=True,
                json_serializer=dumps,
                json_deserializer=loads,
            )
        self._insert = _Insert.of(self._engine.dialect)
        self._checkpointer: Checkpointer | None = None
        path = database_file(parsed) if sqlite else None
        # In memory, every thread shares one connection: a transaction of several statements
        # (a diary write) must not interleave with another thread's statements on it.
        self._lock: threading.RLock | None = threading.RLock() if sqlite and path is None else None
        if path is None:
            self._migrate()  # PostgreSQL serialises this itself; in memory, nobody else is there
            return
        with private_files(path), setup_lock(path):
            enable_wal(path)
            self._migrate()
        self._checkpointer = Checkpointer(path)

    def _migrate(self) -> None:
        with self._engine.connect() as conn:
            conn.execution_options(**{BEGIN: "immediate"})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
                # Read under the lock, so a worker that waited sees what the first one did.
                if _revision(conn) == HEAD_REVISION:
                    return
                from alembic import command
                from alembic.config import Config

                cfg = Config()
                scripts = resources.files("crepitus.store") / "migrations"
                cfg.set_main_option("script_location", str(scripts))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")

    @contextmanager
    def _statement(self) -> Iterator[Connection]:
        """A connection for one statement, which is atomic by itself.

        On SQLite no transaction is opened around it (see _sqlite.BEGIN); on PostgreSQL it runs
        in a transaction of its own. Every assessment call of the store is one statement; the
        diary's multi-statement calls use ``_transaction``, and in memory, where several threads
        share one SQLite connection, both hold ``_lock`` so transactions never mix.
        """
        with self._serial(), self._engine.connect() as conn:
            yield conn.execution_options(**{BEGIN: "none"})

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Connection]:
        """A connection inside one transaction, committed at the end or rolled back on error.

        A write begins IMMEDIATE on SQLite: it takes the write lock before its first read, so
        the count it checks is still true when it inserts.
        """
        with self._serial(), self._engine.connect() as conn:
            conn = conn.execution_options(**{BEGIN: "immediate" if write else "deferred"})
            with conn.begin():
                yield conn
        if write and self._checkpointer is not None:
            self._checkpointer.wrote()

    def _serial(self) -> contextlib.AbstractContextManager[Any]:
        return self._lock if self._lock is not None else contextlib.nullcontext()

    def save_assessment(
        self, case: dict[str, Any], result: dict[str, Any], *, result_json: str | None = None
    ) -> str:
        """Store one assessment, atomically (one statement); return its private token.

        ``result_json``: the result already serialised (``orjson.dumps(result)``, as the API
        made it for its response), stored as it is rather than serialised a second time."""
        return self.save_assessments([(case, result, result_json)])[0]

    def save_assessments(self, items: Sequence[Saving]) -> list[str]:
        """Store several assessments in one transaction, all or none; their tokens, in order.

        Each item is (case, result, result_json or None), as for ``save_assessment``. One commit
        for a server's concurrent saves costs less than one each (``bench/README.md``)."""
        rows = [self._row(case, result, result_json) for case, result, result_json in items]
        self._driver_insert(rows)
        if self._checkpointer is not None:
            self._checkpointer.wrote()
        return [str(row["token"]) for row in rows]

    def _row(
        self, case: dict[str, Any], result: dict[str, Any], result_json: str | None
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "token": secrets.token_urlsafe(_TOKEN_BYTES),
            "created_at": now,
            "expires_at": now + timedelta(days=self.link_days),
            "knowledge_version": str(result["knowledge_version"]),
            "level": str(result["triage"]["level"]),
            "case": case,
            "result": result if result_json is None else Serialized(result_json),
        }

    def _driver_insert(self, rows: list[dict[str, Any]]) -> None:
        """The assessment inserts on the driver's own connection, committed together; a driver
        error raised as SQLAlchemy's, as every other call of the store raises it (``is_outage``).

        One row is one statement, which SQLite commits by itself (see _sqlite); several are one
        transaction that takes the write lock up front, as ``_transaction`` does."""
        insert_ = self._insert
        params = [insert_.params(row) for row in rows]
        dbapi_error = self._engine.dialect.loaded_dbapi.Error
        sqlite = self._engine.dialect.name == "sqlite"
        with self._serial():
            try:
                with (
                    contextlib.closing(self._engine.raw_connection()) as raw,
                    contextlib.closing(raw.cursor()) as cursor,
                ):
                    if len(params) == 1:
                        cursor.execute(insert_.sql, params[0])
                        raw.commit()  # SQLite connections autocommit (see _sqlite): a no-op there
                        return
                    if sqlite:
                        cursor.execute("BEGIN IMMEDIATE")
                    try:
                        # All tuples or all dicts, by the dialect's parameter style.
                        cursor.executemany(insert_.sql, cast(Any, params))
                    except BaseException:
                        raw.rollback()
                        raise
                    raw.commit()
            except dbapi_error as exc:
                raise sa_exc.DBAPIError.instance(
                    insert_.sql, None, exc, dbapi_error, hide_parameters=True
                ) from exc

    def get_assessment(self, token: str) -> StoredAssessment | None:
        """The assessment saved under ``token``, or None for any token that is not one of ours."""
        if not _TOKEN.fullmatch(token):
            return None  # cannot be ours: spare the database
        with self._statement() as conn:
            row = conn.execute(select(assessments).where(_live(token))).first()
        return None if row is None else _stored(row)

    def renew_link(self, token: str) -> datetime | None:
        """Move a live link's expiry to ``link_days`` from now; None if the token finds nothing."""
        if not _TOKEN.fullmatch(token):
            return None
        until = datetime.now(UTC) + timedelta(days=self.link_days)
        with self._statement() as conn:
            done = conn.execute(update(assessments).where(_live(token)).values(expires_at=until))
            conn.commit()
        self._wrote()
        return until if done.rowcount == 1 else None

    def erase_assessment(self, token: str) -> bool:
        """Erase an assessment and its whole diary, for good; False if the token finds nothing.

        Expired ones too: a person may erase what they can no longer see. On SQLite the freed
        pages are overwritten (``secure_delete``), so the text does not linger in the file.
        """
        if not _TOKEN.fullmatch(token):
            return False
        with self._transaction(write=True) as conn:
            found = conn.scalar(select(assessments.c.id).where(assessments.c.token == token))
            if found is None:
                return False
            conn.execute(delete(diary_entries).where(diary_entries.c.assessment_id == found))
            conn.execute(delete(assessments).where(assessments.c.id == found))
        return True

    def erase_expired(self) -> int:
        """Erase every assessment whose link has expired, with its diary; how many."""
        now = datetime.now(UTC)
        with self._transaction(write=True) as conn:
            ids = select(assessments.c.id).where(assessments.c.expires_at <= now)
            conn.execute(delete(diary_entries).where(diary_entries.c.assessment_id.in_(ids)))
            gone = conn.execute(delete(assessments).where(assessments.c.expires_at <= now))
        return int(gone.rowcount or 0)

    def site_key(self, name: str) -> str:
        """The shared random key called ``name`` (URL-safe base64 of 32 bytes), made on first use.

        Every worker asks the same database, so all of them seal and open with one key; when two
        make it at once, the first insert wins and the other reads it back.
        """
        with self._statement() as conn:
            found = conn.scalar(select(site_keys.c.value).where(site_keys.c.name == name))
        if found is not None:
            return str(found)
        made = secrets.token_urlsafe(_TOKEN_BYTES)
        try:
            with self._statement() as conn:
                conn.execute(
                    insert(site_keys).values(name=name, value=made, created_at=datetime.now(UTC))
                )
                conn.commit()
        except sa_exc.IntegrityError:
            pass  # another worker made it first: use theirs
        else:
            self._wrote()
        with self._statement() as conn:
            return str(conn.scalar(select(site_keys.c.value).where(site_keys.c.name == name)))

    def _wrote(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.wrote()

    # --- the symptom diary -----------------------------------------------------------------

    def _owner(
        self, conn: Connection, owner: DiaryOwner, for_update: bool = False
    ) -> _Owner | None:
        """Who owns the diary, or None when no assessment has the token.

        ``for_update`` serialises writers of one diary on PostgreSQL (SQLite's IMMEDIATE
        transaction already serialises every writer), so the size cap and the duplicate check
        see every committed entry.
        """
        postgres = conn.dialect.name == "postgresql"
        if isinstance(owner, LocalDiary):
            if for_update and postgres:
                key = zlib.crc32(f"crepitus-diary:{owner.name}".encode())
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
            return _Owner(
                diary_entries.c.local_diary == owner.name, {"local_diary": owner.name}, {}
            )
        if not _TOKEN.fullmatch(owner):
            return None
        query = select(assessments.c.id, assessments.c.case).where(_live(owner))
        if for_update and postgres:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            return None
        return _Owner(
            diary_entries.c.assessment_id == row.id, {"assessment_id": row.id}, dict(row.case)
        )

    def _entries(self, conn: Connection, owner: _Owner) -> list[StoredEntry]:
        rows = conn.execute(
            select(diary_entries).where(owner.match).order_by(diary_entries.c.number)
        )
        stored = [
            StoredEntry(
                id=r.number,
                at=as_utc(r.at),
                pain=r.pain,
                sound=r.sound,
                activity=r.activity,
                findings=list(r.findings),
                note=r.note,
            )
            for r in rows
        ]
        return in_time_order([*case_entries(owner.case), *stored])

    def diary(self, owner: DiaryOwner) -> Diary | None:
        """The whole diary in time order; None when no assessment has the token."""
        with self._transaction(write=False) as conn:
            found = self._owner(conn, owner)
            if found is None:
                return None
            entries = self._entries(conn, found)
        return Diary(
            entries=entries,
            case={k: v for k, v in found.case.items() if k != "diary"},
            token=owner if isinstance(owner, str) else None,
        )

    def diary_exists(self, owner: DiaryOwner) -> bool:
        """Whether the diary is there to write to: any local diary, or a token that is ours."""
        if isinstance(owner, LocalDiary):
            return True
        if not _TOKEN.fullmatch(owner):
            return False
        with self._statement() as conn:
            query = select(assessments.c.id).where(_live(owner))
            return conn.execute(query).first() is not None

    def add_diary_entries(
        self, owner: DiaryOwner, entries: Sequence[Any], *, skip_duplicates: bool = False
    ) -> AddedEntries | None:
        """Check every entry with the core, then write them all in one transaction.

        Raises CaseError naming each bad field (``diary.N.pain``) before anything is written;
        returns None when no assessment has the token. ``skip_duplicates`` (import) leaves out
        entries the diary already holds, so importing a file twice adds it once.
        """
        # Only a list is a diary: a string or a mapping must be refused, not iterated.
        checked = validate_entries(list(entries) if isinstance(entries, tuple) else entries)
        with self._transaction(write=True) as conn:
            found = self._owner(conn, owner, for_update=True)
            if found is None:
                return None
            if skip_duplicates:
                existing = self._entries(conn, found)
                count = len(existing)
            else:
                existing = []
                stored = conn.scalar(select(func.count()).where(found.match))
                count = int(stored or 0) + len(case_entries(found.case))
            fresh, skipped = new_entries(checked, existing, skip_duplicates)
            if count + len(fresh) > MAX_DIARY_ENTRIES:
                raise too_many(count + len(fresh))
            added: list[StoredEntry] = []
            if fresh:
                now = datetime.now(UTC)
                # Numbered within the diary: writers of one diary are serialised (above).
                last = conn.scalar(select(func.max(diary_entries.c.number)).where(found.match))
                first = int(last or 0) + 1
                rows = [
                    {
                        **found.columns,
                        "number": first + i,
                        "at": e.at,
                        "pain": e.pain,
                        "sound": e.sound,
                        "activity": e.activity,
                        "findings": e.findings,
                        "note": e.note,
                        "created_at": now,
                    }
                    for i, e in enumerate(fresh)
                ]
                conn.execute(insert(diary_entries), rows)
                added = [dataclasses.replace(e, id=first + i) for i, e in enumerate(fresh)]
        return AddedEntries(added=added, skipped=skipped, total=count + len(added))

    def delete_diary_entry(self, owner: DiaryOwner, entry_id: int) -> bool:
        """Delete one stored entry of this diary; False if there is none (or no such diary).

        Entries that came with the assessment's own case are part of that record: not deletable.
        """
        if not 0 < entry_id <= _MAX_ID:
            return False
        match: ColumnElement[bool]
        if isinstance(owner, LocalDiary):
            match = diary_entries.c.local_diary == owner.name
        elif _TOKEN.fullmatch(owner):
            match = (
                diary_entries.c.assessment_id
                == select(assessments.c.id).where(_live(owner)).scalar_subquery()
            )
        else:
            return False
        with self._statement() as conn:
            deleted = conn.execute(
                delete(diary_entries).where(diary_entries.c.number == entry_id, match)
            )
            conn.commit()
        if self._checkpointer is not None:
            self._checkpointer.wrote()
        return deleted.rowcount == 1

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self._statement() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self._engine.dispose()


def _revision(conn: Connection) -> str | None:
    """The database's migration revision; None for a new database."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _live(token: str) -> ColumnElement[bool]:
    """The assessment of this token, while its link has not expired."""
    return and_(assessments.c.token == token, assessments.c.expires_at > datetime.now(UTC))


def _stored(row: Row[Any]) -> StoredAssessment:
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
        expires_at=None if row.expires_at is None else as_utc(row.expires_at),
    )
