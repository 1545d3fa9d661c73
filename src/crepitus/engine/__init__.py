"""The pure core: validated case in, the contract's assessment out. No I/O here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crepitus import kb
from crepitus.engine.case import Case, TextReader, build_case
from crepitus.engine.differential import differential
from crepitus.engine.plan import care_plan
from crepitus.engine.screening import contradiction_notes, scope, screening
from crepitus.engine.triage import triage

__all__ = ["Case", "assess", "assess_case", "build_case", "differential", "triage"]


def assess_case(case: Case, knowledge: kb.KnowledgeBase | None = None) -> dict[str, Any]:
    """The contract's assessment for an already built case."""
    knowledge = knowledge or kb.load()
    ev = case.evidence(knowledge)
    tri = triage(ev, knowledge, case.details)
    where = scope(ev, knowledge)
    scope_reason = str(where.get("reason", "in"))
    screen = screening(case, ev, knowledge, scope_reason)
    provisional = not screen["complete"]
    tri["provisional"] = provisional
    notes = contradiction_notes(case, knowledge)
    if notes:
        for reason in tri["reasons"]:
            said = [notes[f] for f in reason["evidence"] if f in notes]
            if said:
                reason["text"] += " " + " ".join(said)
    if not where["in"]:
        # "A click on its own is harmless" says nothing about a knee, a child or chest pain.
        tri["reasons"] = [r for r in tri["reasons"] if r["level"] != "self_care"]
    conditions = differential(ev.known, ev.age, knowledge)
    plan = care_plan(
        tri["level"],
        ev.present(),
        conditions,
        knowledge,
        scope=scope_reason,
        provisional=provisional,
        known=ev.known,
        sex=case.sex,
        age=ev.age,
    )
    out: dict[str, Any] = {
        "triage": tri,
        "conditions": conditions,
        # Age bands worked out from the age are in `demographics`, not evidence of their own.
        "evidence": [f.as_dict() for f in case.facts.values() if f.span != "age"],
        "plan": plan,
        "knowledge_version": knowledge.version,
        "provisional": provisional,
        "screening": screen,
        "scope": where,
        "subject": {"value": case.subject, "origin": case.subject_origin},
    }
    if case.asked_unknown:
        out["unsure"] = sorted(case.asked_unknown)
    if case.uncertain:
        out["uncertain"] = case.uncertain
    demographics: dict[str, Any] = {}
    if case.age is not None:
        demographics["age"] = {"value": case.age, "origin": case.age_origin}
    elif ev.age.known:
        demographics["age"] = {"range": [ev.age.lo, ev.age.hi], "origin": "explicit"}
    if case.sex is not None:
        demographics["sex"] = {"value": case.sex, "origin": case.sex_origin}
    out["demographics"] = demographics
    if case.trends is not None:
        out["trends"] = case.trends.as_dict()
    return out


def assess(
    data: Any,
    read_text: TextReader | None = None,
    knowledge: kb.KnowledgeBase | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The contract's assessment of ``data``, by ``knowledge`` (default: the packaged knowledge
    base) at time ``now`` (default: the clock)."""
    knowledge = knowledge or kb.load()
    return assess_case(build_case(data, read_text, knowledge, now), knowledge)
