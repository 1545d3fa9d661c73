"""SQLite for a small web service: WAL, queued writers, checkpoints off the request path."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection
from sqlalchemy.pool import StaticPool

from crepitus.store._json import dumps, loads

__all__ = [
    "BEGIN",
    "Checkpointer",
    "checkpoint",
    "database_file",
    "enable_wal",
    "private_files",
    "setup_lock",
    "sqlite_engine",
]

#: Execution option naming how a transaction begins: "deferred" (default), "immediate" or "none".
BEGIN = "crepitus_begin"

log = logging.getLogger("crepitus.store")

# A safety net only: if the background checkpointer falls behind, the committing connection
# checkpoints itself once the WAL passes about 40 MB (10,000 pages of 4 KiB).
_AUTOCHECKPOINT_PAGES = 10_000
# After a checkpoint resets the WAL, its file is truncated to this size.
_WAL_SIZE_LIMIT = 64 * 1024 * 1024
# The background checkpointer (Checkpointer): how long after a write it runs, the WAL's length
# (in 4 KiB pages, about 8 MB) past which it makes the WAL start over, how long that may wait
# for readers, and how many PASSIVE rounds it first runs to catch up (stopping once a round
# copies fewer frames than this). A longer WAL only made each start-over slower (bench/README.md).
_CHECKPOINT_DELAY = 0.01
_RESTART_FRAMES = 2_000
_RESTART_WAIT_MS = 20
_CATCH_UP_ROUNDS = 3
_CAUGHT_UP_FRAMES = 64
# How long a statement waits for another connection's lock before failing.
_BUSY_SECONDS = 30


def database_file(url: URL) -> str | None:
    """The database's file, or None for an in-memory database."""
    return None if url.database in {None, "", ":memory:"} else url.database


