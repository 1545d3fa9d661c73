"""Batches written blind (by writers who saw only the vocabulary and the clinical digest, never
the lexicon or the code), kept as regression tests after they were scored once.

Their first scores, taken before any change made for them, are in the README. Here they guard
what matters most: the web page's flow (free text, then the questions) never under-triages, and
neither do structured answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.helpers import RANK

import crepitus

HERE = Path(__file__).parent
BATCHES = [
    "blind_patients.yaml",
    "blind_notes.yaml",
    "blind_final.yaml",
    "blind_final2.yaml",
    "blind_final3.yaml",
    "blind_final4.yaml",
    "blind_final5.yaml",
    "blind_final6.yaml",
]
# Vignettes whose truth is an answer of "not sure" (the writer's note says so): the simulated
# patient here answers only yes or no, so it cannot play them; tests/engine/test_screening.py
# holds "not sure" on every cauda equina item instead.
NEEDS_NOT_SURE = {"final-17", "final-29"}


def vignettes() -> list[dict[str, Any]]:
    out = []
    for name in BATCHES:
        out += yaml.safe_load((HERE / name).read_text(encoding="utf-8"))["vignettes"]
    return out


def lowest_ok(v: dict[str, Any]) -> int:
    return min(RANK[level] for level in v.get("ok", [v["triage"]]))


def base(v: dict[str, Any]) -> dict[str, Any]:
    return {k: v[k] for k in ("age", "sex", "subject") if v.get(k) is not None}


def journey(v: dict[str, Any]) -> str:
    """Free text first, then every question answered from the vignette (as the scorer does)."""
    present = set(v["present"])
    case = {**base(v), "text": v["text"], "evidence": []}
    known: set[str] = set()
    for _ in range(40):
        step = crepitus.next_question(case)
        if step["should_stop"]:
            break
        fresh = [i for i in step["question"]["items"] if i["id"] not in known]
        assert fresh, f"{v['id']}: a question repeated"
        for item in fresh:
            case["evidence"].append({"id": item["id"], "present": item["id"] in present})
            known.add(item["id"])
    return str(crepitus.assess(case)["triage"]["level"])


PLAYABLE = [v for v in vignettes() if v["id"] not in NEEDS_NOT_SURE]
# Vignettes whose deciding sign has no contract id, so the writer could not list it: final3-18's
# regular tightenings in pregnancy (the project's pregnancy_warning). Read from the words, and
# answered "yes" when asked, they give the right level (tests below).
UNLISTED = {"final3-18": ["pregnancy_warning"]}


@pytest.mark.parametrize("v", PLAYABLE, ids=lambda v: v["id"])
def test_the_journey_never_under_triages(v: dict[str, Any]) -> None:
    assert RANK[journey(v)] >= lowest_ok(v), v["text"]


# Doubt in the person's own words ("when I wipe ... I'm not sure it feels the same as usual").
@pytest.mark.parametrize("v", [v for v in vignettes() if v["id"] in NEEDS_NOT_SURE], ids=str)
def test_doubt_in_the_words_alone_is_never_under_triaged(v: dict[str, Any]) -> None:
    case = {**base(v), "text": v["text"]}
    assert RANK[crepitus.assess(case)["triage"]["level"]] >= lowest_ok(v), v["text"]


@pytest.mark.parametrize("v", PLAYABLE, ids=lambda v: v["id"])
def test_structured_answers_never_under_triage(v: dict[str, Any]) -> None:
    ev = [{"id": i, "present": True} for i in v["present"] + UNLISTED.get(v["id"], [])]
    ev += [{"id": i, "present": False} for i in v["absent"]]
    level = crepitus.assess({**base(v), "evidence": ev})["triage"]["level"]
    assert RANK[level] >= lowest_ok(v)


@pytest.mark.parametrize("v", [v for v in vignettes() if v["id"] in UNLISTED], ids=str)
def test_a_sign_without_a_contract_id_is_read_from_the_words(v: dict[str, Any]) -> None:
    level = crepitus.assess({**base(v), "text": v["text"]})["triage"]["level"]
    assert RANK[level] >= lowest_ok(v), v["text"]
