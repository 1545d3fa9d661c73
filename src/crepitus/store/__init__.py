"""Storage of assessments and symptom diaries in SQLite or PostgreSQL.

``Store(url)`` opens the database and migrates it to the newest schema; the migrations ship inside
this package (``migrations/``) and run through Alembic's API, so no ``alembic.ini`` is needed.
A diary belongs to an assessment (its private token) or is a ``LocalDiary`` (the command line's).
"""

from __future__ import annotations

from crepitus.store._diary import (
    MAX_DIARY_ENTRIES,
    AddedEntries,
    Diary,
    DiaryOwner,
    LocalDiary,
    StoredEntry,
    iso,
    validate_entries,
)
from crepitus.store._store import Store, StoredAssessment, is_outage, normalise_url

__all__ = [
    "MAX_DIARY_ENTRIES",
    "AddedEntries",
    "Diary",
    "DiaryOwner",
    "LocalDiary",
    "Store",
    "StoredAssessment",
    "StoredEntry",
    "is_outage",
    "iso",
    "normalise_url",
    "validate_entries",
]
