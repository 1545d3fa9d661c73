"""The store against real databases: a SQLite file and a throwaway PostgreSQL cluster."""

from __future__ import annotations

import base64
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from crepitus.store import Store, normalise_url
from crepitus.store import _store as store_module
from crepitus.store._json import Serialized
from crepitus.store._models import metadata

CASE: dict[str, Any] = {
    "age": 47,
    "text": "Mon dos craque quand je tourne: ça fait « pop » 🙂",
    "evidence": [{"id": "pain", "present": False}, {"id": "sound_twisting", "present": True}],
    "diary": [{"at": "2026-11-02T18:30:00Z", "pain": 3, "sound": True, "findings": []}],
}
RESULT: dict[str, Any] = {
    "triage": {"level": "self_care", "reasons": [{"rule": "r", "level": "self_care"}]},
    "conditions": [{"id": "joint_cavitation", "probability": 0.41, "supporting": []}],
    "evidence": [{"id": "pain", "present": False, "origin": "explicit"}],
    "plan": {"nested": {"deep": [1, 2.5, None, True]}},
    "knowledge_version": "2026.11.1+abc",
}


def _count(url: str, table: str = "assessments") -> int:
    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)
    finally:
        engine.dispose()


def test_round_trip(store: Store) -> None:
    before = datetime.now(UTC)
    token = store.save_assessment(CASE, RESULT)
    got = store.get_assessment(token)
    assert got is not None
    assert got.token == token
    assert got.case == CASE
    assert got.result == RESULT
    assert list(got.result) == list(RESULT)  # read back in the order it was answered
    assert got.level == "self_care"
    assert got.knowledge_version == "2026.11.1+abc"
    assert got.created_at.tzinfo is not None
    assert before - timedelta(seconds=1) <= got.created_at <= datetime.now(UTC)


def test_survives_reopening(db_url: str) -> None:
    first = Store(db_url)
    token = first.save_assessment(CASE, RESULT)
    first.close()
    again = Store(db_url)  # migrating an up-to-date database is a no-op
    try:
        got = again.get_assessment(token)
        assert got is not None and got.case == CASE
    finally:
        again.close()


@pytest.mark.parametrize(
    "token",
    ["", "x", "a" * 43, "A" * 42 + "/", "../../etc/passwd", "' OR 1=1 --", "é" * 43, "a" * 10_000],
)
def test_unknown_or_malformed_token_is_none(store: Store, token: str) -> None:
    store.save_assessment(CASE, RESULT)
    assert store.get_assessment(token) is None


