"""One ASGI middleware for what every response needs, whatever route answers it.

- ``X-Content-Type-Options: nosniff`` on every response, and a Content-Security-Policy on every
  HTML one that has none of its own;
- HEAD wherever GET is allowed (answered as GET, without the body);
- web form posts from another site refused (403: ``Origin`` or ``Sec-Fetch-Site``), and a body
  without the right Content-Type refused (415);
- rate limits per client address on writes and on private-token lookups (``limits``), 429 with
  Retry-After;
- a database that does not answer is a 503 with Retry-After and one log line; any other failure
  a 500 whose log carries no exception text (see ``_logs``). No traceback reaches a client.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crepitus.api._logs import redact
from crepitus.api._problems import problem_response
from crepitus.errors import Problem
from crepitus.settings import Settings
from crepitus.store import is_outage

__all__ = ["DEFAULT_CSP", "RETRY_AFTER_OUTAGE", "Guard"]

log = logging.getLogger("crepitus.api")

#: For HTML without a policy of its own: no script, our stylesheet, images inline or ours.
DEFAULT_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
#: Seconds a client is asked to wait while the database does not answer.
RETRY_AFTER_OUTAGE = 30

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_LOOKUP = re.compile(r"/(?:r|v1/assessments|v1/diary)/[^/]+(?:/.*)?")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

HtmlErrorPage = Callable[[Request, int], Response]


def _api(path: str) -> bool:
    return path.startswith("/v1/") or path in {"/healthz", "/openapi.json"} or path == "/docs"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class _Limiter:
    def __init__(self, writes: str, lookups: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._items: dict[str, list[RateLimitItem]] = {
            kind: [] if rate == "off" else parse_many(rate)
            for kind, rate in (("write", writes), ("lookup", lookups))
        }

    def retry_after(self, kind: str, client: str) -> int | None:
        """None if this request may go on, else the seconds until it may."""
        for item in self._items[kind]:
            if not self._limiter.hit(item, kind, client):
                stats = self._limiter.get_window_stats(item, kind, client)
                return max(1, math.ceil(stats.reset_time - time.time()))
        return None


class Guard:
    def __init__(
        self, app: ASGIApp, settings: Settings, html_error_page: HtmlErrorPage | None = None
    ) -> None:
        self.app = app
        self.html_error_page = html_error_page
        self.base_origin = _origin(settings.base_url) if settings.base_url else None
        self.limiter = _Limiter(settings.rate_writes, settings.rate_lookups)

    def _answer(
        self,
        scope: Scope,
        status: int,
        detail: str,
        problem: Problem | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        headers = headers or {}
        accept = Headers(scope=scope).get("accept", "")
        if self.html_error_page is not None and not _api(scope["path"]) and "text/html" in accept:
            page = self.html_error_page(Request(scope), status)
            page.headers.update(headers)
            return page
        return problem_response(status, detail, [problem] if problem else [], headers)

    def _same_origin(self, scope: Scope, headers: Headers) -> bool:
        """Whether a form post comes from this site's own pages.

        A browser's ``Sec-Fetch-Site`` decides when sent (pages answer with
        ``Referrer-Policy: no-referrer``, under which Chromium sends ``Origin: null`` even for
        the site's own forms); otherwise ``Origin`` must be this site's: CREPITUS_BASE_URL's
        origin when set, else the one the request was made to. No header (not a browser): let
        through.
        """
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site in {"same-origin", "none"}
        origin = headers.get("origin")
        if origin is None or origin == "null":
            return True
        allowed = self.base_origin or _origin(
            f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        )
        return origin.lower() == allowed

    def _refusal(self, scope: Scope) -> Response | None:
        """A 403, 415 or 429 for a request that must not reach the app, else None."""
        method, path = scope["method"], scope["path"]
        headers = Headers(scope=scope)
        web = not _api(path) and not path.startswith("/static/")
        if method in _WRITES and web and not self._same_origin(scope, headers):
            return self._answer(scope, 403, "Forms are accepted only from this site.")
        if method in _WRITES:
            length = headers.get("content-length", "")
            has_body = (length.isdigit() and int(length) > 0) or "transfer-encoding" in headers
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            if has_body and web and media not in _FORMS:
                return self._answer(scope, 415, "Send the form as a web form.")
            if has_body and not web and not media:
                problem = Problem("", "send JSON, with Content-Type: application/json", "media")
                return self._answer(scope, 415, "The request body must be JSON.", problem)
        kind = "write" if method in _WRITES else "lookup" if _LOOKUP.fullmatch(path) else None
        if kind is not None:
            client = scope.get("client")
            wait = self.limiter.retry_after(kind, client[0] if client else "-")
            if wait is not None:
                problem = Problem("", f"too many requests; try again in {wait} s", "rate_limit")
                return self._answer(
                    scope,
                    429,
                    f"Too many requests from this address: try again in {wait} seconds.",
                    problem,
                    {"Retry-After": str(wait)},
                )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        started = False

        async def guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, guarded)
            return
        try:
            await self.app(scope, receive, guarded)
        except Exception as exc:
            where = f"{scope['method']} {redact(scope['path'])}"
            if is_outage(exc):
                log.warning("database unavailable (%s) on %s", type(exc).__name__, where)
                answer = self._answer(
                    scope,
                    503,
                    "The service cannot reach its database just now. Please try again shortly.",
                    headers={"Retry-After": str(RETRY_AFTER_OUTAGE)},
                )
            else:
                log.error("request failed: %s", where, exc_info=True)
                answer = self._answer(
                    scope, 500, "Something went wrong on our side. Please try again later."
                )
            if started:
                return  # the answer was under way; the log line says what happened
            await answer(scope, receive, guarded)
