"""The interview's state, carried in the page itself as a hidden JSON field.

Nothing is kept on the server until the interview ends. In the form the state is the person's
own data, posted only from our own pages (the app checks the origin), and is not signed; in a
question's address it is sealed (``_seal``: signed, encrypted, dated), because an address can be
made elsewhere and followed. Either way it is validated in full on every request, and anything
that does not look exactly like what we wrote is refused as tampered (never half-used).

Shape: ``{"v": 1, "case": {age?, sex?, subject?, text?, evidence: [...]}, "steps": [[id, ...]]}``.
``steps`` is the Back stack: the finding ids answered on each page, in order. A page that asked
for the age and got a number is the step ``["#age"]`` (the number is the case's ``age``). A page
that asked again, in concrete words, about findings first answered "not sure" (kind "recheck")
stores its answers with ``"recheck": true`` and keeps the ids in the earlier step too: undoing it
brings back the first answer, which was "not sure".
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
    "AGE_STEP",
    "MAX_STATE_CHARS",
    "MAX_STEPS",
    "Answer",
    "Chosen",
    "InterviewState",
    "StateError",
    "answer",
    "as_data",
    "back",
    "decode",
    "encode",
    "from_data",
]

STATE_VERSION = 1
# A full 10,000-character text plus a few hundred answers stays far below this.
MAX_STATE_CHARS = 200_000
# A safety stop: an interview this long means something is wrong, so we assess what we have.
MAX_STEPS = 80
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CASE_KEYS = frozenset({"age", "sex", "subject", "text", "evidence"})
#: The step of a page that asked for the age and got a number (never a finding id).
AGE_STEP = "#age"

Answer = bool | None  # present, absent, not sure
#: What to show as chosen when a page comes back: finding id -> answer, AGE_STEP -> the age.
Chosen = dict[str, Answer | int]


class StateError(ValueError):
    """The hidden state is not something this site wrote."""


@dataclass(slots=True)
class InterviewState:
    case: dict[str, Any]
    steps: list[list[str]] = field(default_factory=list)

    @property
    def answers(self) -> dict[str, Answer]:
        return {e["id"]: e["present"] for e in self.case.get("evidence", [])}


def as_data(state: InterviewState) -> dict[str, Any]:
    """The state as the JSON object ``encode`` writes (what ``from_data`` reads back)."""
    return {"v": STATE_VERSION, "case": state.case, "steps": state.steps}


def encode(state: InterviewState) -> str:
    return json.dumps(as_data(state), ensure_ascii=False, separators=(",", ":"))


def decode(raw: str) -> InterviewState:
    """Parse and validate the hidden state; raise StateError on anything unexpected."""
    if len(raw) > MAX_STATE_CHARS:
        raise StateError("state too large")
    try:
        data = json.loads(raw)
    except ValueError:
        raise StateError("state is not JSON") from None
    return from_data(data)


def from_data(data: Any) -> InterviewState:
    """Validate a parsed state (``as_data``'s shape); raise StateError on anything unexpected."""
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
    rechecked = {e["id"] for e in evidence if e.get("recheck")}
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        raise StateError("steps have the wrong shape")
    seen: set[str] = set()
    twice: set[str] = set()
    for step in steps:
        if not isinstance(step, list) or not step or not all(isinstance(i, str) for i in step):
            raise StateError("steps have the wrong shape")
        if len(set(step)) != len(step):
            raise StateError("steps have the wrong shape")
        if AGE_STEP in step:
            if step != [AGE_STEP] or AGE_STEP in seen or case.get("age") is None:
                raise StateError("the age step does not match the case")
            seen.add(AGE_STEP)
            continue
        if not set(step) <= set(ids):
            raise StateError("steps do not match the answers")
        # Only a second, concrete asking may answer a finding again, and only once.
        again = seen & set(step)
        if not again <= rechecked or again & twice:
            raise StateError("steps do not match the answers")
        twice |= again
        seen |= set(step)
    if seen - {AGE_STEP} != set(ids):
        raise StateError("steps do not match the answers")
    return InterviewState(case={**case, "evidence": list(evidence)}, steps=steps)


def is_finding_id(value: str) -> bool:
    return bool(_ID.match(value))


def answer(
    state: InterviewState, answers: Mapping[str, Answer], recheck: bool = False
) -> InterviewState:
    """A new state with one page of answers pushed; a re-asked finding takes its new answer.

    ``recheck``: the page asked again, in concrete words, about findings answered "not sure";
    the answers say so, and the first answers stay on the Back stack under them."""
    fresh = set(answers)
    evidence = [e for e in state.case.get("evidence", []) if e["id"] not in fresh]
    for fid, value in answers.items():
        entry: dict[str, Any] = {"id": fid, "present": value}
        if recheck:
            entry["recheck"] = True
        evidence.append(entry)
    steps = state.steps
    if not recheck:
        steps = [[i for i in step if i not in fresh] for step in steps]
        steps = [s for s in steps if s]
    return InterviewState(case={**state.case, "evidence": evidence}, steps=[*steps, list(answers)])


def answer_age(state: InterviewState, age: int) -> InterviewState:
    """A new state with the age the person typed on the age page."""
    return InterviewState(case={**state.case, "age": age}, steps=[*state.steps, [AGE_STEP]])


def back(state: InterviewState) -> tuple[InterviewState, Chosen]:
    """Undo the last page of answers; also return them, to show them again as chosen."""
    if not state.steps:
        return state, {}
    last, earlier = state.steps[-1], state.steps[:-1]
    if last == [AGE_STEP]:
        case = dict(state.case)
        age = case.pop("age")
        return InterviewState(case=case, steps=earlier), {AGE_STEP: age}
    asked_before = {i for step in earlier for i in step}
    kept: list[dict[str, Any]] = []
    undone: Chosen = {}
    for e in state.case.get("evidence", []):
        if e["id"] not in last:
            kept.append(e)
            continue
        undone[e["id"]] = e["present"]
        if e.get("recheck") and e["id"] in asked_before:
            # The first asking of a rechecked finding was answered "not sure".
            kept.append({"id": e["id"], "present": None})
    return InterviewState(case={**state.case, "evidence": kept}, steps=earlier), undone


def from_case(case: Mapping[str, Any]) -> InterviewState | None:
    """An interview state that carries on from a stored case (its answers as one step), or None
    when the case holds something the pages never write (a diary, say)."""
    if not set(case) <= _CASE_KEYS:
        return None
    evidence = [dict(e) for e in case.get("evidence") or [] if isinstance(e, Mapping)]
    data = {**case, "evidence": evidence}
    ids = [e.get("id") for e in evidence]
    steps = [ids] if ids else []
    try:
        return from_data({"v": STATE_VERSION, "case": data, "steps": steps})
    except StateError:
        return None


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
