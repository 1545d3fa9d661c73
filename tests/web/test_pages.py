"""The patient pages without JavaScript: plain form posts through the real app (TestClient)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import crepitus
from tests.web.helpers import (
    BROWSER_HEADERS,
    HARMLESS_TEXT,
    h1s,
    make_app,
    question,
    start,
    submit,
    text_of,
    walk,
)

CES_FIRST = "bladder_dysfunction"


def _no_traceback(body: str) -> None:
    for marker in ("Traceback", 'File "', "Error:\n", "crepitus/", "site-packages"):
        assert marker not in body


def _result(client: TestClient, case: dict[str, Any]) -> str:
    """Save an assessment of ``case`` directly and return its result page's path."""
    store = client.app.state.store  # type: ignore[attr-defined]
    token = store.save_assessment(case, crepitus.assess(case))
    return f"/r/{token}"


# --- start page ------------------------------------------------------------------------------


def test_start_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    body = r.text
    assert '<html lang="en">' in body
    assert h1s(body) == ["Does your lower back click, crack or pop?"]
    assert 'href="#main"' in body and 'id="main"' in body
    assert 'action="/interview"' in body and 'method="post"' in body
    assert 'enctype="multipart/form-data"' in body  # keeps long non-English text under the limit
    assert re.search(r'<textarea id="text" name="text"[^>]*maxlength="10000"', body)
    assert '<label for="text">Describe what happens, in your own words</label>' in body
    assert re.search(r'<input id="age" name="age" type="number"[^>]*min="0" max="120"', body)
    assert "<legend>Your sex" in body
    assert "not a diagnosis" in text_of(body)
    assert "999, 112 or 911" in text_of(body)
    assert "<script" not in body  # works without JavaScript, loads nothing from elsewhere
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "no-store" not in r.headers.get("cache-control", "")  # the empty page may be cached


def test_start_form_errors_keep_what_was_typed(client: TestClient) -> None:
    r = client.post("/interview", data={"text": "It pops", "age": "abc", "sex": "robot"})
    assert r.status_code == 422
    body = r.text
    assert "There is a problem" in body
    assert "Enter your age as a whole number from 0 to 120" in body
    assert 'aria-invalid="true"' in body or "aria-invalid=true" in body
    assert ">It pops</textarea>" in body
    assert 'value="abc"' in body
    r = client.post("/interview", data={"text": "x" * 10_001})
    assert r.status_code == 422 and "too long" in r.text


