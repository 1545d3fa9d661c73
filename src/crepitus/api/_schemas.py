"""Request and response models of the JSON API, as the OpenAPI document describes them.

The case itself is the core's ``CaseIn`` (strict types), and an assessment, an interview step and
a mention are the core's typed results (``crepitus.results``), which describe its JSON exactly.
Responses are not re-validated on the way out (the tests hold every result against the models,
and the schemathesis test every response against this document).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from crepitus.kb import LEVELS
from crepitus.limits import MAX_TEXT
from crepitus.results import Assessment, InterviewStep, Mention, Understood

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
    "Understood",
]

_LEVEL = Field(json_schema_extra={"enum": list(LEVELS)}, description="A triage level")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class StoredResult(_Open):
    """A stored assessment as it was made: one from before contract version 2 lacks the
    screening fields, and older ones may differ in detail, so it is documented loosely."""

    triage: dict[str, Any]
    conditions: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    plan: dict[str, Any]
    knowledge_version: str
    provisional: bool | None = None
    screening: dict[str, Any] | None = None
    scope: dict[str, Any] | None = None
    subject: dict[str, Any] | None = None


class AssessmentOut(Assessment):
    token: str | None = Field(description="Private token of the stored result; null if not stored")
    link: str | None = Field(description="Private link to the result page; null if not stored")


class ParseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: StrictStr = Field(max_length=MAX_TEXT, description="Free text, up to 10,000 characters")


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
