"""The knowledge base: pydantic models of the data files, the loader and cross-reference checks.

The clinical content lives in ``crepitus/knowledge/*.yaml``. It is read once, validated field by
field by the models below and then across files (every id defined, every reference resolving,
every rule and advice item citing a known source). A broken knowledge base raises
:class:`KnowledgeError` naming every problem, so it can never half-load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crepitus._kept import Kept

__all__ = [
    "KB_VERSION",
    "LEVELS",
    "Advice",
    "Condition",
    "DrugClass",
    "Exercise",
    "Expr",
    "Finding",
    "KnowledgeBase",
    "KnowledgeError",
    "LexiconEntry",
    "QuestionGroup",
    "Rule",
    "ScreenItem",
    "Source",
    "Texts",
    "Unless",
    "level_rank",
    "load",
    "load_from_texts",
    "short_texts",
    "use_cache",
]

#: Triage levels, least to most urgent (the contract's order).
LEVELS: tuple[str, ...] = (
    "self_care",
    "consultation",
    "consultation_24",
    "emergency",
    "emergency_ambulance",
)
_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}
Level = Literal["self_care", "consultation", "consultation_24", "emergency", "emergency_ambulance"]

#: Bumped by hand when the content changes meaning; a content hash is appended at load.
KB_VERSION = "2026.12.1"


def _yaml(text: str) -> Any:
    # Imported here: a knowledge base kept on disk needs no YAML, and a cold start saves the
    # import. libyaml's loader is about six times faster than the pure-Python one.
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


FILES = (
    "sources",
    "findings",
    "conditions",
    "rules",
    "advice",
    "lexicon",
    "interview",
    "texts",
    "drugs",
    "thresholds",
    "speller",
)


def level_rank(level: str) -> int:
    return _RANK[level]


class KnowledgeError(Exception):
    """The knowledge base is broken; ``problems`` lists every fault found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("knowledge base is invalid:\n  " + "\n  ".join(problems))


class _Model(BaseModel):
    # Built on first use, not at import: a knowledge base kept on disk loads without validating
    # again, so most starts never need the validators (about 50 ms of each).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(_Model):
    id: str
    title: str
    publisher: str
    authors: str | None = None
    year: int | None = None
    url: str | None = None
    kind: Literal["article", "guideline", "paper", "instrument", "review"]
    note: str | None = None


Group = Literal[
    "sound", "habits", "pain", "nerves", "history", "threat", "scope", "demographic", "derived"
]


class Finding(_Model):
    id: str
    group: Group
    label: str  # clinician's label
    question: str  # what a patient is asked, in plain words
    snomed: str | None = None
    red_flag: bool = False
    # Findings that this one entails when present (pain_sharp -> pain). Used to derive evidence.
    implies: list[str] = []
    # False for findings read from free text but never asked (everyone here comes about their
    # lower back, so "is it another body part?" is not a question worth a step).
    ask: bool = True


# --- rule expressions -------------------------------------------------------------------------
# An expression is a finding id (true when present), or one mapping with exactly one key:
#   all: [expr, ...]   any: [expr, ...]   at_least: {n: 4, of: [expr, ...]}
#   age_at_least: 50   age_below: 45   not_sure: bladder_dysfunction
# Unknown evidence makes a leaf unknown; combinations follow Kleene's three-valued logic and a
# rule fires only when its expression is definitely true. There is deliberately no negation:
# without it, an "absent" answer can never make a rule fire (the safety invariant).


class AllOf(_Model):
    all: list[Expr] = Field(min_length=1)


class AnyOf(_Model):
    any: list[Expr] = Field(min_length=1)


class AtLeastBody(_Model):
    n: int = Field(ge=1)
    of: list[Expr] = Field(min_length=1)

    @model_validator(mode="after")
    def _n_fits(self) -> AtLeastBody:
        if self.n > len(self.of):
            raise ValueError(f"at_least needs n <= {len(self.of)} items, got n={self.n}")
        return self


class AtLeast(_Model):
    at_least: AtLeastBody


class AgeAtLeast(_Model):
    age_at_least: int = Field(ge=0, le=120)


