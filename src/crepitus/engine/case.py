"""The contract's case: validation with specific errors, and merging evidence from every origin.

Precedence when the same finding arrives twice: what the person answered explicitly wins over the
diary, which wins over the free text, except that a finding logged in the diary as present wins
over an earlier "no" (it was noticed since); findings implied by others (pain_sharp -> pain) only
fill what is still unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from crepitus import kb
from crepitus.engine.evidence import AGE_MAX, AgeRange, Evidence, close_absences
from crepitus.engine.trends import Trends, compute_trends
from crepitus.errors import CaseError, Problem
from crepitus.limits import MAX_ACTIVITY, MAX_NOTE, MAX_TEXT

__all__ = [
    "MAX_TEXT",
    "Case",
    "CaseIn",
    "DiaryEntryIn",
    "EvidenceIn",
    "Fact",
    "build_case",
    "new_case",
    "problem_from",
    "validate_case",
]

EARLIEST_YEAR = 1900  # older diary times are typing errors, and would overflow date arithmetic
Origin = Literal["explicit", "diary", "text", "derived"]
_ORIGIN_RANK = {"explicit": 3, "diary": 2, "text": 1, "derived": 0}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvidenceIn(_Strict):
    id: StrictStr = Field(description="A finding id from the vocabulary")
    present: StrictBool | None = Field(
        description="true = present, false = absent, null = asked and answered 'not sure'"
    )
    recheck: StrictBool = Field(
        default=False,
        description="true when this answers the interview's second, more concrete asking of a "
        "finding first answered 'not sure' (a question of kind 'recheck')",
    )


class DiaryEntryIn(_Strict):
    at: datetime = Field(description="When, ISO 8601 (with a time zone, or UTC is assumed)")
    pain: StrictInt | None = Field(default=None, ge=0, le=10, description="0-10 pain score")
    sound: StrictBool | None = Field(default=None, description="Did the back click or pop?")
    activity: StrictStr | None = Field(default=None, max_length=MAX_ACTIVITY)
    findings: list[StrictStr] = Field(default_factory=list, max_length=100)
    note: StrictStr | None = Field(default=None, max_length=MAX_NOTE)

    @field_validator("at", mode="before")
    @classmethod
    def _iso_only(cls, v: Any) -> Any:
        # pydantic would read a number as a Unix time; the contract says ISO 8601.
        if not isinstance(v, str | datetime):
            raise PydanticCustomError("datetime_type", "must be an ISO 8601 date and time")
        return v

    @field_validator("at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        v = v if v.tzinfo else v.replace(tzinfo=UTC)
        if v.year < EARLIEST_YEAR:
            raise PydanticCustomError(
                "datetime_too_old", "must be after {year}", {"year": EARLIEST_YEAR}
            )
        return v


Subject = Literal["self", "other"]


class CaseIn(_Strict):
    age: StrictInt | None = Field(default=None, ge=0, le=120, description="Age in years, 0-120")
    sex: Literal["female", "male", "other"] | None = None
    subject: Subject | None = Field(
        default=None,
        description="Whom the case is about: 'self' (the default) or 'other' (someone writing "
        "for a parent, partner or child; what the text says about that person is the evidence)",
    )
    text: StrictStr | None = Field(
        default=None, max_length=MAX_TEXT, description="Free text, up to 10,000 characters"
    )
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=500)
    diary: list[DiaryEntryIn] = Field(default_factory=list, max_length=20_000)


class Fact(NamedTuple):
    """One piece of evidence the assessment uses, and where it came from.

    A named tuple, not a frozen dataclass: a case makes one per finding, and a tuple is made
    in a third of the time."""

    id: str
    present: bool
    origin: Origin
    span: str | None = None  # the words it was read from (text) or the finding implying it
    offsets: tuple[int, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "present": self.present, "origin": self.origin}
        if self.span is not None:
            out["span"] = self.span
        if self.offsets is not None:
            out["offsets"] = list(self.offsets)
        return out


@dataclass(slots=True)
class Case:
    """A validated case: what is known (present/absent), with origins; unknown is absent here."""

    age: int | None = None
    sex: str | None = None
    text: str | None = None
    subject: str = "self"
    subject_origin: str = "default"
    facts: dict[str, Fact] = field(default_factory=dict)
    asked_unknown: set[str] = field(default_factory=set)  # answered "not sure"
    rechecked: set[str] = field(default_factory=set)  # answered the concrete second asking
    uncertain: list[dict[str, Any]] = field(default_factory=list)  # text mentions, not evidence
    # What the text said of a finding that an answer then contradicted: id -> (value, words).
    contradicted: dict[str, tuple[bool, str | None]] = field(default_factory=dict)
    diary: list[DiaryEntryIn] = field(default_factory=list)
    age_origin: str | None = None
    sex_origin: str | None = None
    trends: Trends | None = None
    # Plain-words detail behind derived findings, for the reasons ("pain rose from 2 to 5 ...").
    details: dict[str, str] = field(default_factory=dict)

    @property
    def known(self) -> dict[str, bool]:
        return {k: f.present for k, f in self.facts.items()}

    def present(self) -> set[str]:
        return {k for k, f in self.facts.items() if f.present}

    @property
    def unsure(self) -> frozenset[str]:
        """Answered "not sure", or said with doubt in the person's own words ("not sure if it
        feels different when I wipe"), and not known otherwise: doubt is never a "no"."""
        doubted = {
            str(m["id"])
            for m in self.uncertain
            if m.get("assertion") == "uncertain" and m.get("id") not in self.asked_unknown
        }
        return frozenset(f for f in self.asked_unknown | doubted if f not in self.facts)

    def confirmed(self, knowledge: kb.KnowledgeBase) -> dict[str, bool]:
        """Findings the person answered or logged, what they imply, and what an answered absence
        rules out (no pain -> no sharp pain). Never the reader's guess alone."""
        answered = {
            fid: fact.present
            for fid, fact in self.facts.items()
            if fact.origin in _CONFIRMING or _is_confirmed(fact, self.facts, self.age_origin)
        }
        return close_absences(answered, knowledge.implied_by)

    def age_range(self, known: Mapping[str, bool] | None = None) -> AgeRange:
        """The age as an interval; ``known`` is ``self.known`` when the caller has it already."""
        if self.age is not None:
            return AgeRange.exactly(self.age)
        lo, hi = 0, AGE_MAX
        known = self.known if known is None else known
        if known.get("age_under_16") is True:
            hi = 15
        elif known.get("age_under_16") is False:
            lo = 16
        if known.get("age_65_or_over") is True:
            lo = max(lo, 65)
        elif known.get("age_65_or_over") is False:
            hi = min(hi, 64)
        if known.get("age_50_or_over") is True:
            lo = max(lo, 50)
        elif known.get("age_50_or_over") is False:
            hi = min(hi, 49)
        return AgeRange(lo, hi) if lo <= hi else AgeRange()

    def evidence(self, knowledge: kb.KnowledgeBase) -> Evidence:
        known = self.known
        return Evidence(
            known=known,
            confirmed=self.confirmed(knowledge),
            unsure=self.unsure,
            age=self.age_range(known),
        )


