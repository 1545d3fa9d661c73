"""The pure core: validated case in, the contract's assessment out. No I/O here."""

from __future__ import annotations

from typing import Any

from crepitus import kb
from crepitus.engine.case import Case, TextReader, build_case
from crepitus.engine.differential import differential
from crepitus.engine.plan import care_plan
from crepitus.engine.triage import triage

__all__ = ["Case", "assess", "assess_case", "build_case", "differential", "triage"]


def assess_case(case: Case, knowledge: kb.KnowledgeBase | None = None) -> dict[str, Any]:
    """The contract's assessment for an already built case."""
    knowledge = knowledge or kb.load()
    known = case.known
    tri = triage(known, case.age, knowledge, case.details)
    conditions = differential(known, case.age, knowledge)
    plan = care_plan(tri["level"], case.present(), conditions, knowledge)
    out: dict[str, Any] = {
        "triage": tri,
        "conditions": conditions,
        "evidence": [f.as_dict() for f in case.facts.values()],
        "plan": plan,
        "knowledge_version": knowledge.version,
    }
    if case.uncertain:
        out["uncertain"] = case.uncertain
    demographics: dict[str, Any] = {}
    if case.age is not None:
        demographics["age"] = {"value": case.age, "origin": case.age_origin}
    if case.sex is not None:
        demographics["sex"] = {"value": case.sex, "origin": case.sex_origin}
    out["demographics"] = demographics
    if case.trends is not None:
        out["trends"] = case.trends.as_dict()
    return out


def assess(data: Any, read_text: TextReader | None = None) -> dict[str, Any]:
    return assess_case(build_case(data, read_text))
