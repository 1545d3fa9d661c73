"""The shared presentation model and the PDF renderer, without the app."""

from __future__ import annotations

import base64
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import crepitus
from crepitus.engine.trends import compute_trends
from crepitus.report.pdf import Chart, render_html, render_pdf
from crepitus.report.view import build_view, clinician_summary, format_when
from tests.web.helpers import screened

# Every warning sign answered; "not sure" only about something that is not one.
HARMLESS = {
    "age": 30,
    "text": "It clicks <script>alert(1)</script> when I twist",
    "evidence": screened(
        {"id": "back_sound", "present": True},
        {"id": "pain", "present": False},
        {"id": "swelling", "present": None},
    ),
}


def _result(case: dict[str, Any]) -> dict[str, Any]:
    return crepitus.assess(case)


def test_view_in_plain_words() -> None:
    view = build_view(_result(HARMLESS), HARMLESS, datetime(2026, 11, 2, 18, 30, tzinfo=UTC))
    assert view.level == "self_care" and not view.emergency
    assert view.created == "2 November 2026 at 18:30 UTC"
    assert 3 <= len(view.causes) <= 5
    assert view.causes[0].word == "most likely"
    assert all(c.percent.endswith("%") for c in view.causes)
    assert [a.answer for a in view.answers][:3] == ["Yes", "No", "Not sure"]
    assert view.provisional is None and view.in_scope
    assert view.exercises and all(ex.steps for ex in view.exercises)
    # Safety-net groups run from most to least urgent.
    urgencies = [g.urgency for g in view.safety_net]
    order = list(reversed(crepitus.kb.LEVELS))
    assert urgencies == sorted(urgencies, key=order.index)


def test_view_survives_an_older_knowledge_base() -> None:
    # A stored result may name ids that a newer knowledge base no longer has.
    result = {
        "triage": {
            "level": "consultation",
            "reasons": [
                {
                    "rule": "gone",
                    "level": "consultation",
                    "text": "Old reason.",
                    "sources": ["old-src"],
                }
            ],
        },
        "conditions": [
            {
                "id": "old_condition",
                "probability": 0.7,
                "supporting": ["old_finding"],
                "opposing": [],
            }
        ],
        "evidence": [{"id": "old_finding", "present": True, "origin": "explicit"}],
        "plan": {"safety_net": [{"text": "Call if worse.", "urgency": "old_level"}]},
        "knowledge_version": "2020.1",
    }
    view = build_view(
        result, {"evidence": [{"id": "old_finding", "present": True}]}, "2026-11-02T18:30:00"
    )
    assert view.causes[0].name == "old condition" and view.causes[0].explanation is None
    assert view.causes[0].supporting[0].label == "Old finding"
    assert view.reasons[0].sources[0].title == "old-src"
    assert view.safety_net[0].items == ["Call if worse."]
    assert view.headline  # falls back to the level's plain name
    assert view.created == "2 November 2026 at 18:30 UTC"
    assert format_when("not a date") == "not a date"


def test_report_html_escapes_what_people_type() -> None:
    view = build_view(_result(HARMLESS), HARMLESS, None)
    html = render_html(view, "tok123456789")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Reference tok12345" in html


def test_pdf_with_a_chart_and_no_external_fetch() -> None:
    png = base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    ).decode()
    charts = [
        Chart("Pain over time", f"data:image/png;base64,{png}", "Pain stayed at 0 out of 10."),
        # Anything but inline data is dropped before WeasyPrint sees it.
        Chart("Remote", "http://127.0.0.1:9/x.png", "never fetched"),
    ]
    html = render_html(build_view(_result(HARMLESS), HARMLESS, None), "tok", charts)
    assert "Pain over time" in html and "127.0.0.1:9" not in html
    pdf = render_pdf(_result(HARMLESS), HARMLESS, None, "tok", charts=charts)
    assert pdf.startswith(b"%PDF")


def test_a_pdf_for_the_longest_diary_states_its_caps_and_stays_small() -> None:
    from crepitus.diary import charts as pdf_charts
    from crepitus.diary._charts import MAX_CLICK_BARS, MAX_PAIN_POINTS, click_bars, pain_series
    from crepitus.store._diary import MAX_DIARY_ENTRIES, StoredEntry

    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    entries = [
        StoredEntry(i, t0 + timedelta(hours=i), i % 11, i % 3 == 0, "walk", [], None)
        for i in range(MAX_DIARY_ENTRIES)
    ]
    result = _result(HARMLESS)
    trends = compute_trends(entries).as_dict()
    assert pain_series(entries).points <= MAX_PAIN_POINTS
    assert len(click_bars(trends["clicks_per_week"]).labels) <= MAX_CLICK_BARS

    charts = pdf_charts(entries, trends)
    # Each chart is a bounded drawing: a few tens of kB, not megabytes of points.
    assert all(len(c.image) < 200_000 for c in charts)
    assert [c.title for c in charts] == ["Pain over time", "Clicks per 2 weeks"]
    pain, clicks = (c.description for c in charts)
    assert "20,000 scores" in pain and "the line has 500 points, each the mean of 40 scores" in pain
    assert "each bar adds up 2 weeks in a row" in clicks
    assert all("CSV and JSON export" in c.description for c in charts)

    pdf = render_pdf(result, HARMLESS, None, "tok", charts=charts)
    assert pdf.startswith(b"%PDF") and len(pdf) < 300_000
    if shutil.which("pdftotext") is not None:
        out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        words = " ".join(out.stdout.decode().split())
        assert "each the mean of 40 scores in a row" in words
        assert "Every score is in the diary's CSV and JSON export" in words


def _pages(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def test_the_pdf_opens_with_a_page_for_the_clinician() -> None:
    case = {
        "age": 52,
        "sex": "female",
        "text": "My lower back clicks when I twist and my left foot tingles, no fever",
        "evidence": [
            {"id": "saddle_numbness", "present": False},
            {"id": "bladder_dysfunction", "present": None},
        ],
    }
    result = _result(case)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing: run scripts/system-deps.sh")
    first, second, *_ = _pages(render_pdf(result, case, None, "tok123456789"))
    assert "summary for the clinician" in first
    # The level with the rules behind it, the whole screen answer by answer, in clinical labels.
    assert "Triage: See a doctor within 24 hours" in first or "(consultation_24)" in first
    assert "unsure_cauda_equina" in first
    assert "Red-flag screen" in first and "NOT complete" in first
    assert "Saddle anaesthesia" in first or "saddle" in first.lower()
    assert "Read as no, not confirmed “no fever”" in first
    assert "Not sure" in first and "Not asked" in first
    # Findings with the words they were read from, and the differential.
    assert "“tingles”" in first
    assert "Differential" in first and "%" in first
    assert "My lower back clicks when I twist" in first
    # The person's own pages start on the next page.
    assert second.startswith("crepitus report") and "summary for the clinician" not in second


def test_the_clinicians_page_of_an_emergency_keeps_what_to_do_first() -> None:
    case = {"evidence": [{"id": "bladder_dysfunction", "present": True}]}
    html = render_html(
        build_view(_result(case), case, None),
        "tok",
        clinician=clinician_summary(_result(case), case),
    )
    assert html.index("Go to an emergency department now.") < html.index("Red-flag screen")
