"""The care plan follows the level: exercises only when safe, safety-net always."""

from __future__ import annotations

from typing import Any

import crepitus
from crepitus import kb
from tests.helpers import case


def plan(*present: str, absent: tuple[str, ...] = ()) -> dict[str, Any]:
    return dict(crepitus.assess(case(*present, absent=absent))["plan"])


def test_self_care_gets_a_programme_matched_to_triggers() -> None:
    p = plan("back_sound", "sound_twisting", absent=("pain",))
    assert p["level"] == "self_care"
    assert 4 <= len(p["exercises"]) <= 6
    matched = {f for e in p["exercises"] for f in e["matched"]}
    assert "sound_twisting" in matched
    for e in p["exercises"]:
        assert e["steps"] and e["dose"] and e["stop_if"] and e["sources"]
    assert p["home_care"] and p["prevention"] and p["safety_net"] and p["questions_for_doctor"]


def test_triggers_change_the_programme() -> None:
    sitting = {e["id"] for e in plan("sound_after_sitting", "sedentary")["exercises"]}
    legs = {e["id"] for e in plan("sound_leg_raise", "tight_hips_hamstrings")["exercises"]}
    assert sitting != legs
    assert "hip_flexor_stretch" in legs


def test_self_cracking_advice_only_when_relevant() -> None:
    assert plan("self_cracking_frequent")["self_cracking"]
    assert not plan("sound_twisting")["self_cracking"]


def test_no_exercise_programme_when_red_flags_fire() -> None:
    for present in [
        ("leg_weakness",),
        ("bladder_dysfunction",),
        ("pain_sudden_severe", "fainting"),
    ]:
        p = plan(*present)
        assert p["exercises"] == [] and p["home_care"] == [] and p["prevention"] == []
        assert p["do_now"], present
        assert p["safety_net"] or p["level"] == "emergency_ambulance"


def test_emergency_advice_is_short_and_direct() -> None:
    p = plan("bladder_dysfunction")
    assert p["headline"] == "Go to an emergency department now."
    assert p["do_now"][0]["text"]
    assert plan("pain_sudden_severe", "fainting")["headline"].startswith("Call an ambulance")


def test_safety_net_is_sorted_by_urgency_and_every_item_is_cited() -> None:
    p = plan("back_sound")
    order = [kb.level_rank(i["urgency"]) for i in p["safety_net"]]
    assert order == sorted(order, reverse=True)
    assert all(i["sources"] for i in p["safety_net"])
