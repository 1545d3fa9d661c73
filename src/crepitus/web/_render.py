"""Jinja2 rendering for the pages, and the HTML error pages every failure ends in."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from crepitus import __version__

__all__ = ["error_page", "render"]

# Pages show health data; keep them out of shared caches and search engines.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_ERRORS: dict[int, tuple[str, str]] = {
    400: (
        "Something went wrong with your answers",
        "The information sent from the page was not what we expected, so we could not use it. "
        "Nothing has been saved. Please start again; it only takes a few minutes.",
    ),
    404: (
        "Page not found",
        "There is nothing at this address. If you followed a private link to a result, check "
        "that you copied all of it.",
    ),
    405: (
        "Page not found",
        "There is nothing at this address. Please start from the home page.",
    ),
    500: (
        "Sorry, something went wrong on our side",
        "We could not finish that. Nothing you did caused it. Please try again in a moment.",
    ),
}


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("crepitus.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a misspelt variable fails in the tests, not silently
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    root = _root(request)
    html = (
        _env()
        .get_template(template)
        .render(
            root=root,
            # The version busts browser caches of the stylesheet after an upgrade.
            css_url=f"{root}/static/crepitus.css?v={__version__}",
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code, headers={**PRIVATE_HEADERS, **(headers or {})})


def error_page(request: Request, status_code: int, detail: str | None = None) -> HTMLResponse:
    """A calm HTML page for an error status; never shows internals."""
    title, text = _ERRORS.get(status_code, _ERRORS[500 if status_code >= 500 else 400])
    return render(
        request,
        "error.html",
        status_code=status_code,
        title=title,
        text=detail or text,
        status=status_code,
    )
