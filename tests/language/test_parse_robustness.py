"""Bad input, arbitrary strings, the public vignettes, the view, and what importing costs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from crepitus import kb
from crepitus.errors import CaseError
from crepitus.language import MAX_TEXT_CHARS, demographics, parse

HERE = Path(__file__).parent
VIGNETTES: list[dict[str, Any]] = yaml.safe_load(
    (HERE / "vignettes_text.yaml").read_text(encoding="utf-8")
)["vignettes"]


@pytest.mark.parametrize("text", ["", " ", "\n\t  \r\n", "\u00a0\u2003"])
def test_empty_or_blank_text_gives_nothing(text: str) -> None:
    assert parse(text) == []
    assert demographics(text) == {"age": None, "sex": None}


def test_text_over_the_limit_is_refused() -> None:
    assert len(parse("no pain " * 1250)) == 1  # exactly 10,000 characters is fine
    with pytest.raises(CaseError) as err:
        parse("x" * (MAX_TEXT_CHARS + 1))
    (problem,) = err.value.problems
    assert problem.loc == "text"
    assert problem.type == "too_long"
    assert problem.msg == "text is 10,001 characters; the limit is 10,000"
    with pytest.raises(CaseError):
        demographics("x" * (MAX_TEXT_CHARS + 1))


def test_not_a_string_is_refused() -> None:
    with pytest.raises(CaseError) as err:
        parse(42)  # type: ignore[arg-type]
    assert err.value.problems[0].type == "type"


_WORDS = sorted(
    {w for v in VIGNETTES for w in v["text"].split()}
    | {"no", "not", "n't", "?", "?sciatica", "—", "(", ")", "x 2/52", "58F", "45 yo M", "\n",
       "\x00", "\x1b[31m", "😩", "🔥🔥", "<b>", "</b>", "<script>", "&amp;", "if", "my mother",
       "h/o", "years ago", "both legs", "left leg", "for 3 weeks", "since yesterday", "’", "...",
       "e\u0301", "\u200b", "\ufeff", "ﬁ", "İ", "ß", "\u202e", "a" * 60}
)  # fmt: skip
_TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(_WORDS), max_size=80).map(" ".join),
    st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=4)), max_size=60).map("".join),
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_any_string_parses_into_well_formed_items(text: str) -> None:
    items = parse(text)
    ids = [m["id"] for m in items]
    assert len(ids) == len(set(ids))
    findings = kb.load().findings
    for m in items:
        assert m["id"] in findings
        assert m["present"] in (True, False, None)
        assert m["assertion"] in {
            "affirmed", "negated", "historical", "hypothetical", "other_person", "uncertain"
        }  # fmt: skip
        assert (m["present"] is None) == (
            m["assertion"] in ("hypothetical", "uncertain")
            or (m["assertion"] in ("historical", "other_person") and m["present"] is None)
        )
        start, end = m["span"]
        assert 0 <= start < end <= len(text)
        assert m["text"] == text[start:end]
        assert m["origin"] == "text"
    demo = demographics(text)
    assert demo["age"] is None or 0 <= demo["age"] <= 120
    assert demo["sex"] in (None, "female", "male")


_STORY_WORDS = sorted(
    {
        *_WORDS,
        "he",
        "she",
        "his",
        "her",
        "my husband",
        "my dad",
        "writing for",
        "'s back",
        "my mum",
        "he can't",
        "she has",
    }
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_STORY_WORDS), max_size=60).map(" ".join),
    st.sampled_from([None, "self", "other"]),
)
def test_parse_is_deterministic_whoever_the_text_is_about(text: str, subject: str | None) -> None:
    first = parse(text, subject)
    assert parse(text, subject) == first
    for m in first:
        start, end = m["span"]
        assert m["text"] == text[start:end]


# The length is checked before anything else reads the text: a few dozen examples of 10,000
# characters show it (each costs hypothesis about 50 ms to draw).
@settings(max_examples=30, deadline=None)
@given(st.text(min_size=MAX_TEXT_CHARS + 1, max_size=MAX_TEXT_CHARS + 50))
def test_too_long_is_the_only_error(text: str) -> None:
    with pytest.raises(CaseError):
        parse(text)


def _micro_f1() -> tuple[float, list[str]]:
    tp = fp = fn = 0
    misses = []
    for v in VIGNETTES:
        pred = {(m["id"], m["present"]) for m in parse(v["text"]) if m["present"] is not None}
        gold = {(i, True) for i in v["present"]} | {(i, False) for i in v["absent"]}
        tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
        if pred != gold:
            misses.append(f"{v['id']}: missed {sorted(gold - pred)} extra {sorted(pred - gold)}")
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return (2 * p * r / (p + r) if p + r else 0.0), misses


def test_public_vignettes_micro_f1() -> None:
    f1, misses = _micro_f1()
    assert f1 >= 0.85, "\n".join(misses)


def test_public_vignettes_red_flags_exact() -> None:
    # A missed or invented red flag costs more than any other error: none on the public set.
    red = {fid for fid, f in kb.load().findings.items() if f.red_flag}
    for v in VIGNETTES:
        pred = {m["id"] for m in parse(v["text"]) if m["present"] is True}
        assert pred & red == set(v["present"]) & red, v["id"]


def test_public_vignettes_demographics() -> None:
    for v in VIGNETTES:
        demo = demographics(v["text"])
        assert demo["age"] in (None, v["age"]), v["id"]
        assert demo["sex"] in (None, v["sex"]), v["id"]


def test_every_finding_has_a_lexicon_entry() -> None:
    knowledge = kb.load()
    assert set(knowledge.lexicon) >= set(_vocabulary_findings())
    assert set(knowledge.lexicon) <= set(knowledge.findings)


def _vocabulary_findings() -> list[str]:
    from importlib import resources

    text = (resources.files("crepitus") / "knowledge" / "vocabulary.yaml").read_text("utf-8")
    return list(yaml.safe_load(text)["findings"])


def test_render_parse() -> None:
    from crepitus.cli.parse_view import render_parse

    text = "58F c/o LBP x 2/52, denies fever, h/o breast ca. Maybe some numbness."
    console = Console(record=True, width=120, color_system="truecolor")
    render_parse(text, parse(text), console)
    out = console.export_text(clear=False)
    assert text in out.replace("\n", " ") or "58F c/o LBP" in out
    for word in ("cancer_history", "historical", "fever", "negated", "leg_numbness", "uncertain"):
        assert word in out
    html = console.export_html()
    assert "line-through" in html  # the denied fever is struck through

    empty = Console(record=True, width=80)
    render_parse("hello", [], empty)
    assert "No findings" in empty.export_text()


def test_importing_the_package_does_not_import_spacy() -> None:
    # Nor the modules whose patterns only reading needs: every command line start imports it.
    code = (
        "import sys, crepitus.language; "
        "print('spacy' in sys.modules, [m for m in sys.modules if m in "
        "('crepitus.language._subject', 'crepitus.language._demographics')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False []"


def test_reading_text_leaves_spacys_command_line_unloaded() -> None:
    # Its command line (typer, rich, requests) is most of `import spacy`; reading needs none of it.
    code = (
        "import sys, crepitus; "
        "found = crepitus.parse('my back clicks, no numbness'); "
        "print(len(found) > 0, any(m.startswith('spacy.cli') for m in sys.modules), "
        "'requests' in sys.modules); "
        "from spacy.cli.info import info; import spacy; print(callable(info), callable(spacy.info))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "False", "True", "True"]
