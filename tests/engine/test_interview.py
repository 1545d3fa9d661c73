"""The adaptive interview: red flags first, never a repeat, stop as soon as nothing can change."""

from __future__ import annotations

from typing import Any

import pytest

import crepitus
from crepitus import kb
from tests.helpers import RANK, vignettes

SCREEN = [
    "bladder_dysfunction",
    "bowel_dysfunction",
    "saddle_numbness",
    "leg_weakness",
    "leg_numbness",
    "fever",
    "weight_loss",
    "trauma_major",
]


def run(
    present: set[str], opening: list[str], age: int | None = 40
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    case: dict[str, Any] = {"evidence": [{"id": f, "present": True} for f in opening]}
    if age is not None:
        case["age"] = age
    asked: list[dict[str, Any]] = []
    for _ in range(40):
        step = crepitus.next_question(case)
        if step["should_stop"]:
            assert step["question"] is None
            break
        q = step["question"]
        asked.append(q)
        for item in q["items"]:
            case["evidence"].append({"id": item["id"], "present": item["id"] in present})
    return asked, crepitus.assess(case)


def test_the_first_questions_screen_the_red_flags() -> None:
    asked, _ = run(set(), ["back_sound"])
    first = [i["id"] for q in asked[:3] for i in q["items"]]
    assert set(SCREEN) <= set(first)
    assert asked[1]["group"] == "cauda_equina" and asked[1]["type"] == "group_multiple"


def test_question_shape_matches_the_contract() -> None:
    step = crepitus.next_question({"evidence": [{"id": "back_sound", "present": True}]})
    q = step["question"]
    assert step["should_stop"] is False and q["type"] in {"single", "group_multiple"}
    assert q["text"] and q["why"].startswith("We ask this")
    assert all(set(i) == {"id", "text"} and i["id"] in kb.load().findings for i in q["items"])


def test_stops_for_an_emergency_after_what_could_make_it_an_ambulance() -> None:
    case: dict[str, Any] = {"evidence": [{"id": "bladder_dysfunction", "present": True}]}
    step = crepitus.next_question(case)
    # One question: the life threats, collapse and injury that would make it an ambulance.
    assert step["level"] == "emergency" and step["question"]["group"] == "urgent_events"
    assert {"chest_pain", "breathless", "trauma_major"} <= {
        i["id"] for i in step["question"]["items"]
    }
    case["evidence"] += [{"id": i["id"], "present": False} for i in step["question"]["items"]]
    assert crepitus.next_question(case) == {
        "should_stop": True,
        "question": None,
        "level": "emergency",
        "reason": "emergency",
    }


def test_asks_only_what_could_escalate_an_emergency() -> None:
    step = crepitus.next_question({"evidence": [{"id": "pain_sudden_severe", "present": True}]})
    items = [i["id"] for i in step["question"]["items"]]
    assert items[:3] == ["chest_pain", "breathless", "fainting"] and "fever" not in items
    asked, out = run({"pain_sudden_severe", "fainting"}, ["pain_sudden_severe"])
    assert len(asked) == 1 and out["triage"]["level"] == "emergency_ambulance"
    asked, out = run({"pain_sudden_severe", "dizziness"}, ["pain_sudden_severe"])
    assert len(asked) == 2 and out["triage"]["level"] == "emergency_ambulance"


def test_never_repeats_and_never_asks_what_is_known_or_unsure() -> None:
    case: dict[str, Any] = {
        "evidence": [{"id": "back_sound", "present": True}, {"id": "fever", "present": None}]
    }
    seen: set[str] = {"back_sound", "fever"}
    for _ in range(40):
        step = crepitus.next_question(case)
        if step["should_stop"]:
            break
        ids = [i["id"] for i in step["question"]["items"]]
        assert not set(ids) & seen
        seen |= set(ids)
        case["evidence"] += [{"id": i, "present": False} for i in ids]
    else:
        pytest.fail("the interview did not stop")


def test_no_pain_means_no_pain_questions() -> None:
    asked, out = run(set(), ["back_sound"])
    ids = {i["id"] for q in asked for i in q["items"]}
    assert "pain" in ids and not ids & {"pain_sharp", "pain_night", "pain_over_3_days"}
    assert out["triage"]["level"] == "self_care"


def test_every_public_vignette_in_interview_mode() -> None:
    exact, counts = 0, []
    for v in vignettes():
        asked, out = run(set(v["present"]), v.get("opening", []), v.get("age"))
        got = RANK[out["triage"]["level"]]
        assert got >= min(RANK[o] for o in v["ok"]), v["id"]
        if out["triage"]["level"] == "self_care":
            known = {e["id"] for e in out["evidence"]}
            assert set(SCREEN) <= known, v["id"]
        exact += got == RANK[v["triage"]]
        counts.append(len(asked))
    assert exact / len(counts) >= 0.9
    assert sum(counts) / len(counts) <= 12 and max(counts) <= 25


# --- what was understood from the words (the pages' check step) -------------------------------


def test_understood_lists_what_was_read_other_than_red_flags() -> None:
    text = "My lower back clicks when I twist. No numbness. Maybe it aches. My mum had cancer."
    step = crepitus.understood({"text": text})
    assert step is not None and step["kind"] == "check"
    read = {i["id"]: i["read"] for i in step["items"]}
    assert read["sound_twisting"] == "present"
    red = {i.id for i in kb.load().screening}
    # Red flags are the confirmation step's; a relative's illness is not the person's.
    assert not red & set(read) and "cancer_history" not in read
    twist = next(i for i in step["items"] if i["id"] == "sound_twisting")
    assert twist["text"].startswith("You wrote “clicks when I twist”.")


def test_understood_leaves_out_what_is_answered_and_words_for_someone_else() -> None:
    text = "Their lower back clicks when they twist"
    step = crepitus.understood({"text": text, "subject": "other"})
    assert step is not None
    twist = next(i for i in step["items"] if i["id"] == "sound_twisting")
    assert "they" in twist["text"].split("”.")[1].lower()
    answered = {"text": text, "evidence": [{"id": i["id"], "present": True} for i in step["items"]]}
    assert crepitus.understood(answered) is None
    assert crepitus.understood({"text": ""}) is None and crepitus.understood({}) is None
