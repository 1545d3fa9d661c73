"""A throwaway PostgreSQL 15 cluster for the tests: Unix socket only, fsync off, removed after.

Missing server binaries fail the tests rather than skip them: ``make test`` installs PostgreSQL
(scripts/system-deps.sh), so a skip would only hide a broken set-up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

__all__ = ["PG_BIN", "db_url", "empty_db_url", "pg_url", "set_expiry"]

PG_BIN = Path(os.environ.get("CREPITUS_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(*cmd: str) -> list[str]:
    # initdb refuses to run as root; as another user, run it as that user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """``postgresql+psycopg://postgres@/postgres?host=DIR`` for a fresh cluster of this session."""
    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    if not (initdb.exists() and pg_ctl.exists()):
        pytest.fail(
            f"PostgreSQL 15 server binaries are missing from {PG_BIN}: run "
            "`make system-deps` (or `apt-get install postgresql`), or set CREPITUS_PG_BIN"
        )
    # Short and under /tmp: pytest's tmp_path is unreadable to the postgres user and a socket
    # path must stay under 107 bytes.
    folder = tempfile.mkdtemp(prefix="pg.", dir="/tmp")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(folder, 0o700)
    data = f"{folder}/data"
    try:
        _run(
            _as_postgres(
                str(initdb), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
            )
        )
        server_options = f"-k {folder} -c listen_addresses='' -c fsync=off"
        log = f"{folder}/server.log"
        _run(_as_postgres(str(pg_ctl), "-D", data, "-l", log, "-w", "-o", server_options, "start"))
        yield f"postgresql+psycopg://postgres@/postgres?host={folder}"
    finally:
        if Path(data, "postmaster.pid").exists():
            subprocess.run(
                _as_postgres(str(pg_ctl), "-D", data, "-m", "immediate", "-w", "stop"),
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def _pg_shared(pg_url: str) -> Iterator[sa.Engine]:
    """One migrated database per test process, emptied before each test that uses it: creating
    a database costs about 0.4 s a test, emptying its tables a few milliseconds."""
    from crepitus.store import Store

    name = f"t_shared_{uuid.uuid4().hex}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(pg_url).set(database=name)
    Store(url.render_as_string(hide_password=False)).close()  # migrated to head, once
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _emptied(engine: sa.Engine) -> str:
    """The shared database with every table emptied (the schema and its version kept)."""
    with engine.connect() as conn:
        # Whatever a test left connected (a store not closed) must not hold a lock on a table.
        conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        tables = conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        if names:
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database on each backend: a new SQLite file, or the test process's
    PostgreSQL database with its tables emptied. Tests that migrate, drop or take a database
    apart use ``empty_db_url``."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    yield _emptied(request.getfixturevalue("_pg_shared"))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database without any schema on each backend: a SQLite file, or a new database
    on the throwaway PostgreSQL cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    server: str = request.getfixturevalue("pg_url")
    name = f"t_{uuid.uuid4().hex}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def set_expiry(db_url: str, token: str, when: datetime) -> None:
    """Move a stored assessment's expiry, as time passing would."""
    from crepitus.store import normalise_url

    engine = sa.create_engine(normalise_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE assessments SET expires_at = :w WHERE token = :t"),
                {"w": when, "t": token},
            )
    finally:
        engine.dispose()
