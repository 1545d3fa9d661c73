"""The adaptive interview: red flags first, then only what could change the answer.

Strategy (the documented equivalent of expected value of information):

1. Confirm what the person's own words said about red flags, present, denied or in doubt, in one
   short step that quotes them. Text pre-fills; the questions confirm. An answer that
   contradicts the text wins.
2. Ask again, in concrete words, a cauda equina item answered "not sure" (once).
3. Once the level is an emergency, stop, except for questions that could escalate it to an
   ambulance (chest pain, collapse, a major injury; fainting after sudden severe pain), or for
   the few confirmations that could show it is something else (legs heavy on walking that ease
   on sitting: stenosis, not cauda equina). The emergency advice is never delayed by anything
   else.
4. Screening groups ask every red flag not yet answered (and the age, when unknown). Then the
   other triage groups, in order, and from them only the items that could still raise the
   level: an item is asked if some rule above the current level mentions it and is undecided.
   Anything known, answered "not sure", or logically settled (no pain -> no sharp pain) is never
   asked again.
5. When no answer could change the level, ask a differential group only if the causes are not
   settled (expected information gain over the posterior) or the care plan still lacks the
   person's triggers; otherwise stop.

Questions are addressed to whom the case is about: "Do they ..." for someone answering for
another person.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from crepitus import kb
from crepitus.engine.case import Case, TextReader, build_case
from crepitus.engine.differential import expected_information_gain, posterior
from crepitus.engine.evidence import Evidence, close_absences
from crepitus.engine.screening import item_question, scope, screen_items, screening
from crepitus.engine.triage import CompiledRule, compiled_rules, evaluate, lowering_items, triage
from crepitus.engine.wording import third_person

__all__ = ["next_question", "understood"]

#: Causes count as settled when the leader has this probability, or leads the runner-up by GAP.
SETTLED, GAP = 0.6, 0.35
#: Minimum expected information gain (bits) for a differential question to be worth asking.
MIN_GAIN = 0.15
TRIGGER_GROUP = "triggers"


@lru_cache(maxsize=4)
def _by_finding(knowledge: kb.KnowledgeBase) -> dict[str, list[CompiledRule]]:
    by_finding: dict[str, list[CompiledRule]] = {}
    for c in compiled_rules(knowledge):
        for fid in c.findings:
            by_finding.setdefault(fid, []).append(c)
    return by_finding


def _can_raise(
    fid: str, ev: Evidence, rank: int, by_finding: Mapping[str, list[CompiledRule]]
) -> bool:
    return any(
        rule.rank > rank and evaluate(rule, ev)[0] is None for rule in by_finding.get(fid, ())
    )


class _Asker:
    """Builds question dicts worded for whom the case is about."""

    def __init__(self, knowledge: kb.KnowledgeBase, case: Case, level: str) -> None:
        self.knowledge = knowledge
        self.other = case.subject == "other"
        self.level = level

    def _say(self, text: str, override: str | None = None) -> str:
        if not self.other:
            return text
        return override if override is not None else third_person(text)

    def group(self, g: kb.QuestionGroup, items: list[str]) -> dict[str, Any]:
        findings = self.knowledge.findings
        if len(items) == 1 and g.kind != "age":
            fid = items[0]
            own = g.text if len(g.items) == 1 else findings[fid].question
            text = self._say(own, g.text_other if len(g.items) == 1 else None)
            question = {
                "type": "single",
                "text": text,
                "why": self._say(g.why),
                "items": [{"id": fid, "text": self._say(findings[fid].question)}],
            }
        else:
            question = {
                "type": "group_multiple",
                "text": self._say(g.text, g.text_other),
                "why": self._say(g.why),
                "items": [
                    {
                        "id": f,
                        "text": self._say(
                            g.item_text.get(f, findings[f].question), g.item_text_other.get(f)
                        ),
                    }
                    for f in items
                ],
            }
        question["group"] = g.id
        question["kind"] = g.kind
        if g.hint:
            question["hint"] = self._say(g.hint)
        return self.ask(question)

    def special(self, kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        """A step of the interview's own ("confirm", "recheck"), worded in ``texts.yaml``."""
        phrases = self.knowledge.texts.phrases
        question = {
            "type": "group_multiple" if len(items) > 1 else "single",
            "text": phrases[f"{kind}_text"],
            "why": phrases[f"{kind}_why"],
            "items": items,
            "group": kind,
            "kind": kind,
        }
        return self.ask(question)

    def ask(self, question: dict[str, Any]) -> dict[str, Any]:
        return {"should_stop": False, "question": question, "level": self.level}

    def stop(self, reason: str) -> dict[str, Any]:
        return {"should_stop": True, "question": None, "level": self.level, "reason": reason}


