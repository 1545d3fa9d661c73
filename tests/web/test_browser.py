"""The pages in a real browser (Debian's Chromium through Playwright), with axe-core on each.

A real uvicorn server runs in a background thread on a free loopback port. With
CREPITUS_SCREENSHOTS=1, screenshots (desktop and a 390x844 phone) go to ``test-artifacts/web/``
at the repository root for people to look at; they assert nothing, so a plain run skips them.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.helpers import HARMLESS_TEXT, make_app, screened

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-sandbox",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CES_ITEM = "bladder_dysfunction"

playwright_sync = pytest.importorskip("playwright.sync_api")


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    import uvicorn

    # Bind first and hand uvicorn the socket: the port is ours before the server starts, and
    # the app knows its public address (private links are built from it, never from Host).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    mp = pytest.MonkeyPatch()
    app = make_app(
        mp,
        tmp_path_factory.mktemp("live"),
        CREPITUS_CLINIC_NAME="Riverside Physio",
        CREPITUS_BOOKING_URL="https://example.org/book",
        CREPITUS_CLINIC_PHONE="+44 20 7946 0000",
        CREPITUS_BASE_URL=f"http://127.0.0.1:{port}",
    )
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        mp.undo()


@pytest.fixture(scope="module")
def live_url(live_app: tuple[str, Any]) -> str:
    return live_app[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is missing: run scripts/system-deps.sh (as root)")
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: the pages forbid every script, and axe-core has to be injected.
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, bypass_csp=True)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


# --- helpers ---------------------------------------------------------------------------------


def check_axe(page: Any, name: str) -> None:
    """No axe-core violations (WCAG 2.1 AA and best practice), at desktop and phone widths."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run scripts/system-deps.sh")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        if violations:
            print(f"axe violations on {name} at {size}:\n{json.dumps(violations, indent=2)}")
        assert violations == [], f"{name} at {size['width']}px: {[v['id'] for v in violations]}"
    page.set_viewport_size(DESKTOP)


def shoot(page: Any, name: str) -> None:
    """Full-page screenshots at desktop and phone widths, plus what a phone shows first."""
    if not os.environ.get("CREPITUS_SCREENSHOTS"):
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"{name}-mobile.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-mobile-first-screen.png"))
    page.set_viewport_size(DESKTOP)


def item_ids(page: Any) -> list[str]:
    return [el.get_attribute("value") for el in page.locator('input[name="item"]').all()]


def answer_page(page: Any, choose: dict[str, str] | None = None) -> list[str]:
    """Answer every item on a question page (No unless ``choose`` says otherwise), Continue."""
    ids = item_ids(page)
    check = page.locator('input[name="kind"]').get_attribute("value") == "check"
    for fid in ids:
        # The check page comes pre-filled with what was read; a person agrees with it.
        value = (choose or {}).get(fid, None if check else "no")
        if value is not None:
            page.locator(f"#answer-{fid}-{value}").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    return ids


def start_interview(page: Any, url: str, text: str) -> None:
    page.goto(url + "/")
    page.get_by_label("Describe what happens, in your own words").fill(text)
    page.get_by_label("Your age (optional)").fill("34")
    page.get_by_role("button", name="Start the questions").click()
    page.wait_for_load_state()


def finish_interview(page: Any, choose: dict[str, str] | None = None) -> list[list[str]]:
    asked: list[list[str]] = []
    for _ in range(40):
        if "/r/" in page.url:
            return asked
        asked.append(answer_page(page, choose))
    raise AssertionError(f"the interview did not end: {asked}")


