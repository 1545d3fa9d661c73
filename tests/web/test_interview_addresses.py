"""Each interview step at its own address (Post/Redirect/Get), and the check of what was read."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from crepitus.web._seal import MAX_AGE
from tests.web.helpers import HARMLESS_TEXT, h1s, make_app, question, submit

TWIST = "My lower back clicks when I twist, no pain, and it aches a bit after sitting"


def _post_start(client: TestClient, text: str = HARMLESS_TEXT, age: str = "40") -> str:
    r = client.post(
        "/interview",
        data={"text": text, "age": age, "sex": "", "subject": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    where: str = r.headers["location"]
    return where


def test_every_answer_redirects_to_the_next_questions_own_address(client: TestClient) -> None:
    first = _post_start(client)
    assert first.startswith("/interview/1?s=")
    page = question(client.get(first).text)
    assert page is not None
    r = client.post(
        "/interview",
        data={
            "state": page.state,
            "item": page.items,
            "kind": page.kind,
            "action": "next",
            **{f"answer-{f}": page.checked.get(f, "no") for f in page.items},
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/interview/2?s=")
    second = client.get(r.headers["location"])
    # Private: out of caches, and the address never sent on to other sites.
    assert second.headers["cache-control"] == "no-store"
    assert second.headers["referrer-policy"] == "no-referrer"
    # A reload fetches the same page; Back fetches the earlier one, still answerable.
    assert client.get(r.headers["location"]).text == second.text
    again = question(client.get(first).text)
    assert again is not None and again.items == page.items


def test_the_address_holds_no_words_and_a_changed_one_is_refused(client: TestClient) -> None:
    where = _post_start(client, "numb around my bottom since this morning")
    sealed = parse_qs(urlsplit(where).query)["s"][0]
    assert "numb" not in where and "bottom" not in where
    flipped = sealed[:60] + ("A" if sealed[60] != "A" else "B") + sealed[61:]
    r = client.get(f"/interview/1?s={flipped}")
    assert r.status_code == 400
    assert h1s(r.text) == ["Something went wrong with your answers"]
    # A page number that does not match the state is only a typo: to the right one.
    r = client.get(f"/interview/7?s={sealed}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/interview/1?s=")
    assert client.get("/interview/1", follow_redirects=False).headers["location"] == "/"
    assert client.get("/interview/x?s=1").status_code == 400


def test_an_address_from_an_earlier_day_has_expired(client: TestClient) -> None:
    where = _post_start(client)
    sealer = client.app.state.sealer  # type: ignore[attr-defined]
    sealed = parse_qs(urlsplit(where).query)["s"][0]
    plain = sealer.fernet.decrypt(sealed.encode())
    import time

    old = sealer.fernet.encrypt_at_time(plain, int(time.time()) - MAX_AGE - 60).decode()
    r = client.get(f"/interview/1?s={old}")
    assert r.status_code == 410
    assert h1s(r.text) == ["This page has expired"]


def test_the_key_is_shared_by_every_app_on_one_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with TestClient(make_app(monkeypatch, tmp_path)) as one:
        where = _post_start(one)
    with TestClient(make_app(monkeypatch, tmp_path)) as other:  # another worker, same database
        assert question(other.get(where).text) is not None


def test_a_configured_key_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with TestClient(make_app(monkeypatch, tmp_path, CREPITUS_SECRET_KEY="k1")) as one:
        where = _post_start(one)
    (tmp_path / "other").mkdir()
    with TestClient(make_app(monkeypatch, tmp_path / "other", CREPITUS_SECRET_KEY="k1")) as other:
        assert question(other.get(where).text) is not None
    with TestClient(make_app(monkeypatch, tmp_path, CREPITUS_SECRET_KEY="k2")) as third:
        assert third.get(where).status_code == 400


def test_back_to_the_start_page_keeps_what_was_typed(client: TestClient) -> None:
    page = question(client.get(_post_start(client, age="52")).text)
    assert page is not None
    r = client.post(
        "/interview", data={"state": page.state, "action": "back"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/?s=")
    body = client.get(r.headers["location"]).text
    assert HARMLESS_TEXT in body and 'value="52"' in body


def test_a_description_too_long_for_an_address_is_carried_by_the_form(client: TestClient) -> None:
    # Random letters do not compress: the state is carried by the page, as before.
    text = "My lower back clicks. " + " ".join(secrets.token_hex(4) for _ in range(1_000))
    r = client.post(
        "/interview",
        data={"text": text, "age": "40", "sex": "", "subject": ""},
        follow_redirects=False,
    )
    assert r.status_code == 200
    page = question(r.text)
    assert page is not None and json.loads(page.state)["case"]["text"] == text


# --- checking what was understood ------------------------------------------------------------


def test_the_check_page_shows_what_was_read_pre_filled(client: TestClient) -> None:
    r = client.get(_post_start(client, TWIST))
    page = question(r.text)
    assert page is not None and page.kind == "check"
    assert "Checking what we understood" in r.text
    assert h1s(r.text)[0] == "Did we understand you correctly?"
    # The words are quoted, and the answers they gave are chosen already.
    assert "You wrote “clicks when I twist”" in r.text
    assert page.checked["sound_twisting"] == "yes"
    assert "None of these" not in r.text


def test_a_correction_on_the_check_page_becomes_the_answer(client: TestClient) -> None:
    page = question(client.get(_post_start(client, TWIST)).text)
    assert page is not None and page.kind == "check" and "sound_twisting" in page.items
    r = submit(client, page, {**page.checked, "sound_twisting": "no"})
    nxt = question(r.text)
    assert nxt is not None and nxt.kind != "check"
    evidence = {e["id"]: e["present"] for e in json.loads(nxt.state)["case"]["evidence"]}
    assert evidence["sound_twisting"] is False
    # Back brings the check page again, with the correction still chosen.
    back = submit(client, nxt, action="back")
    again = question(back.text)
    assert again is not None and again.kind == "check" and again.checked["sound_twisting"] == "no"


def test_no_check_page_before_an_emergency_or_without_words(client: TestClient) -> None:
    page = question(client.get(_post_start(client, "")).text)
    assert page is not None and page.kind != "check"
    text = "I cannot control my bladder since yesterday and my lower back clicks when I twist"
    page = question(client.get(_post_start(client, text)).text)
    assert page is not None and page.kind == "confirm"
    answers = {f: "yes" for f in page.items}
    nxt = question(submit(client, page, answers).text)
    # Confirmed: an emergency, so nothing else stands before what to do.
    assert nxt is None or nxt.kind != "check"
