"""Stored results written together: the saves one turn of the event loop asks for, one commit.

On SQLite a save runs right on the event loop (``Store.local``). The requests a worker has in
hand all reach their save within one turn of the loop, so each one queues its save and the
first schedules a single write for the end of that turn. A request still gets its answer only
after its own row is committed: nothing is answered that was not stored. A write of several rows
that fails is tried again row by row, so every request gets its own outcome (one unstorable
result fails only its own request; an outage fails each one as it always did).

Elsewhere (PostgreSQL), each save goes to the thread pool on its own, as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.concurrency import run_in_threadpool

from crepitus.store import Store

__all__ = ["Saves"]

_Waiting = tuple[dict[str, Any], dict[str, Any], str | None, "asyncio.Future[str]"]


class Saves:
    """Saves of stored assessments for one store, grouped by event-loop turn (see module)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # By loop: a test client runs its own; a server's worker has one.
        self._waiting: dict[asyncio.AbstractEventLoop, list[_Waiting]] = {}

    async def save(self, case: dict[str, Any], result: dict[str, Any], result_json: str) -> str:
        """Store one assessment and return its private token, once it is committed."""
        store = self.store
        if not store.local:
            token: str = await run_in_threadpool(
                store.save_assessment, case, result, result_json=result_json
            )
            return token
        loop = asyncio.get_running_loop()
        waiting = self._waiting.setdefault(loop, [])
        if not waiting:
            loop.call_soon(self._write, loop)
        future: asyncio.Future[str] = loop.create_future()
        waiting.append((case, result, result_json, future))
        return await future

    def _write(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._waiting.pop(loop, [])
        try:
            self._write_batch(batch)
        finally:
            # Whatever stopped the writing (an interrupt), no request is left waiting for ever.
            for *_, future in batch:
                if not future.done():
                    future.set_exception(RuntimeError("the assessment was not stored"))

    def _write_batch(self, batch: list[_Waiting]) -> None:
        if len(batch) > 1:
            try:
                tokens = self.store.save_assessments([item[:3] for item in batch])
            except Exception:  # each row is tried on its own below
                pass
            else:
                for token, item in zip(tokens, batch, strict=True):
                    _settle(item[3], token)
                return
        for case, result, result_json, future in batch:
            try:
                token = self.store.save_assessment(case, result, result_json=result_json)
            except Exception as exc:  # handed to the request that waits for it
                if not future.done():
                    future.set_exception(exc)
            else:
                _settle(future, token)


def _settle(future: asyncio.Future[str], token: str) -> None:
    # A request cancelled while it waited no longer wants the token; its row stays stored.
    if not future.done():
        future.set_result(token)