class AgeBelow(_Model):
    age_below: int = Field(ge=1, le=121)


class NotSure(_Model):
    """True when the person was asked about the finding and answered "not sure"."""

    not_sure: str


# The expression models refer to Expr before it exists; their deferred build finds it here.
Expr = Annotated[str | AllOf | AnyOf | AtLeast | AgeAtLeast | AgeBelow | NotSure, "expr"]


def expr_findings(expr: Expr) -> Iterator[str]:
    """Every finding id an expression mentions."""
    if isinstance(expr, str):
        yield expr
    elif isinstance(expr, AllOf):
        for e in expr.all:
            yield from expr_findings(e)
    elif isinstance(expr, AnyOf):
        for e in expr.any:
            yield from expr_findings(e)
    elif isinstance(expr, AtLeast):
        for e in expr.at_least.of:
            yield from expr_findings(e)
    elif isinstance(expr, NotSure):
        yield expr.not_sure


class Unless(_Model):
    """When a rule does not fire: every one of ``present`` confirmed present, every one of
    ``absent`` confirmed absent, none of ``not_present`` present at all (confirmed = answered or
    logged in the diary, never read from free text alone)."""

    present: list[str] = Field(min_length=1)
    absent: list[str] = []
    not_present: list[str] = []

    def findings(self) -> list[str]:
        return [*self.present, *self.absent, *self.not_present]


class Rule(_Model):
    id: str
    level: Level
    when: Expr
    unless: Unless | None = None
    text: str  # the reason, in plain words, addressed to the person
    sources: list[str] = Field(min_length=1)
    # Why the rule exists and which source says what, for clinicians reading the knowledge base.
    rationale: str = Field(min_length=1)
    # "source": a cited source (a guideline, or one of the articles where the level is theirs)
    # sets this level; "team": a source names the sign, the level is the project's decision
    # (and the rationale says so).
    decision: Literal["source", "team"]


class AgeBands(_Model):
    """Relative likelihood of a condition by age band (1.0 is neutral)."""

    under_40: float = Field(default=1.0, gt=0)
    from_40_to_64: float = Field(default=1.0, gt=0)
    from_65: float = Field(default=1.0, gt=0)


class Condition(_Model):
    id: str
    name: str
    explanation: str  # what makes the noise and whether it harms, in plain words
    icd10: str | None = None
    snomed: str | None = None
    prior: float = Field(gt=0, lt=1)
    serious: bool = False
    age: AgeBands = AgeBands()
    # P(finding present | condition); findings not listed use the finding's background rate.
    likelihoods: dict[str, Annotated[float, Field(gt=0, lt=1)]]
    sources: list[str] = Field(min_length=1)


class Exercise(_Model):
    id: str
    name: str
    targets: str
    steps: list[str] = Field(min_length=1)
    dose: str
    progression: str
    stop_if: str
    # Findings (triggers or habits) that make this exercise relevant; empty = for everyone.
    matches: list[str] = []
    why: str  # one line: why it helps with clicking of this kind
    sources: list[str] = Field(min_length=1)
    # Suits someone with leg symptoms: it does not load or stretch the nerves of the leg.
    leg_safe: bool = False
    # Done lying on the back: left out in pregnancy (after the first trimester, so always here).
    lying_on_back: bool = False


Scope = Literal["in", "life_threat", "child", "other_body_part"]
Sex = Literal["female", "male", "other", "unknown"]

AdviceKind = Literal[
    "home_care", "prevention", "self_cracking", "question", "safety_net", "do_now", "avoid"
]


class Advice(_Model):
    id: str
    kind: AdviceKind
    text: str
    # Shown when any of these findings is present (empty = always shown, level permitting).
    when_any: list[str] = []
    # Levels at which the item applies (empty = every level).
    levels: list[Level] = []
    # Not shown when any of these findings is present (NSAID advice in pregnancy).
    unless_any: list[str] = []
    # Where the item applies: "in" (the lower back, in scope) and any out-of-scope reasons.
    scopes: list[Scope] = ["in"]
    # For safety-net items: how fast to act if this happens.
    urgency: Level | None = None
    sources: list[str] = Field(min_length=1)


