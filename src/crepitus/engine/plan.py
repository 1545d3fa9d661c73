"""Level + findings + likely causes -> the care plan.

At self_care and consultation: a personal exercise programme matched to the person's triggers and
habits, home care, prevention and (when relevant) advice on self-cracking. At consultation_24 and
above: what to do now and what to avoid, and no exercise programme. Always: the safety-net and
questions to ask the doctor.
"""

from __future__ import annotations

from typing import Any

from crepitus import kb

__all__ = ["HEADLINES", "care_plan"]

MAX_EXERCISES = 6

HEADLINES: dict[str, tuple[str, str]] = {
    "emergency_ambulance": (
        "Call an ambulance now (999, 112 or 911).",
        "Do not travel on your own. What you describe needs emergency help straight away.",
    ),
    "emergency": (
        "Go to an emergency department now.",
        "Do not wait for an appointment. What you describe needs to be checked today, in hospital.",
    ),
    "consultation_24": (
        "See a doctor within 24 hours.",
        "Contact your doctor, an urgent care service or a telephone helpline today.",
    ),
    "consultation": (
        "Book an appointment with a doctor or physiotherapist.",
        "Nothing here needs emergency care, but your symptoms deserve an assessment in the coming "
        "days to weeks. Meanwhile the plan below is safe to follow.",
    ),
    "self_care": (
        "This sounds harmless: you can look after it yourself.",
        "Nothing you describe points to damage or a serious cause. The exercises below can make "
        "the clicking less frequent; the safety-net says when to get it checked.",
    ),
}

DISCLAIMER = (
    "crepitus lists possible causes and a safe level of care; it is not a diagnosis and does "
    "not replace a clinician who can examine you."
)


def _item(a: kb.Advice) -> dict[str, Any]:
    out: dict[str, Any] = {"id": a.id, "text": a.text, "sources": list(a.sources)}
    if a.urgency is not None:
        out["urgency"] = a.urgency
    return out


def _applies(a: kb.Advice, level: str, present: set[str]) -> bool:
    if a.levels and level not in a.levels:
        return False
    return not a.when_any or any(f in present for f in a.when_any)


def _exercises(knowledge: kb.KnowledgeBase, present: set[str]) -> list[dict[str, Any]]:
    scored = []
    for order, ex in enumerate(knowledge.exercises.values()):
        matched = [f for f in ex.matches if f in present]
        if ex.matches and not matched:
            continue
        # Exercises for everyone come first (the foundation), then by how many triggers match.
        scored.append((0 if not ex.matches else 1, -len(matched), order, ex, matched))
    scored.sort(key=lambda t: t[:3])
    if len(scored) < 4:
        # Too few personal matches: fill with the general core programme in file order.
        chosen = {t[3].id for t in scored}
        for order, ex in enumerate(knowledge.exercises.values()):
            if ex.id not in chosen and len(scored) < 4:
                scored.append((2, 0, order, ex, []))
    return [
        {
            "id": ex.id,
            "name": ex.name,
            "targets": ex.targets,
            "steps": list(ex.steps),
            "dose": ex.dose,
            "progression": ex.progression,
            "stop_if": ex.stop_if,
            "why": ex.why,
            "matched": matched,
            "sources": list(ex.sources),
        }
        for *_, ex, matched in scored[:MAX_EXERCISES]
    ]


def care_plan(
    level: str,
    present: set[str],
    conditions: list[dict[str, Any]],
    knowledge: kb.KnowledgeBase | None = None,
) -> dict[str, Any]:
    knowledge = knowledge or kb.load()
    rank = kb.level_rank(level)
    headline, summary = HEADLINES[level]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for a in knowledge.advice:
        if _applies(a, level, present):
            by_kind.setdefault(a.kind, []).append(_item(a))
    # Below consultation_24 every safety-net item matters; above, only what is more urgent still.
    safety = [
        i
        for i in by_kind.get("safety_net", [])
        if rank <= kb.level_rank("consultation") or kb.level_rank(i["urgency"]) >= rank
    ]
    safety.sort(key=lambda i: -kb.level_rank(i["urgency"]))
    self_managed = rank <= kb.level_rank("consultation")
    plan: dict[str, Any] = {
        "level": level,
        "headline": headline,
        "summary": summary,
        "do_now": by_kind.get("do_now", []),
        "avoid": by_kind.get("avoid", []),
        "exercises": _exercises(knowledge, present) if self_managed else [],
        "home_care": by_kind.get("home_care", []) if self_managed else [],
        "prevention": by_kind.get("prevention", []) if self_managed else [],
        "self_cracking": by_kind.get("self_cracking", []) if self_managed else [],
        "safety_net": safety,
        "questions_for_doctor": by_kind.get("question", []),
        "likely_causes": [c["id"] for c in conditions[:3]],
        "disclaimer": DISCLAIMER,
    }
    return plan