def sqlite_engine(url: URL) -> Engine:
    memory = database_file(url) is None
    connect_args = {"check_same_thread": False, "timeout": _BUSY_SECONDS}
    if memory:
        # One shared connection, or each thread would see its own empty database.
        engine = create_engine(
            url,
            poolclass=StaticPool,
            connect_args=connect_args,
            hide_parameters=True,
            json_serializer=dumps,
            json_deserializer=loads,
        )
    else:
        # hide_parameters: a database error must never log the case text it was writing.
        engine = create_engine(
            url,
            connect_args=connect_args,
            hide_parameters=True,
            json_serializer=dumps,
            json_deserializer=loads,
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (_on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            # WAL itself is set once, in the file, by enable_wal. synchronous=NORMAL is safe
            # from corruption in WAL mode; a power cut may lose only the last commits before it.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES}")
            cur.execute(f"PRAGMA journal_size_limit={_WAL_SIZE_LIMIT}")
        cur.execute("PRAGMA foreign_keys=ON")
        # Erased rows are overwritten, not merely unlinked: erasure is for good.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN, "deferred")
        if mode == "immediate":
            # A multi-statement write takes the write lock up front (waiting for another process
            # if need be) instead of failing when it upgrades a read lock halfway through.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif mode == "deferred":
            conn.exec_driver_sql("BEGIN")
        # "none": no transaction is opened, so a single statement commits on its own. The write
        # lock is then held only inside that one C call, never across a GIL hand-off back to
        # Python, which is what made writers of two worker processes queue for milliseconds.

    return engine


#: The database and its side files (WAL, shared memory, lock): health data, the owner's only.
_SIDE_FILES = ("", "-wal", "-shm", "-journal", ".lock")


@contextmanager
def private_files(path: str) -> Iterator[None]:
    """Create the database's folder 0700 (when missing) and its files 0600, and keep them so.

    The umask holds while the files are first created (SQLite gives its WAL and shared-memory
    files the database file's mode); files already there are made 0600 after.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # makedirs' mode is filtered by the umask
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)
        for suffix in _SIDE_FILES:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(path + suffix, 0o600)


@contextmanager
def setup_lock(path: str) -> Iterator[None]:
    """Held while a process prepares the database: several workers may start at once."""
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def enable_wal(path: str) -> None:
    """Switch the file to WAL (persistent), which lets readers proceed while one writer writes.

    Switching needs the database to itself and fails at once, without waiting, if another
    connection is busy; so it is done here, once, under setup_lock.
    """
    conn = sqlite3.connect(path, timeout=_BUSY_SECONDS)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def checkpoint(
    conn: sqlite3.Connection,
    restart_frames: int = _RESTART_FRAMES,
    sync: Callable[[], None] = lambda: None,
) -> bool:
    """One round of the background checkpointer; True when it made the WAL start over.

    PASSIVE copies what it can without blocking anyone; ``sync`` then flushes the database
    file, holding no lock. A WAL longer than ``restart_frames`` gets a RESTART, so the next commit
    writes from the WAL's start. A RESTART that is busy (readers or a writer past the
    connection's timeout) gives up and returns False.

    Why ``sync``: SQLite flushes the database file only when a checkpoint completes, and under
    a steady stream of writes only the RESTART does, so it had to flush every page copied since
    the last one (8 MB, 20-70 ms here) while holding writers back. Flushed as it goes, the
    RESTART has little left to flush; up to three more PASSIVE rounds first copy what came in.
    """
    _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    sync()
    if frames <= restart_frames:
        return False
    for _ in range(_CATCH_UP_ROUNDS):
        before = copied
        _busy, _frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        sync()
        if copied - before < _CAUGHT_UP_FRAMES:
            break
    busy, _frames, _copied = conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
    return not busy


class Checkpointer:
    """Copies the WAL back into the database file soon after writes, in a background thread.

    SQLite's automatic checkpoint runs inside whichever commit crosses its threshold, and that
    commit then waits for the copy and an fsync of the database file: 30-140 ms on this machine,
    which was the whole p99 of POST /v1/assess. A PASSIVE checkpoint blocks neither readers nor
    writers, so run shortly after writes it keeps that wait off every request. Under a steady
    stream of writes, though, a PASSIVE checkpoint never quite catches up, so the WAL never starts
    over and the commit-time threshold is reached anyway; once the WAL passes ``_RESTART_FRAMES``
    a RESTART checkpoint makes it start over. That one holds writers back while it copies and
    flushes the little the PASSIVE ones left (see ``checkpoint``), for at most
    ``_RESTART_WAIT_MS`` of waiting on readers. Several processes may each run one.
    """

    def __init__(self, path: str, every: float = _CHECKPOINT_DELAY) -> None:
        self._path = path
        self._every = every
        self._wrote = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crepitus-checkpoint", daemon=True)
        self._thread.start()

    def wrote(self) -> None:
        self._wrote.set()

    def _run(self) -> None:
        # Waiting on readers is bounded: a RESTART that cannot finish in time gives up and lets
        # writers go on; the next one tries again.
        conn = sqlite3.connect(self._path, timeout=_RESTART_WAIT_MS / 1000, isolation_level=None)
        # The database file's pages are flushed through a descriptor of its own (see checkpoint).
        fd = os.open(self._path, os.O_RDONLY)

        def sync() -> None:
            os.fdatasync(fd)

        try:
            while True:
                self._wrote.wait()  # idle until something is written
                # Cleared before the pause, never after it: stop() sets _stop and then _wrote, so
                # a clear after the pause could erase its wake-up and leave this thread waiting
                # for ever (a worker that never exits). Writes during the pause set it again.
                self._wrote.clear()
                # A short pause lets a burst of writes share one checkpoint.
                if self._stop.wait(self._every):
                    return
                checkpoint(conn, sync=sync)
        except (sqlite3.Error, OSError):
            # Not fatal: the commit-time checkpoint above still bounds the WAL.
            log.warning("background checkpoints stopped", exc_info=True)
        finally:
            os.close(fd)
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._wrote.set()  # wake the thread if it is idle
        self._thread.join()
