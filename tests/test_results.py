"""The typed results describe the core's output exactly: every assessment, interview step and
mention the vignettes produce validates against them, with no field left undescribed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import crepitus
from crepitus.results import Assessment, InterviewStep, Mention

HERE = Path(__file__).parent
# The public vignettes and the clinical notes (drugs, vital signs, power grades) cover every
# part of a result; the other batches add only more of the same.
BATCHES = [HERE / "data" / "vignettes_public.yaml", HERE / "language" / "blind_notes.yaml"]


def _cases() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in BATCHES:
        for v in yaml.safe_load(path.read_text(encoding="utf-8"))["vignettes"]:
            base = {k: v[k] for k in ("age", "sex", "subject") if v.get(k) is not None}
            ev = [{"id": i, "present": True} for i in v["present"]]
            ev += [{"id": i, "present": False} for i in v["absent"]]
            unsure = [{"id": i, "present": None} for i in v["present"][:2]]
            out += [
                {**base, "text": v["text"]},
                {**base, "evidence": ev},
                # text that an answer contradicts, and answers of "not sure"
                {**base, "text": v["text"], "evidence": unsure},
            ]
    yes = {"id": "bladder_dysfunction", "present": True}
    recheck = {"id": "saddle_numbness", "present": False, "recheck": True}
    diary = [
        {"at": "2026-10-01T10:00:00Z", "pain": 2, "sound": True, "activity": "squat"},
        {"at": "2026-11-20T10:00:00Z", "pain": 7, "findings": ["pain_sharp"]},
    ]
    out += [
        {"age": 8, "text": "my back clicks"},
        {"age": 30, "text": "my knee clicks when I squat"},
        {"age": 30, "text": "no problems peeing", "evidence": [yes]},
        {"age": 30, "evidence": [recheck]},
        {"age": 30, "diary": diary},
    ]
    return out


CASES = _cases()


@pytest.mark.parametrize("case", CASES)
def test_every_result_is_described_by_the_typed_models(case: dict[str, Any]) -> None:
    result = crepitus.assess(case)
    assert Assessment.of(result).model_dump(by_alias=True, exclude_none=True) == _no_none(result)
    InterviewStep.model_validate(crepitus.next_question(case))
    for m in crepitus.parse(case["text"]) if case.get("text") else []:
        Mention.model_validate(m)


def _no_none(obj: Any) -> Any:
    """The result without its null fields (the model leaves them out the same way)."""
    if isinstance(obj, dict):
        return {k: _no_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_no_none(v) for v in obj]
    return obj


def test_an_undescribed_field_is_refused() -> None:
    result = crepitus.assess({"age": 30, "text": "my back clicks"})
    result["triage"]["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        Assessment.of(result)
