"""The symptom diary page: plain form posts through the real app (TestClient), and one run in
Chromium with axe-core, empty and with entries (screenshots with CREPITUS_SCREENSHOTS=1)."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

import crepitus
from tests.web.helpers import h1s, screened, text_of
from tests.web.test_browser import (  # noqa: F401
    DESKTOP,
    PHONE,
    browser,
    check_axe,
    live_app,
    page,
    shoot,
)

# Every warning sign answered: the diary, not a provisional screen, decides what the page says.
CASE: dict[str, Any] = {
    "age": 40,
    "evidence": screened({"id": "back_sound", "present": True}, {"id": "pain", "present": False}),
}
#: The same person before the red-flag questions: a warning sign logged in the diary counts.
UNSCREENED: dict[str, Any] = {
    "age": 40,
    "evidence": [{"id": "back_sound", "present": True}, {"id": "pain", "present": False}],
}
T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)


def _no_traceback(body: str) -> None:
    for marker in ("Traceback", 'File "', "crepitus/", "site-packages"):
        assert marker not in body


def saved(client: TestClient, case: dict[str, Any] = CASE) -> str:
    store = client.app.state.store  # type: ignore[attr-defined]
    token: str = store.save_assessment(case, crepitus.assess(case))
    return token


def add_entries(client: TestClient, token: str, entries: list[dict[str, Any]]) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    assert store.add_diary_entries(token, entries) is not None


def rising(days: int = 7) -> list[dict[str, Any]]:
    pains = [2, 2, 3, 3, 4, 5, 5][:days]
    return [
        {
            "at": (T0 + timedelta(days=2 * i)).isoformat(),
            "pain": p,
            "sound": True,
            "activity": "gym",
        }
        for i, p in enumerate(pains)
    ]


def diary_rows(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "web.db") as conn:
        return int(conn.execute("SELECT count(*) FROM diary_entries").fetchone()[0])


def form(**values: Any) -> dict[str, Any]:
    base = {
        "at": "2026-11-01T10:00",
        "tz": "UTC",
        "pain": "",
        "sound": "",
        "activity": "",
        "note": "",
    }
    return {**base, **values}


# --- the result page links to it ----------------------------------------------------------------


def test_result_page_links_to_the_diary(client: TestClient) -> None:
    token = saved(client)
    body = client.get(f"/r/{token}").text
    assert re.search(rf'<a [^>]*href="/r/{token}/diary"[^>]*>Your symptom diary</a>', body)
    assert "Your symptom diary changes this advice" not in body


# --- the empty diary ----------------------------------------------------------------------------


def test_the_empty_diary_page(client: TestClient) -> None:
    token = saved(client)
    r = client.get(f"/r/{token}/diary")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    body, words = r.text, text_of(r.text)
    assert h1s(body) == ["Your symptom diary"]
    # One script, our own, and only to choose the browser's time zone: the form needs none.
    assert re.findall(r"<script[^>]*>", body) == [
        '<script src="/static/tz.js?v=' + crepitus.__version__ + '" defer>'
    ]
    assert "data-guess" in body
    assert "Your diary is empty" in words
    assert "No entries yet" in words
    assert "<img" not in body  # no charts of nothing
    # The form: every field labelled, posting to this page, working without JavaScript.
    assert f'action="/r/{token}/diary?tz=UTC"' in body and 'method="post"' in body
    for field, label in (
        ("at", "When"),
        ("tz", "Your time zone"),
        ("pain", "Pain score"),
        ("activity", "What were you doing?"),
        ("note", "Note"),
    ):
        assert re.search(rf'<label for="{field}">{label}', body), field
    assert re.search(
        r'<input id="at" name="at" type="datetime-local" [^>]*value="\d{4}-\d\d-\d\dT\d\d:\d\d"',
        body,
    )
    assert "<legend>Did your back click, crack or pop?</legend>" in body
    # Findings in plain words, from the knowledge base; red flags grouped as warning signs.
    assert '<label for="finding-leg_tingling">Tingling, pins and needles or burning</label>' in body
    assert 'value="bladder_dysfunction"' in body and "Warning signs" in words
    assert f'href="/v1/diary/{token}/export.csv"' in body
    assert f'href="/v1/diary/{token}/export.json"' in body
    # The level as the result page shows it, with the diary taken into account.
    assert "Your result, with your diary taken into account" in words


@pytest.mark.parametrize("path", ["/r/not-a-real-token/diary", "/r/" + "a" * 43 + "/diary"])
def test_an_unknown_diary_is_a_404_page(client: TestClient, path: str) -> None:
    for r in (client.get(path), client.post(path, data=form(pain="3"))):
        assert r.status_code == 404
        assert h1s(r.text) == ["Page not found"]
        _no_traceback(r.text)
    assert client.post(path + "/entries/1/delete").status_code == 404


# --- adding -------------------------------------------------------------------------------------


def test_adding_an_entry(client: TestClient, tmp_path: Path) -> None:
    token = saved(client)
    r = client.post(
        f"/r/{token}/diary",
        data=form(
            at="2026-11-01T10:30",
            tz="Europe/Paris",
            pain="4",
            sound="yes",
            activity="deadlifts",
            findings=["pain_with_sound", "leg_tingling"],
            note="Felt it <b>pop</b>",
        ),
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/r/{token}/diary?tz=Europe%2FParis&added=1"
    assert diary_rows(tmp_path) == 1
    store = client.app.state.store  # type: ignore[attr-defined]
    (e,) = store.diary(token).entries
    # 10:30 in Paris in November (UTC+01:00) is 09:30 UTC.
    assert e.as_contract() == {
        "at": "2026-11-01T09:30:00Z",
        "pain": 4,
        "sound": True,
        "activity": "deadlifts",
        "findings": ["pain_with_sound", "leg_tingling"],
        "note": "Felt it <b>pop</b>",
    }
    shown = client.get(r.headers["location"])
    body, words = shown.text, text_of(shown.text)
    assert "Your entry has been added to your diary." in words
    assert "Sun 1 November 2026, 10:30" in words  # shown in the zone it was entered in
    assert re.search(r"Times are in Europe/Paris \(now UTC\+0[12]:00\)", words)
    assert "4 out of 10" in words and "deadlifts" in words
    assert "It hurts at the moment of the click or pop" in words
    assert "Felt it &lt;b&gt;pop&lt;/b&gt;" in body  # what people type is escaped
    assert '<option value="Europe/Paris" selected>Paris</option>' in body


def test_entries_trend_and_charts(client: TestClient) -> None:
    token = saved(client)
    add_entries(client, token, rising())
    body = client.get(f"/r/{token}/diary").text
    words = text_of(body)
    assert "Your pain has gone from 2 to 5 over 12 days" in words
    assert "Book an appointment with a doctor or physiotherapist." in words
    assert "Your symptom diary shows your pain getting worse" in words
    # Newest first.
    whens = re.findall(r'<li class="entry">\s*<h3>([^<]+)</h3>', body)
    assert whens[0].startswith("Tue 13 October 2026") and whens[-1].startswith("Thu 1 October")
    # Both charts as SVG images at their own private addresses, each described in words, and
    # each also drawn for a phone.
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', body)
    assert [src.split("?")[0] for src, _ in images] == [
        f"/r/{token}/diary/pain.svg",
        f"/r/{token}/diary/clicks.svg",
    ]
    phones = re.findall(r'<source media="\(max-width: 40em\)" srcset="([^"]+)"', body)
    for src in [*(html.unescape(s) for s, _ in images), *map(html.unescape, phones)]:
        got = client.get(src)
        assert got.status_code == 200 and got.headers["content-type"] == "image/svg+xml"
        assert got.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in got.headers["content-security-policy"]
        assert b"<svg" in got.content and b"http://www.w3.org/2000/svg" in got.content
        assert b"<script" not in got.content
    assert client.get(f"/r/{token}/diary/other.svg").status_code == 404
    assert client.get(f"/r/{saved(client)}/diary/pain.svg").status_code == 404  # no entries
    pain_alt, clicks_alt = (alt for _src, alt in images)
    assert "Line chart of your pain scores" in pain_alt
    assert "Your pain has gone from 2 to 5 over 12 days" in pain_alt
    assert "Bar chart of clicks per week" in clicks_alt and "7 clicks in all" in clicks_alt
    # The result page now says the diary changes its advice.
    result = text_of(client.get(f"/r/{token}").text)
    assert "Your symptom diary changes this advice" in result
    assert "7 entries so far" in result


def test_a_red_flag_logged_makes_it_an_emergency_first(client: TestClient) -> None:
    token = saved(client, UNSCREENED)
    r = client.post(
        f"/r/{token}/diary",
        data=form(pain="5", findings=["bladder_dysfunction"]),
        follow_redirects=True,
    )
    body = r.text
    main = body[body.index('<main id="main"') :]
    first = re.search(r"<main[^>]*>\s*(<[^>]+>)", main)
    assert first is not None and 'role="alert"' in first.group(1)
    assert h1s(body) == ["Go to an emergency department now."]
    assert "Logged in your diary: New bladder dysfunction" in text_of(body)
    assert (
        main.index('role="alert"') < main.index("What to do now") < main.index("Your symptom diary")
    )
    result = client.get(f"/r/{token}").text
    assert "callout-urgent" in result and "Go to an emergency department now." in result


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"pain": "11"}, "pain", "Choose a pain score from 0 to 10"),
        ({"pain": "-1"}, "pain", "Choose a pain score from 0 to 10"),
        ({"pain": "three"}, "pain", "Choose a pain score from 0 to 10"),
        ({"at": "2999-01-01T10:00"}, "at", "That time is still to come"),
        ({"at": "yesterday"}, "at", "Enter the date and time"),
        ({"at": ""}, "at", "Enter the date and time"),
        ({"at": "1850-01-01T10:00"}, "at", "Enter a date after 1900"),
        ({"tz": "61"}, "tz", "Choose your time zone from the list"),
        ({"tz": "Mars/Olympus"}, "tz", "Choose your time zone from the list"),
        ({"sound": "perhaps"}, "sound", "Choose Yes, No or Not sure"),
        ({"findings": ["pian"]}, "findings", "Choose only from the list"),
        ({"activity": "x" * 201}, "activity", "200 characters or fewer"),
        ({"note": "x" * 2001}, "note", "2,000 characters or fewer"),
    ],
)
def test_form_errors_next_to_their_fields_and_nothing_saved(
    client: TestClient, tmp_path: Path, values: dict[str, Any], field: str, message: str
) -> None:
    token = saved(client)
    r = client.post(
        f"/r/{token}/diary",
        data=form(**{"pain": "3", "note": "kept", **values}),
        follow_redirects=False,
    )
    assert r.status_code == 422
    body = r.text
    assert "There is a problem" in body and "Nothing has been saved yet." in body
    assert re.search(rf'<p class="error-message" id="{field}-error">.*?{message}', body)
    assert body.count('class="error-message"') == 1
    if field not in {"sound", "findings"}:
        assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error', body)
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', body)
    if field != "note":
        assert ">kept</textarea>" in body  # what was typed stays
    assert diary_rows(tmp_path) == 0
    _no_traceback(body)


def test_every_form_error_at_once(client: TestClient, tmp_path: Path) -> None:
    token = saved(client)
    r = client.post(
        f"/r/{token}/diary",
        data=form(at="2999-01-01T10:00", pain="12", findings=["nope"]),
    )
    assert r.status_code == 422
    for field in ("at", "pain", "findings"):
        assert f'id="{field}-error"' in r.text
    assert diary_rows(tmp_path) == 0


def test_time_zones_by_name_with_summer_time(client: TestClient) -> None:
    token = saved(client)
    store = client.app.state.store  # type: ignore[attr-defined]
    for at in ("2026-07-01T10:30", "2026-01-05T10:30"):
        r = client.post(
            f"/r/{token}/diary", data=form(at=at, tz="Europe/London"), follow_redirects=False
        )
        assert r.status_code == 303
    winter, summer = (e.as_contract()["at"] for e in store.diary(token).entries)
    assert summer == "2026-07-01T09:30:00Z" and winter == "2026-01-05T10:30:00Z"
    body = client.get(f"/r/{token}/diary?tz=Europe/London").text
    assert '<option value="Europe/London" selected>London</option>' in body
    assert '<optgroup label="America">' in body and ">Argentina / Buenos Aires<" in body
    assert "Times are in Europe/London (now UTC+" in body
    assert "Wed 1 July 2026, 10:30" in text_of(body)
    # The address names a zone, so the script leaves the choice alone.
    assert "data-guess" not in body


def test_an_older_address_with_an_offset_still_works(client: TestClient) -> None:
    token = saved(client)
    r = client.post(f"/r/{token}/diary", data=form(tz="60"), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?tz=60&added=1")
    body = client.get(f"/r/{token}/diary?tz=60").text
    assert '<option value="60" selected>UTC+01:00</option>' in body
    assert "Times are in UTC+01:00." in body


def test_delete_an_entry(client: TestClient) -> None:
    token = saved(client)
    add_entries(client, token, rising(2))
    store = client.app.state.store  # type: ignore[attr-defined]
    first = store.diary(token).entries[0]
    body = client.get(f"/r/{token}/diary?tz=Africa/Cairo").text
    assert f'action="/r/{token}/diary/entries/{first.id}/delete?tz=Africa%2FCairo"' in body
    assert 'Delete<span class="visually-hidden"> the entry of' in body
    r = client.post(
        f"/r/{token}/diary/entries/{first.id}/delete?tz=Africa/Cairo", follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/r/{token}/diary?tz=Africa%2FCairo"
    assert len(store.diary(token).entries) == 1
    assert client.post(f"/r/{token}/diary/entries/{first.id}/delete").status_code == 404
    other = saved(client)
    second = store.diary(token).entries[0]
    assert client.post(f"/r/{other}/diary/entries/{second.id}/delete").status_code == 404
    assert client.post(f"/r/{token}/diary/entries/abc/delete").status_code == 400


def test_many_entries_show_the_newest(client: TestClient) -> None:
    token = saved(client)
    add_entries(
        client,
        token,
        [{"at": (T0 + timedelta(hours=i)).isoformat(), "pain": 1} for i in range(150)],
    )
    body = client.get(f"/r/{token}/diary").text
    assert body.count('<li class="entry">') == 100
    assert "Showing the 100 newest of 150 entries" in text_of(body)


def test_entries_of_the_assessment_itself_are_listed(client: TestClient) -> None:
    token = saved(client, {**CASE, "diary": [{"at": T0.isoformat(), "pain": 2}]})
    words = text_of(client.get(f"/r/{token}/diary").text)
    assert "Part of your original assessment." in words


# --- the PDF -------------------------------------------------------------------------------------


def _pdf_words(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing: run scripts/system-deps.sh")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_the_pdf_has_the_charts_when_there_is_a_diary(client: TestClient) -> None:
    token = saved(client)
    plain = client.get(f"/r/{token}/report.pdf")
    assert plain.status_code == 200
    assert "Clicks per week" not in _pdf_words(plain.content)

    add_entries(client, token, rising())
    r = client.get(f"/r/{token}/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    words = _pdf_words(r.content)
    assert "Charts" in words and "Pain over time" in words and "Clicks per week" in words
    assert "Your pain has gone from 2 to 5 over 12 days" in words
    # Its advice matches its charts: the diary's rule is among the reasons.
    assert "Your symptom diary shows your pain getting worse" in words


# --- in a real browser ---------------------------------------------------------------------------


@pytest.mark.slow
def _smallest_text_px(svg: str, shown_width: float) -> float:
    """The smallest text of an SVG chart as drawn ``shown_width`` CSS px wide."""
    view_width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))  # type: ignore[union-attr]
    sizes = [float(x) for x in re.findall(r"font[^;\"]*?([\d.]+)px", svg)]
    return min(sizes) * shown_width / view_width


def test_diary_in_the_browser_with_axe(request: pytest.FixtureRequest) -> None:
    # The fixtures of test_browser.py (a live server, Chromium, a fresh page), by name.
    tab = request.getfixturevalue("page")
    url, app = request.getfixturevalue("live_app")
    # Before the red-flag questions, so that a warning sign logged later counts.
    token = app.state.store.save_assessment(UNSCREENED, crepitus.assess(UNSCREENED))
    tab.goto(f"{url}/r/{token}")
    tab.get_by_role("link", name="Your symptom diary").click()
    tab.wait_for_load_state()
    assert tab.locator("h1").inner_text() == "Your symptom diary"
    check_axe(tab, "empty diary")
    shoot(tab, "08-diary-empty")

    # A mistake first: the error is shown by its field and nothing is saved.
    tab.get_by_label("Pain score").select_option("3")
    tab.get_by_label("When", exact=True).fill("2999-01-01T10:00")
    tab.get_by_role("button", name="Add to my diary").click()
    tab.wait_for_load_state()
    assert tab.locator("#at-error").inner_text().endswith("enter when it happened.")
    assert tab.get_by_label("Pain score").input_value() == "3"
    check_axe(tab, "diary form error")
    shoot(tab, "09-diary-error")

    app.state.store.add_diary_entries(token, rising(6))
    tab.goto(f"{url}/r/{token}/diary")
    tab.get_by_label("When", exact=True).fill("2026-10-14T08:15")
    tab.get_by_label("Pain score").select_option("5")
    tab.locator("#sound-yes").check()
    tab.get_by_label("What were you doing?").fill("sitting at my desk")
    tab.get_by_label("Your back feels stiff or you cannot move it as far as usual").check()
    tab.get_by_label("Note").fill("Worse after a long meeting.")
    tab.get_by_role("button", name="Add to my diary").click()
    tab.wait_for_load_state()
    assert tab.get_by_role("status").inner_text() == "Your entry has been added to your diary."
    assert tab.locator(".entry").count() == 7
    assert tab.locator(".entry h3").first.inner_text().startswith("Wed 14 October 2026, 08:15")
    charts = tab.locator("figure.chart img")
    assert charts.count() == 2
    for i in range(2):
        # Drawn, not broken: the browser decoded each SVG to a real size.
        assert charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        assert "Your pain has gone" in charts.nth(0).get_attribute("alt")
    # On a phone each chart is the one drawn for its width: no text under 11 CSS pixels.
    tab.set_viewport_size(PHONE)
    tab.reload()
    tab.wait_for_load_state()
    for i in range(2):
        img = charts.nth(i)
        src, shown = img.evaluate("img => [img.currentSrc, img.clientWidth]")
        phone = img.evaluate("img => img.parentElement.querySelector('source').srcset")
        assert src == urljoin(url, phone)
        assert _smallest_text_px(tab.request.get(src).text(), shown) >= 11
    tab.set_viewport_size(DESKTOP)
    tab.reload()
    tab.wait_for_load_state()
    check_axe(tab, "diary with entries")
    shoot(tab, "10-diary-entries")

    # A red flag logged: the page becomes an emergency page, the banner first.
    tab.get_by_label("New trouble starting, stopping or controlling your pee", exact=False).check()
    tab.get_by_role("button", name="Add to my diary").click()
    tab.wait_for_load_state()
    banner = tab.locator('[role="alert"]')
    assert banner.locator("h1").inner_text() == "Go to an emergency department now."
    # The page opens at its top, the banner in the first screen (not scrolled to the entries).
    assert tab.evaluate("window.scrollY") == 0
    assert 0 <= banner.bounding_box()["y"] <= 1
    check_axe(tab, "emergency diary")
    shoot(tab, "11-diary-emergency")

    # The result page is now today's advice with the diary: the emergency first, and the
    # first result said once, as history.
    tab.goto(f"{url}/r/{token}")
    assert tab.locator('[role="alert"] h1').inner_text() == "Go to an emergency department now."
    history = tab.locator('aside[aria-labelledby="diary-notice-title"]')
    assert "Your first result, on" in history.inner_text()
    assert tab.locator('[role="alert"] a[href^="tel:"]').count() >= 1
    check_axe(tab, "result with the diary")
    shoot(tab, "12-result-with-diary")


def test_the_browsers_time_zone_is_the_default(request: pytest.FixtureRequest) -> None:
    chromium = request.getfixturevalue("browser")
    url, app = request.getfixturevalue("live_app")
    token = app.state.store.save_assessment(CASE, crepitus.assess(CASE))
    # Under the pages' own policy (not bypassed): our script runs, nothing else would.
    for javascript, expected in ((True, "Asia/Tokyo"), (False, "UTC")):
        context = chromium.new_context(timezone_id="Asia/Tokyo", java_script_enabled=javascript)
        try:
            tab = context.new_page()
            tab.goto(f"{url}/r/{token}/diary")
            assert tab.locator("#tz").input_value() == expected
            # An address that names a zone keeps it, script or not.
            tab.goto(f"{url}/r/{token}/diary?tz=Europe/Lisbon")
            assert tab.locator("#tz").input_value() == "Europe/Lisbon"
        finally:
            context.close()
