"""Red flags are confirmed, never assumed: the screen, provisional results, confirmation of what
the text said, "not sure", scope and someone else (issue 9)."""

from __future__ import annotations

from typing import Any

import pytest

import crepitus
from crepitus import kb
from crepitus.engine import assess as core_assess
from crepitus.engine.interview import next_question as core_next_question

K = kb.load()
HARMLESS = "My lower back clicks when I twist. No pain at all."


def answer_all(case: dict[str, Any], truth: dict[str, bool | None], limit: int = 40) -> list[Any]:
    """Run the interview, answering from ``truth`` (anything not listed: no); the steps asked."""
    steps = []
    for _ in range(limit):
        step = crepitus.next_question(case)
        if step["should_stop"]:
            break
        steps.append(step["question"])
        for item in step["question"]["items"]:
            ev = {"id": item["id"], "present": truth.get(item["id"], False)}
            if item.get("recheck"):
                ev["recheck"] = True
            case["evidence"] = [e for e in case["evidence"] if e["id"] != item["id"]] + [ev]
    return steps


def test_every_assessment_carries_the_screen_and_the_scope() -> None:
    out = crepitus.assess({"age": 30, "text": HARMLESS})
    screen = out["screening"]
    ids = [i["id"] for i in screen["items"]]
    assert {"bladder_dysfunction", "saddle_numbness", "fever", "chest_pain"} <= set(ids)
    assert "unresponsive" not in ids  # asked only of someone answering for another person
    assert all(
        i["state"] in ("present", "absent", "unsure", "from_text", "not_asked")
        for i in screen["items"]
    )
    assert screen["complete"] is False and out["provisional"] is True
    assert out["triage"]["provisional"] is True
    assert out["scope"] == {"in": True}
    assert {q["id"] for q in screen["to_ask"]} == {
        i["id"] for i in screen["items"] if i["state"] in ("from_text", "not_asked")
    }


def test_a_provisional_result_never_says_harmless() -> None:
    out = crepitus.assess({"age": 30, "text": HARMLESS})
    assert out["triage"]["level"] == "self_care"
    plan = out["plan"]
    words = (plan["headline"] + " " + plan["summary"]).lower()
    assert "harmless" not in words.replace("cannot call it harmless", "")
    assert "nothing you describe points" not in words


def test_a_complete_screen_is_not_provisional_and_may_reassure() -> None:
    case: dict[str, Any] = {"age": 30, "text": HARMLESS, "evidence": []}
    answer_all(case, {"back_sound": True, "sound_twisting": True})
    out = crepitus.assess(case)
    assert out["screening"]["complete"] and not out["provisional"]
    assert out["triage"]["level"] == "self_care"
    assert "harmless" in out["plan"]["headline"]


def test_the_text_is_confirmed_first_quoting_the_persons_words() -> None:
    case: dict[str, Any] = {"age": 40, "text": "My back pops. No problems peeing and no numbness."}
    step = crepitus.next_question(case)["question"]
    assert step["kind"] == "confirm"
    texts = {i["id"]: i["text"] for i in step["items"]}
    assert "bladder_dysfunction" in texts and "leg_numbness" in texts
    assert (
        "“No problems peeing”" in texts["bladder_dysfunction"]
        or "problems peeing" in texts["bladder_dysfunction"]
    )