_CONFIRMING = frozenset({"explicit", "diary"})


def _is_confirmed(fact: Fact, facts: Mapping[str, Fact], age_origin: str | None) -> bool:
    seen: set[str] = set()
    while fact.origin == "derived":
        if fact.span == "age":
            return age_origin == "explicit"
        source = facts.get(fact.span or "")
        if source is None or source.id in seen:
            return False
        seen.add(source.id)
        fact = source
    return fact.origin in _CONFIRMING


# --- error messages -----------------------------------------------------------------------------

_MSG: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "int_type": lambda e: "must be a whole number",
    "bool_type": lambda e: "must be true or false",
    "string_type": lambda e: "must be a string",
    "list_type": lambda e: "must be a list",
    "model_type": lambda e: "must be an object",
    "dict_type": lambda e: "must be an object",
    "extra_forbidden": lambda e: "is not a field this accepts",
    "missing": lambda e: "is required",
    "literal_error": lambda e: f"must be one of {e.get('ctx', {}).get('expected', '')}",
    "greater_than_equal": lambda e: f"must be at least {e.get('ctx', {}).get('ge')}",
    "less_than_equal": lambda e: f"must be at most {e.get('ctx', {}).get('le')}",
    "string_too_long": lambda e: (
        f"is too long: at most {e.get('ctx', {}).get('max_length'):,} characters"
    ),
    "too_long": lambda e: f"has too many items: at most {e.get('ctx', {}).get('max_length'):,}",
    "datetime_from_date_parsing": lambda e: "must be an ISO 8601 date and time",
    "datetime_parsing": lambda e: "must be an ISO 8601 date and time",
    "datetime_type": lambda e: "must be an ISO 8601 date and time",
    "datetime_too_old": lambda e: f"must be after {e.get('ctx', {}).get('year')}",
    "bool_parsing": lambda e: "must be true or false",
}

