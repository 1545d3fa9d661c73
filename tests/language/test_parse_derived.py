"""Derived findings: durations, laterality, implications; and demographics."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from crepitus.language import demographics, parse

_durations = importlib.import_module("crepitus.language._durations")


def read(text: str) -> dict[str, bool | None]:
    return {m["id"]: m["present"] for m in parse(text)}


DURATION_IDS = ("pain_over_3_days", "pain_over_6_weeks", "pain_over_3_months")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Back pain for 3 weeks.", (True, None, None)),
        ("My back has been aching for a week.", (True, None, None)),
        ("Constant dull pain for 8 weeks.", (True, True, None)),
        ("Lower back pain for about five months.", (True, True, True)),
        ("It hurts. It has been like this for over a year.", (True, True, True)),
        ("Two weeks of lower back pain.", (True, None, None)),
        ("It's been getting worse over the past month and it hurts.", (True, None, None)),
        ("LBP x 2/52", (True, None, None)),
        ("LBP x 6/12", (True, True, True)),
        ("c/o LBP 3-week history", (True, None, None)),
        ("My back started hurting 4 months ago.", (True, True, True)),
        ("It's sore for a day afterwards but fine otherwise.", (False, None, None)),
        ("My back has hurt since yesterday.", (False, None, None)),
        ("Sore for a couple of days.", (False, None, None)),
        ("My back hurts, for weeks now.", (True, None, None)),
        ("Aching for years.", (True, True, True)),
        ("For about five months, coming on slowly, my lower back has been stiff and it wakes me "
         "at night.", (True, True, True)),
        ("Chronic LBP.", (True, True, True)),
    ],
)  # fmt: skip
def test_durations(text: str, expected: tuple[bool | None, ...]) -> None:
    got = read(text)
    assert tuple(got.get(fid) for fid in DURATION_IDS) == expected, got


@pytest.mark.parametrize(
    "text",
    [
        "My back clicks and has done for two years.",  # no pain: the duration is the clicking's
        "I've lost 8 kilos over three months and now my back hurts.",  # the months are the weight's
        "I've worked as a nurse for 20 years. My back hurts.",
        "Since yesterday I can't pee. My back aches.",
        "I've been on prednisone for years. My back hurts.",
        "My back hurts since Monday.",  # how long is unknown
        "Half an hour ago I got terrible pain.",  # the time of an event, not a stated span
    ],
)
def test_durations_that_are_not_the_pains(text: str) -> None:
    got = read(text)
    assert all(fid not in got for fid in DURATION_IDS), got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Both of my legs have been numb and tingling.", True),
        ("I have pain that shoots into both legs when I walk.", True),
        ("Now I can't stand up, my legs won't hold me.", True),
        ("My legs feel weak.", True),
        ("Pain down my left leg and now my right leg too.", True),
        ("Bilateral sciatica.", True),
        ("Shooting pain down the back of my left leg past the knee.", False),
        ("Tingling down my right leg now and then.", False),
        ("My right foot has started slapping when I walk.", False),
        ("No numbness in either leg.", False),
    ],
)
def test_bilateral_leg_symptoms(text: str, expected: bool) -> None:
    assert read(text).get("bilateral_leg_symptoms") is expected


@pytest.mark.parametrize(
    "text",
    [
        "I can move my legs fine.",  # denied, so no side
        "The area between my legs feels numb.",  # the saddle
        "My back hurts when I lift my legs.",  # the legs are not where it hurts
        "Pain down my leg.",  # side not said
    ],
)
def test_no_laterality(text: str) -> None:
    assert "bilateral_leg_symptoms" not in read(text)


def test_implications() -> None:
    got = read("I get a sharp stinging pain in the same spot and it's getting worse.")
    assert got["pain_not_improving"] is True  # getting worse is not getting better
    got = read("I can't lift my toes.")
    assert got["leg_weakness_severe"] is True and got["leg_weakness"] is True
    got = read("It wakes me at night.")
    assert got["pain"] is True  # pain_night -> pain, from the knowledge base


def test_derived_items_carry_the_span_they_came_from() -> None:
    text = "My back has been aching for a week."
    (item,) = [m for m in parse(text) if m["id"] == "pain_over_3_days"]
    assert item["assertion"] == "affirmed"
    assert item["text"] == "for a week"
    assert text[item["span"][0] : item["span"][1]] == "for a week"


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("I'm 45 and my back clicks.", 45, None),
        ("I'm 72 and a smoker.", 72, None),
        ("58F c/o LBP", 58, "female"),
        ("58 F, LBP", 58, "female"),
        ("45 yo M with LBP", 45, "male"),
        ("45yo male", 45, "male"),
        ("a 45-year-old woman with back pain", 45, "female"),
        ("I'm a 45 year old woman.", 45, "female"),
        ("I'm a 34 year old guy and my back cracks.", 34, "male"),
        ("Female, 61, LBP", 61, "female"),
        ("I am in my late 50s.", 58, None),
        ("My husband says my back clicks.", None, None),  # says nothing of the writer's sex
        ("My wife says I walk stooped.", None, None),
        ("My 5-year-old son jumps on my back.", None, None),
        ("I have a 3 year old and my back hurts.", None, None),
        ("I'm 150 years old.", None, None),
        ("I'm 6 foot and 90 kg.", None, None),
        ("I lift 100 kg.", None, None),
        ("I had prostate cancer.", None, "male"),
        ("I'm 20 weeks pregnant.", None, "female"),
        ("Pt is a 63 y/o gentleman.", 63, "male"),
        ("She reports LBP x 2/52.", None, "female"),
        ("", None, None),
    ],
)
def test_demographics(text: str, age: int | None, sex: str | None) -> None:
    assert demographics(text) == {"age": age, "sex": sex}


def _first_letters(items: Any) -> set[str] | None:
    """The letters a parsed pattern can begin with, or None if it could begin otherwise."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, arg in items:
        if op is c.AT:  # \b and the like match no character: look further
            continue
        if op is c.LITERAL:
            return {chr(arg).lower()} if chr(arg).isalpha() else None
        if op is c.SUBPATTERN:
            return _first_letters(arg[-1])
        if op is c.BRANCH:
            out: set[str] = set()
            for branch in arg[1]:
                letters = _first_letters(branch)
                if letters is None:
                    return None
                out |= letters
            return out
        return None
    return None