def test_get_interview_goes_back_to_start(client: TestClient) -> None:
    r = client.get("/interview", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


# --- the interview ---------------------------------------------------------------------------


def test_first_question_page(client: TestClient) -> None:
    r = start(client, age="35", sex="male")
    assert r.status_code == 200
    page = question(r.text)
    assert page is not None and page.items
    body = r.text
    assert len(h1s(body)) == 1
    assert "Question 1" in body
    assert "<summary>Why we ask</summary>" in body
    # One fieldset with a legend per item, each with Yes / No / Not sure.
    assert body.count("<fieldset") == len(page.items)
    assert body.count("<legend") == len(page.items)
    for fid in page.items:
        for value, label in (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")):
            assert f'<label for="answer-{fid}-{value}">{label}</label>' in body
    state = json.loads(page.state)
    assert state["case"]["age"] == 35 and state["case"]["sex"] == "male"
    assert state["case"]["text"] == HARMLESS_TEXT


def test_harmless_case_through_to_result(client: TestClient) -> None:
    r, asked = walk(client)
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]+", location)
    assert asked and any(CES_FIRST in items for items in asked)

    page = client.get(location)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    body, words = page.text, text_of(page.text)
    assert h1s(body) == ["This sounds harmless: you can look after it yourself."]
    assert 'role="alert"' not in body
    for heading in (
        "Why we say this",
        "Possible causes",
        "Your exercise plan",
        "When to get help",
        "Questions to ask your doctor",
        "Save this private link",
        "About this result",
    ):
        assert heading in words, heading
    assert "Most likely" in words and "%" in words
    assert "How to do it" in words and "When to stop" in words
    assert "Download PDF" in words and f'href="{location}/report.pdf"' in body
    # The private link, never built from the Host header (CREPITUS_BASE_URL makes it absolute).
    assert f'<a href="{location}">{location}</a>' in body
    assert "http://testserver" not in body
    assert "knowledge base version" in words
    assert "your diagnosis" not in words.lower()
    # The level comes first: the headline precedes every other section.
    assert (
        body.index('id="headline"') < body.index('id="why-title"') < body.index('id="causes-title"')
    )


def test_cauda_equina_answer_gives_emergency_banner_first(client: TestClient) -> None:
    r, _ = walk(
        client, "My lower back clicks and aches", lambda f: "yes" if f == CES_FIRST else "no"
    )
    assert r.status_code == 303
    body = client.get(r.headers["location"]).text
    main = body[body.index('<main id="main"') :]
    # The banner is the first thing in the page's main content, with the headline in it.
    first = re.search(r"<main[^>]*>\s*(<[^>]+>)", main)
    assert first is not None and 'role="alert"' in first.group(1)
    assert h1s(body) == ["Go to an emergency department now."]
    assert main.index('role="alert"') < main.index("What to do now") < main.index("What to avoid")
    assert main.index("What to avoid") < main.index("Why we say this")
    assert "cauda equina" in text_of(body)
    assert "Your exercise plan" not in body
    assert "Book an appointment with" not in body


def test_back_removes_the_last_answers_and_shows_them_chosen(client: TestClient) -> None:
    first = question(start(client).text)
    assert first is not None
    r = submit(client, first, {fid: "no" for fid in first.items})
    second = question(r.text)
    assert second is not None and second.items != first.items
    assert "Question 2" in r.text

    r = submit(client, second, action="back")
    assert r.status_code == 200
    again = question(r.text)
    assert again is not None and again.items == first.items
    assert "Question 1" in r.text
    assert again.checked == {fid: "no" for fid in first.items}
    assert json.loads(again.state) == json.loads(first.state)

    # Back from the first question returns to the start page with what was typed.
    r = submit(client, again, action="back")
    assert r.status_code == 200
    assert h1s(r.text) == ["Does your lower back click, crack or pop?"]
    assert f">{HARMLESS_TEXT}</textarea>" in r.text


def test_unanswered_item_asks_again(client: TestClient) -> None:
    page = question(start(client).text)
    assert page is not None
    partial = {page.items[0]: "no"} if len(page.items) > 1 else {}
    r = submit(client, page, partial)
    assert r.status_code == 422
    assert "There is a problem" in r.text and "Choose Yes, No or Not sure." in r.text
    again = question(r.text)
    assert again is not None and again.items == page.items
    assert again.checked == partial


def test_not_sure_is_recorded_as_unknown(client: TestClient) -> None:
    page = question(start(client).text)
    assert page is not None
    r = submit(client, page, {fid: "unsure" for fid in page.items})
    nxt = question(r.text)
    assert nxt is not None
    evidence = json.loads(nxt.state)["case"]["evidence"]
    assert evidence == [{"id": fid, "present": None} for fid in page.items]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: "not json",
        lambda s: s.replace('"evidence":[', '"evidence":[{"id":"no_such_finding","present":true},'),
        lambda s: s.replace('"steps":[', '"steps":[["ghost"],'),
        lambda s: s.replace('"v":1', '"v":2'),
        lambda s: s.replace('"case":{', '"case":{"age":500,'),
        lambda s: s.replace('"case":{', '"case":{"admin":true,'),
        lambda s: "[]",
        lambda s: s.replace('"steps":[]', '"steps":[[]]'),
    ],
    ids=[
        "not-json",
        "unknown-id",
        "bad-steps",
        "version",
        "age",
        "extra-key",
        "list",
        "empty-step",
    ],
)
def test_tampered_state_gets_a_friendly_page(client: TestClient, tamper: Any) -> None:
    page = question(start(client).text)
    assert page is not None
    bad = tamper(page.state)
    assert bad != page.state
    r = client.post(
        "/interview",
        data={"state": bad, "item": page.items, **{f"answer-{f}": "no" for f in page.items}},
    )
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")
    assert "Something went wrong with your answers" in r.text
    assert 'href="/"' in r.text
    _no_traceback(r.text)


def test_tampered_items_are_refused(client: TestClient) -> None:
    page = question(start(client).text)
    assert page is not None
    for items in (["not a finding!"], ["no_such_finding"], []):
        r = client.post(
            "/interview",
            data={"state": page.state, "item": items, **{f"answer-{f}": "no" for f in items}},
        )
        assert r.status_code == 400, items
        _no_traceback(r.text)


