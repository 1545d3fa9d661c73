"""What the rules read: known findings, the confirmed ones among them, "not sure" answers, age.

Kept apart from ``case`` (input validation and merging) so that triage, the interview and the
screening share one small, immutable view of the evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["AGE_MAX", "AgeRange", "Evidence", "close_absences"]

AGE_MAX = 120


@dataclass(frozen=True, slots=True)
class AgeRange:
    """The person's age as an interval: exact when stated, a band when only that was answered,
    [0, 120] when nothing is known."""

    lo: int = 0
    hi: int = AGE_MAX

    @classmethod
    def exactly(cls, age: int) -> AgeRange:
        return _EXACT[age] if 0 <= age <= AGE_MAX else cls(age, age)

    @property
    def known(self) -> bool:
        return (self.lo, self.hi) != (0, AGE_MAX)

    @property
    def exact(self) -> int | None:
        return self.lo if self.lo == self.hi else None

    def at_least(self, years: int) -> bool | None:
        """True, False, or None when the interval straddles ``years``."""
        if self.lo >= years:
            return True
        return False if self.hi < years else None

    def below(self, years: int) -> bool | None:
        if self.hi < years:
            return True
        return False if self.lo >= years else None


# Every exact age made once: a range is immutable, and a case needs one each time.
_EXACT = tuple(AgeRange(a, a) for a in range(AGE_MAX + 1))


@dataclass(frozen=True, slots=True)
class Evidence:
    """The rules' view of a case.

    ``known`` holds every finding known present or absent, whatever its origin (free text
    included: text pre-fills). ``confirmed`` holds those the person answered, logged in a diary,
    or that follow from such answers; rule exceptions read only these, so the reader's guess can
    never lower a level. ``unsure`` holds findings answered "not sure" and not otherwise known.
    """

    known: Mapping[str, bool] = field(default_factory=dict)
    confirmed: Mapping[str, bool] = field(default_factory=dict)
    unsure: frozenset[str] = frozenset()
    age: AgeRange = AgeRange()

    def present(self) -> set[str]:
        return {k for k, v in self.known.items() if v}


def close_absences(
    known: Mapping[str, bool], implied_by: Mapping[str, frozenset[str]]
) -> dict[str, bool]:
    """``known`` with what follows from its absences: without pain there is no sharp pain."""
    out = dict(known)
    for fid, present in known.items():
        if not present:
            for child in implied_by.get(fid, ()):
                out.setdefault(child, False)
    return out
