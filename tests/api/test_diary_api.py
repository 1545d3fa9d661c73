"""The diary over HTTP, end to end: real app, real core, real SQLite (and its OpenAPI document)."""

from __future__ import annotations

import atexit
import csv
import io
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

import crepitus
from crepitus.api import create_app
from crepitus.settings import Settings
from crepitus.store import Store
from tests.api.test_api import assert_clean, assert_problem, locs

CASE: dict[str, Any] = {
    "age": 40,
    "evidence": [{"id": "back_sound", "present": True}, {"id": "pain", "present": False}],
}
T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
UNKNOWN = "A" * 43


def entry(day: int, pain: int | None = None, **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"at": (T0 + timedelta(days=day)).isoformat(), **more}
    if pain is not None:
        out["pain"] = pain
    return out


@pytest.fixture
def token(client: TestClient) -> str:
    r = client.post("/v1/assess", json=CASE)
    assert r.status_code == 200
    value: str = r.json()["token"]
    return value


@pytest.fixture
def diary_rows(db_path: Path) -> Any:
    def count() -> int:
        with sqlite3.connect(db_path) as conn:
            return int(conn.execute("SELECT count(*) FROM diary_entries").fetchone()[0])

    return count


def test_an_empty_diary(client: TestClient, token: str) -> None:
    r = client.get(f"/v1/diary/{token}")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["entries"] == []
    assert body["trends"]["entries"] == 0
    assert body["assessment"] == crepitus.assess({**CASE, "diary": []})


def test_add_one_entry_then_several(client: TestClient, token: str) -> None:
    r = client.post(
        f"/v1/diary/{token}/entries",
        json=entry(0, 2, sound=True, activity="deadlifts", note="first"),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["total"] == 1 and body["skipped"] == 0
    (added,) = body["added"]
    assert isinstance(added["id"], int)
    assert added | {"id": 0} == {
        "id": 0,
        "at": "2026-10-01T09:00:00Z",
        "pain": 2,
        "sound": True,
        "activity": "deadlifts",
        "findings": [],
        "note": "first",
    }
    r = client.post(
        f"/v1/diary/{token}/entries",
        json={"entries": [entry(6, 5), {"at": "2026-10-04T11:00:00+02:00", "pain": 3}]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["total"] == 3
    listed = client.get(f"/v1/diary/{token}").json()["entries"]
    assert [(e["at"], e["pain"]) for e in listed] == [
        ("2026-10-01T09:00:00Z", 2),
        ("2026-10-04T09:00:00Z", 3),
        ("2026-10-07T09:00:00Z", 5),
    ]


def test_rising_pain_changes_the_triage(client: TestClient, token: str) -> None:
    pains = [2, 2, 3, 3, 4, 5, 5]
    client.post(
        f"/v1/diary/{token}/entries",
        json={"entries": [entry(2 * i, p) for i, p in enumerate(pains)]},
    )
    body = client.get(f"/v1/diary/{token}").json()
    assert body["trends"]["pain"]["direction"] == "rising"
    triage = body["assessment"]["triage"]
    assert triage["level"] == "consultation"
    (reason,) = [r for r in triage["reasons"] if r["rule"] == "diary_pain_rising"]
    assert "from 2 to 5 over 12 days" in reason["text"]
    # The stored result itself is unchanged: the diary is assessed with it, not written into it.
    stored = client.get(f"/v1/assessments/{token}").json()
    assert stored["level"] == "self_care"


def test_a_red_flag_logged_in_the_diary_is_an_emergency(client: TestClient, token: str) -> None:
    client.post(f"/v1/diary/{token}/entries", json=entry(0, 3, findings=["bladder_dysfunction"]))
    body = client.get(f"/v1/diary/{token}").json()
    assert body["assessment"]["triage"]["level"] == "emergency"
    used = {e["id"]: e["origin"] for e in body["assessment"]["evidence"]}
    assert used["bladder_dysfunction"] == "diary"


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "loc", "words"),
    [
        ({"pain": 11}, "entries.1.pain", "at most 10 (got 11)"),
        ({"pain": -1}, "entries.1.pain", "at least 0"),
        ({"pain": "3"}, "entries.1.pain", "whole number from 0 to 10"),
        ({"pain": True}, "entries.1.pain", "whole number from 0 to 10"),
        ({"at": "2999-01-01T00:00:00Z"}, "entries.1.at", "in the future"),
        ({"at": "yesterday"}, "entries.1.at", "ISO 8601"),
        ({"at": 1_700_000_000}, "entries.1.at", "ISO 8601"),
        ({"findings": ["pian"]}, "entries.1.findings.0", "did you mean 'pain'"),
        ({"colour": "red"}, "entries.1.colour", "not a field"),
        # A key that str.isdigit() takes for a number but int() cannot read (was a 500).
        ({"²": 1}, "entries.1.²", "not a field"),
    ],
)
def test_a_bad_entry_is_named_and_nothing_is_saved(
    client: TestClient, token: str, diary_rows: Any, bad: dict[str, Any], loc: str, words: str
) -> None:
    before = diary_rows()
    r = client.post(
        f"/v1/diary/{token}/entries", json={"entries": [entry(0, 1), {**entry(1, 2), **bad}]}
    )
    body = assert_problem(r, 422)
    assert list(locs(body)) == [loc]
    assert words in locs(body)[loc]
    assert loc in body["detail"]
    assert diary_rows() == before


def test_one_entry_alone_is_named_by_its_own_fields(client: TestClient, token: str) -> None:
    r = client.post(f"/v1/diary/{token}/entries", json={"at": "soon", "pain": 12})
    body = assert_problem(r, 422)
    assert set(locs(body)) == {"at", "pain"}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"entries": []}, "entries"),
        ({"entries": "all of them"}, "entries"),
        ({"entries": [], "extra": 1}, "extra"),
        ([entry(0, 1)], ""),
        ("an entry", ""),
    ],
)
def test_malformed_bodies(client: TestClient, token: str, body: Any, loc: str) -> None:
    problem = assert_problem(client.post(f"/v1/diary/{token}/entries", json=body), 422)
    assert loc in locs(problem)


