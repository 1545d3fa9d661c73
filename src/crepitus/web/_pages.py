"""What every patient page shares: the route class that turns any failure into a calm HTML
page, the shape of a private token, and where the app is mounted."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response

from crepitus.store import is_outage
from crepitus.web._render import error_page
from crepitus.web._seal import Expired
from crepitus.web._state import StateError

__all__ = ["TOKEN", "HtmlRoute", "root"]

log = logging.getLogger("crepitus.web")

# Tokens are URL-safe random strings; anything else cannot be ours, so skip the database.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


class HtmlRoute(APIRoute):
    """Turns every failure in a page route into a calm HTML page: no traceback reaches a user."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await inner(request)
            except HTTPException as exc:
                return error_page(request, exc.status_code)
            except Expired:
                return error_page(request, 410)
            except (RequestValidationError, StateError) as exc:
                # The type only: a message may quote what the person typed.
                log.info("refused page state (%s)", type(exc).__name__)
                return error_page(request, 400)
            except Exception as exc:
                if is_outage(exc):
                    raise  # the app's guard answers 503 with Retry-After, in one log line
                # The path has its token redacted and the traceback no exception text (_logs).
                log.exception("page %s failed", request.url.path)
                return error_page(request, 500)

        return handler


def root(request: Request) -> str:
    """Where the app is mounted ("" at the top)."""
    return str(request.scope.get("root_path", "")).rstrip("/")