_ALLOWED = {
    "age": "a whole number from 0 to 120",
    "sex": "'female', 'male' or 'other'",
    "subject": "'self' or 'other'",
    "text": "a string of at most 10,000 characters",
    "present": "true, false or null",
    "pain": "a whole number from 0 to 10",
}


def problem_from(err: Mapping[str, Any]) -> Problem:
    """A pydantic error as a Problem worded the way every surface words it."""
    loc = ".".join(str(p) for p in err["loc"])
    kind = str(err["type"])
    make = _MSG.get(kind)
    msg = make(err) if make else str(err["msg"]).rstrip(".")
    last = str(err["loc"][-1]) if err["loc"] else ""
    if kind in {"int_type", "bool_type", "string_type", "literal_error"} and last in _ALLOWED:
        msg = f"must be {_ALLOWED[last]}"
    if kind not in {"missing", "extra_forbidden"} and "input" in err:
        got = repr(err["input"])
        if len(got) <= 40:
            msg += f" (got {got})"
    return Problem(loc, msg, kind)


def suggest(word: str, choices: list[str]) -> str | None:
    # rapidfuzz, not difflib: a request full of unknown ids costs about 7 µs an id instead of
    # 420, so a bad request is not dearer to answer than a good one. Imported here: only a
    # wrong id needs it, and a cold start saves the import.
    from rapidfuzz import fuzz, process

    close = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=50)
    return str(close[0]) if close else None


def new_case(
    age: int | None, sex: str | None, text: str | None, subject: str | None = None
) -> dict[str, Any]:
    """A case as a form or a command line starts it: the person's words and what they said of
    themselves, no answers yet."""
    case: dict[str, Any] = {"evidence": []}
    if age is not None:
        case["age"] = age
    if sex is not None:
        case["sex"] = sex
    if subject is not None:
        case["subject"] = subject
    if text:
        case["text"] = text
    return case


def validate_case(
    data: Any, knowledge: kb.KnowledgeBase | None = None, now: datetime | None = None
) -> CaseIn:
    """Validate a case; raise CaseError naming every problem (types, ranges, ids, conflicts).

    A ``CaseIn`` that a caller (the HTTP API) has already parsed is not parsed again: only the
    checks pydantic cannot make (ids, conflicts, future times) run on it. Ids are checked against
    ``knowledge`` and diary times against ``now`` (the packaged knowledge base and the clock when
    not given: callers and tests can hand in both).
    """
    knowledge = knowledge or kb.load()
    if isinstance(data, CaseIn):
        case = data
        problems = _id_problems(_ids_view(case), knowledge)
    elif not isinstance(data, Mapping):
        raise CaseError.one("", f"a case must be a JSON object, not {type(data).__name__}", "type")
    else:
        problems = _id_problems(data, knowledge)
        try:
            case = CaseIn.model_validate(data)
        except ValidationError as exc:
            # Report type errors and unknown ids together, each field once.
            flagged = {p.loc for p in problems}
            problems += [p for p in map(problem_from, exc.errors()) if p.loc not in flagged]
            raise CaseError(sorted(problems, key=_loc_order)) from None
    now = now or datetime.now(UTC)
    for i, entry in enumerate(case.diary):
        if entry.at > now:
            problems.append(Problem(f"diary.{i}.at", "is in the future", "future"))
    if problems:
        raise CaseError(sorted(problems, key=_loc_order))
    return case


def _ids_view(case: CaseIn) -> dict[str, Any]:
    """The parts of a parsed case that ``_id_problems`` reads, in its raw shape."""
    return {
        "evidence": [{"id": e.id, "present": e.present} for e in case.evidence],
        "diary": [{"findings": d.findings} for d in case.diary],
    }


