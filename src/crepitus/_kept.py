"""One thing built once per process that an adapter may keep between processes.

The core reads and writes nothing itself: an adapter (``crepitus.startup_cache``) hands in a
``load`` that returns a kept one (or None) and a ``save`` for a freshly built one. Anything
``load`` returns that is not of the expected type is ignored, so a foreign or stale file can
never stand in for the real thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Kept"]

T = TypeVar("T")


class Kept(Generic[T]):
    def __init__(self, kind: type[T]) -> None:
        self._kind = kind
        self._hooks: tuple[Callable[[], object | None], Callable[[T], None]] | None = None

    def use(self, load: Callable[[], object | None], save: Callable[[T], None]) -> None:
        self._hooks = (load, save)

    def kept(self) -> T | None:
        """What the adapter kept, if it is of the right type."""
        found = self._hooks[0]() if self._hooks is not None else None
        return found if isinstance(found, self._kind) else None

    def get(self, build: Callable[[], T]) -> T:
        """The kept one, or one built now (and handed to the adapter to keep)."""
        found = self.kept()
        if found is not None:
            return found
        built = build()
        if self._hooks is not None:
            self._hooks[1](built)
        return built