class QuestionGroup(_Model):
    """A question of the interview: one finding (single) or several answered together."""

    id: str
    text: str  # the heading: short
    why: str  # shown on request: "We ask this because ..."
    # A line under the heading, shown with the question ("Answer even if it feels awkward").
    hint: str | None = None
    items: list[str] = Field(min_length=1)
    item_text: dict[str, str] = {}
    # Wording when the person answers for someone else; otherwise the text is turned into the
    # third person ("your back" -> "their back") by crepitus.engine.wording.
    text_other: str | None = None
    item_text_other: dict[str, str] = {}
    screen: bool = False  # red-flag screening: every unanswered screening item is asked
    phase: Literal["triage", "differential"] = "triage"
    kind: Literal["question", "age"] = "question"  # "age": surfaces may ask for the number
    ask_if: list[str] = []  # asked only when all of these are present
    sexes: list[Sex] = []  # asked only for these sexes ("unknown": not given); empty = all
    ages: tuple[int, int] | None = None  # asked only if the age may be in [from, below)
    sources: list[str] = Field(min_length=1)


class DrugClass(_Model):
    """Medicines by name, read in free text as the findings their class implies."""

    id: str
    name: str
    findings: list[str] = Field(min_length=1)
    drugs: list[str] = Field(min_length=1)


class ScreenItem(_Model):
    """A red flag of the screen that every complete assessment has answered."""

    id: str
    # "other": asked only of someone answering for another person (a person filling in a form
    # is not unresponsive).
    only_for: Literal["self", "other"] | None = None
    # ...unless one of these is present: then it is asked of everyone (a fever makes drowsiness
    # or confusion a sign of sepsis, and the person may be a clinician or able to say so).
    also_if: list[str] = []
    # Its plain words in lists ("Not asked yet"), where the group's short line needs the group's
    # heading to make sense ("Numbness" under "in a leg or foot").
    text: str | None = None
    # The second, concrete asking after "not sure" (cauda equina items).
    again: str | None = None
    again_other: str | None = None


class LevelText(_Model):
    name: str  # short, for labels ("See a doctor within 24 hours")
    safety_heading: str  # over the warning signs that call for this level
    badge: str  # the terminal report's coloured label ("SELF-CARE")
    headline: str
    summary: str
    # When the red-flag screen is not complete: never "harmless" or "nothing points to".
    provisional_headline: str | None = None
    provisional_summary: str | None = None


class ScopeText(_Model):
    when_any: list[str] = Field(min_length=1)  # findings that put a case out of scope
    headline: str
    summary: str


class Likelihood(_Model):
    """A word for a possible cause's chance, from this probability up."""

    word: str = Field(min_length=1)
    from_: float = Field(alias="from", ge=0, le=1)
    first_only: bool = False  # only for the cause ranked first


class DiaryGroup(_Model):
    """Checkboxes of a diary entry under one legend."""

    id: str
    legend: str = Field(min_length=1)
    findings: list[str] = Field(min_length=1)


class Texts(_Model):
    """Patient wording that is not tied to one finding, rule or advice item."""

    levels: dict[Level, LevelText]
    scope: dict[Literal["life_threat", "child", "other_body_part"], ScopeText]
    likelihood: list[Likelihood] = Field(min_length=1)
    diary_groups: list[DiaryGroup] = Field(min_length=1)
    phrases: dict[str, str]

    @model_validator(mode="after")
    def _complete(self) -> Texts:
        missing = [lvl for lvl in LEVELS if lvl not in self.levels]
        missing += [f"phrases.{p}" for p in PHRASES if p not in self.phrases]
        if missing:
            raise ValueError(f"missing: {', '.join(missing)}")
        if self.likelihood[-1].from_ != 0 or any(
            a.from_ < b.from_ for a, b in zip(self.likelihood, self.likelihood[1:], strict=False)
        ):
            raise ValueError("likelihood: thresholds must fall, the last one from 0.0")
        return self

    def level(self, level: str) -> LevelText | None:
        """The wording of a level given as a string (None for one no level has)."""
        return self.levels.get(cast(Level, level))

    def likelihood_word(self, rank: int, p: float) -> str:
        """The word for a cause of probability ``p`` ranked ``rank`` (0 = first)."""
        for w in self.likelihood:
            if p >= w.from_ and (rank == 0 or not w.first_only):
                return w.word
        return self.likelihood[-1].word