def download_pdf(page: Any, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == "crepitus-report.pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.pdf"
    download.save_as(str(target))
    return target.read_bytes()


# --- tests -----------------------------------------------------------------------------------


def test_start_page_in_browser(page: Any, live_url: str) -> None:
    page.goto(live_url + "/")
    assert page.locator("h1").all_inner_texts() == ["Does your lower back click, crack or pop?"]
    # The skip link is the first thing a keyboard reaches, and it is visible when focused.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0
    check_axe(page, "start")
    shoot(page, "01-start")


def test_none_of_these_in_the_browser(page: Any, live_url: str) -> None:
    start_interview(page, live_url, "My lower back clicks when I twist")
    answer_page(page)  # what was read from the words, pre-filled
    first = item_ids(page)
    assert len(first) > 1
    # No radio chosen at all: "None of these" still goes on (the browser does not hold it back
    # for unanswered radios), every item answered "no".
    page.get_by_role("button", name="None of these").click()
    page.wait_for_load_state()
    assert page.get_by_text("Question 3").count() == 1
    page.get_by_role("button", name="Back").click()
    page.wait_for_load_state()
    assert item_ids(page) == first
    assert all(page.locator(f"#answer-{fid}-no").is_checked() for fid in first)
    check_axe(page, "question with None of these")


def test_back_forward_and_reload_mid_interview(page: Any, live_url: str) -> None:
    start_interview(page, live_url, "My lower back clicks when I twist")
    # The check of what was read comes first, pre-filled, with the words quoted.
    assert page.locator('input[name="kind"]').get_attribute("value") == "check"
    assert page.get_by_text("You wrote “clicks when I twist”", exact=False).count() == 1
    assert page.locator("#answer-sound_twisting-yes").is_checked()
    check_axe(page, "check what we understood")
    shoot(page, "20-question-check")
    pages = [(page.url, item_ids(page))]
    for _ in range(2):
        answer_page(page)
        pages.append((page.url, item_ids(page)))
    # Every step has its own address, and each is a GET the browser can fetch again.
    assert len({u for u, _ in pages}) == 3 and all("/interview/" in u for u, _ in pages)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = page.reload()
    assert response is not None and response.request.method == "GET" and response.status == 200
    assert item_ids(page) == pages[2][1]
    response = page.go_back()
    assert response is not None and response.request.method == "GET"
    assert (page.url, item_ids(page)) == pages[1]
    page.go_back()
    assert (page.url, item_ids(page)) == pages[0]
    page.go_forward()
    page.go_forward()
    assert (page.url, item_ids(page)) == pages[2]
    assert dialogs == []  # never "Confirm form resubmission"
    # Answering again from an earlier page carries on from there.
    page.go_back()
    answer_page(page)
    assert item_ids(page) == pages[2][1]


def test_harmless_case_end_to_end(page: Any, browser: Any, live_url: str) -> None:
    start_interview(page, live_url, HARMLESS_TEXT)
    assert page.locator("h1").count() == 1
    assert page.get_by_text("Question 1").count() == 1
    page.locator("summary", has_text="Why we ask").click()
    check_axe(page, "question")
    shoot(page, "02-question")

    # Back: answer the first page, go back, and find the answers still chosen.
    first = answer_page(page)
    assert page.get_by_text("Question 2").count() == 1
    page.get_by_role("button", name="Back").click()
    page.wait_for_load_state()
    assert item_ids(page) == first
    assert all(page.locator(f"#answer-{fid}-no").is_checked() for fid in first)

    asked = finish_interview(page)
    assert any(CES_ITEM in ids for ids in [first, *asked])
    assert (
        page.locator("h1").inner_text() == "This sounds harmless: you can look after it yourself."
    )
    assert page.locator('[role="alert"]').count() == 0
    assert page.get_by_role("heading", name="Your exercise plan").count() == 1
    check_axe(page, "self_care result")
    shoot(page, "03-result-self_care")

    # The private link works on its own, in a fresh browser context (no cookies, no history).
    link = page.url
    fresh = browser.new_context(viewport=PHONE)
    try:
        other = fresh.new_page()
        response = other.goto(link)
        assert response is not None and response.status == 200
        assert other.locator("h1").inner_text() == (
            "This sounds harmless: you can look after it yourself."
        )
        assert other.get_by_text(link).count() >= 1  # "Save this private link" shows it
    finally:
        fresh.close()

    pdf = download_pdf(page, "03-result-self_care")
    assert pdf.startswith(b"%PDF")


def test_cauda_equina_case_shows_the_emergency_banner_first(page: Any, live_url: str) -> None:
    start_interview(page, live_url, "My lower back clicks and aches")
    asked = finish_interview(page, {CES_ITEM: "yes"})
    assert any(CES_ITEM in ids for ids in asked)

    banner = page.locator('[role="alert"]')
    assert banner.count() == 1
    assert banner.locator("h1").inner_text() == "Go to an emergency department now."
    # First on the screen, on a phone too: the banner starts at the top and its headline is
    # fully visible without scrolling.
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        box = banner.bounding_box()
        head = banner.locator("h1").bounding_box()
        assert box is not None and head is not None
        assert box["y"] <= 1
        assert head["y"] + head["height"] <= size["height"]
    first_in_main = page.evaluate(
        "document.querySelector('main').firstElementChild.getAttribute('role')"
    )
    assert first_in_main == "alert"
    order = [h.strip() for h in page.locator("main h1, main h2").all_inner_texts()]
    assert order[:3] == ["Go to an emergency department now.", "What to do now", "What to avoid"]
    assert "Your exercise plan" not in order
    # Nothing competes with getting help: no possible causes, no diary; call buttons to tap.
    assert "Possible causes" not in order and "Keep a symptom diary" not in order
    calls = page.locator('[role="alert"] a[href^="tel:"]')
    assert [calls.nth(i).get_attribute("href") for i in range(calls.count())] == [
        "tel:999",
        "tel:112",
        "tel:911",
    ]
    check_axe(page, "emergency result")
    shoot(page, "04-result-emergency")

    pdf = download_pdf(page, "04-result-emergency")
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("name", "evidence", "headline"),
    [
        (
            "consultation",
            ["pain", "pain_over_6_weeks"],
            "Book an appointment with a doctor or physiotherapist.",
        ),
        ("consultation_24", ["pain", "fever"], "See a doctor within 24 hours."),
        (
            "emergency_ambulance",
            ["pain_sudden_severe", "fainting"],
            "Call an ambulance now (999, 112 or 911).",
        ),
    ],
)
def test_other_levels(
    page: Any, live_app: tuple[str, Any], name: str, evidence: list[str], headline: str
) -> None:
    import crepitus

    url, app = live_app
    # Every other warning sign answered "no": the level's own result, not a provisional one.
    case = {"age": 52, "evidence": screened(*({"id": f, "present": True} for f in evidence))}
    token = app.state.store.save_assessment(case, crepitus.assess(case))
    page.goto(f"{url}/r/{token}")
    assert page.locator("h1").inner_text() == headline
    clinic = page.get_by_role("heading", name="Book an appointment with Riverside Physio")
    assert clinic.count() == (1 if name.startswith("consultation") else 0)
    check_axe(page, f"{name} result")
    shoot(page, f"07-result-{name}")


