"""What the /v1 route modules share: response headers, documented errors, the store, and where
the work runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from crepitus.api._problems import ProblemDetails
from crepitus.api._saves import Saves
from crepitus.store import Store

__all__ = ["ERROR_TEXT", "PRIVATE", "errors", "run", "saves_of", "store_of"]

P = ParamSpec("P")
R = TypeVar("R")

# Results are health data: keep them out of shared caches.
PRIVATE = {"Cache-Control": "no-store"}

ERROR_TEXT = {
    400: "The body is not valid JSON (or is empty)",
    404: "Nothing has this token",
    413: "The body is larger than the configured limit (64,000 bytes by default)",
    415: "The body was not sent as application/json",
    422: "The content is invalid; `errors` names every bad field",
    503: "The database does not answer",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these problem statuses."""
    return {c: {"model": ProblemDetails, "description": ERROR_TEXT[c]} for c in codes}


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def saves_of(request: Request) -> Saves:
    """Where a route saves an assessment: grouped with the other saves of its loop's turn."""
    saves: Saves = request.app.state.saves
    return saves


async def run(inline: bool, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Call ``fn`` right here (quick work) or in the thread pool (work that can take longer)."""
    return fn(*args, **kwargs) if inline else await run_in_threadpool(fn, *args, **kwargs)
