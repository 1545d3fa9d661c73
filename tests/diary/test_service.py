"""The diary as one feature: what the API, the pages and the command line all call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import crepitus
from crepitus import diary
from crepitus.errors import CaseError
from crepitus.store import LocalDiary, Store

CASE = {"age": 30, "evidence": [{"id": "back_sound", "present": True}]}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'diary.db'}")
    yield s
    s.close()


def _at(hours_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()


def test_entries_added_are_assessed_with_the_stored_case(store: Store) -> None:
    token = store.save_assessment(CASE, crepitus.assess(CASE))
    added = diary.add_entries(store, token, [{"at": _at(2), "pain": 3, "sound": True}])
    assert added is not None and added.total == 1
    kept = store.diary(token)
    assert kept is not None
    assessed = diary.assess_with_diary(kept)
    assert assessed.trends == assessed.result["trends"]
    assert assessed.result == crepitus.assess(kept.assessable_case())


def test_a_case_given_with_a_local_diary_keeps_its_own_entries_first(store: Store) -> None:
    diary.add_entries(store, LocalDiary(), [{"at": _at(1), "pain": 2}])
    kept = store.diary(LocalDiary())
    assert kept is not None
    own = {"at": _at(5), "pain": 7}
    assessed = diary.assess_with_diary(kept, {**CASE, "diary": [own]})
    whole = {**CASE, "diary": [own, *(e.as_contract() for e in kept.entries)]}
    assert assessed.result == crepitus.assess(whole)


def test_a_bad_entry_is_named_where_it_was_sent_and_nothing_is_written(store: Store) -> None:
    token = store.save_assessment(CASE, crepitus.assess(CASE))
    good, bad = {"at": _at(1), "pain": 1}, {"at": _at(1), "pain": 11}
    with pytest.raises(CaseError) as err:
        diary.add_entries(store, token, [good, bad], "entries")
    assert [p.loc for p in err.value.problems] == ["entries.1.pain"]
    with pytest.raises(CaseError) as err:
        diary.add_entries(store, token, [bad])
    assert [p.loc for p in err.value.problems] == ["pain"]
    kept = store.diary(token)
    assert kept is not None and kept.entries == []


def test_an_export_imports_back_once(store: Store) -> None:
    diary.add_entries(store, LocalDiary(), [{"at": _at(3), "pain": 4, "activity": "squats"}])
    kept = store.diary(LocalDiary())
    assert kept is not None
    file = diary.export(kept.entries, "json")
    assert (file.media_type, file.filename) == ("application/json", "crepitus-diary.json")
    token = store.save_assessment(CASE, crepitus.assess(CASE))
    first = diary.import_entries(store, token, json.loads(file.body))
    again = diary.import_entries(store, token, json.loads(file.body))
    assert first is not None and again is not None
    assert (len(first.added), len(again.added), again.skipped, again.total) == (1, 0, 1, 1)
    csv = diary.export(kept.entries, "csv")
    assert csv.media_type.startswith("text/csv") and b"squats" in csv.body


def test_an_unknown_token_adds_nothing(store: Store) -> None:
    assert diary.add_entries(store, "x" * 43, [{"at": _at(1), "pain": 1}]) is None


def test_the_two_charts_carry_their_words(store: Store) -> None:
    diary.add_entries(store, LocalDiary(), [{"at": _at(h), "pain": h % 5} for h in range(1, 6)])
    kept = store.diary(LocalDiary())
    assert kept is not None
    drawn = diary.charts(kept.entries, diary.assess_with_diary(kept).trends)
    assert [c.title for c in drawn] == ["Pain over time", "Clicks per week"]
    assert all(c.image.startswith("data:image/svg+xml;base64,") and c.description for c in drawn)