def test_not_json(client: TestClient, token: str, diary_rows: Any) -> None:
    before = diary_rows()
    url = f"/v1/diary/{token}/entries"
    json_type = {"content-type": "application/json"}
    assert_problem(client.post(url, content=b'{"at": ', headers=json_type), 400)
    assert_problem(client.post(url, content=b"", headers=json_type), 400)
    assert_problem(client.post(url, content=b"[" * 100_000, headers=json_type), 413)
    assert_problem(client.post(url, content=b"[" * 30_000, headers=json_type), 400)
    r = client.post(url, content=b"at=now", headers={"content-type": "text/plain"})
    assert_problem(r, 415)
    assert diary_rows() == before


@pytest.mark.parametrize("token_", [UNKNOWN, "short", "not%20a%20token"])
def test_a_wrong_token_is_404_everywhere(client: TestClient, diary_rows: Any, token_: str) -> None:
    before = diary_rows()
    good = {"entries": [entry(0, 1)]}
    for r in (
        client.get(f"/v1/diary/{token_}"),
        client.post(f"/v1/diary/{token_}/entries", json=entry(0, 1)),
        client.post(f"/v1/diary/{token_}/entries", json={"pain": 99}),  # bad body, still 404
        client.post(f"/v1/diary/{token_}/import", json=good),
        client.post(f"/v1/diary/{token_}/import", json={"nonsense": True}),
        client.get(f"/v1/diary/{token_}/export.json"),
        client.get(f"/v1/diary/{token_}/export.csv"),
        client.delete(f"/v1/diary/{token_}/entries/1"),
    ):
        assert_problem(r, 404)
    assert diary_rows() == before


# --- export and import -----------------------------------------------------------------------


