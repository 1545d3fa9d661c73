"""Stated durations ("for about five months", "x 2/52", "since yesterday") as day ranges.

Each duration is a range [lo, hi] in days: "for 3 weeks" is [21, 21], "over a year" [365, inf),
"less than a week" [0, 7), "a few days" [2, 4]. A threshold counts as passed when lo reaches it;
a duration rules "more than 3 days" out only when its hi is below 3 and it is an explicit
span ("for a day", "since yesterday"), not the date of an event ("an hour ago").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from crepitus.language._rules import led_by

_INF: Final = math.inf

UNIT_DAYS: Final = {
    "minute": 1 / 1440, "min": 1 / 1440, "hour": 1 / 24, "hr": 1 / 24, "h": 1 / 24,
    "day": 1.0, "night": 1.0, "d": 1.0, "week": 7.0, "wk": 7.0, "w": 7.0, "fortnight": 14.0,
    "month": 30.4, "mo": 30.4, "mth": 30.4, "mnth": 30.4, "mont": 30.4, "m": 30.4,
    "year": 365.0, "yr": 365.0, "yera": 365.0, "y": 365.0,
}  # fmt: skip

_WORDS: Final = {
    "a": (1.0, 1.0), "an": (1.0, 1.0), "one": (1.0, 1.0), "two": (2.0, 2.0),
    "three": (3.0, 3.0), "four": (4.0, 4.0), "five": (5.0, 5.0), "six": (6.0, 6.0),
    "seven": (7.0, 7.0), "eight": (8.0, 8.0), "nine": (9.0, 9.0), "ten": (10.0, 10.0),
    "eleven": (11.0, 11.0), "twelve": (12.0, 12.0), "thirteen": (13.0, 13.0),
    "fourteen": (14.0, 14.0), "fifteen": (15.0, 15.0), "sixteen": (16.0, 16.0),
    "eighteen": (18.0, 18.0), "twenty": (20.0, 20.0), "thirty": (30.0, 30.0),
    "forty": (40.0, 40.0), "fifty": (50.0, 50.0), "couple": (2.0, 2.0), "few": (2.0, 4.0),
    "several": (3.0, 9.0), "many": (5.0, _INF), "half": (0.5, 0.5), "one and a half": (1.5, 1.5),
}  # fmt: skip

_NUM = (
    r"(?P<num>\d+(?:\.\d+)?(?:\s*(?:-|to|or)\s*\d+(?:\.\d+)?)?"
    r"|one\s+and\s+a\s+half|a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few|several|many"
    r"|half\s+an?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|eighteen|twenty|thirty|forty|fifty)"
)
_QUAL = (
    r"(?:(?P<qual>about|around|approximately|approx\.?|roughly|almost|nearly|close\s+to"
    r"|over|more\s+than|at\s+least|just\s+over|a\s+little\s+over|a\s+bit\s+over|well\s+over"
    r"|just\s+under|under|less\s+than|a\s+good|a\s+solid|maybe|probably|some|~)\s*)?"
)
_UNIT = (
    r"(?P<unit>minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|wks?|fortnights?|months?|mos?"
    r"|mths?|mnths?|monts?|years?|yrs?|yeras?)\b"
)
_SPAN = _QUAL + _NUM + r"\s*-?\s*" + _UNIT

# Found from their unit backwards: a number (with its qualifier) right before the unit, then
# what leads into it ("for", "it's been", "x", "since") or follows it ("of", "now", "ago").
_UNIT_RE = re.compile(r"(?<![^\W\d_])" + _UNIT, re.I)  # "2yr" too, not "holidays"
_BEFORE_UNIT = re.compile(r"(?<![\w'])" + _QUAL + _NUM + r"\s*-?\s*$", re.I)
_THE_PAST = re.compile(
    r"\b(?:over|in|during|within|throughout|for)\s+the\s+(?:past|last|previous)\s+"
    + _QUAL + r"(?:" + _NUM + r"\s*)?$", re.I
)  # fmt: skip
_LEAD = re.compile(
    r"(?:\bfor\s+(?:the\s+)?(?:past\s+|last\s+|previous\s+|prior\s+)?"
    r"|\b(?:it'?s\s+been|it\s+has\s+been|has\s+been|have\s+been|been|lasted|lasting|lasts"
    r"|going\s+on|like\s+this|like\s+that|within)\s+(?:for\s+)?|\bx\s*"
    r"|\b(?P<since>since)\s+)$", re.I
)  # fmt: skip
# A length that recurs ("stiff for 2 hours every morning") is an episode's, not the complaint's.
_EPISODE = re.compile(
    r"\s+(?:(?:every|each|a|per|most|in\s+the)\s+(?:mornings?|days?|nights?|evenings?|times?)"
    r"|first\s+thing|on\s+waking|when\s+i\s+(?:wake|get\s+up)|after\s+(?:waking|i\s+wake))\b",
    re.I,
)
_TAIL = re.compile(r"\s+(?:(?P<ago>ago)|of|now|so\s+far|history|hx|in\s+total)\b", re.I)
_CLINICAL = re.compile(
    r"(?:\b(?P<lead>x|for|since)\s*|~\s*|\b)(?P<n>\d{1,3})\s*/\s*(?P<d>52|12|7)\b"
    r"(?P<tail>\s+(?:ago|hx|history))?",
    re.I,
)
# What makes a bare "6/12" a duration: the complaint or "hx" right after it.
_OF_PAIN = re.compile(
    r"\s+(?:[\w-]+\s+){0,2}?(?:lbp|pain|backache|back\s+pain|ache|hx|history|of|sx|symptoms)\b",
    re.I,
)
_FIXED_FORMS: Final[list[tuple[str, float, float, bool]]] = [
    (r"\bsince\s+(?:yesterday|last\s+night)\b", 1.0, 1.0, True),
    (r"\bsince\s+(?:this\s+morning|today|earlier\s+today|this\s+afternoon"
     r"|tonight|this\s+evening|lunch(?:time)?)\b", 0.0, 0.5, True),
    (r"\bsince\s+last\s+week\b", 7.0, 14.0, False),
    (r"\bsince\s+last\s+month\b", 30.0, 61.0, False),
    (r"\bsince\s+last\s+year\b", 90.0, _INF, False),
    (r"\b(?:every|each)\s+week\b|\bweek\s+(?:after|by|on)\s+week\b", 14.0, _INF, False),
    (r"\b(?:every|each)\s+month\b|\bmonth\s+(?:after|by|on)\s+month\b", 61.0, _INF, False),
    (r"\bfor\s+(?:some\s+|many\s+|several\s+)?days\b", 3.0, _INF, False),
    (r"\bfor\s+(?:some\s+|many\s+|several\s+)?(?:weeks|wks)\b", 14.0, _INF, False),
    (r"\bfor\s+(?:some\s+|many\s+|several\s+)?(?:months|mths)\b", 61.0, _INF, False),
    (r"\bfor\s+(?:some\s+|many\s+|several\s+)?(?:years|yrs|decades)\b", 730.0, _INF, False),
    (r"\b(?:all\s+my\s+(?:adult\s+)?life|since\s+(?:i\s+was\s+an?\s+)?"
     r"(?:child|kid|teenager|teen|childhood|school|my\s+teens|my\s+twenties))\b",
     1825.0, _INF, False),
]  # fmt: skip
# They never overlap one another, so one alternation finds them all in one scan.
_FIXED = re.compile(
    led_by("aefmsw", "|".join(f"(?P<x{k}>{f[0]})" for k, f in enumerate(_FIXED_FORMS))), re.I
)


@dataclass(frozen=True, slots=True)
class Duration:
    start: int  # character offsets into the text
    end: int
    lo: float  # days
    hi: float
    negatable: bool  # an explicit span, which can rule a threshold out


def _number(raw: str) -> tuple[float, float]:
    raw = " ".join(raw.lower().split())
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:(?:-|to|or)\s*(\d+(?:\.\d+)?))?", raw)
    if m:
        lo = float(m.group(1))
        return lo, float(m.group(2)) if m.group(2) else lo
    raw = re.sub(r"^(?:a\s+)?(couple|few)(?:\s+of)?$", r"\1", raw)
    raw = re.sub(r"^half\s+an?$", "half", raw)
    return _WORDS.get(raw, (1.0, 1.0))


def _unit(raw: str) -> float:
    u = raw.lower()
    if u in UNIT_DAYS:
        return UNIT_DAYS[u]
    for stem in ("fortnight", "minute", "month", "night", "hour", "week", "year", "day",
                 "mnth", "mth", "mont", "yera", "min", "hr", "wk", "yr", "mo"):  # fmt: skip
        if u.startswith(stem):
            return UNIT_DAYS[stem]
    return 1.0


def _qualify(qual: str | None, lo: float, hi: float) -> tuple[float, float]:
    q = " ".join((qual or "").lower().split())
    if q in ("over", "more than", "at least", "just over", "a little over", "a bit over",
             "well over", "a good", "a solid"):  # fmt: skip
        return lo, _INF
    if q in ("under", "less than", "just under"):
        return 0.0, hi
    if q in ("almost", "nearly", "close to"):
        return lo * 0.85, hi
    return lo, hi


def find(text: str) -> list[Duration]:
    """Every duration stated in ``text``, longest first where two overlap."""
    found: list[Duration] = []
    for u in _UNIT_RE.finditer(text):
        days = _unit(u.group("unit"))
        if days < 1.0 and _EPISODE.match(text, u.end()):
            continue
        off = max(0, u.start() - 60)
        before = text[off : u.start()]
        if m := _THE_PAST.search(before):  # "over the past (two) weeks"
            start, negatable, end = off + m.start(), True, u.end()
        elif m := _BEFORE_UNIT.search(before):
            start = off + m.start()
            lead = _LEAD.search(text, max(0, start - 40), start)
            tail = _TAIL.match(text, u.end())
            end = u.end()
            if tail and tail.group("ago"):  # an onset: it only shows a threshold passed
                negatable, end = False, tail.end()
                if lead and lead.group("since"):
                    start = lead.start()
            elif lead:  # "since 2 months" is "for 2 months" in many people's English
                start, negatable = lead.start(), True
            elif tail:
                negatable, end = True, tail.end()
            elif (m.group("qual") or "").lower() in ("over", "more than", "at least"):
                negatable = False  # "worse over 2 months": at least that long
            else:
                continue  # "45 years old", "3 days a week"
        else:
            continue
        n_lo, n_hi = _number(m.group("num")) if m.group("num") else (1.0, 1.0)
        lo, hi = _qualify(m.group("qual"), n_lo * days, n_hi * days)
        found.append(Duration(start, end, lo, hi, negatable))
    for m in _CLINICAL.finditer(text) if "/" in text else ():
        d = m.group("d")
        if d != "52" and not (m.group("lead") or m.group("tail") or _OF_PAIN.match(text, m.end())):
            continue  # "3/7" alone may be a date; "2/52" cannot be, nor "6/12 LBP"
        days = {"52": 7.0, "12": 30.4, "7": 1.0}[d] * float(m.group("n"))
        negatable = not (m.group("tail") or "").strip().lower().startswith("ago")
        found.append(Duration(m.start(), m.end(), days, days, negatable))
    for m in _FIXED.finditer(text):
        _, lo, hi, negatable = _FIXED_FORMS[int((m.lastgroup or "x0")[1:])]
        found.append(Duration(m.start(), m.end(), lo, hi, negatable))
    found.sort(key=lambda d: (d.start - d.end, d.start))
    kept: list[Duration] = []
    for d in found:
        if all(d.end <= k.start or d.start >= k.end for k in kept):
            kept.append(d)
    kept.sort(key=lambda d: d.start)
    return kept
