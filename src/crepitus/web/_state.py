"""The interview's state, carried in the page itself as a hidden JSON field.

Nothing is kept on the server until the interview ends, so the state is the person's own data
and is not signed; it is validated in full on every request instead, and anything that does not
look exactly like what we wrote is refused as tampered (never half-used).

Shape: ``{"v": 1, "case": {age?, sex?, text?, evidence: [...]}, "steps": [[id, ...], ...]}``.
``steps`` is the Back stack: the finding ids answered on each page, in order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crepitus.engine.case import validate_case
from crepitus.errors import CaseError

__all__ = [
    "MAX_STATE_CHARS",
    "MAX_STEPS",
    "Answer",
    "InterviewState",
    "StateError",
    "answer",
    "back",
    "decode",
    "encode",
]

STATE_VERSION = 1
# A full 10,000-character text plus a few hundred answers stays far below this.
MAX_STATE_CHARS = 200_000
# A safety stop: an interview this long means something is wrong, so we assess what we have.
MAX_STEPS = 80
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CASE_KEYS = frozenset({"age", "sex", "text", "evidence"})

Answer = bool | None  # present, absent, not sure


class StateError(ValueError):
    """The hidden state is not something this site wrote."""


@dataclass(slots=True)
class InterviewState:
    case: dict[str, Any]
    steps: list[list[str]] = field(default_factory=list)

    @property
    def answers(self) -> dict[str, Answer]:
        return {e["id"]: e["present"] for e in self.case.get("evidence", [])}


def new_case(age: int | None, sex: str | None, text: str | None) -> dict[str, Any]:
    case: dict[str, Any] = {"evidence": []}
    if age is not None:
        case["age"] = age
    if sex is not None:
        case["sex"] = sex
    if text:
        case["text"] = text
    return case


def encode(state: InterviewState) -> str:
    return json.dumps(
        {"v": STATE_VERSION, "case": state.case, "steps": state.steps},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(raw: str) -> InterviewState:
    """Parse and validate the hidden state; raise StateError on anything unexpected."""
    if len(raw) > MAX_STATE_CHARS:
        raise StateError("state too large")
    try:
        data = json.loads(raw)
    except ValueError:
        raise StateError("state is not JSON") from None
    if not isinstance(data, dict) or set(data) != {"v", "case", "steps"} or data["v"] != 1:
        raise StateError("state has the wrong shape")
    case, steps = data["case"], data["steps"]
    if not isinstance(case, dict) or not set(case) <= _CASE_KEYS:
        raise StateError("case has the wrong shape")
    try:
        validate_case(case)
    except CaseError as exc:
        raise StateError(f"case is invalid: {exc}") from None
    evidence = case.get("evidence", [])
    ids = [e["id"] for e in evidence]
    if len(set(ids)) != len(ids):
        raise StateError("an answer is given twice")
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        raise StateError("steps have the wrong shape")
    seen: set[str] = set()
    for step in steps:
        if not isinstance(step, list) or not step or not all(isinstance(i, str) for i in step):
            raise StateError("steps have the wrong shape")
        if seen & set(step) or not set(step) <= set(ids):
            raise StateError("steps do not match the answers")
        seen |= set(step)
    if seen != set(ids):
        raise StateError("steps do not match the answers")
    return InterviewState(case={**case, "evidence": list(evidence)}, steps=steps)


def is_finding_id(value: str) -> bool:
    return bool(_ID.match(value))


def answer(state: InterviewState, answers: Mapping[str, Answer]) -> InterviewState:
    """A new state with one page of answers pushed; a re-asked finding takes its new answer."""
    fresh = set(answers)
    evidence = [e for e in state.case.get("evidence", []) if e["id"] not in fresh]
    evidence += [{"id": fid, "present": value} for fid, value in answers.items()]
    steps = [[i for i in step if i not in fresh] for step in state.steps]
    steps = [s for s in steps if s] + [list(answers)]
    return InterviewState(case={**state.case, "evidence": evidence}, steps=steps)


def back(state: InterviewState) -> tuple[InterviewState, dict[str, Answer]]:
    """Undo the last page of answers; also return them, to show them again as chosen."""
    if not state.steps:
        return state, {}
    last = set(state.steps[-1])
    kept, undone = [], {}
    for e in state.case.get("evidence", []):
        if e["id"] in last:
            undone[e["id"]] = e["present"]
        else:
            kept.append(e)
    return InterviewState(case={**state.case, "evidence": kept}, steps=state.steps[:-1]), undone


def parse_answer(value: str | None) -> tuple[bool, Answer]:
    """(valid, answer) for a radio value: yes / no / unsure."""
    match value:
        case "yes":
            return True, True
        case "no":
            return True, False
        case "unsure":
            return True, None
        case _:
            return False, None


def radio_value(value: Answer) -> str:
    return "yes" if value is True else ("no" if value is False else "unsure")


def unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))
