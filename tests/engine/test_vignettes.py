"""The public clinical vignettes, scored as the project's scorer does (structured mode)."""

from __future__ import annotations

from typing import Any

import pytest

import crepitus
from tests.helpers import RANK, vignettes

VIGNETTES = vignettes()


def structured(v: dict[str, Any]) -> dict[str, Any]:
    case: dict[str, Any] = {
        "evidence": [{"id": i, "present": True} for i in v["present"]]
        + [{"id": i, "present": False} for i in v["absent"]]
    }
    for key in ("age", "sex"):
        if v.get(key) is not None:
            case[key] = v[key]
    return crepitus.assess(case)


@pytest.mark.parametrize("v", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_never_under_triaged(v: dict[str, Any]) -> None:
    level = structured(v)["triage"]["level"]
    assert RANK[level] >= min(RANK[o] for o in v["ok"])


def test_scores() -> None:
    exact = em = em_n = sc = sc_n = top3 = c_n = 0
    for v in VIGNETTES:
        out = structured(v)
        got, exp = RANK[out["triage"]["level"]], RANK[v["triage"]]
        exact += got == exp
        if exp >= RANK["emergency"]:
            em_n += 1
            em += got >= RANK["emergency"]
        if exp == 0:
            sc_n += 1
            sc += got == 0
        if v.get("causes"):
            c_n += 1
            top3 += bool({c["id"] for c in out["conditions"][:3]} & set(v["causes"]))
    assert em == em_n
    assert exact / len(VIGNETTES) >= 0.9
    assert sc / sc_n >= 0.9
    assert top3 / c_n >= 0.9
