"""Triage rules: the right level for each red flag, reasons with evidence and sources."""

from __future__ import annotations

import pytest

import crepitus
from tests.helpers import RANK, case


def level(*present: str, age: int | None = 40, absent: tuple[str, ...] = ()) -> str:
    return str(crepitus.assess(case(*present, age=age, absent=absent))["triage"]["level"])


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (("back_sound",), "self_care"),
        (("back_sound", "sound_twisting", "relief_after_crack"), "self_care"),
        (("back_sound", "self_cracking", "self_cracking_frequent"), "self_care"),
        (("back_sound", "pain", "pain_after_sudden_move", "muscle_spasm"), "self_care"),
        (("pain_sudden_severe", "fainting"), "emergency_ambulance"),
        (("fainting",), "consultation_24"),
        (("trauma_major", "leg_weakness_severe"), "emergency_ambulance"),
        (("trauma_major", "unable_to_bear_weight"), "emergency_ambulance"),
        (("bladder_dysfunction",), "emergency"),
        (("bowel_dysfunction",), "emergency"),
        (("saddle_numbness",), "emergency"),
        (("sexual_dysfunction",), "emergency"),
        (("bilateral_leg_symptoms",), "emergency"),
        (("leg_weakness_severe",), "emergency"),
        (("trauma_major", "pain"), "emergency"),
        (("cancer_history", "leg_numbness"), "emergency"),
        (("fever", "immunosuppressed"), "emergency"),
        (("fever", "leg_weakness"), "emergency"),
        (("pain_sudden_severe",), "emergency"),
        (("cancer_history", "pain", "pain_night"), "consultation_24"),
        (("fever", "pain"), "consultation_24"),
        (("iv_drug_use", "pain", "pain_persistent"), "consultation_24"),
        (("trauma_minor", "pain", "osteoporosis"), "consultation_24"),
        (("pain_after_sudden_move", "pain_severe", "steroid_use"), "consultation_24"),
        (("leg_weakness",), "consultation_24"),
        (("unable_to_bear_weight",), "consultation_24"),
        (("pain", "pain_below_knee"), "consultation"),
        (("pain", "leg_tingling"), "consultation"),
        (("pain", "pain_over_3_days", "pain_not_improving"), "consultation"),
        (("pain_over_6_weeks",), "consultation"),
        (("pain", "pain_severe"), "consultation"),
        (("pain_sharp", "pain_with_sound"), "consultation"),
        (("pain", "pain_persistent"), "consultation"),
        (("pain_worsening",), "consultation"),
        (("pain", "pain_night"), "consultation"),
        (("swelling",), "consultation"),
        (("giving_way",), "consultation"),
        (("gait_change",), "consultation"),
        (("back_sound", "sound_frequent_daily"), "consultation"),
        (("back_sound", "trauma_minor"), "consultation"),
        (("sound_grinding", "pain"), "consultation"),
        (("weight_loss",), "consultation"),
        (("cancer_history", "pain"), "consultation"),
        (("cancer_history", "weight_loss"), "consultation_24"),
    ],
)
def test_levels(present: tuple[str, ...], expected: str) -> None:
    assert level(*present) == expected


def test_collapse_with_severe_pain_over_50_is_an_ambulance() -> None:
    assert level("fainting", "pain_severe", age=60) == "emergency_ambulance"
    assert level("fainting", "pain_severe", age=None) == "emergency_ambulance"
    # Second review: fainting or collapse with severe pain is an ambulance at any age (NG156).
    assert level("fainting", "pain_severe", age=30) == "emergency_ambulance"
    assert level("fainting", "pain", age=30) == "consultation_24"


def test_inflammatory_back_pain_needs_four_of_five_asas_criteria() -> None:
    base = ("pain_over_3_months", "insidious_onset", "improves_with_exercise")
    out = crepitus.assess(case(*base, "pain_night", age=30))
    assert "inflammatory_back_pain_asas" in [r["rule"] for r in out["triage"]["reasons"]]
    # At 60 the onset age is not known, so onset before 40 is not assumed.
    out = crepitus.assess(case(*base, "pain_night", age=60))
    assert "inflammatory_back_pain_asas" not in [r["rule"] for r in out["triage"]["reasons"]]


def test_unknown_evidence_never_fires_and_absent_never_raises() -> None:
    from crepitus import kb

    assert level() == "self_care"
    assert level(absent=tuple(kb.load().findings)) == "self_care"


def test_reasons_are_most_urgent_first_with_evidence_and_sources() -> None:
    out = crepitus.assess(case("back_sound", "pain", "bladder_dysfunction", "pain_below_knee"))
    reasons = out["triage"]["reasons"]
    assert reasons[0]["rule"] == "ces_bladder" and reasons[0]["evidence"] == ["bladder_dysfunction"]
    ranks = [RANK[r["level"]] for r in reasons]
    assert ranks == sorted(ranks, reverse=True)
    assert out["triage"]["level"] == reasons[0]["level"]
    for r in reasons:
        assert r["sources"] and r["text"] and r["evidence"]


class TestMissingAge:
    """A missing age counts as meeting an age condition: it never lowers the level."""

    def test_missing_age_takes_the_cautious_reading(self) -> None:
        present = ("pain_after_sudden_move", "pain_severe")
        assert level(*present, age=40) == "consultation"
        assert level(*present, age=70) == "consultation_24"
        out = crepitus.assess(case(*present, age=None))
        assert out["triage"]["level"] == "consultation_24"
        (reason,) = [r for r in out["triage"]["reasons"] if r["rule"] == "fragility_strain"]
        assert reason["assumed"] == ["age"] and "age was not given" in reason["text"]

    def test_missing_age_is_never_lower_than_any_age(self) -> None:
        from crepitus import kb

        for rule in kb.load().rules:
            ids = [f for f in kb.expr_findings(rule.when)]
            missing = RANK[level(*ids, age=None)]
            # The one exception: an unknown age is never read as a child's (every adult would
            # be sent to a GP); the screen stays incomplete until the age is given.
            for age in (16, 30, 44, 45, 64, 65, 90, 120):
                assert missing >= RANK[level(*ids, age=age)], (rule.id, age)
