"""The JSON API end to end: real app, real core, real SQLite."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

import crepitus
from crepitus import kb
from crepitus.api import create_app
from crepitus.engine.case import CaseIn
from crepitus.errors import CaseError
from crepitus.results import Understood
from crepitus.settings import Settings, get_settings
from tests.api.conftest import RowCounter

CASE: dict[str, Any] = {
    "age": 40,
    "sex": "female",
    "evidence": [{"id": "pain", "present": False}, {"id": "sound_twisting", "present": True}],
}
TEXT_CASE: dict[str, Any] = {"text": "My lower back pops when I twist, no pain, no tingling."}
PROBLEM = "application/problem+json"


def assert_clean(response: httpx.Response) -> None:
    """No internals in a response: no traceback, exception name or source path."""
    text = response.text
    for leak in ("Traceback", 'File "', ".py", "site-packages", "/work/", "Error:"):
        assert leak not in text, f"{leak!r} leaked into: {text[:300]}"


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "errors"} <= set(body)
    assert body["detail"]
    assert_clean(response)
    return body


def locs(body: dict[str, Any]) -> dict[str, str]:
    return {e["loc"]: e["msg"] for e in body["errors"]}


# --- the routes -----------------------------------------------------------------------------


def test_assess_stores_and_links(client: TestClient, rows: RowCounter) -> None:
    before = rows()
    r = client.post("/v1/assess", json=CASE)
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"triage", "conditions", "evidence", "plan", "knowledge_version"} <= set(body)
    assert body["triage"]["level"] in kb.LEVELS
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", body["token"])
    assert body["link"] == f"/r/{body['token']}"
    assert r.headers["cache-control"] == "no-store"
    assert rows() == before + 1

    stored = client.get(f"/v1/assessments/{body['token']}")
    assert stored.status_code == 200
    got = stored.json()
    assert got["token"] == body["token"]
    assert got["case"] == CASE
    assert got["level"] == body["triage"]["level"]
    assert got["knowledge_version"] == body["knowledge_version"]
    assert got["result"] == {k: v for k, v in body.items() if k not in {"token", "link"}}


def test_assess_matches_the_python_api(client: TestClient) -> None:
    body = client.post("/v1/assess?store=false", json=CASE).json()
    assert {k: v for k, v in body.items() if k not in {"token", "link"}} == crepitus.assess(CASE)


_SHORT_PATH_CASES = [
    CASE,
    TEXT_CASE,
    {"age": 58, "text": "Back pain for 3 months and my leg is numb", "evidence": [
        {"id": "bladder_dysfunction", "present": None}]},
    {"age": 200, "evidence": [{"id": "pian", "present": True}]},  # a bad case: FastAPI's path
    {"evidence": "none"},
]  # fmt: skip


@pytest.mark.parametrize("case", _SHORT_PATH_CASES)
@pytest.mark.parametrize(
    "route", ["/v1/assess?store=false", "/v1/interview/next", "/v1/interview/understood"]
)
def test_the_short_path_answers_as_fastapis_does(
    client: TestClient, route: str, case: dict[str, Any]
) -> None:
    # "application/json" takes the short path; with a charset the same body takes FastAPI's.
    body = orjson.dumps(case)
    short = client.post(route, content=body, headers={"content-type": "application/json"})
    full = client.post(
        route, content=body, headers={"content-type": "application/json; charset=utf-8"}
    )
    assert (short.status_code, short.json()) == (full.status_code, full.json())
    assert short.headers["content-type"] == full.headers["content-type"]


def test_the_short_path_is_taken_for_a_valid_case(
    client: TestClient, rows: RowCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bytes] = []
    parse = CaseIn.model_validate_json

    def spy(data: bytes, **kwargs: Any) -> CaseIn:
        seen.append(data)
        return parse(data, **kwargs)

    monkeypatch.setattr(CaseIn, "model_validate_json", spy)
    before = rows()
    assert client.post("/v1/assess", json=CASE).json()["token"]
    assert client.post("/v1/assess?store=false", json=CASE).json()["token"] is None
    assert len(seen) == 2 and rows() == before + 1
    # Any other query string is FastAPI's to read: "0" is false there too.
    assert client.post("/v1/assess?store=0", json=CASE).json()["token"] is None
    assert len(seen) == 2 and rows() == before + 1


def test_requests_are_not_recorded_for_telemetry(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FastAPI 0.16x asks OpenTelemetry for its providers on every request unless told not to
    # record; crepitus tells it, so no request about someone's back goes to a collector unasked.
    trace = pytest.importorskip("opentelemetry.trace")

    def asked() -> None:
        raise AssertionError("a request looked for a tracer provider")

    monkeypatch.setattr(trace, "get_tracer_provider", asked)
    assert client.post("/v1/assess?store=false", json=CASE).status_code == 200


def test_store_false_stores_nothing(client: TestClient, rows: RowCounter) -> None:
    before = rows()
    r = client.post("/v1/assess", params={"store": "false"}, json=CASE)
    assert r.status_code == 200
    assert r.json()["token"] is None and r.json()["link"] is None
    assert rows() == before


def test_assess_text_case(client: TestClient) -> None:
    r = client.post("/v1/assess", json=TEXT_CASE)
    assert r.status_code == 200, r.text
    origins = {e["origin"] for e in r.json()["evidence"]}
    assert "text" in origins


def test_interview_next(client: TestClient) -> None:
    r = client.post("/v1/interview/next", json={"age": 40})
    assert r.status_code == 200, r.text
    step = r.json()
    assert isinstance(step["should_stop"], bool)
    if step["should_stop"]:
        assert step["question"] is None
    else:
        q = step["question"]
        assert q["type"] in {"single", "group_multiple"}
        assert q["text"] and q["why"]
        assert all(item["id"] in kb.load().findings for item in q["items"])


SCREEN = [i.id for i in kb.load().screening if i.only_for in (None, "self")]


def test_a_text_only_assessment_is_provisional(client: TestClient) -> None:
    body = client.post("/v1/assess?store=false", json=TEXT_CASE).json()
    assert body["provisional"] is True and body["triage"]["provisional"] is True
    screen = body["screening"]
    assert screen["complete"] is False
    states = {i["id"]: i["state"] for i in screen["items"]}
    assert set(states) == set(SCREEN)
    assert states["fever"] == "not_asked"
    assert states["fainting"] == "from_text"  # "no pain" says there is no fainting with it
    # What is left to ask, ready to ask: every item not answered.
    to_ask = {i["id"] for i in screen["to_ask"]}
    assert to_ask == {f for f, st in states.items() if st in ("not_asked", "from_text")}
    assert all(i["text"] for i in screen["to_ask"])
    assert body["scope"] == {"in": True}
    assert body["subject"] == {"value": "self", "origin": "default"}
    # A provisional result never says "harmless".
    assert "harmless" not in body["plan"]["headline"]


def test_a_complete_screen_is_not_provisional(client: TestClient) -> None:
    case = {"age": 30, "evidence": [{"id": "back_sound", "present": True}]}
    case["evidence"] += [{"id": f, "present": False} for f in SCREEN]
    body = client.post("/v1/assess?store=false", json=case).json()
    assert body["provisional"] is False and body["screening"]["complete"] is True
    assert body["screening"]["to_ask"] == []
    assert body["triage"]["level"] == "self_care"


def test_not_sure_and_recheck_are_accepted(client: TestClient) -> None:
    others = [{"id": f, "present": False} for f in SCREEN if f != "bladder_dysfunction"]
    unsure = {"age": 30, "evidence": [*others, {"id": "bladder_dysfunction", "present": None}]}
    body = client.post("/v1/assess?store=false", json=unsure).json()
    assert body["unsure"] == ["bladder_dysfunction"]
    states = {i["id"]: i["state"] for i in body["screening"]["items"]}
    assert states["bladder_dysfunction"] == "unsure"
    assert kb.level_rank(body["triage"]["level"]) >= kb.level_rank("consultation_24")
    assert any("bladder_dysfunction" in (r.get("unsure") or []) for r in body["triage"]["reasons"])
    # The interview asks again in concrete words; the answer comes back marked as such.
    step = client.post("/v1/interview/next", json=unsure).json()
    assert step["question"]["kind"] == "recheck"
    assert [i["id"] for i in step["question"]["items"]] == ["bladder_dysfunction"]
    assert step["question"]["items"][0]["recheck"] is True
    again = {
        "age": 30,
        "evidence": [*others, {"id": "bladder_dysfunction", "present": False, "recheck": True}],
    }
    r = client.post("/v1/assess", json=again)
    assert r.status_code == 200, r.text
    assert r.json()["triage"]["level"] == "self_care" and "unsure" not in r.json()
    stored = client.get(f"/v1/assessments/{r.json()['token']}").json()
    assert stored["case"] == again
    assert_problem(
        client.post(
            "/v1/assess", json={"evidence": [{"id": "pain", "present": True, "recheck": "y"}]}
        ),
        422,
    )


def test_subject_other(client: TestClient, rows: RowCounter) -> None:
    case = {"subject": "other", "text": "My father's lower back clicks when he bends. No pain."}
    before = rows()
    r = client.post("/v1/assess", json=case)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["subject"] == {"value": "other", "origin": "explicit"}
    assert any("their" in i["text"] or "they" in i["text"] for i in body["screening"]["to_ask"])
    assert rows() == before + 1
    assert client.get(f"/v1/assessments/{body['token']}").json()["case"] == case
    step = client.post("/v1/interview/next", json=case).json()
    assert step["question"]["kind"] == "confirm"
    (item,) = step["question"]["items"]
    assert item["id"] == "pain" and item["read"] == "absent"
    assert "“No pain”" in item["text"] and "they" in item["text"]
    body = assert_problem(client.post("/v1/assess", json={"subject": "robot"}), 422)
    assert "'self' or 'other'" in locs(body)["subject"]


def test_interview_confirms_what_the_text_said(client: TestClient) -> None:
    text = "My lower back pops when I twist. No pain at all, and no problems peeing."
    step = client.post("/v1/interview/next", json={"text": text}).json()
    q = step["question"]
    assert step["should_stop"] is False and q["kind"] == "confirm"
    items = {i["id"]: i for i in q["items"]}
    assert items["bladder_dysfunction"]["read"] == "absent"
    assert "“no problems peeing”" in items["bladder_dysfunction"]["text"]
    # Yes means present, whatever the text said, and the answer wins.
    case = {"text": text, "evidence": [{"id": "bladder_dysfunction", "present": True}]}
    body = client.post("/v1/assess?store=false", json=case).json()
    assert body["triage"]["level"] == "emergency"
    (item,) = [i for i in body["screening"]["items"] if i["id"] == "bladder_dysfunction"]
    assert item["state"] == "present" and "we went by your answer" in item["note"]


def test_out_of_scope_plan_has_nothing_for_the_lower_back(client: TestClient) -> None:
    body = client.post("/v1/assess?store=false", json={"age": 40, "text": "my knee clicks"}).json()
    assert body["scope"]["in"] is False and body["scope"]["reason"] == "other_body_part"
    assert body["scope"]["text"]
    plan = body["plan"]
    assert plan["exercises"] == plan["home_care"] == plan["prevention"] == []
    assert plan["likely_causes"] == []


def test_parse(client: TestClient) -> None:
    text = "I am 52 and my lower back clicks when I twist; there is pain too."
    r = client.post("/v1/parse", json={"text": text})
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["findings"], list) and body["findings"]
    assert all(f["id"] in kb.load().findings for f in body["findings"])
    assert isinstance(body["demographics"], dict)


def test_knowledge(client: TestClient) -> None:
    r = client.get("/v1/knowledge")
    assert r.status_code == 200
    body = r.json()
    knowledge = kb.load()
    assert body["version"] == knowledge.version
    assert [f["id"] for f in body["findings"]] == list(knowledge.findings)
    assert all(set(f) == {"id", "group", "label", "question"} for f in body["findings"])
    assert all(set(c) == {"id", "name", "explanation", "icd10"} for c in body["conditions"])
    assert {s["id"] for s in body["sources"]} == set(knowledge.sources)


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ok",
        "knowledge_version": kb.load().version,
        "database": "ok",
    }


def test_healthz_reports_a_broken_database(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise OSError("disk on fire at /var/lib/secret")

    monkeypatch.setattr(client.app.state.store, "ping", broken)  # type: ignore[attr-defined]
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/json"  # a health report, not a problem
    assert r.json()["database"] == "unavailable"
    assert "secret" not in r.text


def test_openapi_and_docs(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    for path in ("/v1/assess", "/v1/interview/next", "/v1/parse"):
        responses = doc["paths"][path]["post"]["responses"]
        for status in ("400", "413", "415", "422"):
            assert PROBLEM in responses[status]["content"], (path, status)
    assert {"/v1/knowledge", "/v1/assessments/{token}", "/healthz"} <= set(doc["paths"])
    assert "application/json" in doc["paths"]["/healthz"]["get"]["responses"]["503"]["content"]
    # Strict types are documented as such: an age is an integer, not a number.
    schemas = doc["components"]["schemas"]
    case_schema = schemas["CaseIn"]["properties"]
    assert [t["type"] for t in case_schema["age"]["anyOf"]] == ["integer", "null"]
    # Contract version 2: whom the case is about, the second asking, and what comes back.
    assert "subject" in case_schema and "recheck" in schemas["EvidenceIn"]["properties"]
    assert {"provisional", "screening", "scope", "subject"} <= set(
        schemas["Assessment"]["required"]
    )
    assert "unsure" in schemas["Assessment"]["properties"]
    assert schemas["Scope"]["required"] == ["in"]
    assert set(schemas["ScreeningItem"]["properties"]["state"]["enum"]) == {
        "present",
        "absent",
        "unsure",
        "from_text",
        "not_asked",
    }
    kinds = schemas["Question"]["properties"]["kind"]["enum"]
    assert set(kinds) == {"question", "confirm", "recheck", "check", "age"}
    assert client.get("/docs").status_code == 200


# --- errors ---------------------------------------------------------------------------------


def test_422_names_every_bad_field(client: TestClient, rows: RowCounter) -> None:
    before = rows()
    bad = {
        "age": "forty",
        "sex": "robot",
        "evidence": [{"id": "pian", "present": True}, {"id": "pain", "present": 1}],
        "colour": "blue",
    }
    body = assert_problem(client.post("/v1/assess", json=bad), 422)
    found = locs(body)
    assert set(found) == {"age", "sex", "evidence.0.id", "evidence.1.present", "colour"}
    assert "whole number" in found["age"] and "120" in found["age"]
    assert "female" in found["sex"]
    assert "did you mean 'pain'" in found["evidence.0.id"]
    assert "true" in found["evidence.1.present"]
    assert "did you mean 'pain'" in body["detail"]
    assert rows() == before  # nothing stored for a refused case


@pytest.mark.parametrize(
    ("case", "loc"),
    [
        ({"age": 40.0}, "age"),
        ({"age": True}, "age"),
        ({"age": 121}, "age"),
        ({"age": -1}, "age"),
        ({"age": "40"}, "age"),
        ({"text": 5}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"evidence": [{"id": "pain", "present": "yes"}]}, "evidence.0.present"),
        ({"evidence": [{"id": "pain"}]}, "evidence.0.present"),
        ({"evidence": {"id": "pain"}}, "evidence"),
        ({"diary": [{"at": "yesterday"}]}, "diary.0.at"),
        ({"diary": [{"at": "2020-01-01T00:00:00Z", "pain": 11}]}, "diary.0.pain"),
        ({"diary": [{"at": "2999-01-01T00:00:00Z"}]}, "diary.0.at"),
        ({"diary": [{"at": "2020-01-01T00:00:00Z", "findings": ["pian"]}]}, "diary.0.findings.0"),
    ],
)
def test_422_for_each_kind_of_bad_case(client: TestClient, case: dict[str, Any], loc: str) -> None:
    for path in ("/v1/assess", "/v1/interview/next"):
        body = assert_problem(client.post(path, json=case), 422)
        assert loc in locs(body), body


def test_422_conflicting_evidence(client: TestClient) -> None:
    case = {"evidence": [{"id": "pain", "present": True}, {"id": "pain", "present": False}]}
    body = assert_problem(client.post("/v1/assess", json=case), 422)
    assert "given twice" in locs(body)["evidence.1"]


def test_422_case_not_an_object(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/assess", json=[1, 2]), 422)
    assert "JSON object" in body["errors"][0]["msg"]


def test_422_parse_body(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/parse", json={"text": 5, "more": 1}), 422)
    assert set(locs(body)) == {"text", "more"}
    body = assert_problem(client.post("/v1/parse", json={}), 422)
    assert locs(body) == {"text": "is required"}


def test_422_bad_query_flag(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/assess?store=perhaps", json={"age": "x"}), 422)
    assert {"query.store", "age"} <= set(locs(body))


def test_400_broken_json(client: TestClient) -> None:
    r = client.post(
        "/v1/assess", content=b'{"age": 40,', headers={"content-type": "application/json"}
    )
    body = assert_problem(r, 400)
    assert "not valid JSON" in body["errors"][0]["msg"]


def test_400_empty_body(client: TestClient) -> None:
    assert_problem(client.post("/v1/assess", headers={"content-type": "application/json"}), 400)


def test_415_not_json(client: TestClient) -> None:
    r = client.post("/v1/assess", content=b"age=40", headers={"content-type": "text/plain"})
    assert_problem(r, 415)


def test_413_declared_length(client: TestClient, rows: RowCounter) -> None:
    before = rows()
    big = b'{"text": "' + b"a" * 70_000 + b'"}'
    r = client.post("/v1/assess", content=big, headers={"content-type": "application/json"})
    body = assert_problem(r, 413)
    assert "64,000" in body["detail"]
    assert rows() == before


def test_413_streamed_without_length(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"a" * 1_000
        yield b'"}'

    r = client.post("/v1/assess", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    assert_problem(r, 413)


def test_body_just_under_the_limit_is_read(client: TestClient) -> None:
    text = "my back clicks " * 600  # 9,000 characters: a valid case well under 64,000 bytes
    r = client.post("/v1/assess?store=false", json={"text": text})
    assert r.status_code == 200


def test_404_wrong_token(client: TestClient) -> None:
    assert_problem(client.get("/v1/assessments/" + "A" * 43), 404)
    assert_problem(client.get("/v1/assessments/nope"), 404)


def test_404_unknown_route(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404)


def test_405_lists_allowed_methods(client: TestClient) -> None:
    r = client.get("/v1/assess")
    assert_problem(r, 405)
    assert r.headers["allow"] == "POST"


def test_405_lists_every_method_of_the_path(client: TestClient) -> None:
    # Two routes share the path (read and erase): the Allow header names both.
    r = client.request("OPTIONS", "/v1/assessments/" + "0" * 43)
    assert_problem(r, 405)
    assert r.headers["allow"] == "DELETE, GET"


def test_a_crash_is_a_clean_500(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, rows: RowCounter
) -> None:
    def crash(case: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("secret detail from /srv/crepitus/engine.py line 3")

    monkeypatch.setattr(crepitus, "assess", crash)
    before = rows()
    r = client.post("/v1/assess", json=CASE)
    body = assert_problem(r, 500)
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert body["errors"] == []
    assert rows() == before


def test_a_case_error_from_inside_is_a_clean_422(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(case: dict[str, Any]) -> dict[str, Any]:
        raise CaseError.one("age", "must be at most 120", "range")

    monkeypatch.setattr(crepitus, "assess", refuse)
    body = assert_problem(client.post("/v1/assess", json=CASE), 422)
    assert body["errors"] == [{"loc": "age", "msg": "must be at most 120", "type": "range"}]


def test_a_failed_save_is_a_clean_500_and_stores_nothing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, rows: RowCounter
) -> None:
    before = rows()
    store = client.app.state.store  # type: ignore[attr-defined]
    real_save = store.save_assessment

    def save_unserialisable(case: dict[str, Any], result: dict[str, Any], **_: Any) -> str:
        # The database write itself fails, inside the store's transaction (the result is
        # serialised there, not handed over as the response's bytes).
        token: str = real_save(case, {**result, "plan": {"x": object()}})
        return token

    monkeypatch.setattr(store, "save_assessment", save_unserialisable)
    assert_problem(client.post("/v1/assess", json=CASE), 500)
    assert rows() == before


# --- app assembly ---------------------------------------------------------------------------


def test_the_api_on_postgresql(pg_url: str) -> None:
    # Database calls go through the thread pool here (not local); the answers are the same.
    app = create_app(Settings(database_url=pg_url))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/v1/assess", json=CASE)
        assert r.status_code == 200, r.text
        stored = c.get(f"/v1/assessments/{r.json()['token']}")
        assert stored.status_code == 200
        assert stored.json()["case"] == CASE
        assert_problem(c.get("/v1/assessments/" + "B" * 43), 404)
        assert c.get("/healthz").json()["database"] == "ok"


def test_api_works_without_the_web_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "crepitus.web", None)  # as if it were not installed
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'noweb.db'}"))
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.post("/v1/assess", json=CASE).status_code == 200
        assert_problem(c.get("/", headers={"accept": "text/html"}), 404)


def test_settings_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREPITUS_DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("CREPITUS_CLINIC_NAME", "Back Clinic")
    monkeypatch.setenv("CREPITUS_MAX_BODY_BYTES", "1000")
    s = get_settings()
    assert s.database_url == "sqlite:///x.db"
    assert s.clinic_name == "Back Clinic"
    assert s.max_body_bytes == 1000
    assert s.booking_url is None and s.clinic_phone is None


def test_default_database_in_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREPITUS_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = get_settings().database_url
    assert url == f"sqlite:///{tmp_path / 'data' / 'crepitus' / 'crepitus.db'}"
    assert (tmp_path / "data" / "crepitus").is_dir()


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ('{"age": ' + "9" * 5000 + "}", "json_number"),
        ('{"evidence": ' + "[" * 10_000 + "]" * 10_000 + "}", "json_depth"),
    ],
)
def test_json_python_cannot_read_gets_a_named_problem(
    client: TestClient, body: str, kind: str
) -> None:
    for path in ("/v1/assess", "/v1/interview/next"):
        r = client.post(path, content=body, headers={"content-type": "application/json"})
        assert r.status_code == 400
        (problem,) = r.json()["errors"]
        assert problem["type"] == kind and problem["msg"]


def test_interview_understood(client: TestClient) -> None:
    text = "My lower back clicks when I twist. No fever. Maybe it aches a bit."
    r = client.post("/v1/interview/understood", json={"text": text})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    question = r.json()["question"]
    assert question["kind"] == "check" and question["type"] == "group_multiple"
    read = {i["id"]: i["read"] for i in question["items"]}
    assert read["sound_twisting"] == "present"
    assert "fever" not in read  # a red flag: the confirmation step's, not this one's
    assert Understood.model_validate(r.json())
    # Once answered, nothing is left to check; without text, nothing to check either.
    answered = [{"id": i, "present": v == "present"} for i, v in read.items() if v != "uncertain"]
    answered += [{"id": i, "present": None} for i, v in read.items() if v == "uncertain"]
    r = client.post("/v1/interview/understood", json={"text": text, "evidence": answered})
    assert r.json() == {"question": None}
    assert client.post("/v1/interview/understood", json={"age": 40}).json() == {"question": None}
    bad = client.post("/v1/interview/understood", json={"evidence": [{"id": "fevr"}]})
    assert bad.status_code == 422
