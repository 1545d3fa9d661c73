"""The /v1 JSON routes and /healthz. Thin: validate, call the core, store, answer.

Where the work runs (measured with bench/http_bench.py): the core is pure CPU and takes well under
a millisecond for a structured case or a short text, and a write to a local SQLite file about
0.3 ms, so both run right on the event loop. A thread hop costs more than that, and under load the
GIL hand-offs it adds, some inside SQLite's write lock, cut throughput by more than half. Work
that can take longer goes to the thread pool: the core on long free text (about 50 ms at 10,000
characters), and every call to a database across a network (PostgreSQL).
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from functools import lru_cache
from typing import Annotated, Any, TypeVar, cast

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

import crepitus
from crepitus import kb
from crepitus.api._common import ERROR_TEXT, PRIVATE, errors, run, saves_of, store_of
from crepitus.api._schemas import (
    AssessmentOut,
    Health,
    InterviewStep,
    KnowledgeOut,
    LinkRenewed,
    ParseIn,
    ParseOut,
    StoredAssessmentOut,
    Understood,
)
from crepitus.engine.case import CaseIn
from crepitus.settings import private_link

__all__ = ["CASE_PATHS", "router"]

log = logging.getLogger("crepitus.api")
router = APIRouter()

#: Routes whose body is a case: their validation errors are named by the core's own checks.
#: Filled by ``_case_route`` as each such route is declared.
CASE_PATHS: set[str] = set()

_BODY_ERRORS = errors(400, 413, 415, 422)
_Route = TypeVar("_Route", bound=Callable[..., Any])


# The query strings the short path below reads itself; any other takes FastAPI's path.
_STORE_QUERY = {b"store=false": False, b"store=true": True}


class _CaseRoute(APIRoute):
    """A case route with a short path for the usual request: a JSON body that is a valid case,
    read and validated by pydantic in one step, and no query string but ``store``. Anything
    else (another content type, a bad body, other parameters) takes FastAPI's own path, so every
    error reads exactly as before. FastAPI's body and parameter handling took about 85-90 µs
    of every request (``bench/README.md``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        full = super().get_route_handler()
        endpoint = self.endpoint
        params = inspect.signature(endpoint).parameters
        wants_request, has_store = "request" in params, "store" in params

        async def handler(request: Request) -> Response:
            kwargs: dict[str, Any] = {}
            query = request.scope.get("query_string", b"")
            if query:
                if not has_store or query not in _STORE_QUERY:
                    return await full(request)
                kwargs["store"] = _STORE_QUERY[query]
            if not _json_body(request.scope):
                return await full(request)
            body = await request.body()  # kept by the request: FastAPI's path reads it again
            try:
                case = CaseIn.model_validate_json(body)
            except ValidationError:
                return await full(request)
            if wants_request:
                kwargs["request"] = request
            return cast(Response, await endpoint(case, **kwargs))

        return handler


def _json_body(scope: Mapping[str, Any]) -> bool:
    """Whether the request says its body is plain JSON (exactly ``application/json``)."""
    types = [v for k, v in scope.get("headers", ()) if k == b"content-type"]
    return types == [b"application/json"]


def _case_route(
    path: str, model: type[Any], summary: str, description: str
) -> Callable[[_Route], _Route]:
    """``router.post`` for a route whose body is a case (and listed in ``CASE_PATHS``)."""
    CASE_PATHS.add(path)

    def add(endpoint: _Route) -> _Route:
        router.add_api_route(
            path,
            endpoint,
            methods=["POST"],
            response_model=model,
            responses=_BODY_ERRORS,
            summary=summary,
            description=description,
            route_class_override=_CaseRoute,
        )
        return endpoint

    return add


#: Free text up to this many characters is read on the event loop (about a millisecond).
INLINE_TEXT = 1_000


def _quick(text: str | None) -> bool:
    return text is None or len(text) <= INLINE_TEXT


def _case_dict(case: CaseIn) -> dict[str, Any]:
    # What the client sent, as JSON types (dates as ISO strings), without filled-in defaults.
    return case.model_dump(mode="json", exclude_unset=True)


@_case_route(
    "/v1/assess",
    AssessmentOut,
    summary="Assess a case",
    description=(
        "Triage level with its reasons, the possible causes ranked, the evidence used and a care "
        "plan. A result whose red-flag screen is not complete is `provisional`; `screening` "
        "says which red flags were answered and lists those `to_ask`, ready to ask, and `scope` "
        "says whether the lower-back advice applies at all. Set `subject` to `other` for a "
        "case written about someone else. The assessment is stored and `token`/`link` give its "
        "private address; pass `?store=false` to skip storing (then both are null)."
    ),
)
async def post_assess(
    case: CaseIn,
    request: Request,
    store: Annotated[
        bool, Query(description="Store the assessment under a private token (default true)")
    ] = True,
) -> Response:
    # The core takes the parsed case as it is: validating it a second time would double the work.
    result = await run(_quick(case.text), crepitus.assess, case)
    # Serialised once: the same bytes are stored and sent, with the token and link added.
    body = orjson.dumps(result)
    token = None
    if store:
        token = await saves_of(request).save(_case_dict(case), result, body.decode())
    link = private_link(request, token) if token else None
    tail = orjson.dumps({"token": token, "link": link})
    return Response(body[:-1] + b"," + tail[1:], media_type="application/json", headers=PRIVATE)


@_case_route(
    "/v1/interview/next",
    InterviewStep,
    summary="The next interview question",
    description=(
        "Given everything known so far, what to ask next, or that it is time to stop. "
        "`question.kind` says how: `confirm` quotes the person's words about red flags (yes = "
        "present); `recheck` asks again, in concrete words, about a red flag answered 'not sure' "
        '(send the answer with `"recheck": true`, in place of the "not sure"); `age` asks for '
        "the age (send `age`, or answer the bands)."
    ),
)
async def post_next_question(case: CaseIn) -> Response:
    step = await run(_quick(case.text), crepitus.next_question, case)
    return JSONResponse(step, headers=PRIVATE)


@_case_route(
    "/v1/interview/understood",
    Understood,
    summary="What was read from the text, to check",
    description=(
        "Everything read from the case's `text` other than red flags (those are the `confirm` "
        "step of /v1/interview/next), as one question of kind `check`: each item's `read` is "
        "what the words said, to pre-fill as its answer, so that the person can correct what "
        "was misread; send the answers as evidence. `question` is null when nothing is left "
        "to check. The patient pages show it after the confirmation, never at an emergency."
    ),
)
async def post_understood(case: CaseIn) -> Response:
    question = await run(_quick(case.text), crepitus.understood, case)
    return JSONResponse({"question": question}, headers=PRIVATE)


def _demographics(text: str) -> dict[str, Any]:
    # Not part of the public API; used when the language package offers it.
    from crepitus import language

    read = getattr(language, "demographics", None)
    found = read(text) if callable(read) else None
    return dict(found) if isinstance(found, dict) else {}


@router.post(
    "/v1/parse",
    response_model=ParseOut,
    responses=_BODY_ERRORS,
    summary="Findings mentioned in free text",
    description="Each finding the text mentions, with its words, position and whether negated.",
)
async def post_parse(body: ParseIn) -> Response:
    return JSONResponse(await run(_quick(body.text), _parse, body.text))


def _parse(text: str) -> dict[str, Any]:
    return {"findings": crepitus.parse(text), "demographics": _demographics(text)}


@lru_cache(maxsize=2)
def _knowledge_json(knowledge: kb.KnowledgeBase) -> bytes:
    body = {
        "version": knowledge.version,
        "findings": [
            f.model_dump(include={"id", "group", "label", "question"})
            for f in knowledge.findings.values()
        ],
        "conditions": [
            c.model_dump(include={"id", "name", "explanation", "icd10"})
            for c in knowledge.conditions.values()
        ],
        "sources": [s.model_dump(exclude_none=True) for s in knowledge.sources.values()],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@router.get(
    "/v1/knowledge",
    response_model=KnowledgeOut,
    summary="The knowledge base in use",
    description="Its version, the findings (with the question asked), conditions and sources.",
)
async def get_knowledge() -> Response:
    return Response(_knowledge_json(kb.load()), media_type="application/json")


@router.get(
    "/v1/assessments/{token}",
    response_model=StoredAssessmentOut,
    responses=errors(404),
    summary="A stored assessment",
    description="The case and the assessment saved under a private token.",
)
async def get_assessment(token: str, request: Request) -> Response:
    db = store_of(request)
    stored = await run(db.local, db.get_assessment, token)
    if stored is None:
        raise HTTPException(404, "No assessment has this token.")
    body = {
        "token": stored.token,
        "created_at": stored.created_at.isoformat(),
        "expires_at": stored.expires_at.isoformat() if stored.expires_at else None,
        "knowledge_version": stored.knowledge_version,
        "level": stored.level,
        "case": stored.case,
        "result": stored.result,
    }
    return JSONResponse(body, headers=PRIVATE)


@router.post(
    "/v1/assessments/{token}/renew",
    response_model=LinkRenewed,
    responses=errors(404),
    summary="Renew a private link",
    description=(
        "Moves the link's expiry to the configured number of days from now (90 by default). "
        "An expired link cannot be renewed: it finds nothing."
    ),
)
async def renew_assessment(token: str, request: Request) -> Response:
    db = store_of(request)
    until = await run(db.local, db.renew_link, token)
    if until is None:
        raise HTTPException(404, "No assessment has this token.")
    return JSONResponse({"token": token, "expires_at": until.isoformat()}, headers=PRIVATE)


@router.delete(
    "/v1/assessments/{token}",
    status_code=204,
    response_class=Response,
    responses=errors(404),
    summary="Erase an assessment and its diary",
    description=(
        "Erases the stored case, its assessment and every diary entry behind the token, for "
        "good (also after the link has expired). Nothing can bring them back."
    ),
)
async def erase_assessment(token: str, request: Request) -> Response:
    db = store_of(request)
    if not await run(db.local, db.erase_assessment, token):
        raise HTTPException(404, "No assessment has this token.")
    return Response(status_code=204, headers=PRIVATE)


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": ERROR_TEXT[503]}},
    summary="Liveness and database check",
)
async def healthz(request: Request) -> Response:
    version = kb.load().version
    db = store_of(request)
    try:
        await run(db.local, db.ping)
    except Exception as exc:  # any failure means the same to a health check: not ready
        # One line, no traceback: an outage must not flood the log.
        log.warning("health check: the database does not answer (%s)", type(exc).__name__)
        body = {"status": "error", "knowledge_version": version, "database": "unavailable"}
        return JSONResponse(body, 503)
    return JSONResponse({"status": "ok", "knowledge_version": version, "database": "ok"})
