"""The contract's size limits, written once: the core checks them, the surfaces tell people."""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_ACTIVITY", "MAX_NOTE", "MAX_TEXT"]

#: The longest free text read, in characters.
MAX_TEXT: Final = 10_000
#: A diary entry's activity and note, in characters.
MAX_ACTIVITY: Final = 200
MAX_NOTE: Final = 2_000