def _loc_order(p: Problem) -> list[tuple[int, int, str]]:
    # Numeric parts sort as numbers ("evidence.2" before "evidence.10"), and never meet a string.
    return [(0, int(x), "") if x.isascii() and x.isdigit() else (1, 0, x) for x in p.loc.split(".")]


def _unknown(loc: str, fid: str, findings: Mapping[str, Any]) -> Problem:
    hint = suggest(fid, list(findings))  # listed only here: most cases have no unknown id
    tip = f"; did you mean '{hint}'?" if hint else ""
    return Problem(loc, f"unknown finding '{fid}'{tip}", "unknown_id")


def _id_problems(data: Mapping[str, Any], knowledge: kb.KnowledgeBase) -> list[Problem]:
    """Unknown finding ids and conflicting duplicates, checked on the raw input."""
    findings = knowledge.findings
    problems: list[Problem] = []
    seen: dict[str, Any] = {}
    evidence = data.get("evidence")
    for i, ev in enumerate(evidence if isinstance(evidence, list) else []):
        if not isinstance(ev, Mapping) or not isinstance(ev.get("id"), str):
            continue
        fid, present = ev["id"], ev.get("present")
        if fid not in findings:
            problems.append(_unknown(f"evidence.{i}.id", fid, findings))
            continue
        if not (present is None or isinstance(present, bool)):
            continue
        if fid in seen and seen[fid] != present:
            problems.append(
                Problem(
                    f"evidence.{i}",
                    f"'{fid}' is given twice with different values "
                    f"({_word(seen[fid])} and {_word(present)})",
                    "conflict",
                )
            )
        seen[fid] = present
    diary = data.get("diary")
    for i, entry in enumerate(diary if isinstance(diary, list) else []):
        found = entry.get("findings") if isinstance(entry, Mapping) else None
        for j, fid in enumerate(found if isinstance(found, list) else []):
            if isinstance(fid, str) and fid not in findings:
                problems.append(_unknown(f"diary.{i}.findings.{j}", fid, findings))
    return problems


def _word(v: bool | None) -> str:
    return "present" if v else ("unknown" if v is None else "absent")


# --- building the case --------------------------------------------------------------------------

#: Reads free text: (text, subject) -> (mentions, demographics). ``subject`` is "self", "other"
#: or None (not said: the reader may tell from the text, e.g. "writing for my husband").
TextReader = Callable[[str, str | None], tuple[list[dict[str, Any]], dict[str, Any]]]


def build_case(
    data: Any,
    read_text: TextReader | None = None,
    knowledge: kb.KnowledgeBase | None = None,
    now: datetime | None = None,
) -> Case:
    """Validate ``data`` and merge explicit, diary, text and implied evidence into a Case.

    ``read_text`` turns text into (mentions, demographics); the engine stays free of the language
    package's heavy imports unless a case actually carries text. ``now`` (default: the clock)
    is the time diary entries must not be after.
    """
    knowledge = knowledge or kb.load()
    raw = validate_case(data, knowledge, now)
    case = Case(age=raw.age, sex=raw.sex, text=raw.text, diary=list(raw.diary))
    if raw.age is not None:
        case.age_origin = "explicit"
    if raw.sex is not None:
        case.sex_origin = "explicit"
    if raw.subject is not None:
        case.subject, case.subject_origin = raw.subject, "explicit"

    def put(fact: Fact) -> None:
        old = case.facts.get(fact.id)
        if old is None or _ORIGIN_RANK[fact.origin] > _ORIGIN_RANK[old.origin]:
            case.facts[fact.id] = fact
        elif old.origin == fact.origin and fact.present and not old.present:
            # Same origin disagreeing (the text says both): the present reading is the safe one.
            case.facts[fact.id] = fact

    for ev in raw.evidence:
        if ev.recheck:
            case.rechecked.add(ev.id)
        if ev.present is None:
            case.asked_unknown.add(ev.id)
        else:
            put(Fact(ev.id, ev.present, "explicit"))
    for entry in raw.diary:
        for fid in entry.findings:
            fact = Fact(fid, True, "diary", span=entry.at.isoformat())
            old = case.facts.get(fid)
            if old is not None and old.origin == "explicit" and not old.present:
                # Logged since the answer: a red flag noticed later is not undone by the "no".
                case.facts[fid] = fact
            else:
                put(fact)
    if raw.diary:
        _add_trends(case, put, knowledge)
    read_absent: set[str] = set()  # what the text itself said is not the case
    if raw.text and raw.text.strip() and read_text is not None:
        mentions, demo = read_text(raw.text, raw.subject)
        if raw.subject is None and demo.get("subject") == "other":
            case.subject, case.subject_origin = "other", "text"
        for m in mentions:
            if m.get("present") is None:
                case.uncertain.append(m)
                continue
            span = m.get("span")
            offsets = (int(span[0]), int(span[1])) if isinstance(span, list | tuple) else None
            fact = Fact(m["id"], bool(m["present"]), "text", span=m.get("text"), offsets=offsets)
            if not fact.present:
                read_absent.add(fact.id)
            old = case.facts.get(fact.id)
            if old is not None and old.origin == "explicit" and old.present != fact.present:
                case.contradicted[fact.id] = (fact.present, fact.span)
            elif old is None and fact.id in case.asked_unknown and not fact.present:
                continue  # "not sure" beats a denial read from the text: it is never a "no"
            put(fact)
        if case.age is None and demo.get("age") is not None:
            case.age, case.age_origin = int(demo["age"]), "text"
        if case.sex is None and demo.get("sex") is not None:
            case.sex, case.sex_origin = str(demo["sex"]), "text"
        _answered_against_reading(case, knowledge, read_absent)
    _add_age_findings(case, knowledge)
    _close_implications(case, knowledge)
    return case