def test_a_red_flag_the_reader_gets_backwards_is_caught_by_the_confirmation() -> None:
    # The reader takes "no problems peeing" as a denial; the person in fact cannot pee.
    def reader(text: str, subject: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return [{"id": "bladder_dysfunction", "present": False, "text": "no problems peeing"}], {}

    case: dict[str, Any] = {"age": 40, "text": "no problems peeing", "evidence": []}
    assert core_assess(case, reader)["triage"]["level"] == "self_care"
    case["evidence"] = [{"id": "bladder_dysfunction", "present": True}]
    out = core_assess(case, reader)
    assert out["triage"]["level"] == "emergency"
    (reason,) = [r for r in out["triage"]["reasons"] if r["rule"] == "ces_bladder"]
    assert "we went by your answer" in reason["text"]
    item = next(i for i in out["screening"]["items"] if i["id"] == "bladder_dysfunction")
    assert item["state"] == "present" and item["contradicts_text"]["read"] == "absent"


def test_the_journey_confirms_a_misread_denial() -> None:
    # Whatever the reader makes of this text, the questions must end at an emergency.
    case: dict[str, Any] = {
        "age": 50,
        "text": "My back clicks. I don't have any problem with peeing, I just can't go.",
        "evidence": [],
    }
    answer_all(case, {"back_sound": True, "bladder_dysfunction": True})
    assert crepitus.assess(case)["triage"]["level"] in ("emergency", "emergency_ambulance")


CES = [
    "bladder_dysfunction",
    "bowel_dysfunction",
    "saddle_numbness",
    "sexual_dysfunction",
    "bilateral_leg_symptoms",
]


@pytest.mark.parametrize("fid", CES)
def test_not_sure_on_a_cauda_equina_item_is_asked_again_then_gives_24_hours(fid: str) -> None:
    case: dict[str, Any] = {
        "age": 40,
        "evidence": [{"id": "back_sound", "present": True}, {"id": fid, "present": None}],
    }
    step = crepitus.next_question(case)["question"]
    assert step["kind"] == "recheck" and [i["id"] for i in step["items"]] == [fid]
    assert step["items"][0]["recheck"] is True
    case["evidence"][-1] = {"id": fid, "present": None, "recheck": True}
    assert crepitus.next_question(case)["question"]["kind"] != "recheck"
    out = crepitus.assess(case)
    assert out["triage"]["level"] == "consultation_24"
    (reason,) = [r for r in out["triage"]["reasons"] if r["rule"] == "unsure_cauda_equina"]
    assert reason["unsure"] == [fid] and "emergency department" in reason["text"]
    label = next(i["text"] for i in out["screening"]["items"] if i["id"] == fid)
    assert label[:20].lower() in reason["text"].lower()
    item = next(i for i in out["screening"]["items"] if i["id"] == fid)
    assert item["state"] == "unsure"


def test_two_unsure_cauda_equina_items_give_emergency() -> None:
    ev = [{"id": f, "present": None, "recheck": True} for f in CES[:2]]
    assert crepitus.assess({"age": 40, "evidence": ev})["triage"]["level"] == "emergency"


def test_not_sure_beats_a_denial_read_from_the_text() -> None:
    case = {
        "age": 40,
        "text": "no numbness down there",
        "evidence": [{"id": "saddle_numbness", "present": None}],
    }
    out = crepitus.assess(case)
    assert out["triage"]["level"] == "consultation_24"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ({"age": 8, "text": "My back clicks when I do cartwheels."}, "child"),
        ({"age": 30, "text": "My knee clicks when I squat, no pain."}, "other_body_part"),
        (
            {
                "age": 52,
                "text": "My back clicked in the garden and now I have tight pain across my chest.",
            },
            "life_threat",
        ),
    ],
)
def test_each_out_of_scope_kind_offers_nothing_from_the_lower_back_plan(
    case: dict[str, Any], reason: str
) -> None:
    out = crepitus.assess(case)
    assert out["scope"]["in"] is False and out["scope"]["reason"] == reason
    plan = out["plan"]
    assert not plan["exercises"] and not plan["home_care"] and not plan["prevention"]
    assert not plan["self_cracking"] and not plan["likely_causes"]
    assert out["triage"]["level"] != "self_care"
    assert "harmless" not in plan["headline"].lower()


def test_a_life_threat_inside_otherwise_harmless_text_calls_an_ambulance() -> None:
    text = (
        "My back cracks when I twist, no pain, feels great. "
        "Also I'm short of breath at rest since this morning."
    )
    out = crepitus.assess({"age": 35, "text": text})
    assert out["triage"]["level"] == "emergency_ambulance"
    assert out["triage"]["reasons"][0]["rule"] == "breathless"


def test_a_story_about_someone_else_is_the_patients_evidence() -> None:
    text = (
        "Writing for my husband. His back cracked lifting the kayak this morning and since then "
        "he can't feel when he needs to pee."
    )
    for case in ({"age": 41, "text": text}, {"age": 41, "subject": "other", "text": text}):
        out = crepitus.assess(case)
        assert out["subject"]["value"] == "other"
        assert out["triage"]["level"] == "emergency"
    step = crepitus.next_question(
        {"age": 41, "subject": "other", "evidence": [{"id": "back_sound", "present": True}]}
    )
    texts = " ".join([step["question"]["text"], *(i["text"] for i in step["question"]["items"])])
    assert "they" in texts.lower() or "them" in texts.lower() or "their" in texts.lower()
    assert " you " not in f" {texts.lower()} " and "your " not in texts.lower()


def test_in_a_first_person_text_someone_elses_symptom_is_not_the_writers() -> None:
    out = crepitus.assess(
        {"age": 40, "text": "My wife can't feel when she needs to pee. My back clicks."}
    )
    assert out["triage"]["level"] == "self_care"


