"""Level + findings + likely causes -> the care plan.

At self_care and consultation: a personal exercise programme matched to the person's triggers and
habits, home care, prevention and (when relevant) advice on self-cracking. At consultation_24 and
above: what to do now and what to avoid, and no exercise programme. Always: the safety-net and
questions to ask the doctor.

The programme also has to fit the person (the second review): none when a serious cause leads
the possible causes, whatever the level; with leg symptoms only gentle movements that do not bring
them on; in pregnancy nothing done lying on the back. An out-of-scope case (a life threat, a
child, another body part) gets nothing from the lower-back plan: only what to do and the warning
signs that apply to it. The wording comes from the knowledge base (``texts.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crepitus import kb
from crepitus.engine.evidence import AgeRange

__all__ = ["MAX_EXERCISES", "care_plan"]

MAX_EXERCISES = 6
LEG_SYMPTOMS = frozenset(
    ["pain_below_knee", "leg_numbness", "leg_tingling", "leg_weakness", "bilateral_leg_symptoms"]
)
_CONSULTATION = kb.level_rank("consultation")
# Women of an age to be pregnant, when pregnancy was not asked: the plan says what to skip.
_CHILDBEARING = (16, 56)


def _item(a: kb.Advice) -> dict[str, Any]:
    out: dict[str, Any] = {"id": a.id, "text": a.text, "sources": list(a.sources)}
    if a.urgency is not None:
        out["urgency"] = a.urgency
    return out


@dataclass(frozen=True, slots=True)
class _Rule:
    """When an advice item applies, as sets (checked for every assessment), and the item."""

    advice: kb.Advice
    levels: frozenset[str]
    scopes: frozenset[str]
    when_any: frozenset[str]
    unless_any: frozenset[str]
    item: dict[str, Any]  # a template: each plan gets its own copy


@lru_cache(maxsize=4)
def _advice_rules(knowledge: kb.KnowledgeBase) -> tuple[_Rule, ...]:
    return tuple(
        _Rule(a, frozenset(a.levels), frozenset(a.scopes), frozenset(a.when_any),
              frozenset(a.unless_any), _item(a))
        for a in knowledge.advice
    )  # fmt: skip


@lru_cache(maxsize=64)
def _for(
    knowledge: kb.KnowledgeBase, level: str, scope: str
) -> tuple[tuple[str, frozenset[str], frozenset[str], dict[str, Any]], ...]:
    """(kind, when_any, unless_any, item template) of the advice rules of a level and scope,
    in file order within each kind but the safety net, which comes most urgent first: the rest
    are never looked at for it."""
    rules = [
        (r.advice.kind, r.when_any, r.unless_any, r.item)
        for r in _advice_rules(knowledge)
        if not (r.levels and level not in r.levels) and scope in r.scopes
    ]
    # A stable sort: only safety-net items move, and only among themselves.
    rules.sort(key=lambda r: -kb.level_rank(r[3]["urgency"]) if r[0] == "safety_net" else 0)
    return tuple(rules)


@lru_cache(maxsize=4)
def _exercise_items(knowledge: kb.KnowledgeBase) -> dict[str, dict[str, Any]]:
    """Each exercise as a plan item; each plan gets a copy with lists of its own (``_copy``)."""
    return {
        ex.id: {
            "id": ex.id,
            "name": ex.name,
            "targets": ex.targets,
            "steps": list(ex.steps),
            "dose": ex.dose,
            "progression": ex.progression,
            "stop_if": ex.stop_if,
            "why": ex.why,
            "matched": [],
            "sources": list(ex.sources),
        }
        for ex in knowledge.exercises.values()
    }


def _copy(item: dict[str, Any], matched: list[str]) -> dict[str, Any]:
    # dict.copy keeps the key order, so the new lists take their places.
    out = item.copy()
    out["steps"] = item["steps"].copy()
    out["matched"] = matched
    out["sources"] = item["sources"].copy()
    return out


@lru_cache(maxsize=16)
def _allowed(
    knowledge: kb.KnowledgeBase, leg_safe: bool, no_supine: bool
) -> tuple[tuple[str, tuple[str, ...], dict[str, Any]], ...]:
    """(id, the findings it matches, its plan item) of each exercise that suits, in file order."""
    items = _exercise_items(knowledge)
    return tuple(
        (ex.id, tuple(ex.matches), items[ex.id])
        for ex in knowledge.exercises.values()
        if (ex.leg_safe or not leg_safe) and not (no_supine and ex.lying_on_back)
    )


def _exercises(
    knowledge: kb.KnowledgeBase, present: set[str], leg_safe: bool, no_supine: bool
) -> list[dict[str, Any]]:
    allowed = _allowed(knowledge, leg_safe, no_supine)
    scored = []
    for order, (_, matches, item) in enumerate(allowed):
        matched = [f for f in matches if f in present]
        if matches and not matched:
            continue
        # Exercises for everyone come first (the foundation), then by how many triggers match.
        scored.append((0 if not matches else 1, -len(matched), order, item, matched))
    scored.sort(key=lambda t: t[:3])
    if len(scored) < 4:
        # Too few personal matches: fill with the general programme in file order.
        chosen = {t[3]["id"] for t in scored}
        for order, (ex_id, _, item) in enumerate(allowed):
            if ex_id not in chosen and len(scored) < 4:
                scored.append((2, 0, order, item, []))
    return [_copy(item, matched) for *_, item, matched in scored[:MAX_EXERCISES]]


def _maybe_pregnant(
    present: set[str], known: Mapping[str, bool], sex: str | None, age: AgeRange
) -> bool:
    if "pregnant" in known or sex == "male" or "postpartum" in present:
        return False
    lo, hi = _CHILDBEARING
    return not (age.hi < lo or age.lo >= hi)


def care_plan(
    level: str,
    present: set[str],
    conditions: list[dict[str, Any]],
    knowledge: kb.KnowledgeBase | None = None,
    *,
    scope: str = "in",
    provisional: bool = False,
    known: Mapping[str, bool] | None = None,
    sex: str | None = None,
    age: AgeRange | None = None,
) -> dict[str, Any]:
    """The care plan. ``scope`` is "in" or the out-of-scope reason; ``provisional`` is true while
    the red-flag screen is incomplete; ``known``/``sex``/``age`` let it say what to skip in a
    pregnancy nobody has asked about."""
    knowledge = knowledge or kb.load()
    texts = knowledge.texts
    rank = kb.level_rank(level)
    if scope != "in":
        st = texts.scope[scope]  # type: ignore[index]
        headline, summary = st.headline, st.summary
    else:
        lt = texts.levels[level]  # type: ignore[index]
        headline, summary = lt.headline, lt.summary
        if provisional:
            headline = lt.provisional_headline or headline
            summary = lt.provisional_summary or summary
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for kind, when_any, unless_any, item in _for(knowledge, level, scope):
        # It applies unless a finding it excludes is present, and then when it needs none or
        # one it names is present.
        if unless_any and not unless_any.isdisjoint(present):
            continue
        if when_any and when_any.isdisjoint(present):
            continue
        # Each plan gets its own copy of the template.
        copy = item.copy()
        copy["sources"] = item["sources"].copy()
        if kind in by_kind:
            by_kind[kind].append(copy)
        else:
            by_kind[kind] = [copy]
    # Below consultation_24 every safety-net item matters; above, only what is more urgent still.
    safety = by_kind.get("safety_net", [])  # most urgent first (``_for``)
    if rank > _CONSULTATION:
        safety = [i for i in safety if kb.level_rank(i["urgency"]) >= rank]
    self_managed = rank <= _CONSULTATION and scope == "in"
    notes: list[str] = []
    exercises: list[dict[str, Any]] = []
    leader = knowledge.conditions.get(str(conditions[0]["id"])) if conditions else None
    if self_managed and leader is not None and leader.serious:
        notes.append(texts.phrases["serious_cause_no_exercise"])
    elif self_managed:
        leg = bool(present & LEG_SYMPTOMS)
        pregnant = "pregnant" in present
        exercises = _exercises(knowledge, present, leg_safe=leg, no_supine=pregnant)
        if leg:
            notes.append(texts.phrases["leg_symptoms_exercise"])
        if pregnant:
            notes.append(texts.phrases["pregnancy_exercise"])
        elif (
            age is not None
            and _maybe_pregnant(present, known or {}, sex, age)
            and any(knowledge.exercises[e["id"]].lying_on_back for e in exercises)
        ):
            notes.append(texts.phrases["pregnancy_caution"])
    plan: dict[str, Any] = {
        "level": level,
        "headline": headline,
        "summary": summary,
        "do_now": by_kind.get("do_now", []),
        "avoid": by_kind.get("avoid", []),
        "exercises": exercises,
        "home_care": by_kind.get("home_care", []) if self_managed else [],
        "prevention": by_kind.get("prevention", []) if self_managed else [],
        "self_cracking": by_kind.get("self_cracking", []) if self_managed else [],
        "safety_net": safety,
        "questions_for_doctor": by_kind.get("question", []) if scope == "in" else [],
        "likely_causes": [c["id"] for c in conditions[:3]] if scope == "in" else [],
        "notes": notes,
        "disclaimer": texts.phrases["disclaimer"],
    }
    return plan
