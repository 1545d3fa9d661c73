"""Issue 14 in the store, on SQLite and PostgreSQL: NUL characters, private files, parameters kept
out of logs, links that expire and renew, erasure for good, entry ids numbered per diary."""

from __future__ import annotations

import logging
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import crepitus
from crepitus.errors import CaseError
from crepitus.store import LocalDiary, Store
from tests.pgfixture import set_expiry
from tests.store.test_diary_store import CASE, count, entry, new_token

SECRET_NOTE = "zebra-marmalade-secret-note"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- defect 1: NUL ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["note", "activity"])
def test_nul_in_an_entry_is_refused_by_name_and_nothing_written(
    store: Store, db_url: str, field: str
) -> None:
    token = new_token(store)
    good = entry(0, 3)
    bad = entry(1, 4, **{field: "before\x00after"})
    with pytest.raises(CaseError) as caught:
        store.add_diary_entries(token, [good, bad])
    assert [(p.loc, p.type) for p in caught.value.problems] == [(f"diary.1.{field}", "nul_char")]
    with pytest.raises(CaseError):
        store.add_diary_entries(LocalDiary(), [bad])
    assert count(db_url) == 0


def test_nul_with_other_problems_names_them_all(store: Store) -> None:
    token = new_token(store)
    with pytest.raises(CaseError) as caught:
        store.add_diary_entries(token, [entry(0, 11, note="a\x00")])
    locs = {p.loc for p in caught.value.problems}
    assert {"diary.0.pain", "diary.0.note"} <= locs


def test_a_case_text_with_nul_is_stored_and_read_back(store: Store) -> None:
    case = {"age": 40, "text": "my back clicks\x00 when I bend"}
    token = store.save_assessment(case, crepitus.assess(case))
    stored = store.get_assessment(token)
    assert stored is not None and stored.case["text"] == case["text"]


# --- defect 2: no parameters in database errors -----------------------------------------------


def test_database_errors_never_carry_parameters(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    engine = store._engine
    with pytest.raises(sa.exc.DBAPIError) as caught, engine.connect() as conn:
        conn.execute(sa.text("SELECT * FROM no_such_table WHERE x = :v"), {"v": SECRET_NOTE})
    assert SECRET_NOTE not in str(caught.value)
    assert all(SECRET_NOTE not in r.getMessage() for r in caplog.records)


# --- defect 6: private files ------------------------------------------------------------------


def test_sqlite_folder_is_0700_and_files_0600(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    path = folder / "crepitus.db"
    old = os.umask(0o022)  # a typical, permissive umask
    try:
        store = Store(f"sqlite:///{path}")
        try:
            new_token(store)  # a write: the WAL and its index exist now
            files = [p for p in folder.iterdir()]
            assert {p.name for p in files} >= {"crepitus.db", "crepitus.db-wal"}
            assert _mode(folder) == 0o700
            for p in files:
                assert _mode(p) == 0o600, p.name
        finally:
            store.close()
    finally:
        os.umask(old)


def test_existing_world_readable_files_are_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before = os.umask(0o022)
    os.umask(before)
    Store(f"sqlite:///{path}").close()
    for p in tmp_path.iterdir():
        p.chmod(0o644)
    Store(f"sqlite:///{path}").close()
    for p in tmp_path.iterdir():
        assert _mode(p) == 0o600, p.name
    now = os.umask(before)
    assert now == before  # the process umask is given back


# --- defect 12: expiry, renewal, erasure -------------------------------------------------------


def test_links_expire_after_the_configured_days(db_url: str) -> None:
    store = Store(db_url, link_days=7)
    try:
        token = new_token(store)
        stored = store.get_assessment(token)
        assert stored is not None and stored.expires_at is not None
        expected = datetime.now(UTC) + timedelta(days=7)
        assert abs((stored.expires_at - expected).total_seconds()) < 60
        store.add_diary_entries(token, [entry(0, 2)])
        set_expiry(db_url, token, datetime.now(UTC) - timedelta(seconds=1))
        assert store.get_assessment(token) is None
        assert store.diary(token) is None
        assert store.diary_exists(token) is False
        assert store.add_diary_entries(token, [entry(1, 2)]) is None
        assert store.delete_diary_entry(token, 1) is False
        assert store.renew_link(token) is None  # expired is gone: nothing to renew
    finally:
        store.close()


def test_renewing_moves_the_expiry_on(db_url: str) -> None:
    store = Store(db_url, link_days=30)
    try:
        token = new_token(store)
        set_expiry(db_url, token, datetime.now(UTC) + timedelta(days=1))
        until = store.renew_link(token)
        assert until is not None and until > datetime.now(UTC) + timedelta(days=29)
        stored = store.get_assessment(token)
        assert stored is not None and stored.expires_at is not None
        assert abs((stored.expires_at - until).total_seconds()) < 1
        assert store.renew_link("x" * 43) is None
    finally:
        store.close()


def test_erasure_removes_the_assessment_and_its_diary_for_good(store: Store, db_url: str) -> None:
    token = new_token(store)
    other = new_token(store)
    store.add_diary_entries(token, [entry(0, 1, note=SECRET_NOTE), entry(1, 2)])
    store.add_diary_entries(other, [entry(0, 5)])
    assert store.erase_assessment(token) is True
    assert store.get_assessment(token) is None
    assert store.diary(token) is None
    assert store.erase_assessment(token) is False
    assert store.erase_assessment("short") is False
    assert count(db_url) == 1  # the other diary is untouched
    assert store.get_assessment(other) is not None


def test_expired_assessments_are_erased_with_their_diaries(store: Store, db_url: str) -> None:
    old, kept = new_token(store), new_token(store)
    store.add_diary_entries(old, [entry(0, 1)])
    set_expiry(db_url, old, datetime.now(UTC) - timedelta(days=1))
    assert store.erase_expired() == 1
    assert count(db_url) == 0
    assert store.get_assessment(kept) is not None


def test_sqlite_erasure_leaves_no_text_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "erase.db"
    store = Store(f"sqlite:///{path}")
    try:
        case: dict[str, Any] = {**CASE, "text": f"my back clicks {SECRET_NOTE}"}
        token = store.save_assessment(case, crepitus.assess(case))
        store.add_diary_entries(token, [entry(0, 1, note=SECRET_NOTE)])
        assert store.erase_assessment(token)
        with store._engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    for p in tmp_path.iterdir():
        assert SECRET_NOTE.encode() not in p.read_bytes(), p.name


# --- defect 11: ids numbered within each diary --------------------------------------------------


def test_entry_ids_are_numbered_within_each_diary(store: Store) -> None:
    first, second = new_token(store), new_token(store)
    a = store.add_diary_entries(first, [entry(0, 1), entry(1, 1)])
    b = store.add_diary_entries(second, [entry(0, 1)])
    assert a is not None and b is not None
    assert [e.id for e in a.added] == [1, 2]
    assert [e.id for e in b.added] == [1]  # says nothing about how many others there are
    diary = store.diary(second)
    assert diary is not None and [e.id for e in diary.entries] == [1]