class LexiconEntry(_Model):
    """Words and phrases that name a finding, for the free-text reader.

    ``terms`` name the finding outright; the optional fields say when a phrase counts only in
    context. ``crepitus.language`` reads them (its module docstring says how).
    """

    id: str
    terms: list[str] = Field(min_length=1)
    # Abbreviations matched with their capitals only, being common words in lower case ("AS").
    exact: list[str] = []
    # Phrases whose plain meaning is that the finding is absent ("painless").
    absent: list[str] = []
    # Too vague to assert the finding, but denying them rules it out ("no leg problems").
    deny_only: list[str] = []
    # Phrases that count only in context: every group in `needs` has a mention (not denied) of one
    # of its findings within `scope`, and one of `cue_words`, if any, is in the same segment
    # (or, with `cue_scope: sentence`, the same sentence).
    cued: list[str] = []
    needs: list[list[str]] = []
    cue_words: list[str] = []
    scope: Literal["nearest", "segment", "sentence"] = "sentence"
    cue_scope: Literal["segment", "sentence"] = "segment"
    # Findings whose mention in the same sentence stops `cued` phrases counting.
    unless: list[str] = []
    # Words that stop any phrase of this entry counting when they are in the same segment.
    blockers: list[str] = []
    # A past mention ("h/o", "had ... years ago") is exactly what the finding means.
    history_counts: bool = False
    # Phrases that count when said of a blood relative (a family history).
    family: list[str] = []
    # Phrases that say nothing alone but, under a cue of doubt, mean "not sure" of the finding
    # ("I'm not sure it feels the same when I wipe"); read in the context `cue_words` asks for.
    doubt: list[str] = []


#: Phrases every surface needs, checked at load (``texts.yaml``).
PHRASES = (
    "disclaimer",
    "provisional_notice",
    "provisional_emergency",
    "confirm_text",
    "confirm_why",
    "confirm_item",
    "check_text",
    "check_why",
    "check_item",
    "recheck_text",
    "recheck_why",
    "contradicted",
    "not_asked_heading",
    "unsure_heading",
    "serious_cause_no_exercise",
    "leg_symptoms_exercise",
    "pregnancy_exercise",
    "pregnancy_caution",
    "interview_hint",
    "emergency_hint",
    "no_sign_yet",
    "for_someone_else",
)


class DurationThreshold(_Model):
    finding: str
    days: float = Field(gt=0)
    sources: list[str] = Field(min_length=1)


class VitalSigns(_Model):
    systolic_below: int = Field(gt=0)
    gcs_below: int = Field(ge=3, le=15)
    fever_from_c: float = Field(ge=35, le=42)
    sources: list[str] = Field(min_length=1)


class Power(_Model):
    severe_at_most: int = Field(ge=0, le=5)
    sources: list[str] = Field(min_length=1)


class DiaryThresholds(_Model):
    important_change_points: float = Field(gt=0)
    important_change_share: float = Field(gt=0, lt=1)
    window_days: int = Field(gt=0)
    sources: list[str] = Field(min_length=1)


class Thresholds(_Model):
    """Numbers with a clinical meaning that the reader and the diary's trends apply."""

    durations: list[DurationThreshold] = Field(min_length=1)
    vital_signs: VitalSigns
    power: Power
    diary: DiaryThresholds

    def all_sources(self) -> list[tuple[str, list[str]]]:
        out = [(f"durations.{d.finding}", d.sources) for d in self.durations]
        out += [(name, getattr(self, name).sources) for name in ("vital_signs", "power", "diary")]
        return out


class SpellerData(_Model):
    """The speller's guard: English words never read as the lexicon word one slip away."""

    keep: list[str] = Field(min_length=1)

    @field_validator("keep")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        bad = [w for w in v if not (isinstance(w, str) and w.isalpha() and w == w.lower())]
        if bad:
            raise ValueError(f"not lower-case words: {', '.join(map(str, bad[:5]))}")
        return v