def test_not_found_page(page: Any, live_url: str) -> None:
    response = page.goto(live_url + "/r/no-such-result")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    check_axe(page, "404")
    shoot(page, "05-not-found")
    response = page.goto(live_url + "/no/such/page")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"


def test_error_page_for_tampered_state(page: Any, live_url: str) -> None:
    start_interview(page, live_url, HARMLESS_TEXT)
    page.evaluate("document.querySelector('input[name=state]').value = '{broken'")
    page.locator(f"#answer-{item_ids(page)[0]}-no").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Something went wrong with your answers"
    check_axe(page, "error")
    shoot(page, "06-error")


# --- the red-flag screen (issue 9) ------------------------------------------------------------


def _save(app: Any, case: dict[str, Any]) -> str:
    import crepitus

    token: str = app.state.store.save_assessment(case, crepitus.assess(case))
    return token


def test_provisional_result_in_browser(page: Any, live_app: tuple[str, Any]) -> None:
    url, app = live_app
    token = _save(app, {"text": HARMLESS_TEXT})
    page.goto(f"{url}/r/{token}")
    first = page.evaluate("document.querySelector('main .wrap').firstElementChild.className")
    assert "callout-provisional" in first
    notice = page.locator(".callout-provisional")
    assert (
        notice.locator(".provisional-notice").inner_text().startswith("This advice is provisional")
    )
    # The notice is on the first screen of a phone, above the level.
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    box = notice.locator(".provisional-notice").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    page.set_viewport_size(DESKTOP)
    assert page.get_by_text("This sounds harmless").count() == 0
    check_axe(page, "provisional result")
    shoot(page, "14-result-provisional")

    # Answer what was not asked: the interview carries on from this result.
    page.get_by_role("link", name="Answer the questions we have not asked yet").click()
    page.wait_for_load_state()
    assert page.locator('input[name="state"]').count() == 1


