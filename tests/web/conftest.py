"""Fixtures for the web tests: the real app on a temporary SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.helpers import BROWSER_HEADERS, make_app


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    return make_app(monkeypatch, tmp_path)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # As a context manager, so the app's startup and shutdown run as in production.
    with TestClient(app, raise_server_exceptions=False, headers=BROWSER_HEADERS) as c:
        yield c
