"""A cap on request body size and a read timeout, as a pure ASGI middleware (nothing buffered)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyTimeout", "BodyTooLarge"]


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit.

    An HTTPException, so FastAPI lets it through its body parsing untouched and the app's
    handler answers it (as problem details, or as the web pages' HTML error page).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the {limit:,} bytes accepted.")


class BodyTimeout(HTTPException):
    """Raised from ``receive`` when the next piece of a body does not come in time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            408, f"The request body did not arrive in time (nothing for {seconds:g} s)."
        )


class BodyLimit:
    """At most ``max_bytes`` a body (or a larger limit for the paths of ``larger``), each piece
    of it within ``timeout`` seconds of the last."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        timeout: float = 20.0,
        larger: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.larger = [(re.compile(pattern), limit) for pattern, limit in larger]

    def limit_for(self, path: str) -> int:
        return next((n for rx, n in self.larger if rx.fullmatch(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        limit, seen = self.limit_for(scope["path"]), 0
        too_large = declared.isdigit() and int(declared) > limit
        timeout, done = self.timeout, False

        async def counted() -> Message:
            # Raised where the app reads the body, so the app's own handlers answer (problem
            # JSON for the API, an HTML page for the web pages). A declared length over the
            # limit is refused before a byte is read; chunked bodies are counted as they come.
            nonlocal seen, done
            if too_large:
                raise BodyTooLarge(limit)
            if done:
                # The body is in: what follows is waiting for a disconnect, which has no limit.
                return await receive()
            try:
                # A deadline on this task, not wait_for's task of its own: cheaper per piece.
                async with asyncio.timeout(timeout):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout(timeout) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
                done = not message.get("more_body", False)
            else:
                done = True
            return message

        await self.app(scope, counted, send)