def test_tokens_are_long_random_and_unique(store: Store) -> None:
    tokens = [store.save_assessment(CASE, RESULT) for _ in range(200)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=")
        assert len(raw) * 8 >= 256  # far above the 128 bits required
        assert len(token) == 43
    # Tokens share no structure: every position takes many values over 200 tokens.
    assert all(len({t[i] for t in tokens}) > 20 for i in range(42))


def test_failed_save_leaves_no_row(store: Store, db_url: str) -> None:
    bad = {**RESULT, "plan": {"not json": object()}}
    with pytest.raises((TypeError, sa.exc.StatementError)):
        store.save_assessment(CASE, bad)
    assert _count(db_url) == 0


def test_failure_inside_the_transaction_rolls_back(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = store.save_assessment(CASE, RESULT)
    # The database itself refuses the row (a duplicate token) after the transaction began.
    monkeypatch.setattr("crepitus.store._store.secrets.token_urlsafe", lambda _n: token)
    with pytest.raises(sa.exc.IntegrityError):
        store.save_assessment({"age": 1}, RESULT)
    assert _count(db_url) == 1
    got = store.get_assessment(token)
    assert got is not None and got.case == CASE


def test_several_saves_in_one_transaction_each_get_their_own_row(store: Store) -> None:
    cases = [{**CASE, "age": age} for age in (20, 30, 40)]
    body = orjson.dumps(RESULT).decode()
    tokens = store.save_assessments([(c, RESULT, body if c["age"] == 30 else None) for c in cases])
    assert len(set(tokens)) == 3
    for case, token in zip(cases, tokens, strict=True):
        got = store.get_assessment(token)
        assert got is not None and got.case == case and got.result == RESULT


def test_several_saves_are_all_or_none(store: Store, db_url: str) -> None:
    # The last row cannot be written: none of the three is.
    items = [(CASE, RESULT, None), (CASE, RESULT, None), ({"x": object()}, RESULT, None)]
    with pytest.raises((TypeError, sa.exc.StatementError)):
        store.save_assessments(items)
    assert _count(db_url) == 0


def test_several_saves_refused_by_the_database_roll_back(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A duplicate token: the database refuses the second row after the first was inserted.
    monkeypatch.setattr("crepitus.store._store.secrets.token_urlsafe", lambda _n: "T" * 43)
    with pytest.raises(sa.exc.IntegrityError):
        store.save_assessments([(CASE, RESULT, None), (CASE, RESULT, None)])
    assert _count(db_url) == 0
    monkeypatch.undo()
    store.save_assessment(CASE, RESULT)  # the connection is usable again
    assert _count(db_url) == 1


def test_migrated_to_head_and_matching_the_models(store: Store, db_url: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(store_module.__file__).parent / "migrations"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    engine = sa.create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert context.get_current_revision() == head
            # Workers skip the migration run on a database at HEAD_REVISION: it must be the head.
            assert head == store_module.HEAD_REVISION
            # The migration creates exactly what the models describe: nothing missing or extra.
            assert compare_metadata(context, metadata) == []
            tables = set(sa.inspect(conn).get_table_names())
            assert {"assessments", "diary_entries"} <= tables
    finally:
        engine.dispose()


def test_a_store_at_the_head_opens_without_alembic(store: Store, db_url: str) -> None:
    # The database is migrated already (the fixture): a new process opening it imports no alembic.
    code = (
        "import sys; from crepitus.store import Store; "
        f"Store({db_url!r}).close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_store_at_the_head_works_without_the_orm(store: Store, db_url: str) -> None:
    # Core tables only: saving, reading and erasing load no sqlalchemy.orm (6 MB a worker).
    result = {"triage": {"level": "self_care"}, "knowledge_version": "k"}
    code = (
        "import sys; from crepitus.store import Store; "
        f"s = Store({db_url!r}); t = s.save_assessment({{'age': 40}}, {result!r}); "
        "assert s.get_assessment(t) is not None; s.erase_expired(); s.close(); "
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.orm')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_many_processes_starting_at_once_migrate_once(empty_db_url: str) -> None:
    # Several workers open a fresh database together; each must come up on the same schema.
    errors: list[BaseException] = []
    stores: list[Store] = []

    def start() -> None:
        try:
            stores.append(Store(empty_db_url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert errors == []
    assert len(stores) == 4


def test_concurrent_saves(store: Store, db_url: str) -> None:
    tokens: list[str] = []
    errors: list[BaseException] = []

    def save() -> None:
        try:
            for _ in range(20):
                tokens.append(store.save_assessment(CASE, RESULT))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(tokens)) == 160
    assert _count(db_url) == 160


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    store = Store(f"sqlite:///{path}")
    try:
        store.save_assessment(CASE, RESULT)
        # journal_mode is a property of the file: any new connection sees it.
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with store._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        # Foreign keys are enforced: a diary entry needs its assessment.
        with pytest.raises(sa.exc.IntegrityError), store._engine.begin() as conn:
            now = datetime.now(UTC)
            conn.execute(
                sa.text(
                    "INSERT INTO diary_entries (assessment_id, at, findings, created_at) "
                    "VALUES (999, :now, '[]', :now)"
                ),
                {"now": now},
            )
    finally:
        store.close()


def test_sqlite_in_memory_is_shared_across_threads() -> None:
    # One connection serves every thread; each call being one statement keeps them apart.
    store = Store("sqlite://")
    found: list[bool] = []

    def work() -> None:
        for _ in range(25):
            token = store.save_assessment(CASE, RESULT)
            found.append(store.get_assessment(token) is not None)

    try:
        threads = [threading.Thread(target=work) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert found == [True] * 150
    finally:
        store.close()


def _save_many(url: str, n: int) -> None:
    store = Store(url)
    try:
        for _ in range(n):
            store.save_assessment(CASE, RESULT)
    finally:
        store.close()


def test_sqlite_several_processes_write_at_once(tmp_path: Path) -> None:
    # As under `crepitus serve --workers N`: separate processes, one file, all starting together.
    url = f"sqlite:///{tmp_path / 'procs.db'}"
    spawn = multiprocessing.get_context("spawn")
    procs = [spawn.Process(target=_save_many, args=(url, 100)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert _count(url) == 300


def test_sqlite_checkpoints_in_the_background(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.db"
    store = Store(f"sqlite:///{path}")
    try:
        before = path.stat().st_size
        big = {**RESULT, "plan": {"text": "x" * 20_000}}
        for _ in range(20):
            store.save_assessment(CASE, big)
        # Commits go to the WAL; only a checkpoint copies them into the database file, and
        # nothing else here runs one (the commit-time threshold is far away).
        deadline = time.monotonic() + 10
        while path.stat().st_size < before + 20 * 20_000 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert path.stat().st_size >= before + 20 * 20_000
    finally:
        store.close()


def test_local_is_true_only_for_sqlite(tmp_path: Path, pg_url: str) -> None:
    cases = [(f"sqlite:///{tmp_path / 'l.db'}", True), ("sqlite://", True), (pg_url, False)]
    for url, local in cases:
        store = Store(url)
        try:
            assert store.local is local
        finally:
            store.close()


def test_url_normalisation() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"
    with pytest.raises(ValueError, match="unsupported database URL scheme 'mysql'"):
        normalise_url("mysql://u@h/db")


def test_plain_postgresql_url_is_accepted(pg_url: str) -> None:
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    store = Store(plain)
    try:
        token = store.save_assessment(CASE, RESULT)
        assert store.get_assessment(token) is not None
        store.ping()
    finally:
        store.close()


def test_site_key_is_made_once_and_shared(db_url: str) -> None:
    first, second = Store(db_url), Store(db_url)
    try:
        key = first.site_key("interview")
        assert len(base64.urlsafe_b64decode(key + "=")) == 32
        # Another worker on the same database reads the same key; another name is another key.
        assert second.site_key("interview") == key == first.site_key("interview")
        assert second.site_key("other") != key
    finally:
        first.close()
        second.close()


def test_site_key_made_at_once_by_many_threads(db_url: str) -> None:
    stores = [Store(db_url) for _ in range(4)]
    try:
        keys: list[str] = []
        threads = [
            threading.Thread(target=lambda s=s: keys.append(s.site_key("race"))) for s in stores
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(keys) == 4 and len(set(keys)) == 1
    finally:
        for s in stores:
            s.close()


def test_a_result_serialised_once_is_stored_as_it_is(store: Store) -> None:
    import orjson

    body = orjson.dumps(RESULT).decode()
    token = store.save_assessment(CASE, RESULT, result_json=body)
    plain = store.save_assessment(CASE, RESULT)
    got, other = store.get_assessment(token), store.get_assessment(plain)
    assert got is not None and other is not None
    assert got.result == other.result == RESULT and got.case == CASE
    assert got.level == "self_care"


def test_the_driver_insert_writes_what_sqlalchemys_insert_writes(store: Store) -> None:
    # Saving goes straight to the driver with the columns' own conversions: the row must be
    # the same, byte for byte, as SQLAlchemy's insert of the same values on the same engine.
    token = store.save_assessment(CASE, RESULT)
    got = store.get_assessment(token)
    assert got is not None
    row = {
        "token": "x" * 43,
        "created_at": got.created_at,
        "expires_at": got.expires_at,
        "knowledge_version": got.knowledge_version,
        "level": got.level,
        "case": CASE,
        "result": Serialized(orjson.dumps(RESULT).decode()),
    }
    engine = store._engine
    with engine.begin() as conn:
        conn.execute(store_module._INSERT_ASSESSMENT, row)
    cols = 'created_at, expires_at, knowledge_version, level, CAST("case" AS TEXT), result'
    with engine.connect() as conn:
        found = conn.exec_driver_sql(f"SELECT token, {cols} FROM assessments").all()
    rows = {t: tuple(str(v) for v in rest) for t, *rest in found}
    assert rows[token] == rows["x" * 43]
