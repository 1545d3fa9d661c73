"""Validating a case: every problem named, specific, and nothing half-done."""

from __future__ import annotations

import pytest

import crepitus
from crepitus import CaseError
from crepitus.engine.case import build_case


def problems(case: object) -> list[str]:
    with pytest.raises(CaseError) as err:
        crepitus.assess(case)  # type: ignore[arg-type]
    return [str(p) for p in err.value.problems]


def test_unknown_id_suggests_the_nearest() -> None:
    (p,) = problems({"evidence": [{"id": "pian", "present": True}]})
    assert p == "evidence.0.id: unknown finding 'pian'; did you mean 'pain'?"


def test_every_problem_is_named_at_once() -> None:
    got = problems(
        {
            "age": "forty",
            "sex": "f",
            "evidence": [
                {"id": "bladder_dysfunktion", "present": True},
                {"id": "pain", "present": "yes"},
            ],
        }
    )
    assert any(p.startswith("age: must be a whole number from 0 to 120") for p in got)
    assert any(p.startswith("sex: must be 'female', 'male' or 'other'") for p in got)
    assert any("did you mean 'bladder_dysfunction'" in p for p in got)
    assert any(p.startswith("evidence.1.present: must be true, false or null") for p in got)


def test_conflicting_duplicate() -> None:
    (p,) = problems(
        {"evidence": [{"id": "pain", "present": True}, {"id": "pain", "present": False}]}
    )
    assert "given twice with different values (present and absent)" in p


def test_identical_duplicate_is_fine() -> None:
    crepitus.assess(
        {"evidence": [{"id": "pain", "present": True}, {"id": "pain", "present": True}]}
    )


@pytest.mark.parametrize("age", [-1, 121, 1000])
def test_age_out_of_range(age: int) -> None:
    (p,) = problems({"age": age})
    assert p.startswith("age: must be at ")


@pytest.mark.parametrize("age", [True, 40.5, "40", None])
def test_age_must_be_a_whole_number_not_a_bool_or_string(age: object) -> None:
    if age is None:
        crepitus.assess({"age": None})
        return
    (p,) = problems({"age": age})
    assert p.startswith("age: must be a whole number")


def test_unknown_field_and_wrong_shapes() -> None:
    assert problems({"evidance": []}) == ["evidance: is not a field this accepts"]
    assert problems([]) == ["a case must be a JSON object, not list"]
    assert problems({"evidence": {"id": "pain"}})[0].startswith("evidence: must be a list")
    assert problems({"evidence": [{"id": "pain"}]}) == ["evidence.0.present: is required"]


def test_text_over_the_limit() -> None:
    (p,) = problems({"text": "a" * 10_001})
    assert p.startswith("text: is too long: at most 10,000 characters")


def test_diary_errors_name_the_field() -> None:
    got = problems({"diary": [{"at": "2999-01-01T00:00:00Z", "pain": 11, "findings": ["pian"]}]})
    assert any(p.startswith("diary.0.pain: must be at most 10") for p in got)
    assert any("diary.0.findings.0: unknown finding 'pian'" in p for p in got)
    got = problems({"diary": [{"at": "yesterday"}]})
    assert got[0].startswith("diary.0.at: must be an ISO 8601 date and time")
    assert problems({"diary": [{"at": "2999-01-01T00:00:00Z"}]}) == ["diary.0.at: is in the future"]


def test_empty_case_is_valid_and_self_care() -> None:
    assert crepitus.assess({})["triage"]["level"] == "self_care"


def test_explicit_evidence_wins_over_text() -> None:
    def reader(text: str, subject: str | None) -> tuple[list[dict[str, object]], dict[str, object]]:
        return (
            [
                {"id": "pain", "present": True, "text": "it hurts", "span": [0, 8]},
                {"id": "fever", "present": None, "text": "maybe a fever", "span": [9, 20]},
            ],
            {"age": 50, "sex": "male"},
        )

    case = build_case(
        {
            "text": "it hurts maybe a fever",
            "age": 30,
            "evidence": [{"id": "pain", "present": False}],
        },
        reader,
    )
    assert case.facts["pain"].present is False and case.facts["pain"].origin == "explicit"
    assert "fever" not in case.facts and case.uncertain[0]["id"] == "fever"
    assert (case.age, case.age_origin, case.sex, case.sex_origin) == (
        30,
        "explicit",
        "male",
        "text",
    )


def test_implied_findings_are_derived_and_listed() -> None:
    out = crepitus.assess({"evidence": [{"id": "pain_over_3_months", "present": True}]})
    ev = {e["id"]: e for e in out["evidence"]}
    assert ev["pain_over_6_weeks"]["origin"] == "derived"
    assert ev["pain_over_3_days"]["present"] is True and ev["pain"]["present"] is True


def test_derived_never_overrides_an_answer() -> None:
    out = crepitus.assess(
        {"evidence": [{"id": "pain_sharp", "present": True}, {"id": "pain", "present": False}]}
    )
    ev = {e["id"]: e for e in out["evidence"]}
    assert ev["pain"] == {"id": "pain", "present": False, "origin": "explicit"}


def test_diary_findings_count_as_present() -> None:
    out = crepitus.assess({"diary": [{"at": "2026-01-02T10:00:00Z", "findings": ["leg_weakness"]}]})
    assert out["triage"]["level"] == "consultation_24"
    assert {
        "id": "leg_weakness",
        "present": True,
        "origin": "diary",
        "span": "2026-01-02T10:00:00+00:00",
    } in out["evidence"]


def test_the_core_is_handed_the_time_and_the_knowledge_base() -> None:
    from datetime import UTC, datetime

    from crepitus import kb
    from crepitus.engine import assess as engine_assess
    from crepitus.engine.interview import next_question as engine_next

    entry = {"at": "2026-06-01T12:00:00+00:00", "pain": 3}
    case = {"age": 30, "diary": [entry]}
    before = datetime(2026, 5, 1, tzinfo=UTC)
    with pytest.raises(CaseError) as err:
        engine_assess(case, now=before)
    assert [p.loc for p in err.value.problems] == ["diary.0.at"]
    knowledge = kb.load()
    after = datetime(2026, 7, 1, tzinfo=UTC)
    result = engine_assess(case, knowledge=knowledge, now=after)
    assert result["knowledge_version"] == knowledge.version
    assert engine_next(case, knowledge=knowledge, now=after)["should_stop"] in (True, False)