def test_export_json_round_trips_through_import(client: TestClient, token: str) -> None:
    entries = [
        entry(0, 2, sound=True, activity="squats", findings=["pain_with_sound"]),
        entry(1, note='He said "=1+1", ok 🙂'),
        entry(3, 4, sound=False),
    ]
    client.post(f"/v1/diary/{token}/entries", json={"entries": entries})
    r = client.get(f"/v1/diary/{token}/export.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["content-disposition"] == 'attachment; filename="crepitus-diary.json"'
    assert r.headers["cache-control"] == "no-store"
    exported = r.json()
    assert exported["version"] == 1
    assert [e["at"] for e in exported["entries"]] == [
        "2026-10-01T09:00:00Z",
        "2026-10-02T09:00:00Z",
        "2026-10-04T09:00:00Z",
    ]

    other = client.post("/v1/assess", json={"age": 30}).json()["token"]
    r = client.post(
        f"/v1/diary/{other}/import", content=r.content, headers={"content-type": "application/json"}
    )
    assert r.status_code == 200, r.text
    assert (len(r.json()["added"]), r.json()["skipped"]) == (3, 0)
    strip = [
        {k: v for k, v in e.items() if k != "id"}
        for e in client.get(f"/v1/diary/{other}").json()["entries"]
    ]
    assert strip == exported["entries"]
    # Importing the same file again adds nothing.
    again = client.post(f"/v1/diary/{other}/import", json=exported).json()
    assert (again["added"], again["skipped"], again["total"]) == ([], 3, 3)


def test_import_is_all_or_nothing(client: TestClient, token: str, diary_rows: Any) -> None:
    before = diary_rows()
    doc = {"version": 1, "entries": [entry(0, 1), entry(1, 2), entry(2, 40)]}
    body = assert_problem(client.post(f"/v1/diary/{token}/import", json=doc), 422)
    assert list(locs(body)) == ["entries.2.pain"]
    for bad, loc in (
        ({"version": 2, "entries": []}, "version"),
        ({"version": True, "entries": []}, "version"),
        ({"entries": [], "exported_at": 5}, "exported_at"),
        ({"version": 1}, "entries"),
        ({"entries": {}}, "entries"),
        ({"entries": [], "more": 1}, "more"),
    ):
        assert loc in locs(assert_problem(client.post(f"/v1/diary/{token}/import", json=bad), 422))
    assert diary_rows() == before


def test_export_csv(client: TestClient, token: str) -> None:
    client.post(
        f"/v1/diary/{token}/entries",
        json={
            "entries": [
                entry(0, 3, sound=True, activity="gym", findings=["pain_sharp", "muscle_spasm"]),
                entry(1, note='=HYPERLINK("http://x")', activity="-5 squats, then rest"),
            ]
        },
    )
    r = client.get(f"/v1/diary/{token}/export.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="crepitus-diary.csv"'
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == ["at", "pain", "sound", "activity", "findings", "note"]
    assert rows[0] == {
        "at": "2026-10-01T09:00:00Z",
        "pain": "3",
        "sound": "yes",
        "activity": "gym",
        "findings": "pain_sharp;muscle_spasm",
        "note": "",
    }
    # A spreadsheet must never run what someone typed as a formula.
    assert rows[1]["note"] == '\'=HYPERLINK("http://x")'
    assert rows[1]["activity"] == "'-5 squats, then rest"
    assert rows[1]["pain"] == "" and rows[1]["sound"] == ""


def test_delete_an_entry(client: TestClient, token: str) -> None:
    added = client.post(f"/v1/diary/{token}/entries", json=entry(0, 1)).json()["added"][0]
    other = client.post("/v1/assess", json=CASE).json()["token"]
    assert_problem(client.delete(f"/v1/diary/{other}/entries/{added['id']}"), 404)
    r = client.delete(f"/v1/diary/{token}/entries/{added['id']}")
    assert r.status_code == 204 and r.content == b""
    assert_problem(client.delete(f"/v1/diary/{token}/entries/{added['id']}"), 404)
    assert_problem(client.delete(f"/v1/diary/{token}/entries/{10**30}"), 404)
    assert_problem(client.delete(f"/v1/diary/{token}/entries/first"), 422)
    assert client.get(f"/v1/diary/{token}").json()["entries"] == []


def test_a_case_with_its_own_diary(client: TestClient) -> None:
    case = {**CASE, "diary": [entry(0, 2)]}
    token = client.post("/v1/assess", json=case).json()["token"]
    client.post(f"/v1/diary/{token}/entries", json=entry(3, 6))
    body = client.get(f"/v1/diary/{token}").json()
    assert [(e["id"] is None, e["pain"]) for e in body["entries"]] == [(True, 2), (False, 6)]
    assert body["trends"]["pain"]["direction"] == "rising"


# --- the OpenAPI document --------------------------------------------------------------------


def test_declared_in_the_openapi_document(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    assert set(paths["/v1/diary/{token}"]) == {"get"}
    for path in ("/v1/diary/{token}/entries", "/v1/diary/{token}/import"):
        post = paths[path]["post"]
        assert {"400", "404", "413", "415", "422"} <= set(post["responses"])
        assert "application/json" in post["requestBody"]["content"]
        assert post["responses"]["422"]["content"].keys() == {"application/problem+json"}
    assert "201" in paths["/v1/diary/{token}/entries"]["post"]["responses"]
    assert "text/csv" in paths["/v1/diary/{token}/export.csv"]["get"]["responses"]["200"]["content"]
    assert {"204", "404"} <= set(
        paths["/v1/diary/{token}/entries/{entry_id}"]["delete"]["responses"]
    )


# Schemathesis on the diary routes with a token that exists, so that the successful answers
# (201, 200, 204) are checked against the schema too, not only the 404s a random token gets.
_CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 25},
        "checks": {
            "positive_data_acceptance": {"enabled": False},
            "negative_data_rejection": {
                "expected-statuses": ["400", "404", "405", "413", "415", "422"]
            },
        },
    }
)
# A file, not memory: schemathesis may start the app more than once, and each start opens its own
# store, which for an in-memory database would be a new, empty one.
_folder = tempfile.mkdtemp(prefix="crepitus-diary-api-")
atexit.register(shutil.rmtree, _folder, True)
_url = f"sqlite:///{_folder}/schema.db"
_app = create_app(Settings(database_url=_url, rate_writes="off", rate_lookups="off"))
_schema = schemathesis.openapi.from_asgi("/openapi.json", _app, config=_CONFIG).include(
    path_regex="^/v1/diary/"
)
_TOKENS: list[str] = []


def _real_token() -> str:
    if not _TOKENS:
        store = Store(_url)
        try:
            _TOKENS.append(store.save_assessment(CASE, crepitus.assess(CASE)))
        finally:
            store.close()
    return _TOKENS[0]


@_schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_diary_routes_conform_with_a_real_token(case: schemathesis.Case[Any]) -> None:
    case.path_parameters = {**(case.path_parameters or {}), "token": _real_token()}
    response = case.call_and_validate()
    assert response.status_code < 500
    assert_clean(response)  # type: ignore[arg-type]