class KnowledgeBase(_Model):
    version: str
    sources: dict[str, Source]
    findings: dict[str, Finding]
    conditions: dict[str, Condition]
    rules: list[Rule]
    exercises: dict[str, Exercise]
    advice: list[Advice]
    lexicon: dict[str, LexiconEntry]
    interview: list[QuestionGroup]
    screening: list[ScreenItem]
    drugs: list[DrugClass]
    texts: Texts
    thresholds: Thresholds
    speller_keep: frozenset[str]
    # Background rate of each finding among people with a clicking back and none of the listed
    # conditions, used where a condition does not list a finding.
    background: dict[str, float]
    # implied_by[x]: every finding that entails x, transitively (if x is absent, so are they).
    implied_by: dict[str, frozenset[str]]
    # entails[x]: every finding x entails, transitively (the inverse of implied_by).
    entails: dict[str, frozenset[str]]

    # Identity hashing so compiled views of a knowledge base can be cached per instance;
    # object's own, in C, as every cached view looks the knowledge base up on every call.
    __hash__ = object.__hash__

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


# --- loading ------------------------------------------------------------------------------------


def _read_texts() -> dict[str, str]:
    pkg = resources.files("crepitus") / "knowledge"
    texts, missing = {}, []
    for name in FILES:
        try:
            texts[name] = (pkg / f"{name}.yaml").read_text(encoding="utf-8")
        except FileNotFoundError:
            missing.append(f"{name}.yaml: missing from the package")
    if missing:
        raise KnowledgeError(missing)
    return texts


def _vocabulary() -> dict[str, Any]:
    text = (resources.files("crepitus") / "knowledge" / "vocabulary.yaml").read_text("utf-8")
    data: dict[str, Any] = _yaml(text)
    return data


def _loc(err: Mapping[str, Any]) -> str:
    return ".".join(str(p) for p in err["loc"])


