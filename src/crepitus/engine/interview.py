"""The adaptive interview: red flags first, then only what could change the answer.

Strategy (the documented equivalent of expected value of information):
1. Once the level is an emergency, stop, except for a follow-up that could escalate it to an
   ambulance and whose trigger is already present (sudden severe pain -> fainting; major injury ->
   weakness or both legs). The emergency advice is never delayed by anything else.
2. Screening groups (the red flags, worded as the cauda equina warning card words them) come
   first, in order. Then the other triage groups in order. From any group only the items that
   could still raise the level are asked: an item is asked if some rule above the current level
   mentions it and is still undecided. Anything known, answered "not sure", or logically settled
   (no pain -> no sharp pain) is never asked.
3. When no answer could change the level, ask a differential group only if the causes are not
   settled (expected information gain over the posterior) or the care plan still lacks the
   person's triggers; otherwise stop.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from crepitus import kb
from crepitus.engine.case import TextReader, build_case
from crepitus.engine.differential import expected_information_gain, posterior
from crepitus.engine.triage import CompiledRule, compiled_rules, evaluate, triage

__all__ = ["next_question"]

#: Causes count as settled when the leader has this probability, or leads the runner-up by GAP.
SETTLED, GAP = 0.6, 0.35
#: Minimum expected information gain (bits) for a differential question to be worth asking.
MIN_GAIN = 0.15
TRIGGER_GROUP = "triggers"


@lru_cache(maxsize=4)
def _index(
    knowledge: kb.KnowledgeBase,
) -> tuple[dict[str, list[CompiledRule]], dict[str, set[str]]]:
    by_finding: dict[str, list[CompiledRule]] = {}
    for c in compiled_rules(knowledge):
        for fid in c.findings:
            by_finding.setdefault(fid, []).append(c)
    # implied_by[x] = every finding that entails x (transitively): if x is absent, so are they.
    implied_by: dict[str, set[str]] = {}
    for f in knowledge.findings.values():
        stack, seen = list(f.implies), set()
        while stack:
            x = stack.pop()
            if x in seen:
                continue
            seen.add(x)
            implied_by.setdefault(x, set()).add(f.id)
            stack.extend(knowledge.findings[x].implies)
    return by_finding, implied_by


def _closed(known: Mapping[str, bool], implied_by: Mapping[str, set[str]]) -> dict[str, bool]:
    """Add what follows from absences: without pain there is no sharp pain."""
    out = dict(known)
    for fid, present in known.items():
        if not present:
            for child in implied_by.get(fid, ()):
                out.setdefault(child, False)
    return out


def _can_raise(
    fid: str,
    known: Mapping[str, bool],
    age: int | None,
    rank: int,
    by_finding: Mapping[str, list[CompiledRule]],
) -> bool:
    for rule in by_finding.get(fid, ()):
        if rule.rank > rank and evaluate(rule, known, age)[0] is None:
            return True
    return False


def _question(
    group: kb.QuestionGroup, items: list[str], knowledge: kb.KnowledgeBase
) -> dict[str, Any]:
    findings = knowledge.findings
    if len(items) == 1:
        fid = items[0]
        text = group.text if len(group.items) == 1 else findings[fid].question
        return {
            "type": "single",
            "text": text,
            "why": group.why,
            "items": [{"id": fid, "text": findings[fid].question}],
            "group": group.id,
        }
    return {
        "type": "group_multiple",
        "text": group.text,
        "why": group.why,
        "items": [{"id": f, "text": group.item_text.get(f, findings[f].question)} for f in items],
        "group": group.id,
    }


def _ask(
    group: kb.QuestionGroup, items: list[str], knowledge: kb.KnowledgeBase, level: str
) -> dict[str, Any]:
    return {"should_stop": False, "question": _question(group, items, knowledge), "level": level}


def next_question(data: Any, read_text: TextReader | None = None) -> dict[str, Any]:
    """The contract's interview step for everything known so far."""
    knowledge = kb.load()
    case = build_case(data, read_text)
    by_finding, implied_by = _index(knowledge)
    known = _closed(case.known, implied_by)
    asked = set(known) | case.asked_unknown
    age = case.age
    level = triage(known, age, knowledge)["level"]
    rank = kb.level_rank(level)
    urgent = rank >= kb.level_rank("emergency")

    def ready(g: kb.QuestionGroup) -> bool:
        return all(known.get(f) is True for f in g.ask_if)

    for g in knowledge.interview:
        if g.phase != "triage" or not ready(g):
            continue
        if urgent and not g.ask_if:
            continue  # at an emergency only a follow-up to a present finding may come first
        items = [
            f for f in g.items if f not in asked and _can_raise(f, known, age, rank, by_finding)
        ]
        if items:
            return _ask(g, items, knowledge, level)
    if urgent:
        return {"should_stop": True, "question": None, "level": level, "reason": "emergency"}

    post = posterior(known, age, knowledge)
    ranked = sorted(post.values(), reverse=True)
    settled = ranked[0] >= SETTLED or ranked[0] - ranked[1] >= GAP
    needs_triggers = rank <= kb.level_rank("consultation")
    best: tuple[float, kb.QuestionGroup, list[str]] | None = None
    for g in knowledge.interview:
        if g.phase != "differential" or not ready(g) or any(f in asked for f in g.items):
            continue
        items = [f for f in g.items if f not in asked]
        gain = sum(expected_information_gain(f, post, knowledge) for f in items)
        if g.id == TRIGGER_GROUP and needs_triggers:
            gain = max(gain, MIN_GAIN)  # the exercise programme is matched to the triggers
        elif settled:
            continue
        if gain >= MIN_GAIN and (best is None or gain > best[0]):
            best = (gain, g, items)
    if best is not None:
        return _ask(best[1], best[2], knowledge, level)
    return {"should_stop": True, "question": None, "level": level, "reason": "complete"}
