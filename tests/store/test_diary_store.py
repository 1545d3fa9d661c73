"""The diary repository against real databases: a SQLite file and a throwaway PostgreSQL cluster.

Every write is all or nothing and checked by the core first; entries come back in time order,
in UTC, behind the private token of the assessment that owns them (or in the local diary).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import crepitus
from crepitus.errors import CaseError
from crepitus.store import MAX_DIARY_ENTRIES, LocalDiary, Store, normalise_url
from crepitus.store import _store as store_module
from crepitus.store._models import diary_entries

CASE: dict[str, Any] = {
    "age": 40,
    "evidence": [{"id": "back_sound", "present": True}, {"id": "pain", "present": False}],
}
T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)


def entry(day: int, pain: int | None = None, **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"at": (T0 + timedelta(days=day)).isoformat(), **more}
    if pain is not None:
        out["pain"] = pain
    return out


def new_token(store: Store, case: dict[str, Any] = CASE) -> str:
    return store.save_assessment(case, crepitus.assess(case))


def count(url: str) -> int:
    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text("SELECT count(*) FROM diary_entries")) or 0)
    finally:
        engine.dispose()


# --- adding and listing ----------------------------------------------------------------------


def test_add_and_list_in_time_order(store: Store) -> None:
    token = new_token(store)
    added = store.add_diary_entries(
        token,
        [
            entry(5, 4, sound=True, activity="deadlifts", findings=["pain_with_sound"]),
            entry(1, 2, sound=False, note="Ça craque 🙂 <b>"),
            # The same instant as day 3 at 09:00 UTC, written in another zone.
            {"at": "2026-10-04T11:00:00+02:00", "pain": 3},
        ],
    )
    assert added is not None
    assert added.total == 3 and added.skipped == 0
    assert all(isinstance(e.id, int) for e in added.added)
    assert len({e.id for e in added.added}) == 3

    diary = store.diary(token)
    assert diary is not None
    assert [e.pain for e in diary.entries] == [2, 3, 4]  # time order, not the order added
    assert [e.at for e in diary.entries] == [
        T0 + timedelta(days=1),
        T0 + timedelta(days=3),
        T0 + timedelta(days=5),
    ]
    assert all(e.at.tzinfo is not None and e.at.utcoffset() == timedelta(0) for e in diary.entries)
    first, middle, last = (e.as_dict() for e in diary.entries)
    assert first == {
        "id": first["id"],
        "at": "2026-10-02T09:00:00Z",
        "pain": 2,
        "sound": False,
        "findings": [],
        "note": "Ça craque 🙂 <b>",
    }
    assert middle["at"] == "2026-10-04T09:00:00Z"  # stored as the instant, shown in UTC
    assert last["activity"] == "deadlifts" and last["findings"] == ["pain_with_sound"]
    assert diary.case == CASE and diary.token == token


def test_the_diary_feeds_the_assessment(store: Store) -> None:
    token = new_token(store)
    store.add_diary_entries(token, [entry(i * 2, p) for i, p in enumerate([2, 2, 3, 4, 5, 5])])
    diary = store.diary(token)
    assert diary is not None
    case = diary.assessable_case()
    assert case["age"] == 40 and len(case["diary"]) == 6
    out = crepitus.assess(case)
    assert "diary_pain_rising" in {r["rule"] for r in out["triage"]["reasons"]}


def test_empty_diary(store: Store) -> None:
    token = new_token(store)
    diary = store.diary(token)
    assert diary is not None and diary.entries == []
    assert diary.assessable_case() == {**CASE, "diary": []}


# --- bad input: named, and nothing saved -----------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "loc", "words"),
    [
        ({"pain": 11}, "diary.1.pain", "at most 10"),
        ({"pain": -1}, "diary.1.pain", "at least 0"),
        ({"pain": "3"}, "diary.1.pain", "whole number from 0 to 10"),
        ({"pain": True}, "diary.1.pain", "whole number from 0 to 10"),
        ({"pain": 3.5}, "diary.1.pain", "whole number"),
        ({"at": "2999-01-01T00:00:00Z"}, "diary.1.at", "in the future"),
        ({"at": "last Tuesday"}, "diary.1.at", "ISO 8601"),
        ({"at": 1_700_000_000}, "diary.1.at", "ISO 8601"),
        ({"at": "1850-01-01T00:00:00Z"}, "diary.1.at", "after 1900"),
        ({"findings": ["back_sound", "pian"]}, "diary.1.findings.1", "did you mean 'pain'"),
        ({"sound": "yes"}, "diary.1.sound", "true or false"),
        ({"activity": "x" * 201}, "diary.1.activity", "too long"),
        ({"note": "x" * 2001}, "diary.1.note", "too long"),
        ({"mood": "grumpy"}, "diary.1.mood", "not a field"),
    ],
)
def test_a_bad_entry_is_named_and_nothing_is_saved(
    store: Store, db_url: str, bad: dict[str, Any], loc: str, words: str
) -> None:
    token = new_token(store)
    store.add_diary_entries(token, [entry(0, 1)])
    with pytest.raises(CaseError) as caught:
        store.add_diary_entries(token, [entry(1, 2), {**entry(2, 3), **bad}, entry(3, 4)])
    assert [p.loc for p in caught.value.problems] == [loc]
    assert words in caught.value.problems[0].msg
    assert count(db_url) == 1  # only the entry from before
    diary = store.diary(token)
    assert diary is not None and [e.pain for e in diary.entries] == [1]


def test_every_bad_field_is_named_at_once(store: Store) -> None:
    token = new_token(store)
    with pytest.raises(CaseError) as caught:
        store.add_diary_entries(
            token, [{"at": "nope", "pain": 12}, entry(1, findings=["leg_tinglin"])]
        )
    assert {p.loc for p in caught.value.problems} == {
        "diary.0.at",
        "diary.0.pain",
        "diary.1.findings.0",
    }


@pytest.mark.parametrize("entries", [{"at": "2026-10-01T00:00:00Z"}, "entries", None])
def test_entries_must_be_a_list(store: Store, entries: Any) -> None:
    with pytest.raises(CaseError) as caught:
        store.add_diary_entries(new_token(store), entries)
    assert caught.value.problems[0].loc.startswith("diary")


def test_a_failure_inside_the_transaction_writes_nothing(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database itself refuses the second row (NOT NULL), after the first was inserted.
    token = new_token(store)
    real = store_module.new_entries

    def broken(*args: Any, **kwargs: Any) -> Any:
        fresh, skipped = real(*args, **kwargs)
        fresh[1].at = None  # type: ignore[assignment]
        return fresh, skipped

    monkeypatch.setattr(store_module, "new_entries", broken)
    with pytest.raises(sa.exc.IntegrityError):
        store.add_diary_entries(token, [entry(0, 1), entry(1, 2), entry(2, 3)])
    assert count(db_url) == 0


def test_a_diary_never_grows_past_what_a_case_accepts(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert MAX_DIARY_ENTRIES == 20_000  # the contract's CaseIn.diary limit
    monkeypatch.setattr(store_module, "MAX_DIARY_ENTRIES", 3)
    token = new_token(store)
    store.add_diary_entries(token, [entry(0), entry(1)])
    with pytest.raises(CaseError) as caught:
        store.add_diary_entries(token, [entry(2), entry(3)])
    assert caught.value.problems[0].loc == "diary"
    assert "at most" in caught.value.problems[0].msg
    assert count(db_url) == 2


# --- whose diary -----------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "../../etc/passwd", "' OR 1=1 --"])
def test_an_unknown_token_has_no_diary(store: Store, db_url: str, token: str) -> None:
    new_token(store)
    assert store.diary(token) is None
    assert store.add_diary_entries(token, [entry(0, 1)]) is None
    assert store.delete_diary_entry(token, 1) is False
    assert store.diary_exists(token) is False
    assert count(db_url) == 0


def test_diaries_are_kept_apart(store: Store) -> None:
    a, b = new_token(store), new_token(store)
    store.add_diary_entries(a, [entry(0, 1)])
    added_b = store.add_diary_entries(b, [entry(0, 7), entry(1, 8)])
    store.add_diary_entries(LocalDiary(), [entry(0, 5)])
    store.add_diary_entries(LocalDiary("other"), [entry(0, 6)])
    assert added_b is not None

    def pains(owner: Any) -> list[int | None]:
        diary = store.diary(owner)
        assert diary is not None
        return [e.pain for e in diary.entries]

    assert pains(a) == [1]
    assert pains(b) == [7, 8]
    assert pains(LocalDiary()) == [5]
    assert pains(LocalDiary("other")) == [6]
    local = store.diary(LocalDiary())
    assert local is not None and local.case == {} and local.token is None
    # Ids are numbered within each diary, and one diary's entry cannot be deleted through
    # another's token: the same id there names that diary's own entry, or nothing.
    assert [e.id for e in added_b.added] == [1, 2]
    entry_id = added_b.added[1].id
    assert entry_id == 2
    assert store.delete_diary_entry(a, entry_id) is False
    assert store.delete_diary_entry(LocalDiary(), entry_id) is False
    assert store.delete_diary_entry(b, entry_id) is True
    assert store.delete_diary_entry(b, entry_id) is False
    assert pains(b) == [7]
    assert pains(a) == [1]


@pytest.mark.parametrize("entry_id", [0, -1, 2**31, 10**30])
def test_impossible_entry_ids_delete_nothing(store: Store, entry_id: int) -> None:
    token = new_token(store)
    store.add_diary_entries(token, [entry(0, 1)])
    assert store.delete_diary_entry(token, entry_id) is False


def test_the_database_refuses_an_entry_with_no_owner_or_two(store: Store) -> None:
    token = new_token(store)
    with store._engine.connect() as conn:
        assessment_id = conn.scalar(sa.text("SELECT id FROM assessments"))
    now = datetime.now(UTC)
    base = {"at": now, "findings": [], "created_at": now}
    for owners in ({}, {"assessment_id": assessment_id, "local_diary": "default"}):
        with pytest.raises(sa.exc.IntegrityError), store._engine.begin() as conn:
            conn.execute(sa.insert(diary_entries).values(**base, **owners))
    diary = store.diary(token)
    assert diary is not None and diary.entries == []


def test_entries_in_the_stored_case_belong_to_the_diary(store: Store) -> None:
    case = {**CASE, "diary": [entry(0, 2), {"at": "2026-10-02T11:00:00+02:00", "pain": 3}]}
    token = new_token(store, case)
    added = store.add_diary_entries(token, [entry(4, 5)])
    assert added is not None and added.total == 3
    diary = store.diary(token)
    assert diary is not None
    assert [(e.id is None, e.pain) for e in diary.entries] == [(True, 2), (True, 3), (False, 5)]
    assert diary.entries[1].as_contract()["at"] == "2026-10-02T09:00:00Z"
    assert "diary" not in diary.case
    assert len(diary.assessable_case()["diary"]) == 3  # each entry once, not twice


# --- import ----------------------------------------------------------------------------------


def test_import_skips_what_the_diary_already_holds(store: Store) -> None:
    token = new_token(store)
    exported = [entry(0, 1, sound=True), entry(1, 2), entry(1, 2)]  # a real duplicate, twice
    first = store.add_diary_entries(token, exported, skip_duplicates=True)
    assert first is not None and (len(first.added), first.skipped, first.total) == (3, 0, 3)
    again = store.add_diary_entries(token, exported, skip_duplicates=True)
    assert again is not None and (len(again.added), again.skipped, again.total) == (0, 3, 3)
    more = store.add_diary_entries(token, [*exported, entry(2, 3)], skip_duplicates=True)
    assert more is not None and (len(more.added), more.skipped, more.total) == (1, 3, 4)


def test_import_of_a_case_entry_is_a_duplicate(store: Store) -> None:
    token = new_token(store, {**CASE, "diary": [entry(0, 2)]})
    result = store.add_diary_entries(token, [entry(0, 2)], skip_duplicates=True)
    assert result is not None and result.added == [] and result.skipped == 1


# --- scale and concurrency -------------------------------------------------------------------


def test_ten_thousand_entries_in_one_transaction(store: Store, db_url: str) -> None:
    token = new_token(store)
    many = [entry(0, (i % 11), sound=i % 3 == 0) for i in range(10_000)]
    for i, e in enumerate(many):
        e["at"] = (T0 + timedelta(minutes=10_000 - i)).isoformat()  # newest first
    start = time.perf_counter()
    added = store.add_diary_entries(token, many)
    diary = store.diary(token)
    elapsed = time.perf_counter() - start
    assert added is not None and added.total == 10_000
    assert diary is not None and len(diary.entries) == 10_000
    times = [e.at for e in diary.entries]
    assert times == sorted(times)
    assert elapsed < 60, f"10,000 entries took {elapsed:.1f} s"
    assert count(db_url) == 10_000


def test_concurrent_adds_to_one_diary(store: Store, db_url: str) -> None:
    token = new_token(store)
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            for i in range(10):
                store.add_diary_entries(token, [entry(n, i)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count(db_url) == 60
    diary = store.diary(token)
    assert diary is not None and len(diary.entries) == 60


def test_sqlite_in_memory_diary_across_threads() -> None:
    # One shared connection: a diary write's transaction must not swallow another thread's.
    store = Store("sqlite://")
    try:
        token = new_token(store)
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for i in range(20):
                    store.add_diary_entries(token, [entry(i, 1), entry(i, 2)])
                    new_token(store)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        diary = store.diary(token)
        assert diary is not None and len(diary.entries) == 160
    finally:
        store.close()


# --- the migration ---------------------------------------------------------------------------


def _alembic(url: str, action: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(store_module.__file__).parent / "migrations"))
    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            getattr(command, action)(cfg, revision)
    finally:
        engine.dispose()


def test_migration_0002_keeps_existing_entries(empty_db_url: str) -> None:
    # A database made by 0001 with an assessment and a diary entry in it.
    _alembic(empty_db_url, "upgrade", "0001")
    engine = sa.create_engine(normalise_url(empty_db_url))
    token = "t" * 43
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    'INSERT INTO assessments (token, created_at, knowledge_version, "case", '
                    "result, level) VALUES (:t, :now, 'v', '{}', '{}', 'self_care')"
                ),
                {"t": token, "now": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO diary_entries (assessment_id, at, pain, findings, created_at) "
                    "VALUES ((SELECT id FROM assessments), :at, 4, '[\"pain\"]', :now)"
                ),
                {"at": T0, "now": now},
            )
    finally:
        engine.dispose()
    store = Store(empty_db_url)  # migrates to the head
    try:
        diary = store.diary(token)
        assert diary is not None
        assert [(e.pain, e.findings, e.at) for e in diary.entries] == [(4, ["pain"], T0)]
        store.add_diary_entries(LocalDiary(), [entry(0, 1)])
    finally:
        store.close()
    # Going back drops only the local diary, which the old schema cannot hold.
    _alembic(empty_db_url, "downgrade", "0001")
    assert count(empty_db_url) == 1
    _alembic(empty_db_url, "upgrade", "head")
    assert count(empty_db_url) == 1
