"""What a worried person meets on the pages: at an emergency, call buttons for the configured
numbers, a "find the nearest" link when a service directory is configured, and nothing that
competes with getting help; on the questions, "None of these" and where they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from crepitus import kb
from crepitus.settings import Settings, emergency_numbers
from crepitus.web._state import decode
from tests.web.helpers import BROWSER_HEADERS, make_app, question, screened, start, submit

CES = screened(
    {"id": "bladder_dysfunction", "present": True}, {"id": "back_sound", "present": True}
)
AMBULANCE = screened({"id": "chest_pain", "present": True})
HARMLESS = screened({"id": "back_sound", "present": True}, {"id": "pain", "present": False})


def _result(client: TestClient, evidence: list[dict[str, object]]) -> str:
    r = client.post("/v1/assess", json={"age": 40, "evidence": evidence})
    assert r.status_code == 200, r.text
    page = client.get(r.json()["link"], headers=BROWSER_HEADERS)
    assert page.status_code == 200
    return page.text


def _folded(html: str, opening: str, fold_class: str) -> tuple[str, str]:
    """(what a section shows, what it folds) of the section starting at ``opening``."""
    section = html[html.index(opening) :]
    section = section[: section.index("</section>")]
    shown, _, folded = section.partition(f'<details class="{fold_class}">')
    return shown, folded


def _calls(html: str) -> list[str]:
    return re.findall(r'href="tel:(\d+)"', html)


def test_an_emergency_offers_the_default_numbers_and_nothing_competing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with TestClient(make_app(monkeypatch, tmp_path)) as client:
        html = _result(client, CES)
    assert "Go to an emergency department now." in html
    assert _calls(html) == ["999", "112", "911"]
    assert "Find the nearest emergency department" not in html  # none configured
    assert "Possible causes" not in html and "Keep a symptom diary" not in html


def test_numbers_and_the_directory_are_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = make_app(
        monkeypatch,
        tmp_path,
        CREPITUS_EMERGENCY_NUMBERS="000=Australia,112=Europe",
        CREPITUS_FIND_EMERGENCY_URL="https://directory.example.org/find?what=ed",
    )
    with TestClient(app) as client:
        ces, ambulance = _result(client, CES), _result(client, AMBULANCE)
    assert _calls(ces)[:2] == ["000", "112"] and _calls(ambulance)[:2] == ["000", "112"]
    assert 'href="https://directory.example.org/find?what=ed"' in ces
    assert "Find the nearest emergency department" not in ambulance  # an ambulance comes to you


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("emergency_numbers", "999", "NUMBER=WHERE"),
        ("emergency_numbers", "99x=UK", "NUMBER=WHERE"),
        ("find_emergency_url", "javascript:alert(1)", "https address"),
        ("find_emergency_url", "http://plain.example.org", "https address"),
    ],
)
def test_a_bad_setting_is_named(field: str, value: str, words: str) -> None:
    with pytest.raises(ValidationError) as err:
        Settings(**{field: value})  # type: ignore[arg-type]
    assert field in str(err.value) and words in str(err.value)


def test_numbers_are_read_in_order() -> None:
    assert emergency_numbers("999=UK, 112=Europe") == [("999", "UK"), ("112", "Europe")]


# --- "None of these" ---------------------------------------------------------------------------


def test_none_of_these_answers_every_unanswered_item_no(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with TestClient(make_app(monkeypatch, tmp_path)) as client:
        page = question(start(client, "my lower back clicks", age="34").text)
        # On to the group about the legs, every earlier one answered "no".
        while page is not None and "leg_tingling" not in page.items:
            page = question(submit(client, page, dict.fromkeys(page.items, "no")).text)
        assert page is not None and len(page.items) > 1
        after = question(submit(client, page, {"leg_tingling": "yes"}, action="none").text)
    assert after is not None
    answers = decode(after.state).answers
    assert answers["leg_tingling"] is True  # the one answered stays as answered
    assert all(answers[f] is False for f in page.items if f != "leg_tingling")  # the rest: no


def test_the_pages_say_where_the_person_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    said: list[str] = []
    with TestClient(make_app(monkeypatch, tmp_path)) as client:
        response = start(client, "my lower back clicks when I twist", age="34")
        page = question(response.text)
        while page is not None:
            said.append(re.search(r'class="progress">Question \d+ · ([^<]+?) <', response.text)[1])  # type: ignore[index]
            answers = page.checked if page.kind == "check" else dict.fromkeys(page.items, "no")
            response = submit(client, page, answers)
            page = question(response.text)
    # First what was read from the words, to check; then the warning signs.
    assert said[0] == "Checking what we understood"
    said = said[1:]
    parts = [s for s in said if s.startswith("Warning signs, part")]
    # Age given: the warning signs are the three screening groups, in order, then the rest.
    assert parts == [f"Warning signs, part {i} of 3" for i in (1, 2, 3)]
    assert said[: len(parts)] == parts
    assert said[len(parts) :] and all(s.startswith("Warning signs done") for s in said[3:])


def test_question_headings_are_short_and_the_encouragement_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert max(len(g.text.split()) for g in kb.load().interview) <= 17
    with TestClient(make_app(monkeypatch, tmp_path)) as client:
        response = start(client, "my lower back clicks when I twist", age="34")
        page = question(response.text)
        while page is not None and "bladder_dysfunction" not in page.items:
            answers = page.checked if page.kind == "check" else dict.fromkeys(page.items, "no")
            response = submit(client, page, answers)
            page = question(response.text)
    assert page is not None
    assert page.h1 == "Since your back symptoms started, have you noticed any of these?"
    assert "Answer even if it feels awkward: these matter." in response.text


def test_a_harmless_result_shows_a_few_warning_signs_and_folds_the_rest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with TestClient(make_app(monkeypatch, tmp_path)) as client:
        html = _result(client, HARMLESS)
    shown, folded = _folded(html, 'class="safety-net"', "more-signs")
    assert "More signs to watch for" in folded
    # The most urgent first, whole groups, about four signs; the rest one tap away.
    assert 1 <= shown.count("<li>") <= 6 and folded.count("<li>") >= 1
    assert "Call an ambulance" in shown


def test_save_and_share_come_near_the_top_except_at_an_emergency(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with TestClient(make_app(monkeypatch, tmp_path)) as client:
        calm, urgent = _result(client, HARMLESS), _result(client, CES)
    assert calm.index("Save as PDF") < calm.index("Why we say this")
    assert 'href="#keep-title"' in calm[: calm.index("Why we say this")]
    assert "Save as PDF" not in urgent  # nothing competes with getting help


def test_three_exercises_first_and_the_rest_folded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with TestClient(make_app(monkeypatch, tmp_path)) as client:
        html = _result(client, HARMLESS)
    shown, folded = _folded(html, 'id="exercises-title"', "more-exercises")
    assert shown.count('<article class="exercise"') == 3
    assert folded.count('<article class="exercise"') >= 1 and "more exercise" in folded
