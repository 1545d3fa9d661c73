"""Triage rules: the right level for each red flag, reasons with evidence and sources."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crepitus
from crepitus import kb
from crepitus.engine.evidence import AgeRange, Evidence
from crepitus.engine.triage import compiled_rules
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


# --- the compiled predicates against the rules' meaning ------------------------------------------


def _reference(expr: kb.Expr, ev: Evidence, missing: bool) -> bool | None:
    """Kleene's logic read straight off the expression tree: what every compiled rule must give."""
    if isinstance(expr, str):
        return ev.known.get(expr)
    if isinstance(expr, kb.NotSure):
        if expr.not_sure in ev.unsure:
            return True
        return False if expr.not_sure in ev.known else None
    if isinstance(expr, kb.AgeAtLeast | kb.AgeBelow):
        value = (
            ev.age.at_least(expr.age_at_least)
            if isinstance(expr, kb.AgeAtLeast)
            else ev.age.below(expr.age_below)
        )
        return missing if value is None else value
    if isinstance(expr, kb.AllOf | kb.AnyOf):
        parts = expr.all if isinstance(expr, kb.AllOf) else expr.any
        values = [_reference(e, ev, missing) for e in parts]
        decisive = isinstance(expr, kb.AnyOf)  # True decides an "any", False an "all"
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    assert isinstance(expr, kb.AtLeast)
    values = [_reference(e, ev, missing) for e in expr.at_least.of]
    yes, unknown = values.count(True), values.count(None)
    n = expr.at_least.n
    return True if yes >= n else (False if yes + unknown < n else None)


_RULE_FINDINGS = sorted({f for r in kb.load().rules for f in kb.expr_findings(r.when)})


@settings(max_examples=300, deadline=None)
@given(
    answers=st.dictionaries(st.sampled_from(_RULE_FINDINGS), st.sampled_from([True, False, None])),
    lo=st.integers(0, 120),
    width=st.integers(0, 120),
)
def test_every_compiled_rule_gives_what_its_expression_means(
    answers: dict[str, bool | None], lo: int, width: int
) -> None:
    ev = Evidence(
        known={f: v for f, v in answers.items() if v is not None},
        unsure=frozenset(f for f, v in answers.items() if v is None),
        age=AgeRange(lo, min(120, lo + width)),
    )
    for c in compiled_rules():
        for missing in (True, False):
            assert c.pred(ev, missing) is _reference(c.rule.when, ev, missing), c.rule.id
