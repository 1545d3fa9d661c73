"""Request and response models of the JSON API, as the OpenAPI document describes them.

The case itself is the core's ``CaseIn`` (strict types). Responses are documented here but not
re-validated on the way out: the core's output is the contract, and ``extra="allow"`` keeps
fields the core adds visible to clients (the schemathesis test checks responses against these).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from crepitus.engine.case import MAX_TEXT
from crepitus.kb import LEVELS, Level

__all__ = [
    "AssessmentOut",
    "DiaryAdded",
    "DiaryEntryData",
    "DiaryEntryOut",
    "DiaryExport",
    "DiaryOut",
    "Health",
    "InterviewStep",
    "KnowledgeOut",
    "LinkRenewed",
    "ParseIn",
    "ParseOut",
    "StoredAssessmentOut",
]

_LEVEL = Field(json_schema_extra={"enum": list(LEVELS)}, description="A triage level")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Reason(_Open):
    rule: str
    level: str = _LEVEL
    text: str
    evidence: list[str]
    sources: list[str]
    unsure: list[str] | None = Field(
        default=None, description="Findings answered 'not sure' that fired this rule, if any"
    )


class Triage(_Open):
    level: str = _LEVEL
    reasons: list[Reason] = Field(description="Every rule that fired, most urgent first")
    provisional: bool = Field(
        description="true when the red-flag screen is not complete (same as the assessment's)"
    )


class ConditionResult(_Open):
    id: str
    probability: float = Field(ge=0, le=1)
    supporting: list[str]
    opposing: list[str]


class EvidenceUsed(_Open):
    id: str
    present: bool
    origin: Literal["explicit", "diary", "text", "derived"]
    span: str | None = Field(default=None, description="The words it was read from, if any")


ScreenState = Literal["present", "absent", "unsure", "from_text", "not_asked"]


class ScreeningItem(_Open):
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
    note: str | None = Field(
        default=None, description="When an answer contradicted the text: what happened, in words"
    )


class ToAsk(_Open):
    id: str
    text: str = Field(description="The question's words, ready to ask")


class Screening(_Open):
    complete: bool = Field(description="true once every red flag is answered (and the age known)")
    items: list[ScreeningItem] = Field(description="Every red flag of the screen, in order")
    to_ask: list[ToAsk] = Field(description="The red flags still to ask (not answered)")


class Scope(_Open):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    in_: bool = Field(
        alias="in", description="false when the lower-back advice does not apply to the case"
    )
    reason: Literal["life_threat", "child", "other_body_part"] | None = Field(
        default=None, description="Why the case is out of scope (only when `in` is false)"
    )
    text: str | None = Field(
        default=None, description="What that means for the person, in plain words"
    )


class Subject(_Open):
    value: Literal["self", "other"] = Field(
        description="Whom the case is about: the person writing, or someone they answer for"
    )
    origin: Literal["default", "explicit", "text"] = Field(
        description="explicit: the case said so; text: read from the text; default: not said"
    )


class _AssessmentBase(_Open):
    triage: Triage
    conditions: list[ConditionResult] = Field(description="Every condition, most likely first")
    evidence: list[EvidenceUsed]
    plan: dict[str, Any] = Field(
        description="The care plan (headline, summary, do_now, avoid, exercises, home_care, "
        "prevention, self_cracking, safety_net, questions_for_doctor, likely_causes, notes, "
        "disclaimer); an out-of-scope plan has no exercises, home care, prevention or causes"
    )
    knowledge_version: str
    unsure: list[str] | None = Field(
        default=None, description="Findings answered 'not sure' (present only if any)"
    )


class Assessment(_AssessmentBase):
    provisional: bool = Field(
        description="true when the red-flag screen is not complete: the result is provisional, "
        "and `screening.to_ask` lists what to ask"
    )
    screening: Screening
    scope: Scope
    subject: Subject


class AssessmentOut(Assessment):
    token: str | None = Field(description="Private token of the stored result; null if not stored")
    link: str | None = Field(description="Private link to the result page; null if not stored")


class QuestionItem(_Open):
    id: str
    text: str
    read: Literal["present", "absent", "uncertain"] | None = Field(
        default=None,
        description="kind confirm: what the person's words seemed to say (the text quotes "
        "them); the answer yes still means the finding is present",
    )
    recheck: bool | None = Field(
        default=None,
        description='kind recheck: send the answer marked `"recheck": true`, in place of the '
        "earlier 'not sure'",
    )


class Question(_Open):
    type: Literal["single", "group_multiple"]
    kind: Literal["question", "confirm", "recheck", "age"] = Field(
        default="question",
        description="question: an ordinary question; confirm: what the person's words said of "
        "red flags, quoted, to confirm (yes = present); recheck: a red flag answered 'not sure', "
        'asked again in concrete words (send the answer with `"recheck": true`, in place of '
        "the 'not sure'); age: the age bands (a client may ask for the number and send `age` "
        "instead)",
    )
    group: str | None = Field(default=None, description="The question group's id")
    text: str
    why: str
    items: list[QuestionItem]


class InterviewStep(_Open):
    should_stop: bool
    question: Question | None = Field(description="null when should_stop is true")
    level: Level | None = Field(
        default=None, description="The triage level from what is known so far"
    )
    reason: str | None = Field(
        default=None, description="Why the interview stops ('emergency', 'complete')"
    )


class ParseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: StrictStr = Field(max_length=MAX_TEXT, description="Free text, up to 10,000 characters")


class Mention(_Open):
    id: str = Field(description="The finding id mentioned")
    present: bool | None = Field(description="false if negated, null if uncertain")


class ParseOut(_Open):
    findings: list[Mention]
    demographics: dict[str, Any] = Field(description="Age and sex if the text states them")


class FindingOut(BaseModel):
    id: str
    group: str
    label: str
    question: str


class ConditionOut(BaseModel):
    id: str
    name: str
    explanation: str
    icd10: str | None


class SourceOut(_Open):
    id: str
    title: str


class KnowledgeOut(BaseModel):
    version: str
    findings: list[FindingOut]
    conditions: list[ConditionOut]
    sources: list[SourceOut]


class StoredResult(_AssessmentBase):
    """A stored assessment: one made before contract version 2 lacks the screening fields."""

    provisional: bool | None = None
    screening: Screening | None = None
    scope: Scope | None = None
    subject: Subject | None = None


class StoredAssessmentOut(BaseModel):
    token: str
    created_at: datetime
    expires_at: datetime | None = Field(
        description="When the private link stops working; renew it before then"
    )
    knowledge_version: str
    level: str = _LEVEL
    case: dict[str, Any]
    result: StoredResult


class LinkRenewed(BaseModel):
    token: str
    expires_at: datetime = Field(description="When the renewed link stops working")


class Health(BaseModel):
    status: Literal["ok", "error"]
    knowledge_version: str
    database: Literal["ok", "unavailable"]


# --- the symptom diary ---------------------------------------------------------------------------


class DiaryEntryData(_Open):
    """A diary entry as the contract has it (fields not recorded are left out)."""

    at: str = Field(description="When, ISO 8601 in UTC, e.g. 2026-11-02T18:30:00Z")
    pain: int | None = Field(default=None, ge=0, le=10, description="0-10 pain score")
    sound: bool | None = Field(default=None, description="Did the back click or pop?")
    activity: str | None = Field(default=None, description="What the person was doing")
    findings: list[str] = Field(default_factory=list, description="Finding ids noticed then")
    note: str | None = None


class DiaryEntryOut(DiaryEntryData):
    id: int | None = Field(
        description="Id for deleting the entry; null for an entry that came with the assessment"
    )


class DiaryOut(BaseModel):
    entries: list[DiaryEntryOut] = Field(description="Every entry, oldest first")
    trends: dict[str, Any] = Field(
        description="Pain trend, clicks per week, clicking spreading, new findings"
    )
    assessment: Assessment = Field(
        description="The stored case assessed again with the whole diary"
    )


class DiaryAdded(BaseModel):
    added: list[DiaryEntryOut] = Field(description="The entries written, with their ids")
    skipped: int = Field(description="Entries left out as already in the diary (import only)")
    total: int = Field(description="Entries in the diary now")


class DiaryExport(BaseModel):
    version: Literal[1]
    exported_at: str = Field(description="When the export was made, ISO 8601 in UTC")
    entries: list[DiaryEntryData] = Field(description="Every entry, oldest first")
