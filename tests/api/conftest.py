"""The real app on a real SQLite file, started once per test module."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crepitus.api import create_app
from crepitus.settings import Settings


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api") / "api.db"


@pytest.fixture(scope="module")
def app(db_path: Path) -> FastAPI:
    # Rate limits off: these suites send far more than a person would (tests/api/
    # test_hardening.py tests the limits themselves).
    return create_app(
        Settings(
            database_url=f"sqlite:///{db_path}",
            max_body_bytes=64_000,
            rate_writes="off",
            rate_lookups="off",
        )
    )


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    # As a context manager, so startup (opening the store) runs as in production; server
    # exceptions become responses, as a real client would see them.
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def rows(db_path: Path) -> RowCounter:
    return RowCounter(db_path)


class RowCounter:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> int:
        with sqlite3.connect(self.path) as conn:
            return int(conn.execute("SELECT count(*) FROM assessments").fetchone()[0])
