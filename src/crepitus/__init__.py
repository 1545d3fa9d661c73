"""crepitus: triage, possible causes and a care plan for a lower back that clicks, cracks or pops.

The public API is three functions of the contract (``assess``, ``next_question``, ``parse``),
``understood`` (what was read from a text, for the person to check) and the one error type
they raise. Everything else is private to the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crepitus.errors import CaseError, Problem

if TYPE_CHECKING:  # the engine is imported on first use, to keep `import crepitus` light
    from crepitus.engine.case import CaseIn

__all__ = [
    "CaseError",
    "Problem",
    "__version__",
    "assess",
    "next_question",
    "parse",
    "understood",
]
__version__ = "0.1.0"


def _read_text(text: str, subject: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    # Imported here so that cases without text never pay for spaCy.
    from crepitus import language

    return language.read(text, subject)


def assess(case: Mapping[str, Any] | CaseIn) -> dict[str, Any]:
    """Assess a case (the contract's shape); raise CaseError naming every problem in it.

    A parsed ``CaseIn`` (as the HTTP API holds) is accepted too and not validated twice.
    """
    from crepitus.engine import assess as _assess

    return _assess(case, _read_text)


def next_question(case: Mapping[str, Any] | CaseIn) -> dict[str, Any]:
    """What to ask next: ``{"should_stop": bool, "question": {...} | None}``."""
    from crepitus.engine.interview import next_question as _next

    return _next(case, _read_text)


def understood(case: Mapping[str, Any] | CaseIn) -> dict[str, Any] | None:
    """A question that shows what was read from the case's text, other than red flags, for the
    person to correct; None when there is nothing left to check."""
    from crepitus.engine.interview import understood as _understood

    return _understood(case, _read_text)


def parse(text: str, subject: str | None = None) -> list[dict[str, Any]]:
    """Findings mentioned in free text, each with its span and assertion.

    ``subject="other"`` reads a text written for someone else as being about that person."""
    from crepitus import language

    return language.parse(text, subject)
