"""Fixtures of the store tests: a fresh database on each backend, and a store on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crepitus.store import Store


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    yield s
    s.close()