def test_age_is_asked_early_when_unknown() -> None:
    case: dict[str, Any] = {"evidence": [{"id": "back_sound", "present": True}]}
    groups = [q["group"] for q in answer_all(case, {"back_sound": True})]
    assert "age" in groups[:3]
    out = crepitus.assess(case)
    assert out["screening"]["age"] == "band" and out["demographics"]["age"]["range"] == [16, 49]
    assert not out["provisional"]


def test_screening_items_are_knowledge_data() -> None:
    ids = [i.id for i in K.screening]
    for fid in ids:
        assert fid in K.findings
    assert {
        "bladder_dysfunction",
        "bowel_dysfunction",
        "saddle_numbness",
        "sexual_dysfunction",
        "bilateral_leg_symptoms",
        "leg_weakness",
        "fever",
        "weight_loss",
        "cancer_history",
        "trauma_major",
        "fainting",
        "chest_pain",
        "breathless",
        "unresponsive",
    } <= set(ids)


def test_a_denial_read_from_the_text_is_asked_again_when_it_could_raise_the_level() -> None:
    def reader(text: str, subject: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        found = [
            {"id": "pain_severe", "present": True, "text": "hurts a lot"},
            {"id": "pain_after_sudden_move", "present": False, "text": "without it hurting"},
        ]
        return found, {}

    from crepitus.engine.interview import next_question

    case: dict[str, Any] = {"age": 80, "text": "...", "evidence": []}
    asked: set[str] = set()
    for _ in range(30):
        step = next_question(case, reader)
        if step["should_stop"]:
            break
        for item in step["question"]["items"]:
            asked.add(item["id"])
            case["evidence"].append({"id": item["id"], "present": False})
    assert "pain_after_sudden_move" in asked


def test_doubt_in_the_persons_own_words_is_not_a_no() -> None:
    text = "My back clicks and aches. I'm not sure if it feels different down below when I wipe."
    out = crepitus.assess({"age": 40, "text": text})
    assert out["triage"]["level"] == "consultation_24"
    item = next(i for i in out["screening"]["items"] if i["id"] == "saddle_numbness")
    assert item["state"] == "from_text" and item["read"] == "uncertain"
    # The questions still ask it; the answer decides.
    step = crepitus.next_question({"age": 40, "text": text})["question"]
    assert step["kind"] == "confirm" and "saddle_numbness" in [i["id"] for i in step["items"]]


def test_a_no_to_a_red_flag_is_a_no_to_what_the_text_read_that_entails_it() -> None:
    # The reader takes a fear ("I might end up paralysed") as severe weakness; the confirmation
    # asks about weakness in a leg, quoting those words, and the person says no.
    def reader(text: str, subject: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return [
            {"id": "back_sound", "present": True, "text": "cracking my back"},
            {"id": "leg_weakness", "present": True, "text": "paralysed"},
            {"id": "leg_weakness_severe", "present": True, "text": "paralysed"},
        ], {}

    case: dict[str, Any] = {"age": 22, "text": "...", "evidence": []}
    assert core_assess(case, reader)["triage"]["level"] == "emergency"  # the safe reading
    step = core_next_question(case, reader)["question"]
    assert step["kind"] == "confirm" and [i["id"] for i in step["items"]] == ["leg_weakness"]
    case["evidence"] = [{"id": "leg_weakness", "present": False}]
    out = core_assess(case, reader)
    assert out["triage"]["level"] != "emergency"
    assert "leg_weakness_severe" not in {e["id"] for e in out["evidence"] if e["present"]}
    # A "yes" keeps the reading, and so does the severe weakness answered in its own right.
    case["evidence"] = [{"id": "leg_weakness", "present": True}]
    assert core_assess(case, reader)["triage"]["level"] == "emergency"
    case["evidence"] = [
        {"id": "leg_weakness", "present": False},
        {"id": "leg_weakness_severe", "present": True},
    ]
    assert core_assess(case, reader)["triage"]["level"] == "emergency"


def test_confirming_the_texts_own_denial_keeps_what_else_it_read() -> None:
    # Words that both deny weakness and read as severe weakness: confirming the denial is no
    # "no" to the severe weakness, which stays (the safe reading).
    def reader(text: str, subject: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return [
            {"id": "leg_weakness", "present": False, "text": "legs not weak"},
            {"id": "leg_weakness_severe", "present": True, "text": "foot drags"},
        ], {}

    case: dict[str, Any] = {"age": 40, "text": "...", "evidence": []}
    assert core_assess(case, reader)["triage"]["level"] == "emergency"
    case["evidence"] = [{"id": "leg_weakness", "present": False}]
    assert core_assess(case, reader)["triage"]["level"] == "emergency"
