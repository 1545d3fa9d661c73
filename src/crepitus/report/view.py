"""An assessment turned into what a person reads: shared by the result page and the PDF report.

Both renderers show the same content, so the wording decisions (plain words for levels,
probabilities and evidence) live here once. A stored result may come from an older knowledge
base: every lookup falls back to what the result itself carries rather than failing.

A provisional result (the red-flag screen is not complete) leads with what was not asked and
never says "harmless": the self-care reasons ("a click on its own is harmless") are left out of
it, as beside an emergency. An out-of-scope result shows no possible causes and no exercises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crepitus import kb

__all__ = [
    "EMERGENCY_LEVELS",
    "Answer",
    "Cause",
    "ClinicianSummary",
    "EvidenceNote",
    "Exercise",
    "Provisional",
    "ReportView",
    "SafetyGroup",
    "SourceRef",
    "build_view",
    "clinician_summary",
    "format_when",
    "level_names",
    "percent",
    "provisional_view",
]

EMERGENCY_LEVELS = frozenset({"emergency", "emergency_ambulance"})

#: Up to this many items are named in the notice's sentence; more are listed under it.
_INLINE_ITEMS = 3

_MAX_CAUSES = 5
_MIN_CAUSES = 3
# Causes beyond the first three are shown only when they are not negligible.
_EXTRA_CAUSE_FLOOR = 0.05


@dataclass(frozen=True, slots=True)
class SourceRef:
    title: str
    publisher: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    text: str
    level: str
    sources: list[SourceRef]


@dataclass(frozen=True, slots=True)
class EvidenceNote:
    """One finding as evidence: its label and whether the person has it (None: not recorded)."""

    label: str
    present: bool | None

    @property
    def answer(self) -> str:
        return {True: "yes", False: "no", None: "not recorded"}[self.present]


@dataclass(frozen=True, slots=True)
class Cause:
    name: str
    percent: str
    word: str  # "most likely", "possible", "less likely"
    explanation: str | None
    serious: bool
    supporting: list[EvidenceNote]
    opposing: list[EvidenceNote]

    @property
    def ruled_out(self) -> bool:
        """A serious cause with nothing for it: said in one line ("we checked for signs of X
        and found none"), never as a card of its own."""
        return self.serious and not any(n.present is True for n in self.supporting)


@dataclass(frozen=True, slots=True)
class Exercise:
    name: str
    targets: str
    steps: list[str]
    dose: str
    progression: str
    stop_if: str
    why: str
    chosen_for: list[str]


@dataclass(frozen=True, slots=True)
class SafetyGroup:
    urgency: str
    heading: str
    items: list[str]


@dataclass(frozen=True, slots=True)
class Answer:
    question: str  # as the person was asked it
    label: str  # the clinician's label, for the report a doctor reads
    answer: str  # "Yes", "No", "Not sure"


@dataclass(frozen=True, slots=True)
class Provisional:
    """What a provisional result leads with: what was not asked, and what was not sure."""

    notice: str  # the sentence, naming the items or pointing to the list under it
    emergency_notice: str | None  # beside an emergency: why the questions stopped
    not_asked_heading: str
    not_asked: list[str]  # plain words; listed under the sentence when there are many
    unsure_heading: str
    unsure: list[str]
    inline: bool  # the sentence names every item not asked


@dataclass(frozen=True, slots=True)
class ReportView:
    level: str
    level_name: str
    emergency: bool
    headline: str
    summary: str
    do_now: list[str]
    avoid: list[str]
    reasons: list[Reason]
    causes: list[Cause]
    exercises: list[Exercise]
    home_care: list[str]
    prevention: list[str]
    self_cracking: list[str]
    safety_net: list[SafetyGroup]
    questions_for_doctor: list[str]
    disclaimer: str
    created: str
    knowledge_version: str
    age: int | None = None
    sex: str | None = None
    text: str | None = None
    answers: list[Answer] = field(default_factory=list)
    read_from_text: list[EvidenceNote] = field(default_factory=list)
    provisional: Provisional | None = None
    #: Answers that contradicted what the text said, in plain words ("we went by your answer").
    corrections: list[str] = field(default_factory=list)
    #: "Not sure" answers to warning signs, in plain words (also when the screen is complete).
    unsure: list[str] = field(default_factory=list)
    unsure_heading: str = ""  # texts.yaml's, set by build_view
    in_scope: bool = True
    scope_reason: str | None = None
    scope_text: str | None = None
    #: Why exercises were left out or limited.
    plan_notes: list[str] = field(default_factory=list)
    #: "self" or "other": whom the case is about.
    subject: str = "self"


def format_when(when: datetime | str | None) -> str:
    """'22 November 2026 at 14:05 UTC'; stores may hand back naive UTC or an ISO string."""
    if when is None:
        return "unknown date"
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            return str(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    return f"{when.day} {when:%B %Y} at {when:%H:%M} UTC"


def percent(p: float) -> str:
    """A probability as people read it: "55%", "under 1%", "over 99%"."""
    if p >= 0.995:
        return "over 99%"
    if p < 0.01:
        return "under 1%"
    return f"{round(p * 100)}%"


def _texts(items: Any) -> list[str]:
    if not isinstance(items, list):
        return []
    return [str(i["text"]) for i in items if isinstance(i, Mapping) and i.get("text")]


def _phrase(knowledge: kb.KnowledgeBase, key: str) -> str:
    return knowledge.texts.phrases[key]


def level_names(knowledge: kb.KnowledgeBase | None = None) -> dict[str, str]:
    """The levels' short plain names ("See a doctor within 24 hours"), from ``texts.yaml``."""
    knowledge = knowledge or kb.load()
    return {str(level): text.name for level, text in knowledge.texts.levels.items()}


def _lower_first(text: str) -> str:
    """ "A fever, chills" -> "a fever, chills"; leaves "HIV ..." alone."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return "; ".join(items[:-1]) + "; or " + items[-1]


def provisional_view(
    result: Mapping[str, Any], knowledge: kb.KnowledgeBase | None = None, *, words: bool = False
) -> Provisional | None:
    """What a provisional result leads with, for every renderer (page, PDF, terminal); None when
    the screen is complete. ``words``: say which of the person's words an unconfirmed item was
    read from ("(you wrote “no pain”)")."""
    knowledge = knowledge or kb.load()
    screen: Mapping[str, Any] = result.get("screening") or {}
    level = str((result.get("triage") or {}).get("level") or "")
    provisional = result.get("provisional")
    if provisional is None:
        provisional = (result.get("triage") or {}).get("provisional")
    if not provisional:
        return None
    items = [i for i in screen.get("items") or [] if isinstance(i, Mapping)]
    not_asked = []
    for i in items:
        if _open(i):
            text = str(i.get("text") or i.get("id"))
            if words and i.get("state") == "from_text" and i.get("words"):
                text += f" (you wrote “{i['words']}”)"
            not_asked.append(text)
    if not not_asked and not items:
        # An older or partial result: fall back on what is listed to ask.
        not_asked = [
            str(i.get("text") or i.get("id"))
            for i in screen.get("to_ask") or []
            if isinstance(i, Mapping)
        ]
    if screen.get("age") == "not_asked":
        other = (result.get("subject") or {}).get("value") == "other"
        not_asked.append("Their age" if other else "Your age")
    unsure = [str(i.get("text") or i.get("id")) for i in items if i.get("state") == "unsure"]
    inline = 0 < len(not_asked) <= _INLINE_ITEMS
    if inline:
        named = _join([_lower_first(t) for t in not_asked])
    elif not_asked:
        named = f"the {len(not_asked)} warning signs listed below"
    else:
        named = "every warning sign"
    notice = _phrase(knowledge, "provisional_notice").replace("{items}", named)
    return Provisional(
        notice=notice,
        emergency_notice=(
            _phrase(knowledge, "provisional_emergency") if level in EMERGENCY_LEVELS else None
        ),
        not_asked_heading=_phrase(knowledge, "not_asked_heading"),
        not_asked=not_asked,
        unsure_heading=_phrase(knowledge, "unsure_heading"),
        unsure=unsure,
        inline=inline,
    )


def _open(item: Mapping[str, Any]) -> bool:
    """A screening item nobody has answered: not asked, or only read from the text."""
    return item.get("state") in ("not_asked", "from_text")


def _label(knowledge: kb.KnowledgeBase, fid: str) -> str:
    """The clinician's label ("Saddle anaesthesia"): for the report a doctor reads."""
    f = knowledge.findings.get(fid)
    return f.label if f is not None else fid.replace("_", " ").capitalize()


def _plain(knowledge: kb.KnowledgeBase, fid: str) -> str:
    """A finding in the person's words: the interview's short line for it ("Numbness or tingling
    between your legs, around your bottom, ..."), else the clinician's label."""
    return kb.short_texts(knowledge).get(fid) or _label(knowledge, fid)


def _source(knowledge: kb.KnowledgeBase, sid: str) -> SourceRef:
    s = knowledge.sources.get(sid)
    if s is None:
        return SourceRef(title=sid)
    return SourceRef(title=s.title, publisher=s.publisher, url=s.url)


def _causes(
    conditions: Sequence[Mapping[str, Any]],
    presence: Mapping[str, bool],
    knowledge: kb.KnowledgeBase,
) -> list[Cause]:
    out: list[Cause] = []
    for rank, c in enumerate(conditions[:_MAX_CAUSES]):
        p = float(c.get("probability", 0.0))
        if rank >= _MIN_CAUSES and p < _EXTRA_CAUSE_FLOOR:
            break
        cid = str(c.get("id", ""))
        known = knowledge.conditions.get(cid)
        name = str(c.get("name") or (known.name if known else cid.replace("_", " ")))

        def notes(ids: Any) -> list[EvidenceNote]:
            if not isinstance(ids, list):
                return []
            return [EvidenceNote(_plain(knowledge, str(f)), presence.get(str(f))) for f in ids]

        out.append(
            Cause(
                name=name,
                percent=percent(p),
                word=knowledge.texts.likelihood_word(rank, p),
                explanation=known.explanation if known else None,
                serious=bool(c.get("serious", known.serious if known else False)),
                supporting=notes(c.get("supporting")),
                opposing=notes(c.get("opposing")),
            )
        )
    return out


def _safety_heading(knowledge: kb.KnowledgeBase, urgency: str) -> str:
    text = knowledge.texts.level(urgency)
    return text.safety_heading if text is not None else urgency.replace("_", " ").capitalize()


def _safety_net(items: Any, knowledge: kb.KnowledgeBase) -> list[SafetyGroup]:
    groups: dict[str, list[str]] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping) or not item.get("text"):
            continue
        urgency = str(item.get("urgency") or "consultation")
        groups.setdefault(urgency, []).append(str(item["text"]))
    # Most urgent first; unknown urgencies (an older knowledge base) go last.
    order = {lvl: -i for i, lvl in enumerate(kb.LEVELS)}
    return [
        SafetyGroup(u, _safety_heading(knowledge, u), texts)
        for u, texts in sorted(groups.items(), key=lambda kv: order.get(kv[0], 1))
    ]


def build_view(
    result: Mapping[str, Any],
    case: Mapping[str, Any] | None,
    created_at: datetime | str | None,
    knowledge: kb.KnowledgeBase | None = None,
) -> ReportView:
    """Everything the result page and the PDF show, in plain words, from a stored assessment."""
    knowledge = knowledge or kb.load()
    names = level_names(knowledge)
    triage: Mapping[str, Any] = result.get("triage") or {}
    plan: Mapping[str, Any] = result.get("plan") or {}
    level = str(triage.get("level") or plan.get("level") or "consultation")
    evidence = [e for e in result.get("evidence") or [] if isinstance(e, Mapping)]
    presence = {str(e["id"]): bool(e["present"]) for e in evidence if "id" in e}
    screen: Mapping[str, Any] = result.get("screening") or {}
    screen_items = [i for i in screen.get("items") or [] if isinstance(i, Mapping)]
    scope: Mapping[str, Any] = result.get("scope") or {}
    in_scope = scope.get("in") is not False
    subject = result.get("subject") or {}
    subject_value = str(subject.get("value") if isinstance(subject, Mapping) else "") or str(
        (case or {}).get("subject") or "self"
    )

    reasons = [
        Reason(
            text=str(r.get("text", "")),
            level=str(r.get("level", "")),
            sources=[_source(knowledge, str(s)) for s in r.get("sources") or []],
        )
        for r in triage.get("reasons") or []
        if isinstance(r, Mapping)
    ]
    exercises = [
        Exercise(
            name=str(e.get("name", "")),
            targets=str(e.get("targets", "")),
            steps=[str(s) for s in e.get("steps") or []],
            dose=str(e.get("dose", "")),
            progression=str(e.get("progression", "")),
            stop_if=str(e.get("stop_if", "")),
            why=str(e.get("why", "")),
            chosen_for=[_plain(knowledge, str(f)) for f in e.get("matched") or []],
        )
        for e in plan.get("exercises") or []
        if isinstance(e, Mapping)
    ]

    case = case or {}
    answers = []
    for ev in case.get("evidence") or []:
        if not isinstance(ev, Mapping) or "id" not in ev:
            continue
        label = _label(knowledge, str(ev["id"]))
        f = knowledge.findings.get(str(ev["id"]))
        present = ev.get("present")
        word = "Yes" if present is True else ("No" if present is False else "Not sure")
        if ev.get("recheck"):
            word += " (when asked again in other words)"
        answers.append(Answer(f.question if f is not None else label, label, word))
    read_from_text = [
        EvidenceNote(_plain(knowledge, str(e["id"])), bool(e.get("present")))
        for e in evidence
        if e.get("origin") == "text" and "id" in e
    ]
    age = case.get("age")
    sex = case.get("sex")
    text = case.get("text")

    provisional = provisional_view(result, knowledge)
    if provisional is not None:
        # "A click on its own is harmless" is no reason on a result that has not screened.
        reasons = [r for r in reasons if r.level != "self_care"]
    if not in_scope:
        # Outside what the lower-back advice covers: nothing from it.
        reasons = [r for r in reasons if r.level != "self_care"]
        exercises = []

    return ReportView(
        level=level,
        level_name=names.get(level, level),
        emergency=level in EMERGENCY_LEVELS,
        headline=str(plan.get("headline") or names.get(level, "")),
        summary=str(plan.get("summary") or ""),
        do_now=_texts(plan.get("do_now")),
        avoid=_texts(plan.get("avoid")),
        reasons=reasons,
        causes=(
            _causes(
                [c for c in result.get("conditions") or [] if isinstance(c, Mapping)],
                presence,
                knowledge,
            )
            if in_scope
            else []
        ),
        exercises=exercises,
        home_care=_texts(plan.get("home_care")) if in_scope else [],
        prevention=_texts(plan.get("prevention")) if in_scope else [],
        self_cracking=_texts(plan.get("self_cracking")) if in_scope else [],
        safety_net=_safety_net(plan.get("safety_net"), knowledge),
        questions_for_doctor=_texts(plan.get("questions_for_doctor")) if in_scope else [],
        disclaimer=str(plan.get("disclaimer") or ""),
        created=format_when(created_at),
        knowledge_version=str(result.get("knowledge_version") or "unknown"),
        age=age if isinstance(age, int) else None,
        sex=sex if isinstance(sex, str) else None,
        text=text if isinstance(text, str) and text.strip() else None,
        answers=answers,
        read_from_text=read_from_text,
        provisional=provisional,
        corrections=[str(i["note"]) for i in screen_items if i.get("note")],
        unsure=[
            str(i.get("text") or i.get("id")) for i in screen_items if i.get("state") == "unsure"
        ],
        unsure_heading=_phrase(knowledge, "unsure_heading"),
        in_scope=in_scope,
        scope_reason=str(scope["reason"]) if not in_scope and scope.get("reason") else None,
        scope_text=str(scope["text"]) if not in_scope and scope.get("text") else None,
        plan_notes=[str(n) for n in plan.get("notes") or [] if isinstance(n, str) and n]
        if in_scope
        else [],
        subject=subject_value if subject_value in ("self", "other") else "self",
    )


# --- the clinician's page ----------------------------------------------------------------------

_SCREEN_ANSWERS = {
    "present": "Yes",
    "absent": "No",
    "unsure": "Not sure",
    "not_asked": "Not asked",
}
_READ = {
    "present": "Read as yes, not confirmed",
    "absent": "Read as no, not confirmed",
    "uncertain": "Read as unclear, not confirmed",
}
_ORIGINS = {"explicit": "answered", "text": "from the text", "derived": "implied", "diary": "diary"}


@dataclass(frozen=True, slots=True)
class ClinicianRow:
    label: str
    answer: str
    #: The person's words it was read from, when it came from the text.
    words: str | None = None
    #: For the red-flag screen: a "yes" (or "not sure") that counts towards the level.
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class ClinicianCause:
    name: str
    probability: str
    supporting: list[str]
    opposing: list[str]


@dataclass(frozen=True, slots=True)
class ClinicianSummary:
    """The PDF's first page, for the clinician: in clinical labels, with the person's words."""

    level: str
    level_name: str
    rules: list[str]
    screen_complete: bool
    screen: list[ClinicianRow]
    findings: list[ClinicianRow]
    causes: list[ClinicianCause]
    text: str | None
    age: str
    sex: str
    subject: str


def clinician_summary(
    result: Mapping[str, Any],
    case: Mapping[str, Any] | None,
    knowledge: kb.KnowledgeBase | None = None,
) -> ClinicianSummary:
    """What a clinician reads first: the level and the rules behind it, the red-flag screen with
    every answer, the findings (with the words they were read from) and the differential."""
    knowledge = knowledge or kb.load()
    triage: Mapping[str, Any] = result.get("triage") or {}
    level = str(triage.get("level") or "consultation")
    screen: Mapping[str, Any] = result.get("screening") or {}
    screen_rows = []
    screened: set[str] = set()
    for i in screen.get("items") or []:
        if not isinstance(i, Mapping) or "id" not in i:
            continue
        fid, state = str(i["id"]), str(i.get("state") or "not_asked")
        screened.add(fid)
        if state == "from_text":
            answer = _READ.get(str(i.get("read")), _READ["uncertain"])
        else:
            answer = _SCREEN_ANSWERS.get(state, state)
        screen_rows.append(
            ClinicianRow(
                label=str(i.get("label") or _label(knowledge, fid)),
                answer=answer,
                words=str(i["words"]) if i.get("words") else None,
                flagged=state in ("present", "unsure") or i.get("read") == "present",
            )
        )
    findings = [
        ClinicianRow(
            label=_label(knowledge, str(e["id"])),
            answer=("Yes" if e.get("present") else "No")
            + f" ({_ORIGINS.get(str(e.get('origin')), str(e.get('origin') or ''))})",
            words=str(e["span"]) if e.get("origin") == "text" and e.get("span") else None,
        )
        for e in result.get("evidence") or []
        if isinstance(e, Mapping) and "id" in e and str(e["id"]) not in screened
    ]
    causes = []
    for c in result.get("conditions") or []:
        if not isinstance(c, Mapping) or "id" not in c:
            continue
        known = knowledge.conditions.get(str(c["id"]))
        causes.append(
            ClinicianCause(
                name=known.name if known is not None else str(c.get("name") or c["id"]),
                probability=percent(float(c.get("probability") or 0.0)),
                supporting=[_label(knowledge, str(f)) for f in c.get("supporting") or []],
                opposing=[_label(knowledge, str(f)) for f in c.get("opposing") or []],
            )
        )
    case = case or {}
    age, sex, text = case.get("age"), case.get("sex"), case.get("text")
    subject = result.get("subject") or {}
    about = subject.get("value") if isinstance(subject, Mapping) else case.get("subject")
    return ClinicianSummary(
        level=level,
        level_name=level_names(knowledge).get(level, level),
        rules=[
            f"{r.get('rule')} ({r.get('level')})"
            for r in triage.get("reasons") or []
            if isinstance(r, Mapping) and r.get("rule")
        ],
        screen_complete=bool(screen.get("complete")),
        screen=screen_rows,
        findings=findings,
        causes=causes[:5],
        text=text if isinstance(text, str) and text.strip() else None,
        age=str(age) if isinstance(age, int) else "not given",
        sex=sex if isinstance(sex, str) and sex else "not given",
        subject="someone answering for the patient" if about == "other" else "the patient",
    )
