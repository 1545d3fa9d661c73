"""Issue 14 over HTTP: one test (at least) for each defect, on SQLite and PostgreSQL where the
defect concerns the database."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from crepitus.api import create_app
from crepitus.api._limits import BodyLimit
from crepitus.settings import Settings
from crepitus.store import normalise_url
from tests.api.test_api import assert_problem, locs
from tests.pgfixture import set_expiry

HTML = {"Accept": "text/html"}
SECRET = "quokka-lavender-secret"
CASE: dict[str, Any] = {"age": 40, "text": f"my back clicks when I bend {SECRET}"}
T0 = datetime(2025, 1, 1, 9, tzinfo=UTC)


def entry(day: int, pain: int | None = 3, **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"at": (T0 + timedelta(days=day)).isoformat(), **more}
    if pain is not None:
        out["pain"] = pain
    return out


def settings(url: str, **more: Any) -> Settings:
    base: dict[str, Any] = {"rate_writes": "off", "rate_lookups": "off"}
    return Settings(database_url=url, **{**base, **more})


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Any]:
    """A client factory for an app with its own settings (on a fresh SQLite file by default)."""
    opened: list[TestClient] = []

    def make(url: str | None = None, **more: Any) -> TestClient:
        app = create_app(settings(url or f"sqlite:///{tmp_path / 'h.db'}", **more))
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in reversed(opened):
        client.__exit__(None, None, None)


@pytest.fixture
def both(db_url: str, make_client: Any) -> TestClient:
    """The app on each backend."""
    client: TestClient = make_client(db_url)
    return client


def token_of(client: TestClient, case: dict[str, Any] = CASE) -> str:
    r = client.post("/v1/assess", json=case)
    assert r.status_code == 200, r.text
    token: str = r.json()["token"]
    return token


# --- 1. NUL -----------------------------------------------------------------------------------


def test_nul_in_a_diary_entry_is_a_422_naming_the_field(both: TestClient) -> None:
    token = token_of(both)
    r = both.post(f"/v1/diary/{token}/entries", json=entry(0, note="a\x00b"))
    assert locs(assert_problem(r, 422)).keys() == {"note"}
    r = both.post(
        f"/v1/diary/{token}/entries", json={"entries": [entry(0), entry(1, activity="\x00")]}
    )
    assert locs(assert_problem(r, 422)).keys() == {"entries.1.activity"}
    export = {"version": 1, "entries": [entry(0, note="x\x00")]}
    r = both.post(f"/v1/diary/{token}/import", json=export)
    assert locs(assert_problem(r, 422)).keys() == {"entries.0.note"}
    assert both.get(f"/v1/diary/{token}").json()["entries"] == []
    # A case's own text with a NUL is stored as JSON, which holds it.
    assert both.post("/v1/assess", json={"age": 40, "text": "clicks\x00"}).status_code == 200


def test_nul_in_the_web_diary_form_is_named_by_the_page(both: TestClient) -> None:
    token = token_of(both)
    form = {"at": "2026-10-01T09:00", "tz": "0", "pain": "3", "note": "bad\x00note"}
    r = both.post(f"/r/{token}/diary", data=form, headers=HTML)
    assert r.status_code == 422
    assert "invisible control character" in r.text
    assert both.get(f"/v1/diary/{token}").json()["entries"] == []


# --- 2. nothing private in the log ---------------------------------------------------------------


def _leaks(caplog: pytest.LogCaptureFixture, secrets: list[str]) -> list[str]:
    found = []
    # httpx and httpcore are the test's own client logging its requests, not the server.
    records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    for r in records:
        texts = [r.getMessage(), r.exc_text or "", str(r.args or "")]
        if r.exc_info:
            texts.append(logging.Formatter().formatException(r.exc_info))
        found += [f"{r.name}: {t[:200]}" for t in texts for s in secrets if s in t]
    return found


def test_no_token_and_no_case_text_in_any_log_record(
    both: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    token = token_of(both)
    secrets = [token, SECRET]
    assert both.get(f"/v1/assessments/{token}").status_code == 200
    r = both.post(f"/v1/diary/{token}/entries", json=entry(0, note=SECRET))
    assert r.status_code == 201
    assert both.get(f"/v1/diary/{token}").status_code == 200
    assert both.get(f"/v1/diary/{token}/export.csv").status_code == 200
    assert both.get(f"/r/{token}", headers=HTML).status_code == 200
    assert both.get(f"/r/{token}/diary", headers=HTML).status_code == 200
    bad = {"at": "not a time", "tz": "0", "note": SECRET}
    assert both.post(f"/r/{token}/diary", data=bad, headers=HTML).status_code == 422
    assert (
        both.post(f"/v1/diary/{token}/entries", json=entry(0, 99, note=SECRET)).status_code == 422
    )

    # Failing requests: an error whose text quotes the token and the case, as a database
    # error quoting its parameters would.
    store = both.app.state.store  # type: ignore[attr-defined]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"failed on {token} with {SECRET}")

    monkeypatch.setattr(store, "get_assessment", broken)
    monkeypatch.setattr(store, "diary", broken)
    assert both.get(f"/v1/assessments/{token}").status_code == 500
    assert both.get(f"/r/{token}", headers=HTML).status_code == 500
    assert both.get(f"/v1/diary/{token}").status_code == 500
    assert both.get(f"/r/{token}/diary", headers=HTML).status_code == 500
    assert caplog.records, "the failures were logged"
    assert any("[token]" in r.getMessage() for r in caplog.records)
    assert _leaks(caplog, secrets) == []
    assert all(s not in caplog.text for s in secrets)


def test_json_log_lines_carry_no_token(caplog: pytest.LogCaptureFixture) -> None:
    from crepitus.api._logs import JsonFormatter, Redact

    token = "A" * 43
    try:
        raise ValueError(f"bad {SECRET}")
    except ValueError:
        import sys

        record = logging.LogRecord("crepitus.web", 40, __file__, 1, "page /r/%s", (token,), None)
        record.exc_info = sys.exc_info()  # type: ignore[assignment]
    line = JsonFormatter().format(record)
    assert token not in line and SECRET not in line
    assert json.loads(line)["message"] == "page /r/[token]"
    assert Redact().filter(record) and token not in record.getMessage()
    assert record.exc_text is not None and SECRET not in record.exc_text
    assert "ValueError" in record.exc_text


# --- 3. a whole diary's export imports back ------------------------------------------------------


def test_a_large_export_imports_back_and_other_routes_keep_the_default(
    make_client: Any,
) -> None:
    client = make_client()
    token = token_of(client)
    entries = [entry(i % 300, i % 11, activity="deadlifts", note=f"entry {i}") for i in range(1500)]
    r = client.post(f"/v1/diary/{token}/entries", json={"entries": entries[:500]})
    assert r.status_code == 201
    export = client.get(f"/v1/diary/{token}/export.json").content
    other = token_of(client)
    body = json.dumps({"version": 1, "entries": entries}).encode()
    assert len(body) > 64_000
    r = client.post(
        f"/v1/diary/{other}/import", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 200, r.text[:300]
    assert r.json()["total"] == 1500
    r = client.post(
        f"/v1/diary/{other}/import", content=export, headers={"content-type": "application/json"}
    )
    assert r.status_code == 200
    # The default limit stands everywhere else.
    r = client.post(
        f"/v1/diary/{token}/entries", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(r, 413)


def test_the_import_limit_fits_the_largest_diary() -> None:
    from crepitus.store import MAX_DIARY_ENTRIES

    limit = Settings(database_url="sqlite://").max_import_bytes
    assert limit >= MAX_DIARY_ENTRIES * 1_000


# --- 5. read timeouts ------------------------------------------------------------------------


def test_a_stalled_body_is_cut_off_with_408() -> None:
    async def echo(request: Request) -> Response:
        return PlainTextResponse(str(len(await request.body())))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return PlainTextResponse(str(exc.detail), exc.status_code)

    app = BodyLimit(
        Starlette(
            routes=[Route("/", echo, methods=["POST"])], exception_handlers={HTTPException: on_http}
        ),
        max_bytes=1000,
        timeout=0.2,
    )
    sent: list[dict[str, Any]] = []
    chunks = [{"type": "http.request", "body": b"half", "more_body": True}]

    async def receive() -> dict[str, Any]:
        if chunks:
            return chunks.pop()
        await asyncio.sleep(3600)  # the rest never comes
        raise AssertionError

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": [(b"content-type", b"text/plain")],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("test", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    loop = asyncio.new_event_loop()
    try:
        started = loop.time()
        loop.run_until_complete(asyncio.wait_for(app(scope, receive, send), 5))  # type: ignore[arg-type]
        took = loop.time() - started
    finally:
        loop.close()
    assert sent[0]["status"] == 408
    assert took < 2


def test_uvicorn_is_run_with_connection_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from crepitus.api import serve

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.update(k))
    monkeypatch.setenv("CREPITUS_CONCURRENCY", "50")
    serve.serve()
    assert seen["timeout_keep_alive"] == 5
    assert seen["h11_max_incomplete_event_size"] == 16 * 1024
    assert seen["limit_concurrency"] == 50
    assert seen["access_log"] is False
    assert seen["log_config"]["handlers"]["default"]["filters"] == ["redact"]


# --- 6. the data folder ----------------------------------------------------------------------


def test_the_default_data_folder_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crepitus.settings import default_database_url

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    url = default_database_url()
    folder = Path(url.removeprefix("sqlite:///")).parent
    assert folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) == 0o700


# --- 7. /docs offline, CSP on every page -----------------------------------------------------


def test_docs_are_served_from_packaged_assets_under_a_policy(make_client: Any) -> None:
    client = make_client()
    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "cdn" not in r.text and "https://" not in r.text and "<script>" not in r.text
    for asset in (
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/docs/init.js",
    ):
        got = client.get(asset)
        assert got.status_code == 200, asset
        assert got.headers["x-content-type-options"] == "nosniff"
    for path in ("/", "/nowhere"):
        page = client.get(path, headers=HTML)
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["content-security-policy"], path


# --- 8. rate limits --------------------------------------------------------------------------


def test_writes_and_token_lookups_are_rate_limited(make_client: Any) -> None:
    client = make_client(rate_writes="3/minute", rate_lookups="2/minute")
    for _ in range(3):
        assert client.post("/v1/assess?store=false", json={"age": 30}).status_code == 200
    r = client.post("/v1/assess?store=false", json={"age": 30})
    body = assert_problem(r, 429)
    assert int(r.headers["retry-after"]) >= 1
    assert body["errors"][0]["type"] == "rate_limit"
    wrong = "x" * 43
    assert client.get(f"/v1/assessments/{wrong}").status_code == 404
    assert client.get(f"/r/{wrong}", headers=HTML).status_code == 404
    page = client.get(f"/r/{wrong}/diary", headers=HTML)
    assert page.status_code == 429 and "Please slow down" in page.text
    assert int(page.headers["retry-after"]) >= 1
    # Public reads are not limited.
    assert client.get("/v1/knowledge").status_code == 200


def test_rates_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREPITUS_RATE_WRITES", "10/second;100/hour")
    monkeypatch.setenv("CREPITUS_RATE_LOOKUPS", "off")
    s = Settings(database_url="sqlite://")
    assert (s.rate_writes, s.rate_lookups) == ("10/second;100/hour", "off")
    monkeypatch.setenv("CREPITUS_RATE_WRITES", "lots")
    with pytest.raises(ValueError):
        Settings(database_url="sqlite://")


# --- 9. the database does not answer ---------------------------------------------------------


def _outage(client: TestClient, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    if db_url.startswith("postgresql"):
        # A real outage: the database is gone (connections killed, new ones refused).
        url = normalise_url(db_url)
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{url.database}" WITH (FORCE)')
        admin.dispose()
        store._engine.dispose()
        return

    # SQLite: the file cannot be opened any more, as when its disk has gone.
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise sa.exc.OperationalError("connect", {}, Exception("unable to open database file"))

    monkeypatch.setattr(store._engine, "connect", refuse)
    monkeypatch.setattr(store._engine, "raw_connection", refuse)  # the assessment insert's way


def test_an_outage_is_a_503_with_retry_after_and_one_log_line(
    empty_db_url: str,
    make_client: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client: TestClient = make_client(empty_db_url)
    token = token_of(client)
    _outage(client, empty_db_url, monkeypatch)
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for call in (
        lambda: client.get(f"/v1/assessments/{token}"),
        lambda: client.post("/v1/assess", json=CASE),
        lambda: client.get(f"/v1/diary/{token}"),
        lambda: client.post(f"/v1/diary/{token}/entries", json=entry(0)),
        lambda: client.delete(f"/v1/assessments/{token}"),
    ):
        r = call()
        assert_problem(r, 503)
        assert int(r.headers["retry-after"]) > 0
    page = client.get(f"/r/{token}", headers=HTML)
    assert page.status_code == 503 and int(page.headers["retry-after"]) > 0
    assert "Our storage is not answering" in page.text
    page = client.get(f"/r/{token}/diary", headers=HTML)
    assert page.status_code == 503
    assert client.get("/healthz").status_code == 503
    ours = [r for r in caplog.records if r.name.startswith("crepitus")]
    assert len(ours) == 8  # one line a request
    assert all(r.exc_info is None and not r.exc_text for r in ours)
    assert all(token not in r.getMessage() for r in ours)


# --- 11. the closed surface --------------------------------------------------------------------


def test_diary_posts_need_a_content_type(make_client: Any) -> None:
    client = make_client()
    token = token_of(client)
    body = json.dumps(entry(0)).encode()
    r = client.post(f"/v1/diary/{token}/entries", content=body, headers={"content-type": ""})
    assert_problem(r, 415)
    r = client.post(f"/v1/diary/{token}/import", content=body, headers={"content-type": ""})
    assert_problem(r, 415)
    r = client.post(
        f"/r/{token}/diary",
        content=b"at=2026-10-01T09:00&tz=0",
        headers={**HTML, "content-type": "text/plain"},
    )
    assert r.status_code == 415
    assert client.get(f"/v1/diary/{token}").json()["entries"] == []


def test_the_private_link_never_comes_from_the_host_header(make_client: Any) -> None:
    client = make_client()
    evil = {"host": "evil.example"}
    r = client.post("/v1/assess", json=CASE, headers=evil)
    token = r.json()["token"]
    assert r.json()["link"] == f"/r/{token}"
    page = client.get(f"/r/{token}", headers={**HTML, **evil})
    assert "evil.example" not in page.text
    configured = make_client(base_url="https://crepitus.example.org/")
    r = configured.post("/v1/assess", json=CASE, headers=evil)
    assert r.json()["link"] == f"https://crepitus.example.org/r/{r.json()['token']}"
    page = configured.get(f"/r/{r.json()['token']}", headers={**HTML, **evil})
    assert f"https://crepitus.example.org/r/{r.json()['token']}" in page.text
    assert "evil.example" not in page.text


def test_cross_origin_form_posts_are_refused(make_client: Any) -> None:
    client = make_client()
    token = token_of(client)
    form = {"at": "2026-10-01T09:00", "tz": "0", "pain": "3"}
    for headers in (
        {"origin": "https://evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site", "origin": "https://other.testserver"},
        {"sec-fetch-site": "cross-site", "origin": "null"},
    ):
        r = client.post(f"/r/{token}/diary", data=form, headers={**HTML, **headers})
        assert r.status_code == 403, headers
        r = client.post(f"/r/{token}/erase", data={"confirm": "yes"}, headers={**HTML, **headers})
        assert r.status_code == 403
    assert client.get(f"/v1/diary/{token}").json()["entries"] == []
    # Under Referrer-Policy: no-referrer, Chromium sends Origin: null for the site's own forms.
    for same in (
        {"origin": "http://testserver", "sec-fetch-site": "same-origin"},
        {"origin": "null", "sec-fetch-site": "same-origin"},
        {"origin": "http://testserver"},
    ):
        r = client.post(
            f"/r/{token}/diary", data=form, headers={**HTML, **same}, follow_redirects=False
        )
        assert r.status_code == 303, same
    configured = make_client(base_url="https://crepitus.example.org")
    other = token_of(configured)
    r = configured.post(
        f"/r/{other}/diary", data=form, headers={**HTML, "origin": "http://testserver"}
    )
    assert r.status_code == 403  # only the configured origin counts
    r = configured.post(
        f"/r/{other}/diary",
        data=form,
        headers={**HTML, "origin": "https://crepitus.example.org"},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_nosniff_on_every_response(make_client: Any) -> None:
    client = make_client()
    token = token_of(client)
    for r in (
        client.get("/healthz"),
        client.get("/v1/knowledge"),
        client.get(f"/v1/assessments/{token}"),
        client.get(f"/v1/diary/{token}/export.csv"),
        client.get(f"/v1/diary/{token}/export.json"),
        client.get("/v1/assessments/" + "x" * 43),
        client.get("/openapi.json"),
        client.get("/static/crepitus.css"),
        client.get("/"),
    ):
        assert r.headers.get("x-content-type-options") == "nosniff", r.url


def test_head_is_allowed_wherever_get_is(make_client: Any) -> None:
    client = make_client()
    token = token_of(client)
    for path in (
        "/healthz",
        "/v1/knowledge",
        f"/v1/assessments/{token}",
        f"/r/{token}",
        "/",
        "/openapi.json",
    ):
        got, head = client.get(path), client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
    assert client.head("/v1/assessments/" + "x" * 43).status_code == 404


@pytest.mark.parametrize(
    "note", [" =1+1", "\n=HYPERLINK(1)", "＝1+1", "＋cmd", "\t@SUM(A1)", "  -2+3", "=1", "@x"]
)
def test_the_csv_formula_guard(make_client: Any, note: str) -> None:
    client = make_client()
    token = token_of(client)
    r = client.post(f"/v1/diary/{token}/entries", json=entry(0, note=note, activity=note))
    assert r.status_code == 201, r.text
    rows = list(csv.reader(io.StringIO(client.get(f"/v1/diary/{token}/export.csv").text)))
    header, row = rows[0], rows[1]
    for column in ("note", "activity"):
        cell = row[header.index(column)]
        assert cell.startswith("'"), (column, cell)


def test_plain_text_cells_are_left_alone(make_client: Any) -> None:
    client = make_client()
    token = token_of(client)
    client.post(f"/v1/diary/{token}/entries", json=entry(0, note="after a run, 5 km"))
    rows = list(csv.reader(io.StringIO(client.get(f"/v1/diary/{token}/export.csv").text)))
    assert rows[1][rows[0].index("note")] == "after a run, 5 km"


def test_entry_ids_say_nothing_about_other_diaries(make_client: Any) -> None:
    client = make_client()
    first, second = token_of(client), token_of(client)
    a = client.post(f"/v1/diary/{first}/entries", json={"entries": [entry(0), entry(1)]}).json()
    b = client.post(f"/v1/diary/{second}/entries", json=entry(0)).json()
    assert [e["id"] for e in a["added"]] == [1, 2]
    assert [e["id"] for e in b["added"]] == [1]
    # An id is only good with its own diary's token.
    assert client.delete(f"/v1/diary/{second}/entries/2").status_code == 404
    assert client.delete(f"/v1/diary/{first}/entries/2").status_code == 204


def test_the_schema_refuses_what_the_server_refuses(make_client: Any) -> None:
    client = make_client()
    doc = client.get("/openapi.json").json()
    evidence_id = doc["components"]["schemas"]["EvidenceIn"]["properties"]["id"]
    assert evidence_id["minLength"] == 1 and "back_sound" in evidence_id["enum"]
    params = {
        (path, p["name"]): p["schema"]
        for path, item in doc["paths"].items()
        for op in item.values()
        for p in op.get("parameters", [])
    }
    token = params[("/v1/assessments/{token}", "token")]
    assert (token["minLength"], token["maxLength"]) == (43, 43)
    assert params[("/v1/diary/{token}/entries/{entry_id}", "entry_id")]["minimum"] == 1
    body = doc["paths"]["/v1/diary/{token}/entries"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]["anyOf"][0]
    assert "" not in schema["properties"]["findings"]["items"]["enum"]
    r = client.post("/v1/assess", json={"evidence": [{"id": "", "present": True}]})
    assert_problem(r, 422)


# --- 12. expiry, renewal, erasure --------------------------------------------------------------


def test_links_expire_and_renew_over_the_api(db_url: str, make_client: Any) -> None:
    client: TestClient = make_client(db_url, link_days=30)
    token = token_of(client)
    got = client.get(f"/v1/assessments/{token}").json()
    expires = datetime.fromisoformat(got["expires_at"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    set_expiry(db_url, token, datetime.now(UTC) + timedelta(hours=1))
    renewed = client.post(f"/v1/assessments/{token}/renew")
    assert renewed.status_code == 200
    assert datetime.fromisoformat(renewed.json()["expires_at"]) > datetime.now(UTC) + timedelta(
        days=29
    )
    set_expiry(db_url, token, datetime.now(UTC) - timedelta(seconds=1))
    assert_problem(client.get(f"/v1/assessments/{token}"), 404)
    assert_problem(client.get(f"/v1/diary/{token}"), 404)
    assert_problem(client.post(f"/v1/assessments/{token}/renew"), 404)
    assert client.get(f"/r/{token}", headers=HTML).status_code == 404


def test_expired_assessments_are_erased_at_start(db_url: str, make_client: Any) -> None:
    client: TestClient = make_client(db_url)
    old, kept = token_of(client), token_of(client)
    client.post(f"/v1/diary/{old}/entries", json=entry(0, note=SECRET))
    set_expiry(db_url, old, datetime.now(UTC) - timedelta(days=1))
    make_client(db_url)  # another start (a restart, or a second worker)
    engine = sa.create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            tokens = conn.scalars(sa.text("SELECT token FROM assessments")).all()
            assert tokens == [kept]
            assert conn.scalar(sa.text("SELECT count(*) FROM diary_entries")) == 0
    finally:
        engine.dispose()


def test_erasure_over_the_api_is_for_good(db_url: str, make_client: Any) -> None:
    client: TestClient = make_client(db_url)
    token, other = token_of(client), token_of(client)
    client.post(f"/v1/diary/{token}/entries", json=entry(0, note=SECRET))
    assert client.delete(f"/v1/assessments/{token}").status_code == 204
    assert_problem(client.get(f"/v1/assessments/{token}"), 404)
    assert_problem(client.get(f"/v1/diary/{token}"), 404)
    assert_problem(client.delete(f"/v1/assessments/{token}"), 404)
    assert client.get(f"/v1/assessments/{other}").status_code == 200
    engine = sa.create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM diary_entries")) == 0
            assert conn.scalar(sa.text("SELECT count(*) FROM assessments")) == 1
    finally:
        engine.dispose()


def test_the_result_page_shows_the_expiry_renews_and_erases(db_url: str, make_client: Any) -> None:
    client: TestClient = make_client(db_url, link_days=90)
    token = token_of(client)
    page = client.get(f"/r/{token}", headers=HTML)
    until = datetime.now(UTC) + timedelta(days=90)
    assert "This link works until" in page.text and f"{until:%B %Y}" in page.text
    assert f'action="/r/{token}/renew"' in page.text
    r = client.post(f"/r/{token}/renew", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and "renewed=1" in r.headers["location"]
    assert "the link now works until" in client.get(r.headers["location"], headers=HTML).text
    ask = client.get(f"/r/{token}/erase", headers=HTML)
    assert ask.status_code == 200 and "Yes, erase it for good" in ask.text
    # Without the confirmation nothing is erased.
    r = client.post(f"/r/{token}/erase", data={}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and client.get(f"/r/{token}", headers=HTML).status_code == 200
    done = client.post(f"/r/{token}/erase", data={"confirm": "yes"}, headers=HTML)
    assert done.status_code == 200 and "erased for good" in done.text
    assert client.get(f"/r/{token}", headers=HTML).status_code == 404
    assert client.get(f"/r/{token}/erase", headers=HTML).status_code == 404


def test_database_files_of_the_service_are_private(tmp_path: Path, make_client: Any) -> None:
    folder = tmp_path / "service"
    client = make_client(f"sqlite:///{folder / 'crepitus.db'}")
    token_of(client)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for p in folder.iterdir():
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p.name
