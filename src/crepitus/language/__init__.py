"""Free text -> findings: what a person or a clinical note says about a clicking lower back.

``parse(text)`` returns one item per finding mentioned::

    {"id": "pain", "present": False, "assertion": "negated", "span": [31, 44],
     "text": "doesn't hurt", "origin": "text"}

``assertion`` is ConText's reading of the mention: affirmed, negated, historical, hypothetical,
other_person (said of someone else) or uncertain. ``present`` is True for affirmed mentions,
False for negated ones and None otherwise (reported, so the interview can ask, but not
evidence). Exceptions, where the context is what the finding means: a historical mention of a
finding whose lexicon entry has ``history_counts`` ("I had prostate cancer a few years back",
"h/o breast ca", "used to smoke") is present, and so is a family mention of a phrase in an
entry's ``family`` list ("my father has ankylosing spondylitis"); "my mum had cancer" is not.

Policies, briefly (the modules say more):

* Hedges. Only strong hedges make a mention uncertain ("maybe", "might", "possibly", "not
  sure", "could be", "don't think", "?sciatica"); "I think my hip flexors are tight" is a plain
  self-observation and counts. This also keeps doubt from hiding a red flag the person reports.
* One item per finding. When mentions disagree, present beats uncertain beats absent beats the
  other readings: present is the safe reading of a text that says both, and doubt reopens the
  question. Derived present findings (below) also win over an explicit absent mention.
* Derived findings (``_derive``): stated durations give pain_over_3_days / _6_weeks / _3_months
  (a duration under three days, stated as a span, rules pain_over_3_days out); plural or "both"
  legs with a leg finding give bilateral_leg_symptoms, one named side rules it out; the
  knowledge base's ``implies`` are applied. They come as "affirmed" ("negated" for a ruled-out
  one) with the span of the phrase they came from.
* Vague phrases count only when denied ("no leg problems" rules out leg numbness, tingling and
  weakness; "leg problems" asserts nothing).
* Clinical and texting shorthand is read as the word it stands for ("no leg sx", "anal tone ↓",
  "bilat", "SLR +ve L"; ``_rules.SHORTHAND``), in the lexicon and in the text alike.
* A time or activity phrase belongs to its own segment's finding before a pain or sound further
  away ("... and I get sweats at night" is no night pain); a "getting worse" said of the
  clicking, or next to a denied pain, is not a pain that is not improving.
* Whom the text is about (``_subject``): with ``subject="other"`` (or, when the subject is not
  given, a text plainly written for someone else: "writing for my husband", "my dad's back"),
  what is said of that person is the patient's ("he can't feel when he pees" is present), and
  age and sex are the patient's, not the writer's.
* Text is refused over 10,000 characters (``CaseError``, type "too_long"); empty or blank text
  gives ``[]``; nothing else raises.

spaCy is imported and the pipeline built on first use, once per process; importing this package
is cheap.
"""

from __future__ import annotations

from typing import Any

from crepitus.errors import CaseError
from crepitus.language._engine import use_cache
from crepitus.limits import MAX_TEXT

__all__ = [
    "MAX_TEXT_CHARS",
    "corrections",
    "demographics",
    "parse",
    "read",
    "subject_of",
    "use_cache",
    "warm_up",
]

#: The longest text read, in characters (the contract's limit).
MAX_TEXT_CHARS = MAX_TEXT


def _check(text: str) -> None:
    if not isinstance(text, str):
        raise CaseError.one("text", "text must be a string", "type")
    if len(text) > MAX_TEXT_CHARS:
        raise CaseError.one(
            "text", f"text is {len(text):,} characters; the limit is {MAX_TEXT:,}", "too_long"
        )


def subject_of(text: str, subject: str | None = None) -> str:
    """ "self" or "other": as given, or as the text plainly says ("writing for my husband")."""
    if subject in ("self", "other"):
        return subject
    # Here, not at the top: their patterns take a start of the command line about 15 ms to
    # compile, and a structured case never reads text.
    from crepitus.language import _subject

    return _subject.detect(text) or "self"


def parse(text: str, subject: str | None = None) -> list[dict[str, Any]]:
    """The findings mentioned in ``text``, one item per finding, in order of appearance.

    ``subject``: "self", "other" (the text is written for someone else), or None to tell from
    the text."""
    _check(text)
    if not text.strip():
        return []
    from crepitus.language import _subject
    from crepitus.language._parse import parse as _parse

    if subject_of(text, subject) == "other":
        return _parse(text, _subject.patient_of(text).words)
    return _parse(text)


def demographics(text: str, subject: str | None = None) -> dict[str, Any]:
    """``{"age": int | None, "sex": "female" | "male" | None}`` as stated in ``text`` (of the
    patient, when it is written for someone else)."""
    _check(text)
    if not text.strip():
        return {"age": None, "sex": None}
    from crepitus.language import _subject
    from crepitus.language._demographics import demographics as _demographics

    if subject_of(text, subject) == "other":
        p = _subject.patient_of(text)
        return {"age": p.age, "sex": p.sex}
    return _demographics(text)


def corrections(text: str) -> list[dict[str, Any]]:
    """The typing slips the reader read as a lexicon word: ``{"from", "to", "span"}`` each.

    Conservative by design: a missing, doubled or extra letter or two neighbours swapped, in a
    word of six letters or more, never a cue word, a number or a real English word."""
    _check(text)
    if not text.strip():
        return []
    from crepitus.language._context import layout
    from crepitus.language._engine import engine

    eng = engine()
    lay = layout(eng.nlp.make_doc(text), eng.speller.correct)
    out = []
    for i, word in lay.corrected:
        start = lay.idx[i]
        out.append({"from": lay.texts[i], "to": word, "span": [start, start + len(lay.texts[i])]})
    return out


def read(text: str, subject: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(``parse``, ``demographics`` with ``subject``) in one call, for the core's case builder:
    whom the text is about is worked out once for both."""
    _check(text)
    if not text.strip():
        return [], {"age": None, "sex": None, "subject": subject or "self"}
    from crepitus.language import _subject
    from crepitus.language._demographics import demographics as _demographics
    from crepitus.language._parse import parse as _parse

    if subject_of(text, subject) == "other":
        p = _subject.patient_of(text)
        return _parse(text, p.words), {"age": p.age, "sex": p.sex, "subject": "other"}
    return _parse(text), {**_demographics(text), "subject": "self"}


def warm_up() -> None:
    """Build the pipeline now (about a second) rather than on the first ``parse``."""
    from crepitus.language._engine import engine

    engine()
