"""The red-flag screen and the scope of an assessment.

Screening: every red flag of the knowledge base's screening set is, for this case,

* ``present`` / ``absent``: answered, logged in the diary, or following from such an answer;
* ``unsure``: answered "not sure" (never read as "no");
* ``from_text``: read from the person's words, present, denied or in doubt, but not confirmed;
* ``not_asked``: nothing known.

The screen is ``complete`` once every item is present, absent or unsure. A result whose screen is
not complete is provisional: it says so first and never calls anything harmless.

Scope: life threats (whatever the body part), a child under 16 and another body part put a case
out of what the lower-back advice covers (``texts.yaml``, ``scope``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from crepitus import kb
from crepitus.engine.case import Case
from crepitus.engine.evidence import Evidence
from crepitus.engine.wording import third_person

__all__ = [
    "contradiction_notes",
    "item_question",
    "scope",
    "screen_items",
    "screening",
]

_ANSWERED = frozenset({"present", "absent", "unsure"})


def screen_items(
    knowledge: kb.KnowledgeBase,
    subject: str,
    scope_reason: str = "in",
    present: frozenset[str] | set[str] = frozenset(),
) -> list[kb.ScreenItem]:
    """The screening items that apply to someone answering as ``subject``, given what is
    ``present``."""
    return [
        si
        for si, also_if in _candidates(knowledge, subject, scope_reason)
        if also_if is None or not also_if.isdisjoint(present)
    ]


@lru_cache(maxsize=16)
def _candidates(
    knowledge: kb.KnowledgeBase, subject: str, scope_reason: str
) -> tuple[tuple[kb.ScreenItem, frozenset[str] | None], ...]:
    """Each screening item that can apply to ``subject`` in this scope, in order, with the
    findings that bring it in (None: it always applies). For another body part only the life
    threats apply: the lower back's red flags are not what was asked about."""
    threats = set(knowledge.texts.scope["life_threat"].when_any)
    out: list[tuple[kb.ScreenItem, frozenset[str] | None]] = []
    for si in knowledge.screening:
        if scope_reason == "other_body_part" and si.id not in threats:
            continue
        if si.only_for in (None, subject):
            out.append((si, None))
        elif si.also_if:
            out.append((si, frozenset(si.also_if)))
    return tuple(out)


def item_question(fid: str, knowledge: kb.KnowledgeBase, subject: str) -> str:
    """A finding's own yes/no question, addressed to whom the case is about."""
    text = knowledge.findings[fid].question
    return third_person(text) if subject == "other" else text


def _text_reading(
    case: Case, fid: str, knowledge: kb.KnowledgeBase
) -> tuple[str, str | None, str] | None:
    """("present" | "absent" | "uncertain", the words, the finding they were about) when the
    text said something of fid, itself or through what it entails ("doesn't hurt" says there is
    no fainting with the pain)."""
    fact = case.facts.get(fid)
    if fact is not None and fact.origin == "text":
        return ("present" if fact.present else "absent"), fact.span, fid
    if fact is not None and fact.origin == "derived":
        source = case.facts.get(fact.span or "")
        if source is not None and source.origin == "text":
            return ("present" if fact.present else "absent"), source.span, source.id
    for m in case.uncertain:
        if m.get("id") == fid:
            return "uncertain", m.get("text"), fid
    for parent in _entailed(knowledge).get(fid, ()):
        p = case.facts.get(parent)
        if p is not None and p.origin == "text" and not p.present:
            return "absent", p.span, parent
    return None


@lru_cache(maxsize=4)
def _entailed(knowledge: kb.KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """What each finding entails, sorted once (the screen looks it up for every item)."""
    return {fid: tuple(sorted(x)) for fid, x in knowledge.entails.items()}


@lru_cache(maxsize=16)
def _shown(
    knowledge: kb.KnowledgeBase, subject: str, scope_reason: str
) -> tuple[tuple[str, str, str, frozenset[str] | None], ...]:
    """``_candidates`` as (id, label, text, the findings that bring it in), the text addressed to
    ``subject``: made once, not for every assessment."""
    short = kb.short_texts(knowledge)
    out = []
    for si, also_if in _candidates(knowledge, subject, scope_reason):
        finding = knowledge.findings[si.id]
        text = si.text or short.get(si.id) or finding.question
        out.append(
            (si.id, finding.label, third_person(text) if subject == "other" else text, also_if)
        )
    return tuple(out)


def screening(
    case: Case, ev: Evidence, knowledge: kb.KnowledgeBase, scope_reason: str = "in"
) -> dict[str, Any]:
    """The contract's ``screening`` object, with what is left to ask, ready to ask."""
    notes = contradiction_notes(case, knowledge) if case.contradicted else {}
    present = case.present()
    confirmed, asked_unknown = ev.confirmed, case.asked_unknown
    # Only a case with words read from its text can have an item in the state "from_text".
    read = bool(case.uncertain) or any(f.origin == "text" for f in case.facts.values())
    items: list[dict[str, Any]] = []
    for fid, label, text, also_if in _shown(knowledge, case.subject, scope_reason):
        if also_if is not None and also_if.isdisjoint(present):
            continue
        item: dict[str, Any] = {"id": fid, "label": label, "text": text}
        value = confirmed.get(fid)
        if fid in asked_unknown:
            item["state"] = "unsure"
        elif value is not None:
            item["state"] = "present" if value else "absent"
        else:
            reading = _text_reading(case, fid, knowledge) if read else None
            if reading is not None:
                item["state"] = "from_text"
                item["read"], words, about = reading
                if words:
                    item["words"] = words
                if about != fid:
                    item["via"] = about
            else:
                item["state"] = "not_asked"
        if fid in case.contradicted:
            value, words = case.contradicted[fid]
            item["contradicts_text"] = {"read": "present" if value else "absent", "words": words}
            item["note"] = notes[fid]
        items.append(item)
    to_ask = [{"id": i["id"], "text": i["text"]} for i in items if i["state"] not in _ANSWERED]
    # The age decides whether the advice for adults applies at all: without it, the screen is
    # not complete either.
    age = "given" if case.age is not None else ("band" if ev.age.known else "not_asked")
    return {
        "complete": not to_ask and age != "not_asked",
        "items": items,
        "to_ask": to_ask,
        "age": age,
    }


def contradiction_notes(case: Case, knowledge: kb.KnowledgeBase) -> dict[str, str]:
    """Per finding, what the text said and the answer that contradicted it, in plain words."""
    phrase = knowledge.texts.phrases["contradicted"]
    notes = {}
    for fid, (value, words) in case.contradicted.items():
        reading = f"“{words}”" if words else ("yes" if value else "no")
        notes[fid] = phrase.format(reading=reading, answer="no" if value else "yes")
    return notes


def scope(ev: Evidence, knowledge: kb.KnowledgeBase) -> dict[str, Any]:
    """``{"in": true}`` or ``{"in": false, "reason": ..., "text": ...}``."""
    present = ev.present()
    for reason, st in knowledge.texts.scope.items():
        if present.intersection(st.when_any):
            return {"in": False, "reason": reason, "text": st.summary}
    return {"in": True}