def _answered_against_reading(
    case: Case, knowledge: kb.KnowledgeBase, read_absent: set[str]
) -> None:
    """A "no" answered to a finding is a "no" to whatever entails it that was only read from the
    text: without weakness in a leg there is no severe weakness, whatever the words seemed to
    say ("I'm scared I might end up paralysed"). What the person answered themselves, or logged,
    stays; so does everything when the "no" only confirms the text's own denial (words that say
    both "no weakness" and "paralysed" keep the present reading, the safe one)."""
    facts = case.facts
    for denied in [f.id for f in facts.values() if f.origin == "explicit" and not f.present]:
        if denied in read_absent:
            continue
        for fid in knowledge.implied_by.get(denied, ()):
            read = facts.get(fid)
            if read is not None and read.origin == "text" and read.present:
                case.contradicted[fid] = (True, read.span)
                del facts[fid]


def _add_age_findings(case: Case, knowledge: kb.KnowledgeBase) -> None:
    """Age bands and the onset ages a known age settles (a 30-year-old's pain began before 35)."""
    if case.age is None:
        return
    facts = case.facts
    for fact in _age_facts(knowledge, case.age):
        if fact.id not in facts:
            facts[fact.id] = fact


@lru_cache(maxsize=512)
def _age_facts(knowledge: kb.KnowledgeBase, age: int) -> tuple[Fact, ...]:
    """The facts an age settles, made once per age: a Fact is immutable, so cases share them."""
    derived = {"age_under_16": age < 16, "age_50_or_over": age >= 50, "age_65_or_over": age >= 65}
    for limit in (35, 40, 45):
        if age < limit:
            derived[f"onset_before_{limit}"] = True
    return tuple(
        Fact(fid, present, "derived", span="age")
        for fid, present in derived.items()
        if fid in knowledge.findings
    )


def _add_trends(case: Case, put: Callable[[Fact], None], knowledge: kb.KnowledgeBase) -> None:
    trends = case.trends = compute_trends(case.diary, knowledge.thresholds.diary)
    found: dict[str, str] = {}
    if trends.pain_direction == "rising":
        found["diary_pain_rising"] = trends.pain_detail()
    if trends.spreading:
        found["diary_clicking_spreading"] = trends.spreading_detail()
    if trends.new_findings:
        labels = knowledge.findings
        found["diary_new_finding"] = ", ".join(labels[f].label.lower() for f in trends.new_findings)
    for fid, detail in found.items():
        case.details[fid] = detail
        put(Fact(fid, True, "diary", span=detail))


def _close_implications(case: Case, knowledge: kb.KnowledgeBase) -> None:
    findings = knowledge.findings
    stack = [f.id for f in case.facts.values() if f.present]
    while stack:
        fid = stack.pop()
        for implied in findings[fid].implies:
            if implied not in case.facts:
                case.facts[implied] = Fact(implied, True, "derived", span=fid)
                stack.append(implied)
