"""Jinja2 rendering for the pages, and the HTML error pages every failure ends in."""

from __future__ import annotations

import logging
from functools import lru_cache
from html import escape
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from crepitus import __version__
from crepitus.settings import Settings, emergency_numbers

__all__ = ["error_page", "render"]

log = logging.getLogger("crepitus.web")

# The pages load only our own stylesheet and one small script of ours (the diary's time zone,
# an enhancement: everything works without it); the policy makes that a guarantee.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # A private link must not leak to the sites of the sources we link to.
    "Referrer-Policy": "no-referrer",
}
# Pages that show someone's health data: out of shared caches and search engines.
PRIVATE_HEADERS = {
    **SECURITY_HEADERS,
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
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
    410: (
        "This page has expired",
        "For your privacy, the pages of an interview open for a day only. Nothing has been "
        "saved. Please start again; it only takes a few minutes.",
    ),
    413: (
        "That was too much to send at once",
        "Your description is longer than we can accept. Please go back, shorten it and try "
        "again. Nothing has been saved.",
    ),
    403: (
        "That form came from another site",
        "We only accept forms sent from this site's own pages. Nothing has been saved. Please "
        "open the page again from its address and try once more.",
    ),
    408: (
        "That took too long to arrive",
        "What you sent did not reach us in time. Nothing has been saved. Please try again.",
    ),
    415: (
        "Something went wrong with your answers",
        "What was sent was not a form from our pages, so we could not use it. Nothing has been "
        "saved. Please try again from the page.",
    ),
    429: (
        "Please slow down",
        "We have had a lot of requests from your connection in a short time. Please wait a "
        "minute and try again. Nothing you did is lost.",
    ),
    503: (
        "We cannot save or show results just now",
        "Our storage is not answering at the moment. Nothing you did caused it. Please try again "
        "in a minute or two.",
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


#: Without the app's settings (a page rendered outside the app), the default numbers.
DEFAULT_NUMBERS: str = Settings.model_fields["emergency_numbers"].default


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    private: bool = True,
    **context: Any,
) -> HTMLResponse:
    root = _root(request)
    settings = getattr(request.app.state, "settings", None)
    numbers = emergency_numbers(getattr(settings, "emergency_numbers", DEFAULT_NUMBERS))
    html = (
        _env()
        .get_template(template)
        .render(
            root=root,
            # What every emergency screen offers: call buttons, and where to find the nearest.
            emergency_numbers=numbers,
            find_emergency_url=getattr(settings, "find_emergency_url", None),
            # The version busts browser caches of the stylesheet after an upgrade.
            css_url=f"{root}/static/crepitus.css?v={__version__}",
            static_version=__version__,
            private=private,
            **context,
        )
    )
    base = PRIVATE_HEADERS if private else SECURITY_HEADERS
    return HTMLResponse(html, status_code=status_code, headers={**base, **(headers or {})})


# The last resort when even the error template fails: plain, self-contained, still kind.
_FALLBACK = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – crepitus</title></head>
<body><main><h1>{title}</h1><p>{text}</p><p><a href="/">Go to the start page</a></p></main></body>
</html>
"""


def error_page(request: Request, status_code: int, detail: str | None = None) -> HTMLResponse:
    """A calm HTML page for an error status; never shows internals, and never fails itself."""
    title, text = _ERRORS.get(status_code, _ERRORS[500 if status_code >= 500 else 400])
    try:
        return render(
            request,
            "error.html",
            status_code=status_code,
            title=title,
            text=detail or text,
            status=status_code,
        )
    except Exception:
        log.exception("the error page failed to render")
        html = _FALLBACK.format(title=escape(title), text=escape(detail or text))
        return HTMLResponse(html, status_code=status_code, headers=PRIVATE_HEADERS)