def _group_fits(g: kb.QuestionGroup, known: Mapping[str, bool], case: Case, ev: Evidence) -> bool:
    if not all(known.get(f) is True for f in g.ask_if):
        return False
    if g.sexes and (case.sex or "unknown") not in g.sexes:
        return False
    if g.ages is not None:
        lo, hi = g.ages
        if ev.age.hi < lo or ev.age.lo >= hi:
            return False
    return True


def _confirm_step(
    case: Case, screen: dict[str, Any], knowledge: kb.KnowledgeBase, asker: _Asker
) -> dict[str, Any] | None:
    """One step that quotes the person's words for each red flag read from them."""
    phrases = knowledge.texts.phrases
    items: list[dict[str, Any]] = []
    for item in screen["items"]:
        if item["state"] != "from_text":
            continue
        fid = item.get("via", item["id"])  # "doesn't hurt": confirm the pain itself
        if any(i["id"] == fid for i in items):
            continue
        question = item_question(fid, knowledge, case.subject)
        words = item.get("words")
        if words:
            question = question[:1].lower() + question[1:] if question[:2] != "I " else question
            text = phrases["confirm_item"].format(words=words, question=question)
        else:
            text = question
        items.append({"id": fid, "text": text, "read": item.get("read")})
    return asker.special("confirm", items) if items else None


def _recheck_step(case: Case, knowledge: kb.KnowledgeBase, asker: _Asker) -> dict[str, Any] | None:
    """The second, concrete asking of red flags answered "not sure" (once each)."""
    items = []
    for si in screen_items(knowledge, case.subject, present=case.present()):
        if si.again and si.id in case.asked_unknown and si.id not in case.rechecked:
            text = si.again_other or third_person(si.again) if asker.other else si.again
            items.append({"id": si.id, "text": text, "recheck": True})
    return asker.special("recheck", items) if items else None


