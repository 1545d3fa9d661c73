"""Helpers for the web tests: reading the server-rendered pages and walking the interview."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

# What a browser sends: the app answers errors outside /v1 as HTML only to clients that want it.
BROWSER_HEADERS = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
_CLINIC_VARS = ("CREPITUS_CLINIC_NAME", "CREPITUS_BOOKING_URL", "CREPITUS_CLINIC_PHONE")


def make_app(mp: pytest.MonkeyPatch, folder: Path, **env: str) -> FastAPI:
    mp.setenv("CREPITUS_DATABASE_URL", f"sqlite:///{folder / 'web.db'}")
    for name in _CLINIC_VARS:
        mp.delenv(name, raising=False)
    # Rate limits off unless a test sets them: walks send more than a person would.
    mp.setenv("CREPITUS_RATE_WRITES", "off")
    mp.setenv("CREPITUS_RATE_LOOKUPS", "off")
    mp.delenv("CREPITUS_BASE_URL", raising=False)
    for name, value in env.items():
        mp.setenv(name, value)
    from crepitus.api.app import create_app

    return create_app()


HARMLESS_TEXT = "My lower back clicks when I twist, no pain"
MAX_PAGES = 40
#: What the age page is answered with when a walk does not say.
WALK_AGE = "40"


def screened(*evidence: dict[str, Any], subject: str = "self") -> list[dict[str, Any]]:
    """``evidence`` plus every red-flag screening item not in it answered "no": a complete
    screen, so that a result is not provisional."""
    import crepitus.kb

    given = {e["id"] for e in evidence}
    rest = [
        {"id": i.id, "present": False}
        for i in crepitus.kb.load().screening
        if i.only_for in (None, subject) and i.id not in given
    ]
    return [*evidence, *rest]


@dataclass
class QuestionPage:
    state: str
    items: list[str]
    h1: str
    checked: dict[str, str] = field(default_factory=dict)
    kind: str = "question"
    legends: list[str] = field(default_factory=list)


def text_of(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def h1s(page: str) -> list[str]:
    return [text_of(m) for m in re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)]


def question(page: str) -> QuestionPage | None:
    state = re.search(r'name="state" value="([^"]*)"', page)
    if state is None:
        return None
    checked = dict(re.findall(r'name="answer-([a-z0-9_]+)" value="(\w+)" checked', page))
    kind = re.search(r'name="kind" value="(\w+)"', page)
    return QuestionPage(
        state=html.unescape(state.group(1)),
        items=re.findall(r'name="item" value="([^"]+)"', page),
        h1=(h1s(page) or [""])[0],
        checked=checked,
        kind=kind.group(1) if kind else "question",
        legends=[text_of(m) for m in re.findall(r"<legend[^>]*>(.*?)</legend>", page, re.S)],
    )


def follow(client: TestClient, response: httpx.Response) -> httpx.Response:
    """Follow the redirect to a question's own address (or back to the filled start page), as a
    browser does; a redirect to a result is left for the test to see."""
    where = response.headers.get("location", "")
    if response.status_code == 303 and (where.startswith("/interview/") or "/?s=" in where):
        got: httpx.Response = client.get(where, follow_redirects=False)
        return got
    return response


def start(
    client: TestClient, text: str = HARMLESS_TEXT, age: str = "", sex: str = "", subject: str = ""
) -> httpx.Response:
    form = {"text": text, "age": age, "sex": sex, "subject": subject}
    return follow(client, client.post("/interview", data=form, follow_redirects=False))


def submit(
    client: TestClient,
    page: QuestionPage,
    answers: dict[str, str] | None = None,
    action: str = "next",
    **extra: Any,
) -> httpx.Response:
    data: dict[str, Any] = {
        "state": page.state,
        "item": page.items,
        "kind": page.kind,
        "action": action,
        **extra,
    }
    for fid, value in (answers or {}).items():
        data[f"answer-{fid}"] = value
    return follow(client, client.post("/interview", data=data, follow_redirects=False))


def walk(
    client: TestClient,
    text: str = HARMLESS_TEXT,
    choose: Callable[[str], str] = lambda fid: "no",
    age: str = "",
    subject: str = "",
    age_answer: str = WALK_AGE,
) -> tuple[httpx.Response, list[list[str]]]:
    """Answer every question with ``choose(finding id)`` (the age page with ``age_answer``);
    return the last response and the items of each page."""
    response = start(client, text, age=age, subject=subject)
    return walk_on(client, response, choose, age_answer)


def walk_on(
    client: TestClient,
    response: httpx.Response,
    choose: Callable[[str], str] = lambda fid: "no",
    age_answer: str = WALK_AGE,
) -> tuple[httpx.Response, list[list[str]]]:
    """Carry on answering from a page, as ``walk`` does."""
    asked: list[list[str]] = []
    for _ in range(MAX_PAGES):
        page = question(response.text) if response.status_code == 200 else None
        if page is None:
            return response, asked
        asked.append(page.items)
        if page.kind == "age":
            response = submit(client, page, age=age_answer)
        elif page.kind == "check":
            # What was read, as pre-filled: the person agrees with it.
            response = submit(client, page, page.checked)
        else:
            response = submit(client, page, {fid: choose(fid) for fid in page.items})
    raise AssertionError(f"the interview did not end after {MAX_PAGES} pages: {asked}")