def test_unexpected_failure_is_a_calm_page(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(case: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(crepitus, "next_question", boom)
    r = start(client)
    assert r.status_code == 500
    assert "Sorry, something went wrong on our side" in r.text
    assert "secret internals" not in r.text
    _no_traceback(r.text)


def test_oversized_body_is_refused_without_traceback(client: TestClient) -> None:
    r = client.post("/interview", data={"state": "x" * 300_000})
    assert r.status_code in (400, 413)
    _no_traceback(r.text)


def test_longest_non_ascii_text_fits(client: TestClient) -> None:
    # The whole text travels in the state on every step. The pages post multipart (raw UTF-8,
    # not percent-encoded), so even 10,000 three-byte characters stay under the body limit.
    text = ("腰が鳴る。痛みはない。" * 1000)[:10_000]
    # A dummy file part makes the test client send multipart/form-data, as the browser does.
    multipart = {"_": ("", b"", "application/octet-stream")}
    r = client.post("/interview", data={"text": text}, files=multipart)
    page = question(r.text)
    assert page is not None, r.text[:500]
    assert json.loads(page.state)["case"]["text"] == text
    data = {"state": page.state, "item": page.items, **{f"answer-{f}": "no" for f in page.items}}
    r = client.post("/interview", data=data, files=multipart, follow_redirects=False)
    assert r.status_code in (200, 303), r.text[:500]


# --- result, 404, PDF ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/r/not-a-real-token", "/r/..%2f..%2fetc", "/r/" + "a" * 300])
def test_unknown_result_is_a_plain_404_page(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert h1s(r.text) == ["Page not found"]
    _no_traceback(r.text)
    assert client.get(path + "/report.pdf").status_code == 404


def test_clinic_is_shown_for_a_consultation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(
        monkeypatch,
        tmp_path,
        CREPITUS_CLINIC_NAME="Riverside Physio",
        CREPITUS_BOOKING_URL="https://example.org/book",
        CREPITUS_CLINIC_PHONE="+44 20 7946 0000",
    )
    consultation = {
        "age": 40,
        "evidence": [{"id": "pain", "present": True}, {"id": "pain_over_6_weeks", "present": True}],
    }
    harmless = {
        "age": 40,
        "evidence": [{"id": "back_sound", "present": True}, {"id": "pain", "present": False}],
    }
    with TestClient(app, headers=BROWSER_HEADERS) as client:
        body = client.get(_result(client, consultation)).text
        assert "Book an appointment with Riverside Physio" in body
        assert 'href="https://example.org/book"' in body
        assert 'href="tel:+442079460000"' in body
        body = client.get(_result(client, harmless)).text
        assert "Riverside Physio" not in body


def test_what_people_type_is_escaped(client: TestClient) -> None:
    case = {"text": 'It clicks <img src=x onerror="alert(1)"> when I twist'}
    body = client.get(_result(client, case)).text
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in body


def test_ambulance_result(client: TestClient) -> None:
    case = {
        "evidence": [
            {"id": "pain_sudden_severe", "present": True},
            {"id": "fainting", "present": True},
        ]
    }
    body = client.get(_result(client, case)).text
    assert h1s(body) == ["Call an ambulance now (999, 112 or 911)."]
    assert 'href="tel:999"' in body
    assert "Your exercise plan" not in body


def test_pdf_report(client: TestClient) -> None:
    r, _ = walk(client)
    location = r.headers["location"]
    pdf = client.get(location + "/report.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="crepitus-report.pdf"'
    assert pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing: run scripts/system-deps.sh")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    words = " ".join(text.split())
    assert "This sounds harmless: you can look after it yourself." in words
    assert "Possible causes" in words and "Exercise plan" in words
    assert "not a diagnosis" in words


def test_pdf_report_emergency(client: TestClient) -> None:
    path = _result(client, {"evidence": [{"id": CES_FIRST, "present": True}]})
    pdf = client.get(path + "/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing: run scripts/system-deps.sh")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    words = " ".join(text.split())
    assert words.index("Go to an emergency department now.") < words.index("What to do now")
    assert "Exercise plan" not in words


def test_error_page_never_fails(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from crepitus.web import _render

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("template engine down")

    monkeypatch.setattr(_render, "render", broken)
    r = client.get("/r/not-a-real-token")
    assert r.status_code == 404
    assert h1s(r.text) == ["Page not found"]
    _no_traceback(r.text)