def understood(
    data: Any,
    read_text: TextReader | None = None,
    knowledge: kb.KnowledgeBase | None = None,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """A question (kind "check") that shows what was read from the person's words, other than
    red flags (those are the confirmation step's), each item with the reading to pre-fill
    ("read": "present", "absent" or "uncertain"), so that the person can correct any; None when
    there is nothing (left) to check. The surfaces show it after the confirmation step, never at
    an emergency."""
    knowledge = knowledge or kb.load()
    case = build_case(data, read_text, knowledge, now)
    red = {i.id for i in knowledge.screening}
    answered = {fid for fid, f in case.facts.items() if f.origin == "explicit"}
    answered |= case.asked_unknown
    phrases = knowledge.texts.phrases
    read: dict[str, tuple[str, str | None]] = {}
    for fid, fact in case.facts.items():
        if fact.origin == "text":
            read[fid] = ("present" if fact.present else "absent", fact.span)
    for m in case.uncertain:
        if m.get("assertion") == "uncertain" and m.get("id") in knowledge.findings:
            read.setdefault(str(m["id"]), ("uncertain", m.get("text")))
    items = []
    for fid, (reading, words) in read.items():
        if fid in red or fid in answered:
            continue
        question = item_question(fid, knowledge, case.subject)
        text = phrases["check_item"].format(words=words, question=question) if words else question
        items.append({"id": fid, "text": text, "read": reading})
    if not items:
        return None
    step = _Asker(knowledge, case, "self_care").special("check", items)
    return dict(step["question"])


def next_question(
    data: Any,
    read_text: TextReader | None = None,
    knowledge: kb.KnowledgeBase | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The contract's interview step for everything known so far, by ``knowledge`` (default:
    the packaged knowledge base) at time ``now`` (default: the clock)."""
    knowledge = knowledge or kb.load()
    case = build_case(data, read_text, knowledge, now)
    ev = case.evidence(knowledge)
    by_finding = _by_finding(knowledge)
    tri = triage(ev, knowledge)
    level = tri["level"]
    rank = kb.level_rank(level)
    asker = _Asker(knowledge, case, level)
    where = scope(ev, knowledge)
    screen = screening(case, ev, knowledge, str(where.get("reason", "in")))

    step = _confirm_step(case, screen, knowledge, asker) or _recheck_step(case, knowledge, asker)
    if step is not None:
        return step

    # A denial read from the text is not the last word: for what to ask, it counts as unknown
    # until answered (what the text says is present stays, the safe reading).
    known = close_absences(
        {k: v for k, v in ev.known.items() if v or k in ev.confirmed}, knowledge.implied_by
    )
    known.update(ev.confirmed)
    ev_closed = replace(ev, known=known)
    # Screening items for the other kind of subject are never asked ("are you unresponsive?").
    elsewhere = {i.id for i in knowledge.screening} - {
        i.id for i in screen_items(knowledge, case.subject, present=case.present())
    }
    asked = set(known) | case.asked_unknown | elsewhere
    unanswered_screen = {i["id"] for i in screen["items"] if i["state"] == "not_asked"}
    urgent = rank >= kb.level_rank("emergency")

    def first_group(pick: Callable[[kb.QuestionGroup, str], bool]) -> dict[str, Any] | None:
        """The first triage group that fits the case and has items ``pick`` wants asked."""
        for g in knowledge.interview:
            if g.phase != "triage" or not _group_fits(g, known, case, ev):
                continue
            items = [f for f in g.items if pick(g, f)]
            if items:
                return asker.group(g, items)
        return None

    def can_raise(g: kb.QuestionGroup, f: str) -> bool:
        return f not in asked and _can_raise(f, ev_closed, rank, by_finding)

    if where.get("reason") == "other_body_part" and not urgent:
        # Not the lower back: ask the life threats (the screen), nothing about the back.
        step = first_group(lambda g, f: g.screen and f in unanswered_screen and f not in asked)
        return step or asker.stop("out_of_scope")

    if urgent:
        # Questions that could make it an ambulance (a life threat, an injury, collapse, or a
        # follow-up to a present trigger), one group at a time.
        step = first_group(can_raise)
        if step is not None:
            return step
        # Confirmations that could show the emergency is something else (every rule that put
        # it there has an exception still open).
        top = [c for c in compiled_rules(knowledge) if c.rank == rank and evaluate(c, ev)[0]]
        lowering = [lowering_items(c, ev) for c in top]
        if top and all(lowering):
            wanted = {f for items in lowering for f in items if f not in case.asked_unknown}
            step = first_group(lambda g, f: f in wanted)
        return step or asker.stop("emergency")

    def screen_or_raise(g: kb.QuestionGroup, f: str) -> bool:
        if f in asked:
            return False
        screened = f in unanswered_screen or (g.kind == "age" and ev.age.exact is None)
        return (g.screen and screened) or can_raise(g, f)

    step = first_group(screen_or_raise)
    if step is not None:
        return step

    post = posterior(known, ev.age, knowledge)
    ranked = sorted(post.values(), reverse=True)
    settled = ranked[0] >= SETTLED or ranked[0] - ranked[1] >= GAP
    needs_triggers = rank <= kb.level_rank("consultation")
    best: tuple[float, kb.QuestionGroup, list[str]] | None = None
    for g in knowledge.interview:
        if g.phase != "differential" or not _group_fits(g, known, case, ev):
            continue
        if any(f in asked for f in g.items):
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
        return asker.group(best[1], best[2])
    return asker.stop("complete")
