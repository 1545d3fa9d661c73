"""Level and differential agree: a serious cause never leads at a level below consultation_24.

The second review: "If a serious cause leads the differential while the level is below
consultation_24, the knowledge base has a gap: the combination needs a rule of its own." Every
vignette file under tests/ (a top-level ``vignettes`` list with ``present`` lists) is assessed
with its structured evidence, and every offender is named in one failure message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import crepitus
from crepitus import kb
from tests.helpers import RANK

TESTS = Path(__file__).resolve().parents[1]
# The serious causes the review names; the knowledge base must mark each of them serious.
NAMED_SERIOUS = {
    "vertebral_fracture",
    "spinal_malignancy",
    "spinal_infection",
    "cauda_equina_syndrome",
    "abdominal_aortic_aneurysm",
}


def vignette_files() -> list[tuple[Path, list[dict[str, Any]]]]:
    out = []
    for path in sorted(TESTS.glob("**/*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
        items = doc.get("vignettes") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            continue
        vs = [v for v in items if isinstance(v, dict) and isinstance(v.get("present"), list)]
        if vs:
            out.append((path, vs))
    return out


def structured(v: dict[str, Any]) -> dict[str, Any]:
    case: dict[str, Any] = {
        "evidence": [{"id": i, "present": True} for i in v["present"]]
        + [{"id": i, "present": False} for i in v.get("absent") or []]
    }
    for key in ("age", "sex", "subject"):
        if v.get(key) is not None:
            case[key] = v[key]
    return case


def serious_conditions() -> set[str]:
    return {cid for cid, c in kb.load().conditions.items() if c.serious}


def test_named_serious_causes_are_serious_in_the_knowledge_base() -> None:
    assert serious_conditions() >= NAMED_SERIOUS


def test_vignette_files_are_found() -> None:
    files = vignette_files()
    assert files, "no vignette files under tests/"
    assert sum(len(vs) for _, vs in files) >= 100


def test_serious_leader_is_never_below_consultation_24() -> None:
    serious = serious_conditions()
    floor = RANK["consultation_24"]
    offenders = []
    for path, vs in vignette_files():
        name = path.relative_to(TESTS).as_posix()
        for v in vs:
            out = crepitus.assess(structured(v))
            conditions = out["conditions"]
            if not conditions:
                continue
            leader = conditions[0]
            got = out["triage"]["level"]
            if leader["id"] in serious and RANK[got] < floor:
                offenders.append(
                    f"{name}::{v.get('id', '?')}: {leader['id']} leads "
                    f"(p={leader.get('probability')}) at {got}; age={v.get('age')}, "
                    f"present={sorted(v['present'])}"
                )
    assert not offenders, (
        f"{len(offenders)} case(s) where a serious cause leads below consultation_24 "
        "(each needs a rule of its own):\n" + "\n".join(offenders)
    )
