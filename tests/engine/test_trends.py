"""Diary trends on synthetic diaries, and the rules they fire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import crepitus
from crepitus.engine.trends import compute_trends, important_change, is_exercise

START = datetime(2026, 10, 1, 9, tzinfo=UTC)


def diary(
    pains: list[int | None],
    activity: str = "gym",
    sound: bool = True,
    step: int = 2,
    start: datetime = START,
) -> list[dict[str, Any]]:
    return [
        {
            "at": (start + timedelta(days=i * step)).isoformat(),
            "pain": p,
            "sound": sound,
            "activity": activity,
        }
        for i, p in enumerate(pains)
    ]


def assess(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return crepitus.assess({"diary": entries})


def rules(out: dict[str, Any]) -> set[str]:
    return {r["rule"] for r in out["triage"]["reasons"]}


def test_minimal_important_change() -> None:
    assert important_change(2, 4) and important_change(6, 4)
    assert important_change(3, 4)  # 1 point is 33% of 3
    assert not important_change(5, 6)  # 1 point is 20% of 5
    assert not important_change(0, 1)


def test_empty_diary() -> None:
    assert compute_trends([]).entries == 0
    out = crepitus.assess({"diary": []})
    assert "trends" not in out and out["triage"]["level"] == "self_care"


def test_improving() -> None:
    out = assess(diary([6, 6, 5, 4, 3, 2, 2]))
    assert out["trends"]["pain"]["direction"] == "falling"
    assert "diary_pain_rising" not in rules(out)


def test_steady() -> None:
    out = assess(diary([3, 4, 3, 3, 4, 3, 4]))
    assert out["trends"]["pain"]["direction"] == "steady"
    assert "diary_pain_rising" not in rules(out)


def test_worsening_by_the_minimal_important_change_names_the_numbers() -> None:
    out = assess(diary([2, 2, 3, 3, 4, 5, 5]))
    assert out["trends"]["pain"]["direction"] == "rising"
    assert out["triage"]["level"] == "consultation"
    (reason,) = [r for r in out["triage"]["reasons"] if r["rule"] == "diary_pain_rising"]
    assert "your pain has risen from 2 to 5 over 12 days" in reason["text"]
    assert reason["sources"][0] == "ostelo-2008"


def test_only_the_last_two_weeks_count() -> None:
    old_rise = diary([1, 2, 4, 6]) + diary([6, 6, 6, 6], start=START + timedelta(days=30))
    assert assess(old_rise)["trends"]["pain"]["direction"] == "steady"


def test_clicking_spreading_outside_exercise() -> None:
    before = diary([None] * 4, activity="deadlifts")
    after = diary([None] * 4, activity="sitting at my desk", start=START + timedelta(days=20))
    out = assess(before + after)
    assert out["trends"]["clicking_spreading"] is True
    assert "diary_clicking_spreading" in rules(out)
    assert "4 of your last 4 clicks happened outside exercise" in " ".join(
        r["text"] for r in out["triage"]["reasons"]
    )
    weeks = out["trends"]["clicks_per_week"]
    assert sum(w["clicks"] for w in weeks) == 8 and sum(w["outside_exercise"] for w in weeks) == 4


def test_clicking_at_the_gym_only_is_not_spreading() -> None:
    out = assess(diary([None] * 8, activity="squats"))
    assert out["trends"]["clicking_spreading"] is False
    assert out["triage"]["level"] == "self_care"


def test_a_new_red_flag_in_the_diary_fires_its_rule() -> None:
    entries = diary([2, 2, 2])
    entries.append(
        {"at": (START + timedelta(days=20)).isoformat(), "pain": 3, "findings": ["saddle_numbness"]}
    )
    out = assess(entries)
    assert out["triage"]["level"] == "emergency"
    assert {"ces_saddle", "diary_new_finding"} <= rules(out)


def test_a_new_finding_is_only_new_against_older_entries() -> None:
    only_recent = [{"at": START.isoformat(), "findings": ["stiffness"]}]
    assert compute_trends_of(only_recent).new_findings == []
    later = {"at": (START + timedelta(days=30)).isoformat(), "findings": ["leg_tingling"]}
    entries = [*diary([2, 2]), later]
    assert compute_trends_of(entries).new_findings == ["leg_tingling"]


def compute_trends_of(entries: list[dict[str, Any]]) -> Any:
    from crepitus.engine.case import validate_case

    return compute_trends(validate_case({"diary": entries}).diary)


def test_exercise_words() -> None:
    assert is_exercise("Deadlifts at the gym") and is_exercise("Russian twists")
    assert not is_exercise("getting out of bed") and not is_exercise(None)
