"""The one exception type that every surface turns into a clear, specific message."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CaseError", "Problem"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where, what, and (when useful) what is allowed."""

    loc: str  # dotted path of the field, e.g. "evidence.3.id"; "" for the whole input
    msg: str  # plain sentence naming what was wrong and what is allowed
    type: str  # machine-readable kind, e.g. "unknown_id", "conflict", "type", "range"

    def __str__(self) -> str:
        return f"{self.loc}: {self.msg}" if self.loc else self.msg

    def as_dict(self) -> dict[str, str]:
        return {"loc": self.loc, "msg": self.msg, "type": self.type}


class CaseError(ValueError):
    """Invalid input. ``problems`` names every fault found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("CaseError needs at least one problem")
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @classmethod
    def one(cls, loc: str, msg: str, type: str) -> CaseError:
        return cls([Problem(loc, msg, type)])
