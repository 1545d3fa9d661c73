"""A cap on request body size, as a pure ASGI middleware (nothing buffered)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyTooLarge"]


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit.

    An HTTPException, so FastAPI lets it through its body parsing untouched and the app's
    handler answers it (as problem details, or as the web pages' HTML error page).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the {limit:,} bytes accepted.")


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        limit, seen = self.max_bytes, 0
        too_large = declared.isdigit() and int(declared) > limit

        async def counted() -> Message:
            # Raised where the app reads the body, so the app's own handlers answer (problem
            # JSON for the API, an HTML page for the web pages). A declared length over the
            # limit is refused before a byte is read; chunked bodies are counted as they come.
            nonlocal seen
            if too_large:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)
