"""Safety invariants, held by hypothesis over random cases.

- Adding a present red-flag finding never lowers the level.
- Adding an absent finding never raises it.
- No valid case crashes the engine; every invalid one raises CaseError only.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crepitus
from crepitus import CaseError, kb
from tests.helpers import RANK

K = kb.load()
FINDINGS = sorted(K.findings)
RED_FLAGS = sorted(f.id for f in K.findings.values() if f.red_flag)

evidence = st.dictionaries(st.sampled_from(FINDINGS), st.booleans(), max_size=20)
ages = st.one_of(st.none(), st.integers(0, 120))
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_case(ev: dict[str, bool], age: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"evidence": [{"id": k, "present": v} for k, v in ev.items()]}
    if age is not None:
        out["age"] = age
    return out


def rank(ev: dict[str, bool], age: int | None) -> int:
    return RANK[crepitus.assess(as_case(ev, age))["triage"]["level"]]


@SETTINGS
@given(evidence, ages, st.sampled_from(RED_FLAGS))
def test_adding_a_present_red_flag_never_lowers_the_level(
    ev: dict[str, bool], age: int | None, flag: str
) -> None:
    before = rank(ev, age)
    assert rank({**ev, flag: True}, age) >= before


@SETTINGS
@given(evidence, ages, st.sampled_from(FINDINGS))
def test_adding_any_present_finding_never_lowers_the_level(
    ev: dict[str, bool], age: int | None, fid: str
) -> None:
    if fid in ev:
        return
    assert rank({**ev, fid: True}, age) >= rank(ev, age)


@SETTINGS
@given(evidence, ages, st.sampled_from(FINDINGS))
def test_adding_an_absent_finding_never_raises_the_level(
    ev: dict[str, bool], age: int | None, fid: str
) -> None:
    if fid in ev:
        return
    assert rank({**ev, fid: False}, age) <= rank(ev, age)


@SETTINGS
@given(evidence, ages)
def test_the_engine_never_crashes_and_output_is_well_formed(
    ev: dict[str, bool], age: int | None
) -> None:
    out = crepitus.assess(as_case(ev, age))
    probs = [c["probability"] for c in out["conditions"]]
    assert all(0 <= p <= 1 for p in probs) and sum(probs) <= 1
    assert {c["id"] for c in out["conditions"]} == set(K.conditions)
    assert out["triage"]["level"] in RANK
    if RANK[out["triage"]["level"]] >= RANK["consultation_24"]:
        assert out["plan"]["exercises"] == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
raw_cases = st.fixed_dictionaries(
    {},
    optional={
        "age": json_values | st.integers(-5, 130),
        "sex": json_values | st.sampled_from(["female", "male", "other"]),
        "evidence": st.lists(
            st.fixed_dictionaries(
                {
                    "id": st.sampled_from(FINDINGS) | st.text(max_size=12),
                    "present": st.booleans() | json_values,
                }
            ),
            max_size=6,
        )
        | json_values,
        "diary": json_values,
    },
)


@SETTINGS
@given(raw_cases)
def test_arbitrary_input_gives_an_assessment_or_a_case_error(raw: dict[str, Any]) -> None:
    try:
        out = crepitus.assess(raw)
    except CaseError as exc:
        assert exc.problems and all(p.msg for p in exc.problems)
    else:
        assert out["triage"]["level"] in RANK
