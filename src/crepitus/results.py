"""The core's results as typed models: an assessment, an interview step, a mention in free text.

They describe the contract's JSON exactly (``extra="forbid"``): the HTTP API documents its
responses with them, renderers can read a result through them (``Assessment.of(result)``), and
the tests hold every result the core gives against them, so a field added, renamed or retyped
shows at once. The core builds plain dicts, the contract's shape, for speed; these models are
its schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crepitus.kb import LEVELS, Level

__all__ = [
    "Assessment",
    "ConditionResult",
    "Demographics",
    "EvidenceUsed",
    "InterviewStep",
    "Mention",
    "Plan",
    "PlanItem",
    "Question",
    "QuestionItem",
    "Reason",
    "Scope",
    "Screening",
    "ScreeningItem",
    "Subject",
    "Trends",
    "Triage",
    "Understood",
]

_LEVEL = Field(json_schema_extra={"enum": list(LEVELS)}, description="A triage level")


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Reason(_Result):
    rule: str
    level: str = _LEVEL
    text: str
    evidence: list[str]
    sources: list[str]
    unsure: list[str] | None = Field(
        default=None, description="Findings answered 'not sure' that fired this rule, if any"
    )


class Triage(_Result):
    level: str = _LEVEL
    reasons: list[Reason] = Field(description="Every rule that fired, most urgent first")
    provisional: bool = Field(
        description="true when the red-flag screen is not complete (same as the assessment's)"
    )


class ConditionResult(_Result):
    id: str
    name: str
    probability: float = Field(ge=0, le=1)
    serious: bool = Field(description="A cause a clinician should check first")
    supporting: list[str]
    opposing: list[str]


class EvidenceUsed(_Result):
    id: str
    present: bool
    origin: Literal["explicit", "diary", "text", "derived"]
    span: str | None = Field(default=None, description="The words it was read from, if any")
    offsets: list[int] | None = Field(
        default=None, description="Where those words are in the text: [start, end) characters"
    )


class Uncertain(_Result):
    """A mention the reader found but could not settle (hedged, or a question)."""

    id: str
    present: None = None
    assertion: str
    span: list[int]
    text: str
    origin: str


class PlanItem(_Result):
    id: str
    text: str
    sources: list[str]
    urgency: str | None = Field(default=None, description="safety_net only: how soon to act")


class Exercise(_Result):
    id: str
    name: str
    targets: str
    why: str
    steps: list[str]
    dose: str
    progression: str
    stop_if: str
    matched: list[str] = Field(description="The person's findings this exercise was chosen for")
    sources: list[str]


class Plan(_Result):
    level: str = _LEVEL
    headline: str
    summary: str
    do_now: list[PlanItem] = []
    avoid: list[PlanItem] = []
    exercises: list[Exercise] = []
    home_care: list[PlanItem] = []
    prevention: list[PlanItem] = []
    self_cracking: list[PlanItem] = []
    safety_net: list[PlanItem] = []
    questions_for_doctor: list[PlanItem] = []
    likely_causes: list[str] = []
    notes: list[str] = []
    disclaimer: str


ScreenState = Literal["present", "absent", "unsure", "from_text", "not_asked"]


class ContradictedText(_Result):
    read: Literal["present", "absent"]
    words: str | None = None


class ScreeningItem(_Result):
    id: str = Field(description="The red flag's finding id")
    label: str = Field(description="The clinical label")
    text: str = Field(description="In plain words, addressed to whom the case is about")
    state: ScreenState = Field(
        description="present/absent: answered (or logged, or following from an answer); "
        "unsure: answered 'not sure'; from_text: read from the text but not confirmed; "
        "not_asked: nothing known"
    )
    read: Literal["present", "absent", "uncertain"] | None = Field(
        default=None, description="from_text only: what the text seemed to say"
    )
    words: str | None = Field(
        default=None, description="from_text only: the words it was read from"
    )
    via: str | None = Field(
        default=None,
        description="from_text only: the finding the words were about, when this one follows "
        "from it ('no pain' says there is no fainting with the pain)",
    )
    contradicts_text: ContradictedText | None = Field(
        default=None, description="When an answer contradicted the text: what the text said"
    )
    note: str | None = Field(
        default=None, description="When an answer contradicted the text: what happened, in words"
    )


class ToAsk(_Result):
    id: str
    text: str = Field(description="The question's words, ready to ask")


class Screening(_Result):
    complete: bool = Field(description="true once every red flag is answered (and the age known)")
    items: list[ScreeningItem] = Field(description="Every red flag of the screen, in order")
    to_ask: list[ToAsk] = Field(description="The red flags still to ask (not answered)")
    age: Literal["given", "band", "not_asked"] = Field(
        description="given: the age in years; band: only an age band; not_asked: unknown"
    )


class Scope(_Result):
    in_: bool = Field(
        alias="in", description="false when the lower-back advice does not apply to the case"
    )
    reason: Literal["life_threat", "child", "other_body_part"] | None = Field(
        default=None, description="Why the case is out of scope (only when `in` is false)"
    )
    text: str | None = Field(
        default=None, description="What that means for the person, in plain words"
    )


class Subject(_Result):
    value: Literal["self", "other"] = Field(
        description="Whom the case is about: the person writing, or someone they answer for"
    )
    origin: Literal["default", "explicit", "text"] = Field(
        description="explicit: the case said so; text: read from the text; default: not said"
    )


class Known(_Result):
    value: Any
    origin: str


class AgeKnown(_Result):
    value: int | None = None
    range: list[float] | None = Field(default=None, description="An age band: [lowest, highest]")
    origin: str


class Demographics(_Result):
    age: AgeKnown | None = None
    sex: Known | None = None


class PainTrend(_Result):
    baseline: float | None
    recent: float | None
    change: float | None
    direction: str
    days: int


class WeekClicks(_Result):
    week: str
    clicks: int
    outside_exercise: int


class Trends(_Result):
    entries: int
    pain: PainTrend
    clicks_per_week: list[WeekClicks]
    recent_clicks: int
    recent_outside_exercise: int
    clicking_spreading: bool
    new_findings: list[str]


class Assessment(_Result):
    triage: Triage
    conditions: list[ConditionResult] = Field(description="Every condition, most likely first")
    evidence: list[EvidenceUsed]
    plan: Plan
    knowledge_version: str
    provisional: bool = Field(
        description="true when the red-flag screen is not complete: the result is provisional, "
        "and `screening.to_ask` lists what to ask"
    )
    screening: Screening
    scope: Scope
    subject: Subject
    demographics: Demographics
    unsure: list[str] | None = Field(
        default=None, description="Findings answered 'not sure' (present only if any)"
    )
    uncertain: list[Uncertain] | None = Field(
        default=None, description="What the text hedged on, to ask about (present only if any)"
    )
    trends: Trends | None = Field(default=None, description="With a diary only")

    @classmethod
    def of(cls, result: dict[str, Any]) -> Assessment:
        """A result of ``crepitus.assess`` as this model (it is checked on the way)."""
        return cls.model_validate(result)


class QuestionItem(_Result):
    id: str
    text: str
    read: Literal["present", "absent", "uncertain"] | None = Field(
        default=None,
        description="kind confirm or check: what the person's words seemed to say (the text "
        "quotes them; a check pre-fills it as the answer); the answer yes still means the "
        "finding is present",
    )
    recheck: bool | None = Field(
        default=None,
        description='kind recheck: send the answer marked `"recheck": true`, in place of the '
        "earlier 'not sure'",
    )


class Question(_Result):
    type: Literal["single", "group_multiple"]
    kind: Literal["question", "confirm", "recheck", "check", "age"] = Field(
        default="question",
        description="question: an ordinary question; confirm: what the person's words said of "
        "red flags, quoted, to confirm (yes = present); recheck: a red flag answered 'not sure', "
        'asked again in concrete words (send the answer with `"recheck": true`, in place of '
        "the 'not sure'); check: everything else read from the words, each item's `read` to "
        "pre-fill as its answer (POST /v1/interview/understood); age: the age bands (a client "
        "may ask for the number and send `age` instead)",
    )
    group: str | None = Field(default=None, description="The question group's id")
    text: str
    hint: str | None = Field(default=None, description="A line to show under the question")
    why: str
    items: list[QuestionItem]


class Understood(_Result):
    question: Question | None = Field(
        description="kind check: what was read from the text other than red flags, to "
        "correct; null when there is nothing (left) to check"
    )


class InterviewStep(_Result):
    should_stop: bool
    question: Question | None = Field(description="null when should_stop is true")
    level: Level | None = Field(
        default=None, description="The triage level from what is known so far"
    )
    reason: str | None = Field(
        default=None, description="Why the interview stops ('emergency', 'complete')"
    )


class Mention(_Result):
    id: str = Field(description="The finding id mentioned")
    present: bool | None = Field(description="false if negated, null if uncertain")
    assertion: str = Field(
        description="affirmed, negated, historical, hypothetical, other_person, family, uncertain"
    )
    span: list[int] = Field(description="Where the words are: [start, end) characters")
    text: str = Field(description="The words, as written")
    origin: Literal["text", "derived"] = Field(
        description="text: said in words; derived: worked out (a duration, both legs, a vital sign)"
    )
