"""Safety invariants, held by hypothesis over random cases.

- Adding a present red-flag finding never lowers the level.
- Adding an absent finding never raises it, also where it overrules what the text read.
- "Not sure" never gives a lower level than "no".
- A confirmation of what the text said never lowers the level.
- A life-threat finding always gives emergency_ambulance.
- No valid case crashes the engine; every invalid one raises CaseError only.

The documented exceptions to "a present finding never lowers the level": the present side of a
rule's exception (``unless.present``, the stenosis pattern: confirming legs that tire on walking
and ease on sitting, for months, with bladder, bowel and saddle confirmed normal, turns a cauda
equina emergency into a routine stenosis consultation), and the age bands, which give the age
and so end the cautious reading of a missing one. Both are listed by the knowledge base itself.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import crepitus
from crepitus import CaseError, kb
from tests.helpers import RANK

K = kb.load()
FINDINGS = sorted(K.findings)
RED_FLAGS = sorted(f.id for f in K.findings.values() if f.red_flag)
LIFE_THREATS = sorted(K.texts.scope["life_threat"].when_any)
# Findings whose confirmed presence can complete a rule's exception (see the module docstring),
# and age bands: saying "under 16" is giving the age, which ends the cautious reading of a
# missing one (over 50 assumed) as giving the number does.
EXCEPTION_PRESENT = {f for r in K.rules if r.unless for f in r.unless.present} | {
    f.id for f in K.findings.values() if f.group == "demographic"
}
SCREEN = sorted(i.id for i in K.screening)

evidence = st.dictionaries(st.sampled_from(FINDINGS), st.booleans(), max_size=20)
# Answers including "not sure" (None).
answers = st.dictionaries(st.sampled_from(FINDINGS), st.none() | st.booleans(), max_size=20)
ages = st.one_of(st.none(), st.integers(0, 120))
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_case(ev: dict[str, bool | None], age: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"evidence": [{"id": k, "present": v} for k, v in ev.items()]}
    if age is not None:
        out["age"] = age
    return out


def rank(ev: dict[str, bool | None], age: int | None) -> int:
    return RANK[crepitus.assess(as_case(ev, age))["triage"]["level"]]


@SETTINGS
@given(answers, ages, st.sampled_from(RED_FLAGS))
def test_adding_a_present_red_flag_never_lowers_the_level(
    ev: dict[str, bool | None], age: int | None, flag: str
) -> None:
    before = rank(ev, age)
    assert rank({**ev, flag: True}, age) >= before


@SETTINGS
@given(answers, ages, st.sampled_from(FINDINGS))
def test_adding_any_present_finding_never_lowers_the_level(
    ev: dict[str, bool | None], age: int | None, fid: str
) -> None:
    assume(fid not in ev and fid not in EXCEPTION_PRESENT)
    assert rank({**ev, fid: True}, age) >= rank(ev, age)


@SETTINGS
@given(evidence, ages, st.sampled_from(FINDINGS))
def test_adding_an_absent_finding_never_raises_the_level(
    ev: dict[str, bool | None], age: int | None, fid: str
) -> None:
    assume(fid not in ev)
    assert rank({**ev, fid: False}, age) <= rank(ev, age)


@SETTINGS
@given(answers, ages, st.sampled_from(FINDINGS))
def test_not_sure_never_gives_a_lower_level_than_no(
    ev: dict[str, bool | None], age: int | None, fid: str
) -> None:
    rest = {k: v for k, v in ev.items() if k != fid}
    assert rank({**rest, fid: None}, age) >= rank({**rest, fid: False}, age)


@SETTINGS
@given(answers, ages, st.sampled_from(LIFE_THREATS))
def test_a_life_threat_always_gives_an_ambulance(
    ev: dict[str, bool | None], age: int | None, fid: str
) -> None:
    assert rank({**ev, fid: True}, age) == RANK["emergency_ambulance"]


def _with_text(readings: dict[str, bool], case: dict[str, Any]) -> dict[str, Any]:
    """Assess ``case`` as if its text had been read as ``readings``."""
    from crepitus.engine import assess

    def reader(text: str, subject: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        mentions = [{"id": f, "present": v, "text": f, "span": [0, 1]} for f, v in readings.items()]
        return mentions, {}

    return assess({**case, "text": "text"}, reader)


@SETTINGS
@given(
    st.dictionaries(st.sampled_from(FINDINGS), st.booleans(), max_size=12),
    answers,
    ages,
    st.lists(st.sampled_from(SCREEN), max_size=6, unique=True),
)
def test_a_confirmation_never_lowers_the_level(
    readings: dict[str, bool],
    ev: dict[str, bool | None],
    age: int | None,
    confirm: list[str],
) -> None:
    # Confirming a red flag the text read (present or denied) keeps the level or raises it; the
    # stenosis exception is the one place where confirmed answers can lower one, by design.
    assume(not EXCEPTION_PRESENT & (set(readings) | set(ev)))
    base = {k: v for k, v in ev.items() if k not in readings}
    before = _with_text(readings, as_case(base, age))
    confirmed = {**base, **{f: readings[f] for f in confirm if f in readings}}
    after = _with_text(readings, as_case(confirmed, age))
    assert RANK[after["triage"]["level"]] >= RANK[before["triage"]["level"]]


@SETTINGS
@given(
    st.dictionaries(st.sampled_from(FINDINGS), st.booleans(), max_size=12),
    evidence,
    ages,
    st.sampled_from(FINDINGS),
)
def test_an_absent_answer_never_raises_the_level_against_the_text(
    readings: dict[str, bool], ev: dict[str, bool], age: int | None, fid: str
) -> None:
    # An answer of "no" can overrule what the text read, and what entails it; never upwards.
    assume(fid not in ev)
    before = _with_text(readings, as_case(dict(ev), age))
    after = _with_text(readings, as_case({**ev, fid: False}, age))
    assert RANK[after["triage"]["level"]] <= RANK[before["triage"]["level"]]


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


def test_not_sure_never_gives_more_than_yes_would() -> None:
    # Exhaustive over every finding a "not sure" rule names, in the contexts that matter: "not
    # sure" turning into "yes" is adding a present finding, which must never lower the level.
    from crepitus import kb as _kb

    unsure_ids = sorted(
        {e.not_sure for r in K.rules for e in _walk(r.when) if isinstance(e, _kb.NotSure)}
    )
    contexts: list[dict[str, bool | None]] = [
        {},
        {"pain": True},
        {"pain": False},
        {"back_sound": True, "pain": True},
    ]
    for fid in unsure_ids:
        for ctx in contexts:
            for age in (None, 30, 70):
                assert rank({**ctx, fid: True}, age) >= rank({**ctx, fid: None}, age), (fid, ctx)


def _walk(expr: Any) -> Any:
    from crepitus import kb as _kb

    yield expr
    for child in (
        getattr(expr, "all", None)
        or getattr(expr, "any", None)
        or (expr.at_least.of if isinstance(expr, _kb.AtLeast) else [])
    ):
        yield from _walk(child)
