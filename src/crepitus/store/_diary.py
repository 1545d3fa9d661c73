"""Symptom diaries: entries checked by the core, written all or nothing, read back in time order.

A diary belongs to an assessment (reached only through its private token) or is a named local
diary that no assessment owns (the command line's, ``LocalDiary()``). An assessment's own case may
already carry diary entries (the contract allows ``diary`` in a case); they belong to the same
diary, read-only, and are listed, counted and assessed with the stored ones.

Times are stored as UTC instants: an entry written at 18:30+02:00 reads back as 16:30Z.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from crepitus.engine.case import DiaryEntryIn, validate_case
from crepitus.errors import CaseError, Problem

__all__ = [
    "MAX_DIARY_ENTRIES",
    "AddedEntries",
    "Diary",
    "DiaryOwner",
    "LocalDiary",
    "StoredEntry",
    "as_utc",
    "iso",
    "validate_entries",
]

log = logging.getLogger("crepitus.store")

#: As many entries as the contract's case accepts in ``diary``: a longer diary could not be
#: assessed any more, so the store refuses to grow one past it.
MAX_DIARY_ENTRIES = 20_000


#: The free-text fields of an entry, checked for characters no database can store.
_TEXT_FIELDS = ("activity", "note")


@dataclass(frozen=True, slots=True)
class LocalDiary:
    """A diary kept in the database without an assessment: the command line's (``default``)."""

    name: str = "default"


#: Whose diary: an assessment's private token, or a local diary.
DiaryOwner = str | LocalDiary


def as_utc(when: datetime) -> datetime:
    # SQLite hands back naive times (we only ever write UTC); PostgreSQL, the session's zone.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def iso(when: datetime) -> str:
    """An instant as ISO 8601 in UTC with a ``Z``: ``2026-11-02T18:30:00Z``."""
    return as_utc(when).isoformat().replace("+00:00", "Z")


# Not frozen: the core's and the charts' entry protocols declare plain attributes.
@dataclass(slots=True)
class StoredEntry:
    """One diary entry as stored; ``id`` is None for an entry that came with the assessment."""

    id: int | None
    at: datetime  # aware, UTC
    pain: int | None
    sound: bool | None
    activity: str | None
    findings: list[str]
    note: str | None

    @classmethod
    def from_input(cls, entry: DiaryEntryIn, id: int | None = None) -> StoredEntry:
        return cls(
            id=id,
            at=as_utc(entry.at),
            pain=entry.pain,
            sound=entry.sound,
            activity=entry.activity,
            findings=list(entry.findings),
            note=entry.note,
        )

    def as_contract(self) -> dict[str, Any]:
        """The contract's diary entry (what a case's ``diary`` holds); unset fields left out."""
        out: dict[str, Any] = {"at": iso(self.at)}
        for key in ("pain", "sound", "activity"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["findings"] = list(self.findings)
        if self.note is not None:
            out["note"] = self.note
        return out

    def as_dict(self) -> dict[str, Any]:
        """As the API lists it: the contract's entry and its id (null: part of the assessment)."""
        return {"id": self.id, **self.as_contract()}

    def key(self) -> tuple[Any, ...]:
        """What makes two entries the same entry (an import skips those already kept)."""
        return (self.at, self.pain, self.sound, self.activity, tuple(self.findings), self.note)


@dataclass(frozen=True, slots=True)
class Diary:
    """A whole diary in time order, and the assessment it belongs to (None for a local one)."""

    entries: list[StoredEntry]
    case: dict[str, Any]  # the assessment's case without its diary; {} for a local diary
    token: str | None = None

    def assessable_case(self) -> dict[str, Any]:
        """The stored case with the whole diary in it: what ``crepitus.assess`` takes."""
        return {**self.case, "diary": [e.as_contract() for e in self.entries]}


@dataclass(frozen=True, slots=True)
class AddedEntries:
    added: list[StoredEntry]
    skipped: int  # already in the diary (import only)
    total: int  # entries in the diary afterwards


def validate_entries(entries: Any) -> list[DiaryEntryIn]:
    """Check entries with the core; CaseError names each bad field as ``diary.N.field``."""
    if not isinstance(entries, list):
        raise CaseError.one("diary", "must be a list of diary entries", "list_type")
    nul = [
        Problem(f"diary.{i}.{key}", "must not contain the NUL character (U+0000)", "nul_char")
        for i, entry in enumerate(entries)
        if isinstance(entry, Mapping)
        for key in _TEXT_FIELDS
        if isinstance(entry.get(key), str) and "\x00" in entry[key]
    ]
    try:
        checked = validate_case({"diary": entries}).diary
    except CaseError as exc:
        raise CaseError([*exc.problems, *nul]) from None
    if nul:
        # PostgreSQL cannot store it in text; refused alike on every database.
        raise CaseError(nul)
    return checked


def case_entries(case: Mapping[str, Any]) -> list[StoredEntry]:
    """The read-only entries an assessment's own case carries."""
    raw = case.get("diary")
    out: list[StoredEntry] = []
    for item in raw if isinstance(raw, list) else []:
        try:
            out.append(StoredEntry.from_input(DiaryEntryIn.model_validate(item)))
        except ValidationError:
            # Checked when it was assessed; only a hand-edited row gets here. Skip, don't fail.
            log.warning("skipped an unreadable diary entry of a stored case")
    return out


def in_time_order(entries: Iterable[StoredEntry]) -> list[StoredEntry]:
    # The assessment's own entries first among equal times, then stored ones in the order added.
    return sorted(entries, key=lambda e: (e.at, -1 if e.id is None else e.id))


def new_entries(
    checked: Sequence[DiaryEntryIn], existing: Sequence[StoredEntry], skip_duplicates: bool
) -> tuple[list[StoredEntry], int]:
    """The entries to write, and how many were skipped as already kept.

    Duplicates are counted, not merely matched: a file holding the same entry twice adds it twice
    to an empty diary, and importing that file again adds nothing.
    """
    fresh = [StoredEntry.from_input(e) for e in checked]
    if not skip_duplicates:
        return fresh, 0
    kept = Counter(e.key() for e in existing)
    out: list[StoredEntry] = []
    for entry in fresh:
        if kept[entry.key()] > 0:
            kept[entry.key()] -= 1
        else:
            out.append(entry)
    return out, len(fresh) - len(out)


def too_many(total: int) -> CaseError:
    return CaseError.one(
        "diary",
        f"would hold {total:,} entries; a diary holds at most {MAX_DIARY_ENTRIES:,}",
        "too_long",
    )