def _validated(model: type[_Model], data: Any, where: str, problems: list[str]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(f"{where}.{_loc(err)}: {err['msg']}")
        return None


def load_from_texts(
    texts: dict[str, str], vocabulary: dict[str, Any] | None = None
) -> KnowledgeBase:
    """Build and validate a knowledge base from the YAML texts of its files."""
    import yaml  # only a knowledge base built from its files needs it (see _yaml)

    vocab = vocabulary if vocabulary is not None else _vocabulary()
    problems: list[str] = []
    raw: dict[str, Any] = {}
    for name in FILES:
        try:
            raw[name] = _yaml(texts[name])
        except yaml.YAMLError as exc:
            problems.append(f"{name}.yaml: not valid YAML: {exc}")
        except KeyError:
            problems.append(f"{name}.yaml: missing")
    if problems:
        raise KnowledgeError(problems)

    def items(name: str, key: str) -> list[Any]:
        doc = raw[name]
        if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
            problems.append(f"{name}.yaml: expected a mapping with a list under '{key}'")
            return []
        return list(doc[key])

    def build(name: str, key: str, model: type[_Model]) -> list[Any]:
        out = []
        for i, item in enumerate(items(name, key)):
            where = f"{name}.yaml:{key}[{i}]"
            if isinstance(item, dict) and "id" in item:
                where = f"{name}.yaml:{item['id']}"
            obj = _validated(model, item, where, problems)
            if obj is not None:
                out.append(obj)
        return out

    def unique(objs: list[Any], what: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for o in objs:
            if o.id in seen:
                problems.append(f"{what}: id '{o.id}' is defined twice")
            seen[o.id] = o
        return seen

    sources = unique(build("sources", "sources", Source), "sources")
    findings = unique(build("findings", "findings", Finding), "findings")
    conditions = unique(build("conditions", "conditions", Condition), "conditions")
    rules = build("rules", "rules", Rule)
    unique(rules, "rules")
    exercises = unique(build("advice", "exercises", Exercise), "exercises")
    advice = build("advice", "advice", Advice)
    unique(advice, "advice")
    lexicon = unique(build("lexicon", "lexicon", LexiconEntry), "lexicon")
    interview = build("interview", "groups", QuestionGroup)
    unique(interview, "interview")
    screening = build("interview", "screening", ScreenItem)
    unique(screening, "screening")
    drugs = build("drugs", "classes", DrugClass)
    unique(drugs, "drugs")
    texts_model = _validated(Texts, raw["texts"], "texts.yaml", problems)
    thresholds = _validated(Thresholds, raw["thresholds"], "thresholds.yaml", problems)
    speller = _validated(SpellerData, raw["speller"], "speller.yaml", problems)

    background: dict[str, float] = {}
    bg_doc = raw["conditions"].get("background") if isinstance(raw["conditions"], dict) else None
    if not isinstance(bg_doc, dict):
        problems.append("conditions.yaml: expected a 'background' mapping of finding -> rate")
    else:
        for fid, rate in bg_doc.items():
            if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0 < rate < 1:
                problems.append(f"conditions.yaml:background.{fid}: rate must be in (0, 1)")
            else:
                background[str(fid)] = float(rate)

    # --- cross-references ---
    def need_source(where: str, ids: list[str]) -> None:
        for s in ids:
            if s not in sources:
                problems.append(f"{where}: cites unknown source '{s}'")

    def need_finding(where: str, fid: str) -> None:
        if fid not in findings:
            problems.append(f"{where}: unknown finding '{fid}'")

    for fid in vocab.get("findings", {}):
        if fid not in findings:
            problems.append(f"findings.yaml: vocabulary finding '{fid}' is not defined")
        if fid not in background:
            problems.append(f"conditions.yaml:background: no rate for finding '{fid}'")
        if fid not in lexicon:
            problems.append(f"lexicon.yaml: no entry for finding '{fid}'")
    for cid in vocab.get("conditions", {}):
        if cid not in conditions:
            problems.append(f"conditions.yaml: vocabulary condition '{cid}' is not defined")
    vocab_levels = [lvl["id"] for lvl in vocab.get("triage_levels", [])]
    if vocab_levels and tuple(vocab_levels) != LEVELS:
        problems.append(f"vocabulary levels {vocab_levels} differ from the engine's {LEVELS}")
    for f in findings.values():
        for fid in f.implies:
            need_finding(f"findings.yaml:{f.id}.implies", fid)
    for fid in background:
        need_finding("conditions.yaml:background", fid)
    for c in conditions.values():
        need_source(f"conditions.yaml:{c.id}", c.sources)
        for fid in c.likelihoods:
            need_finding(f"conditions.yaml:{c.id}.likelihoods", fid)
    for r in rules:
        need_source(f"rules.yaml:{r.id}", r.sources)
        for fid in expr_findings(r.when):
            need_finding(f"rules.yaml:{r.id}.when", fid)
        if not any(True for _ in expr_findings(r.when)):
            # Triage skips rules none of whose findings is present: one of ages alone would
            # never be looked at.
            problems.append(f"rules.yaml:{r.id}: a rule needs at least one finding")
        if r.unless is not None:
            for fid in r.unless.findings():
                need_finding(f"rules.yaml:{r.id}.unless", fid)
        if r.decision == "source" and all(s == "crepitus-review-2026" for s in r.sources):
            problems.append(f"rules.yaml:{r.id}: a level set by a source cites that source")
        if (
            r.decision == "team"
            and "crepitus-review-2026" not in r.sources
            and not any(s in sources and sources[s].kind == "article" for s in r.sources)
        ):
            problems.append(
                f"rules.yaml:{r.id}: a team decision cites the project's review or an article"
            )
    for e in exercises.values():
        need_source(f"advice.yaml:{e.id}", e.sources)
        for fid in e.matches:
            need_finding(f"advice.yaml:{e.id}.matches", fid)
    for a in advice:
        need_source(f"advice.yaml:{a.id}", a.sources)
        for fid in [*a.when_any, *a.unless_any]:
            need_finding(f"advice.yaml:{a.id}.when_any", fid)
        if a.kind == "safety_net" and a.urgency is None:
            problems.append(f"advice.yaml:{a.id}: a safety_net item needs an urgency")
    for g in interview:
        need_source(f"interview.yaml:{g.id}", g.sources)
        for fid in [*g.items, *g.ask_if]:
            need_finding(f"interview.yaml:{g.id}", fid)
        for fid in g.item_text:
            if fid not in g.items:
                problems.append(f"interview.yaml:{g.id}.item_text: '{fid}' is not one of its items")
    for item in screening:
        need_finding(f"interview.yaml:screening.{item.id}", item.id)
        for fid in item.also_if:
            need_finding(f"interview.yaml:screening.{item.id}.also_if", fid)
    for dc in drugs:
        for fid in dc.findings:
            need_finding(f"drugs.yaml:{dc.id}", fid)
    if texts_model is not None:
        for reason, st in texts_model.scope.items():
            for fid in st.when_any:
                need_finding(f"texts.yaml:scope.{reason}", fid)
    asked = {fid for g in interview for fid in g.items}
    for item in screening:
        if item.id not in asked:
            problems.append(f"interview.yaml:screening: no question group asks '{item.id}'")
    for r in rules:
        if r.level == "self_care":
            continue  # explanations only; they cannot change the level
        for fid in [*expr_findings(r.when), *(r.unless.findings() if r.unless else [])]:
            f = findings.get(fid)
            if fid in asked or (f is not None and (f.group == "derived" or not f.ask)):
                continue  # asked, computed from the diary, or read from text only
            problems.append(f"rules.yaml:{r.id}: no interview question asks about '{fid}'")
    for entry in lexicon.values():
        need_finding(f"lexicon.yaml:{entry.id}", entry.id)
    if texts_model is not None:
        for g in texts_model.diary_groups:
            for fid in g.findings:
                need_finding(f"texts.yaml:diary_groups.{g.id}", fid)
    if thresholds is not None:
        for where, ids in thresholds.all_sources():
            need_source(f"thresholds.yaml:{where}", ids)
        for d in thresholds.durations:
            need_finding(f"thresholds.yaml:durations.{d.finding}", d.finding)
    if problems:
        raise KnowledgeError(problems)

    digest = hashlib.sha256("\0".join(texts[n] for n in FILES).encode()).hexdigest()[:10]
    # A None would have been a problem above.
    assert texts_model is not None and thresholds is not None and speller is not None
    return KnowledgeBase(
        version=f"{KB_VERSION}+{digest}",
        sources=sources,
        findings=findings,
        conditions=conditions,
        rules=rules,
        exercises=exercises,
        advice=advice,
        lexicon=lexicon,
        interview=interview,
        screening=screening,
        drugs=drugs,
        texts=texts_model,
        thresholds=thresholds,
        speller_keep=frozenset(speller.keep),
        background=background,
        implied_by=(implied := _implied_by(findings)),
        entails=_inverse(implied),
    )


def _inverse(implied_by: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for x, parents in implied_by.items():
        for p in parents:
            out.setdefault(p, set()).add(x)
    return {k: frozenset(v) for k, v in out.items()}


def _implied_by(findings: Mapping[str, Finding]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for f in findings.values():
        stack, seen = list(f.implies), set()
        while stack:
            x = stack.pop()
            if x in seen or x not in findings:
                continue
            seen.add(x)
            out.setdefault(x, set()).add(f.id)
            stack.extend(findings[x].implies)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=4)
def short_texts(knowledge: KnowledgeBase) -> dict[str, str]:
    """The short line each finding has in a question group ("A fever, chills or night sweats"),
    the first one where several groups word it."""
    out: dict[str, str] = {}
    for g in knowledge.interview:
        for fid, text in g.item_text.items():
            out.setdefault(fid, text)
    return out


#: A validated knowledge base kept between processes by an adapter (``crepitus.startup_cache``).
_kept: Kept[KnowledgeBase] = Kept(KnowledgeBase)


def use_cache(load: Callable[[], object | None], save: Callable[[KnowledgeBase], None]) -> None:
    """Keep the validated knowledge base between processes: ``load`` returns a kept one (or
    None; anything else is ignored), ``save`` keeps one that has just passed validation."""
    _kept.use(load, save)


@lru_cache(maxsize=1)
def load() -> KnowledgeBase:
    """The packaged knowledge base, validated once per process (or kept by an adapter)."""
    return _kept.get(lambda: load_from_texts(_read_texts()))
