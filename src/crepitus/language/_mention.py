"""One reading of a finding in the text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mention:
    fid: str
    kind: str  # term, family, absent, deny, cued, derived
    start: int  # the phrase itself, token indices [start, end)
    end: int
    assertion: str = "affirmed"
    present: bool | None = True
    lo: int = -1  # the span shown for it (the phrase with its anchor); -1 = the phrase
    hi: int = -1

    @property
    def shown(self) -> tuple[int, int]:
        return (self.start if self.lo < 0 else self.lo, self.end if self.hi < 0 else self.hi)
