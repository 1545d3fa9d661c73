"""The differential: valid probabilities, sensible order, evidence for and against."""

from __future__ import annotations

import crepitus
from tests.helpers import case


def ranked(*present: str, absent: tuple[str, ...] = (), age: int | None = 35) -> list[dict]:  # type: ignore[type-arg]
    return list(crepitus.assess(case(*present, absent=absent, age=age))["conditions"])


def test_painless_clicking_ranks_cavitation_first() -> None:
    out = ranked("back_sound", "sound_twisting", absent=("pain",))
    assert out[0]["id"] == "joint_cavitation"
    assert "pain" in out[0]["supporting"] or "sound_twisting" in out[0]["supporting"]


def test_probabilities_are_valid_and_sorted() -> None:
    out = ranked("pain", "leg_tingling")
    probs = [c["probability"] for c in out]
    assert probs == sorted(probs, reverse=True)
    assert all(0 <= p <= 1 for p in probs) and sum(probs) <= 1


def test_serious_conditions_rise_with_their_findings() -> None:
    def p(cid: str, *present: str, age: int = 50) -> float:
        return next(c["probability"] for c in ranked(*present, age=age) if c["id"] == cid)

    assert p("cauda_equina_syndrome", "pain", "bladder_dysfunction", "saddle_numbness") > 0.5
    assert p("spinal_malignancy", "pain", "cancer_history", "weight_loss", "pain_night") > p(
        "spinal_malignancy", "pain"
    )
    assert p("abdominal_aortic_aneurysm", "pain_sudden_severe", "fainting", "smoker", age=72) > 0.5
    assert (
        p("spinal_infection", "pain", "fever", "iv_drug_use") > p("spinal_infection", "pain") * 10
    )
    assert p("vertebral_fracture", "pain", "trauma_minor", "osteoporosis", age=75) > 0.3
    assert ranked("pain", "pain_below_knee", "leg_tingling")[0]["id"] == "lumbar_radiculopathy"
    assert ranked("self_cracking_frequent", "giving_way")[0]["id"] == "spinal_hypermobility"
    assert (
        ranked("sound_leg_raise", "sound_hip_area", absent=("pain",))[0]["id"]
        == "soft_tissue_snapping"
    )


def test_opposing_evidence_is_listed() -> None:
    out = {c["id"]: c for c in ranked("back_sound", absent=("pain",))}
    assert "pain" in out["muscle_strain"]["opposing"]


def test_age_shifts_degenerative_causes() -> None:
    young = {c["id"]: c["probability"] for c in ranked("pain", "sound_grinding", age=25)}
    old = {c["id"]: c["probability"] for c in ranked("pain", "sound_grinding", age=75)}
    assert old["facet_osteoarthritis"] > young["facet_osteoarthritis"]
    assert young["axial_spondyloarthritis"] > old["axial_spondyloarthritis"]