_LED = re.compile(r"\(\?=\[([a-z]+)\]\)\(\?:(.*)\)", re.S)


def _led() -> list[tuple[re.Pattern[str], str, str]]:
    """Every compiled pattern of the reader made by ``led_by``: (it, its letters, the pattern
    inside the look)."""
    found = []
    for module in ("_demographics", "_durations", "_subject"):
        for value in vars(importlib.import_module(f"crepitus.language.{module}")).values():
            for pattern in value if isinstance(value, list) else [value]:
                if isinstance(pattern, re.Pattern) and (m := _LED.fullmatch(pattern.pattern)):
                    found.append((pattern, m.group(1), m.group(2)))
    assert len(found) >= 14
    return found


def test_every_pattern_led_by_letters_can_only_begin_with_one_of_them() -> None:
    # A pattern is looked for only where one of its letters stands: one that could begin with
    # any other would never be found there. Proved from the regex parser, not from examples.
    from re import _parser  # type: ignore[attr-defined]

    for _compiled, letters, pattern in _led():
        first = _first_letters(_parser.parse(pattern, re.I))
        assert first is not None and first <= set(letters), (letters, pattern[:80])


def _test_texts() -> list[str]:
    """Every text of this folder's YAML files."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(Path(__file__).parent.glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_the_patterns_led_by_letters_find_what_they_would_find_without() -> None:
    texts = _test_texts()
    assert len(texts) > 300
    for led, _letters, pattern in _led():
        plain = re.compile(pattern, led.flags)
        for text in texts:
            assert [m.span() for m in led.finditer(text)] == [
                m.span() for m in plain.finditer(text)
            ], (pattern[:60], text[:80])
