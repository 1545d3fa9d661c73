"""RFC 9457 problem details for every failure, and the handlers that produce them.

Every error the service answers has the same shape, so a client needs one code path. Nothing from
an exception (its text, its traceback, a file path) ever reaches a response: the 500 handler
answers a fixed sentence and leaves the details to the server log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from crepitus.engine.case import problem_from, validate_case
from crepitus.errors import CaseError, Problem

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "FieldProblem",
    "ProblemDetails",
    "install_error_handlers",
    "problem_response",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"

HtmlErrorPage = Callable[[Request, int], Response]


class FieldProblem(BaseModel):
    loc: str = Field(description="Dotted path of the field, e.g. 'evidence.3.id'; '' = the body")
    msg: str = Field(description="What is wrong and what is allowed, in plain words")
    type: str = Field(description="Machine-readable kind, e.g. 'unknown_id', 'int_type'")


class ProblemDetails(BaseModel):
    """An error, as RFC 9457 problem details (media type application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = Field(default_factory=list, description="Every bad field")


def problem_response(
    status: int,
    detail: str,
    problems: Iterable[Problem] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": [p.as_dict() for p in problems],
    }
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _invalid(problems: Sequence[Problem], what: str) -> JSONResponse:
    n = len(problems)
    listed = "; ".join(str(p) for p in problems)
    return problem_response(422, f"The {what} has {n} problem{'s' * (n != 1)}: {listed}", problems)


def _strip_body(err: Mapping[str, Any]) -> dict[str, Any]:
    # FastAPI prefixes "body" (or "query", ...); a body field is named as in the contract.
    loc = tuple(err["loc"])
    return {**err, "loc": loc[1:] if loc[:1] == ("body",) else loc}


def install_error_handlers(
    app: FastAPI, case_paths: AbstractSet[str], html_error_page: HtmlErrorPage | None = None
) -> None:
    """Answer every failure as problem details; ``case_paths`` are the routes whose body is a case.

    ``html_error_page``, if given, renders errors for browsers on paths outside the API.
    """

    def wants_html(request: Request) -> bool:
        path = request.url.path
        api = path.startswith("/v1/") or path in {"/healthz", "/openapi.json", "/docs"}
        return (
            html_error_page is not None
            and not api
            and "text/html" in request.headers.get("accept", "")
        )

    async def on_case_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CaseError)
        return _invalid(exc.problems, "case")

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        bad_json = next((e for e in errors if e["type"] == "json_invalid"), None)
        if bad_json is not None:
            where = bad_json["loc"][-1]
            why = bad_json.get("ctx", {}).get("error", "invalid JSON")
            problem = Problem("", f"the body is not valid JSON: {why} at character {where}", "json")
            return problem_response(400, "The request body is not valid JSON.", [problem])
        if isinstance(exc.body, bytes):
            # FastAPI hands over raw bytes when the Content-Type is not JSON.
            problem = Problem("", "send JSON, with Content-Type: application/json", "media")
            return problem_response(415, "The request body must be JSON.", [problem])
        if any(e["type"] == "missing" and tuple(e["loc"]) == ("body",) for e in errors):
            problem = Problem("", "the request has no body; send a JSON object", "missing")
            return problem_response(400, "The request body is empty.", [problem])
        if request.url.path in case_paths:
            # The core names every problem of a case (types, ranges, unknown ids with a
            # suggestion, conflicts) in the same words as the command line.
            try:
                validate_case(exc.body)
            except CaseError as case_error:
                query = [problem_from(e) for e in errors if e["loc"][:1] != ("body",)]
                return _invalid([*case_error.problems, *query], "case")
        return _invalid([problem_from(_strip_body(e)) for e in errors], "request")

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if html_error_page is not None and wants_html(request):
            return html_error_page(request, exc.status_code)
        unreadable = _unreadable_body(exc)
        if unreadable is not None:
            return problem_response(400, "The request body could not be read.", [unreadable])
        status, phrase = exc.status_code, HTTPStatus(exc.status_code).phrase
        detail = str(exc.detail) if exc.detail != phrase else _DETAILS.get(status, phrase)
        headers = exc.headers
        if status == 405:
            # Starlette names the methods of the first route on the path only; one path can have
            # several (GET and DELETE of an assessment).
            headers = {**(headers or {}), "Allow": _allowed(request)}
        return problem_response(status, detail, [], headers)

    async def on_crash(request: Request, exc: Exception) -> Response:
        # Starlette re-raises the exception after this answer, so the server logs it in full;
        # the client learns only that it failed.
        if html_error_page is not None and wants_html(request):
            return html_error_page(request, 500)
        return problem_response(500, "Something went wrong on our side. Please try again later.")

    app.add_exception_handler(CaseError, on_case_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_crash)


def _unreadable_body(exc: HTTPException) -> Problem | None:
    """What FastAPI's "error parsing the body" was: JSON that Python refuses to read."""
    if exc.status_code != 400 or exc.__cause__ is None:
        return None
    cause = exc.__cause__
    if isinstance(cause, RecursionError):
        msg = "lists or objects are nested too deeply to read (a case is a few levels deep)"
        return Problem("", msg, "json_depth")
    if isinstance(cause, ValueError) and "digits" in str(cause):
        msg = "a number in it is too long (at most 4,300 digits)"
        return Problem("", msg, "json_number")
    return Problem("", f"the body could not be read as JSON ({type(cause).__name__})", "json")


def _allowed(request: Request) -> str:
    """Every method some route accepts at the request's path."""
    path = request.url.path
    methods: set[str] = set()

    def walk(routes: Iterable[Any]) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)  # an included router
            if inner is not None:
                walk(inner.routes)
            elif getattr(route, "methods", None) and route.path_regex.match(path):
                methods.update(route.methods)

    walk(request.app.router.routes)
    return ", ".join(sorted(methods))


_DETAILS = {
    404: "There is nothing at this address.",
    405: "This address does not accept that method; the Allow header lists those it does.",
}
