"""Whom a text is about: the writer, or someone the writer is answering for.

"Writing for my husband. His back cracked lifting the kayak and since then he can't feel when he
needs to pee" is about the husband: what it says of him is the patient's evidence. The reader
then treats the patient's words ("my husband", "he", "his") as the subject, not as "someone
else", and the writer's own age as nobody's.

``detect`` tells from the text alone, conservatively: an explicit "writing for / on behalf of my
X", "my X's back", or a story about "my X" with third-person pronouns and no statement about the
writer's own body. A case's explicit ``subject`` always wins over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from crepitus.language._rules import led_by, words

__all__ = ["Patient", "detect", "patient_of"]

Sex = Literal["female", "male"]

#: Relation words, with the sex they imply, grouped by who they name.
_RELATIONS: Final[dict[str, Sex | None]] = {
    **dict.fromkeys(words("husband hubby boyfriend fiance fiancé bf"), "male"),
    **dict.fromkeys(words("wife girlfriend fiancee fiancée gf missus missis"), "female"),
    **dict.fromkeys(words("partner spouse patient pt client resident child kid teen"), None),
    **dict.fromkeys(words("teenager mate friend colleague neighbour neighbor flatmate"), None),
    **dict.fromkeys(words("dad father daddy papa pop pops stepdad stepfather"), "male"),
    **dict.fromkeys(words("mum mom mother mummy mommy mam ma stepmum stepmom"), "female"),
    **dict.fromkeys(words("stepmother"), "female"),
    **dict.fromkeys(words("son boy stepson grandson nephew"), "male"),
    **dict.fromkeys(words("daughter girl stepdaughter granddaughter niece"), "female"),
    **dict.fromkeys(words("brother grandfather grandpa granddad grandad uncle"), "male"),
    **dict.fromkeys(words("sister grandmother grandma granny gran nan nana nanna aunt auntie"),
                    "female"),
}  # fmt: skip
_SAME: Final = [
    words("mum mom mother mummy mommy mam ma"),
    words("dad father daddy papa pop pops"),
    words("grandmother grandma granny gran nan nana nanna"),
    words("grandfather grandpa granddad grandad"),
    words("husband hubby"),
    words("wife missus missis"),
]
_REL = "|".join(sorted((re.escape(w) for w in _RELATIONS), key=len, reverse=True))
_IN_LAW = r"(?:[- ]in[- ]law)?"
_AGE_ADJ = (
    r"(?:(?P<age0>\d{1,3})[- ]?(?:year|yr)s?[- ]?old\s+|elderly\s+|old\s+|teenage\s+|little\s+)?"
)
_MY = r"\b(?:my|our)\s+"

_EXPLICIT = re.compile(
    led_by(
        "aefhiptw",
        r"\b(?:writing|asking|posting|here|enquiring|inquiring|typing|filling\s+this\s+in"
        r"|answering)\s+(?:this\s+)?(?:for|on\s+behalf\s+of|about)\s+(?:my|our)\s+"
        + _AGE_ADJ
        + r"(?P<rel>"
        + _REL
        + r")"
        + _IN_LAW
        + r"\b",
    ),
    re.I,
)
_POSSESSIVE = re.compile(
    led_by(
        "mo",
        _MY
        + _AGE_ADJ
        + r"(?P<rel>"
        + _REL
        + r")"
        + _IN_LAW
        + r"(?:'s|’s|s')\s+(?:lower\s+|low\s+|bad\s+)?(?:back|spine)\b",
    ),
    re.I,
)
_MENTION = re.compile(
    r"(?:" + _MY + r"|^\s*|[.!?]\s+)" + _AGE_ADJ + r"(?P<rel>" + _REL + r")" + _IN_LAW + r"\b",
    re.I,
)
_THIRD = re.compile(led_by("hs", r"\b(?:he|she|his|her|him|he's|she's)\b"), re.I)
# The writer speaking of their own body or symptoms: then the text is about the writer.
_OWN = re.compile(
    r"\b(?:my\s+(?:lower\s+|low\s+)?(?:back|spine|legs?|foot|feet|bladder|bum|bottom|hips?|knees?)"
    r"|i\s+(?:have|had|get|got|feel|felt|can'?t|cannot|hurt|injured|noticed\s+my|am\s+in\s+pain)"
    r"|i'?ve\s+(?:had|got|been)|i'?m\s+(?:in\s+pain|sore|numb|\d))\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Patient:
    """The person a text is about when it is not the writer."""

    words: frozenset[str]  # relation words and pronouns that name them
    sex: Sex | None
    age: int | None


def _relation(text: str) -> re.Match[str] | None:
    for pattern in (_EXPLICIT, _POSSESSIVE, _MENTION):
        m = pattern.search(text)
        if m is not None:
            return m
    return None


def detect(text: str) -> Literal["other"] | None:
    """ "other" when the text is plainly written about someone else; None when it cannot tell."""
    if _EXPLICIT.search(text) or _POSSESSIVE.search(text):
        return "other"
    if _MENTION.search(text) and _THIRD.search(text) and not _OWN.search(text):
        return "other"
    return None


def _rel_word(m: re.Match[str]) -> str:
    groups = m.groupdict()
    return (groups.get("rel") or groups.get("rel2") or "").lower()


_HE = re.compile(r"\b(?:he|him|his|himself|he's)\b", re.I)
_SHE = re.compile(r"\b(?:she|her|hers|herself|she's)\b", re.I)
_AGE_AFTER = re.compile(
    r"\b(?:aged|age)\s*:?\s*(?P<age>\d{1,3})\b"
    r"|\b(?:he|she)(?:'s|’s|\s+is|\s+was\s+just|\s+turned|\s+has\s+just\s+turned)\s+(?P<age2>\d{1,3})\b"
    r"(?!\s*(?:%|kg|kilos?|lbs?|pounds?|minutes?|mins?|hours?|days?|weeks?|months?|times|cm|ft))",
    re.I,
)


def patient_of(text: str) -> Patient:
    """Who the patient is in a text about someone else, and what it says of their age and sex."""
    m = _relation(text)
    rel = _rel_word(m) if m is not None else ""
    names = {rel} if rel else set()
    for group in _SAME:
        if rel in group:
            names |= group
    sex: Sex | None = _RELATIONS.get(rel) if rel else None
    if sex is None:
        he, she = bool(_HE.search(text)), bool(_SHE.search(text))
        if he != she:
            sex = "male" if he else "female"
    age: int | None = None
    if m is not None and m.groupdict().get("age0"):
        age = int(m.group("age0"))
    if age is None and m is not None:
        # "my mother (82)", "my dad, 80, fell", "my husband who is 68"
        after = re.match(
            r"\s*(?:\(|,|who\s+is|is|aged|age)\s*(\d{1,3})\b(?!\s*(?:%|kg|lbs))",
            text[m.end() :],
            re.I,
        )
        if after:
            age = int(after.group(1))
    if age is None:
        a = _AGE_AFTER.search(text)
        if a:
            age = int(a.group("age") or a.group("age2"))
    if age is not None and not 0 <= age <= 120:
        age = None
    pronouns = {"he", "him", "his", "himself"} if sex == "male" else set()
    if sex == "female":
        pronouns = {"she", "her", "hers", "herself"}
    if sex is None:
        pronouns = {"he", "him", "his", "she", "her", "hers", "they", "them", "their"}
    return Patient(frozenset(names | pronouns | {"patient", "pt", "pts"}), sex, age)
