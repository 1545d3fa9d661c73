"""Age and sex stated in the text: "I'm 45", "58F", "a 45-year-old woman", "45 yo M".

Only the writer's (or, in a clinical note, the patient's) own: "my 5-year-old son" and "my
husband" say nothing about the writer. Ages outside 0-120 are ignored. Plain regular expressions
over the raw text, no spaCy, so this is cheap.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from crepitus.language._rules import DIGIT, led_by, words

Sex = Literal["female", "male"]

_FEMALE_WORDS: Final = words(
    "f female woman lady girl gal mother mum mom wife grandmother grandma gentlewoman mrs ms miss"
)
_MALE_WORDS: Final = words(
    "m male man guy gent gentleman boy father dad husband grandfather grandpa bloke mr"
)
_SEX_WORD = (
    r"(?P<sex>female|male|woman|man|lady|gentleman|gent|guy|girl|boy|gal|bloke|mother|mum|mom"
    r"|father|dad|grandmother|grandma|grandfather|grandpa)"
)
_OTHERS = r"(?:son|daughter|kid|child|boy|girl|baby|toddler|dog|cat|grandson|granddaughter)s?"
_UNITS_AFTER_NUMBER = (
    r"(?!\s*(?:%|'|’|\.\d|,\d|kg|kgs|kilos?|lbs?|pounds?|stones?|st\b|cm|mm|m\b|ft|feet|foot"
    r"|inches|in\b|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?\s+(?!old)|times|percent"
    r"|miles|km|k\b|/|out\s+of|hrs|am\b|pm\b|o'?clock))"
)

_AGE_PATTERNS: Final[list[re.Pattern[str]]] = [
    # "I'm 45", "I am 72 and a smoker", "I'm a 45 year old", "I just turned 60"
    re.compile(led_by("i", r"\b(?:i'?m|i\s+am|im)\s+(?:now\s+|only\s+|just\s+|almost\s+|nearly\s+)?"
               r"(?:an?\s+)?(?P<age>\d{1,3})\b" + _UNITS_AFTER_NUMBER), re.I),
    re.compile(led_by("ia", r"\b(?:i\s+(?:just\s+)?turned|i'?ll\s+be\s+\d+\s+next|aged?\s*:?"
               r"|age\s+is)\s*(?P<age>\d{1,3})\b" + _UNITS_AFTER_NUMBER), re.I),
    # "45 years old", "45-year-old", "45 yo", "45yo", "45 y/o", "45 yrs old"
    re.compile(r"(?<![\w/])(?P<age>\d{1,3})\s*-?\s*(?:years?|yrs?|yr|y)\s*-?\s*(?:old|o\b|/o)"
               r"(?!\s+(?:" + _OTHERS + r"))", re.I),
    re.compile(r"(?<![\w/])(?P<age>\d{1,3})\s*(?:yo|y\.o\.?|yoa)\b(?!\s+(?:" + _OTHERS + r"))",
               re.I),
    # "58F", "58 M", "F58", "45/F", "F/45", "Female, 45", "male 45"
    re.compile(r"(?<![\w/.])(?P<age>\d{1,3})\s?(?P<sex>[MF])\b"),
    re.compile(r"(?<![\w/.])(?P<age>\d{1,3})(?P<sex>[mf])\b"),
    re.compile(r"(?<![\w/.])(?P<sex>[MF])\s?/?\s?(?P<age>\d{1,3})\b(?!\s*/)"),
    re.compile(r"(?<![\w/.])(?P<age>\d{1,3})\s*/\s*(?P<sex>[MFmf])\b"),
    re.compile(led_by("i", r"\b(?:i'?m|i\s+am|im)\s+(?P<age>\d{1,3})\s*,?\s*(?:and\s+)?"
               r"(?:an?\s+)?(?P<sex>female|male|woman|man|guy|lady)\b"), re.I),
    re.compile(led_by("fmw", r"\b(?P<sex>female|male|woman|man)\s*,?\s*(?:aged?\s*)?"
               r"(?P<age>\d{1,3})\b" + _UNITS_AFTER_NUMBER), re.I),
    # "I'm in my 40s", "in my late fifties"
    re.compile(led_by("i", r"\b(?:i'?m|i\s+am|im)\s+in\s+my\s+(?P<part>early\s+|mid\s+|mid-"
               r"|late\s+)?(?P<decade>\d0s|twenties|thirties|forties|fifties|sixties|seventies"
               r"|eighties|nineties)\b"), re.I),
]  # fmt: skip
_DECADES: Final = {
    "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
    "seventies": 70, "eighties": 80, "nineties": 90,
}  # fmt: skip
_PARTS: Final = {"early": 2, "mid": 5, "late": 8}

_SEX_PATTERNS: Final[list[re.Pattern[str]]] = [
    re.compile(led_by("ia", r"\b(?:i'?m|i\s+am|im|as)\s+an?\s+(?:[\w-]+\s+){0,4}?" + _SEX_WORD
                      + r"\b"), re.I),
    re.compile(r"\d\s*-?\s*(?:years?|yrs?|yr|y)\s*-?\s*(?:old|o\b|/o)\s+" + _SEX_WORD + r"\b",
               re.I),
    re.compile(r"\d\s*(?:yo|y\.o\.?|yoa|y/o)\s+(?P<sex>[MF]|female|male|woman|man)\b", re.I),
]  # fmt: skip
_FEMALE_BODY = re.compile(
    led_by(
        "im",
        r"\b(?:i'?m|i\s+am|im|my|i\s+had|i\s+have|i've\s+had)\s+(?:\w+\s+){0,2}?"
        r"(?:pregnan\w*|periods?|menstrua\w*|menopaus\w*|post-?menopausal|uterus|womb"
        r"|ovar(?:y|ies)|ovarian|cervix|vagina|hysterectomy|postpartum|c-section|caesarean"
        r"|endometriosis)\b",
    ),
    re.I,
)
_MALE_BODY = re.compile(
    led_by(
        "im",
        r"\b(?:my|i\s+had|i\s+have|i've\s+had)\s+(?:\w+\s+){0,2}?"
        r"(?:prostate|testicles?|testes|scrotum|penis|vasectomy)\b",
    ),
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|myself|i'm|im|i've)\b", re.I)
_SHE = re.compile(led_by("hms", r"\b(?:she|her|hers|herself|mrs|ms|miss)\b"), re.I)
_HE = re.compile(led_by("hm", r"\b(?:he|him|his|himself|mr)\b"), re.I)
_OWNER = re.compile(r"(?:\bmy|\bour|\bher|\bhis|\btheir|\bhave\s+an?|\bhas\s+an?)\s*$", re.I)


def _sex_of(word: str) -> Sex | None:
    w = word.lower()
    if w in _FEMALE_WORDS:
        return "female"
    if w in _MALE_WORDS:
        return "male"
    return None


def demographics(text: str) -> dict[str, int | str | None]:
    """``{"age": int | None, "sex": "female" | "male" | None}`` stated in ``text``."""
    age: int | None = None
    sex: Sex | None = None
    # Every age pattern but the last, and every sex pattern but the first, needs a digit: a
    # text without one (most) skips them, with the same result.
    digits = DIGIT.search(text) is not None
    for pattern in _AGE_PATTERNS if digits else _AGE_PATTERNS[-1:]:
        for m in pattern.finditer(text):
            if _OWNER.search(text[max(0, m.start() - 12) : m.start()]):
                continue  # "my 5-year-old", "I have a 3 year old"
            groups = m.groupdict()
            if groups.get("decade"):
                dec = groups["decade"].lower()
                base = _DECADES.get(dec) or int(dec[:-1])
                part = (groups.get("part") or "").strip(" -").lower()
                value = base + _PARTS.get(part, 5)
            else:
                value = int(groups["age"])
            if not 0 <= value <= 120:
                continue
            if age is None:
                age = value
            if groups.get("sex") and sex is None:
                sex = _sex_of(groups["sex"])
            break
    if sex is None:
        for pattern in _SEX_PATTERNS if digits else _SEX_PATTERNS[:1]:
            hit = pattern.search(text)
            if hit and (found := _sex_of(hit.group("sex"))):
                sex = found
                break
    if sex is None:
        female, male = bool(_FEMALE_BODY.search(text)), bool(_MALE_BODY.search(text))
        if female != male:
            sex = "female" if female else "male"
    if sex is None and not _FIRST_PERSON.search(text):
        # A clinical note about the patient: "She reports ...".
        she, he = bool(_SHE.search(text)), bool(_HE.search(text))
        if she != he:
            sex = "female" if she else "male"
    return {"age": age, "sex": sex}
