"""Storage of assessments (and, later, diary entries) in SQLite or PostgreSQL.

``Store(url)`` opens the database and migrates it to the newest schema; the migrations ship inside
this package (``migrations/``) and run through Alembic's API, so no ``alembic.ini`` is needed.
"""

from __future__ import annotations

from crepitus.store._store import Store, StoredAssessment, normalise_url

__all__ = ["Store", "StoredAssessment", "normalise_url"]
