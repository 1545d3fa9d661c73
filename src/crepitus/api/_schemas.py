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
from crepitus.kb import LEVELS

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


class Triage(_Open):
    level: str = _LEVEL
    reasons: list[Reason] = Field(description="Every rule that fired, most urgent first")


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


class Assessment(_Open):
    triage: Triage
    conditions: list[ConditionResult] = Field(description="Every condition, most likely first")
    evidence: list[EvidenceUsed]
    plan: dict[str, Any]
    knowledge_version: str


class AssessmentOut(Assessment):
    token: str | None = Field(description="Private token of the stored result; null if not stored")
    link: str | None = Field(description="Private link to the result page; null if not stored")


class QuestionItem(_Open):
    id: str
    text: str


class Question(_Open):
    type: Literal["single", "group_multiple"]
    text: str
    why: str
    items: list[QuestionItem]


class InterviewStep(_Open):
    should_stop: bool
    question: Question | None = Field(description="null when should_stop is true")


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


class StoredAssessmentOut(BaseModel):
    token: str
    created_at: datetime
    knowledge_version: str
    level: str = _LEVEL
    case: dict[str, Any]
    result: Assessment


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