def test_provisional_emergency_in_browser(page: Any, live_app: tuple[str, Any]) -> None:
    url, app = live_app
    token = _save(app, {"evidence": [{"id": CES_ITEM, "present": True}]})
    page.goto(f"{url}/r/{token}")
    order = [h.strip() for h in page.locator("main h1, main h2").all_inner_texts()]
    assert order[:2] == ["Go to an emergency department now.", "What to do now"]
    assert page.locator(".callout-provisional details").count() >= 1  # folded away
    check_axe(page, "provisional emergency result")
    shoot(page, "15-result-provisional-emergency")


def test_out_of_scope_result_in_browser(page: Any, live_app: tuple[str, Any]) -> None:
    url, app = live_app
    token = _save(app, {"text": "My knee clicks when I squat"})
    page.goto(f"{url}/r/{token}")
    assert page.get_by_role("heading", name="Possible causes").count() == 0
    assert page.get_by_role("heading", name="Your exercise plan").count() == 0
    check_axe(page, "out-of-scope result")
    shoot(page, "16-result-out-of-scope")


def test_confirm_age_and_someone_else_in_browser(page: Any, live_url: str) -> None:
    page.goto(live_url + "/")
    page.get_by_label("Someone else (I'm answering for them)").check()
    page.get_by_label("Describe what happens, in your own words").fill(
        "Their lower back clicks when they bend, no pain"
    )
    page.get_by_role("button", name="Start the questions").click()
    page.wait_for_load_state()
    # First, what the words said: the quote is the question.
    assert page.locator('input[name="kind"]').get_attribute("value") == "confirm"
    assert page.locator("legend").first.inner_text().startswith("You wrote “no pain”")
    check_axe(page, "confirm question")
    shoot(page, "17-question-confirm")
    for _ in range(10):
        if page.locator('input[name="kind"]').get_attribute("value") == "age":
            break
        answer_page(page)
    else:
        raise AssertionError("the age was never asked")
    assert page.locator("h1").inner_text() == "How old are they?"
    check_axe(page, "age question")
    shoot(page, "18-question-age")
    page.get_by_label("How old are they?").fill("71")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    state = json.loads(page.locator('input[name="state"]').get_attribute("value"))
    assert state["case"]["age"] == 71 and state["case"]["subject"] == "other"


def test_urgent_confirm_in_browser(page: Any, live_url: str) -> None:
    start_interview(page, live_url, "I can't control my bladder and my lower back clicks")
    if page.locator('input[name="kind"]').get_attribute("value") != "confirm":
        pytest.skip("the reader no longer reads a red flag in this text")
    alert = page.locator('[role="alert"]')
    assert alert.inner_text().startswith("What you wrote may need emergency care.")
    box, heading = alert.bounding_box(), page.locator("h1").bounding_box()
    assert box is not None and heading is not None and box["y"] < heading["y"]
    check_axe(page, "urgent confirm question")
    shoot(page, "19-question-confirm-urgent")
