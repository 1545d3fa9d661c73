"""The SQLite background checkpointer: the WAL starts over under steady writes, and it stops."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from crepitus.store._sqlite import Checkpointer, checkpoint


def _wal_database(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # only checkpoint() copies anything here
    conn.execute("CREATE TABLE t (body TEXT)")
    return conn


def _wal_frames(conn: sqlite3.Connection) -> int:
    # A PASSIVE checkpoint reports the WAL's length in frames. It copies what it can too, but
    # the length stays until a writer starts the WAL over.
    return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


def test_a_long_wal_starts_over(tmp_path: Path) -> None:
    conn = _wal_database(tmp_path / "w.db")
    try:
        for _ in range(300):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 20_000,))
        assert _wal_frames(conn) > 1_000
        assert checkpoint(conn, restart_frames=1_000) is True
        conn.execute("INSERT INTO t VALUES ('after')")
        # The next commit wrote from the WAL's start instead of appending to it.
        assert _wal_frames(conn) < 10
    finally:
        conn.close()


def test_a_short_wal_gets_only_the_passive_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    conn = _wal_database(path)
    try:
        for _ in range(10):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 20_000,))
        assert checkpoint(conn, restart_frames=1_000) is False
        # PASSIVE still copied the rows into the database file.
        assert path.stat().st_size > 10 * 20_000
    finally:
        conn.close()


def test_a_busy_restart_gives_up_instead_of_waiting(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    conn = _wal_database(path)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        for _ in range(100):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 20_000,))
        # A reader holding an old snapshot keeps the WAL from starting over.
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM t").fetchone()
        conn.execute("INSERT INTO t VALUES ('newer')")
        waiting = sqlite3.connect(path, timeout=0.02, isolation_level=None)
        try:
            assert checkpoint(waiting, restart_frames=10) is False
        finally:
            waiting.close()
    finally:
        reader.close()
        conn.close()


class _StopDuringThePause:
    """Stands in for the checkpointer's stop event: stop() arrives just as the first pause ends."""

    def __init__(self, checkpointer: Checkpointer) -> None:
        self._checkpointer = checkpointer
        self._event = threading.Event()
        self._first = True

    def set(self) -> None:
        self._event.set()

    def wait(self, timeout: float | None = None) -> bool:
        if self._first:
            self._first = False
            # What stop() does, in its order, after the pause has already timed out.
            self._event.set()
            self._checkpointer._wrote.set()
            return False
        return self._event.wait(timeout)


def test_stop_arriving_during_a_round_still_ends_the_thread(tmp_path: Path) -> None:
    # This interleaving once left the thread waiting for ever, and the worker never exited.
    checkpointer = Checkpointer(str(tmp_path / "w.db"))
    checkpointer._stop = _StopDuringThePause(checkpointer)  # type: ignore[assignment]
    checkpointer.wrote()
    checkpointer._thread.join(timeout=10)
    assert not checkpointer._thread.is_alive()


def test_stop_right_after_writes_always_returns(tmp_path: Path) -> None:
    path = str(tmp_path / "w.db")
    for _ in range(200):
        checkpointer = Checkpointer(path, every=0)
        checkpointer.wrote()
        stopper = threading.Thread(target=checkpointer.stop, daemon=True)
        stopper.start()
        stopper.join(timeout=10)
        assert not stopper.is_alive()


def test_the_database_file_is_flushed_before_the_restart_not_by_it(tmp_path: Path) -> None:
    conn = _wal_database(tmp_path / "w.db")
    syncs: list[int] = []
    try:
        for _ in range(300):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 20_000,))
        assert _wal_frames(conn) > 1_000  # copies every frame: the catch-up finds none new
        assert checkpoint(conn, restart_frames=1_000, sync=lambda: syncs.append(1)) is True
        # Once after the first PASSIVE, once after the catch-up round, then the RESTART.
        assert len(syncs) == 2
    finally:
        conn.close()
