"""The symptom diary over HTTP: /v1/diary/{token}, behind the assessment's private token.

Bodies are read here rather than by FastAPI's model binding, so that every bad entry is named by
the core in the contract's words and by where it sits in the body (``entries.3.pain``, or just
``pain`` for one entry sent alone), and so that nothing reaches the store before all of it is
checked. The OpenAPI document still describes each body (``openapi_extra``).

The work runs in the thread pool: a diary may hold thousands of entries, and the stored case may
carry free text for the language reader.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from crepitus import diary, kb
from crepitus.api._common import PRIVATE, errors, store_of
from crepitus.api._problems import problem_response
from crepitus.api._schemas import DiaryAdded, DiaryExport, DiaryOut
from crepitus.engine.case import DiaryEntryIn
from crepitus.errors import CaseError, Problem
from crepitus.store import AddedEntries, Store

__all__ = ["IMPORT_PATH", "TOKEN_PATTERN", "finding_id_schema", "router"]

router = APIRouter(prefix="/v1/diary", tags=["diary"])

_NOT_FOUND = "No assessment has this token."

#: The import route, whose body limit is CREPITUS_MAX_IMPORT_BYTES (a whole diary's export).
IMPORT_PATH = r"/v1/diary/[^/]+/import"


#: A private token as the store makes them (the schema says so; the server answers 404).
TOKEN_PATTERN = "^[A-Za-z0-9_-]{43}$"


def finding_id_schema() -> dict[str, Any]:
    """A finding id of the knowledge base in use: the server refuses any other."""
    return {"type": "string", "minLength": 1, "enum": sorted(kb.load().findings)}


def _entry_schema() -> dict[str, Any]:
    schema = DiaryEntryIn.model_json_schema()
    schema["properties"]["findings"]["items"] = finding_id_schema()
    # The core reads any ISO 8601 time and assumes UTC without a zone, which is wider than
    # JSON Schema's RFC 3339 "date-time"; the description says what is accepted.
    schema["properties"]["at"].pop("format", None)
    schema.pop("title", None)
    return schema


def _body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


_ENTRY = _entry_schema()
_ENTRIES_BODY = _body(
    {
        "anyOf": [
            _ENTRY,
            {
                "type": "object",
                "properties": {"entries": {"type": "array", "items": _ENTRY, "minItems": 1}},
                "required": ["entries"],
                "additionalProperties": False,
            },
        ]
    },
    'One diary entry, or several as {"entries": [...]}',
)
_IMPORT_BODY = _body(
    {
        "type": "object",
        "properties": {
            "version": {"const": 1},
            "exported_at": {"type": "string"},
            "entries": {"type": "array", "items": _ENTRY},
        },
        "required": ["entries"],
        "additionalProperties": False,
    },
    "A diary export, as GET .../export.json gives it",
)


class _BadBody(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


async def _json(request: Request) -> Any:
    """The body as JSON, or _BadBody with the problem answer (400 or 415)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        problem = Problem("", "send JSON, with Content-Type: application/json", "media")
        raise _BadBody(problem_response(415, "The request body must be JSON.", [problem]))
    raw = await request.body()
    if not raw.strip():
        problem = Problem("", "the request has no body; send a JSON object", "missing")
        raise _BadBody(problem_response(400, "The request body is empty.", [problem]))
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        where = f" at character {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else "it cannot be read"
        problem = Problem("", f"the body is not valid JSON: {why}{where}", "json")
        answer = problem_response(400, "The request body is not valid JSON.", [problem])
        raise _BadBody(answer) from None


def _invalid(error: CaseError) -> Response:
    problems = error.problems
    n = len(problems)
    listed = "; ".join(str(p) for p in problems)
    detail = f"The diary entries have {n} problem{'s' * (n != 1)}: {listed}"
    return problem_response(422, detail, problems)


def _added(result: AddedEntries, status: int) -> Response:
    body = {
        "added": [e.as_dict() for e in result.added],
        "skipped": result.skipped,
        "total": result.total,
    }
    return JSONResponse(body, status, headers=PRIVATE)


def _split(data: Any) -> tuple[list[Any], str]:
    """(entries, how their fields are named) from one entry or ``{"entries": [...]}``."""
    if not (isinstance(data, dict) and "entries" in data):
        return [data], ""
    problems = [
        Problem(str(k), "is not a field this accepts", "extra_forbidden")
        for k in data
        if k != "entries"
    ]
    entries = data["entries"]
    if not isinstance(entries, list):
        problems.append(Problem("entries", "must be a list of diary entries", "list_type"))
    elif not entries:
        problems.append(Problem("entries", "must hold at least one entry", "too_short"))
    if problems:
        raise CaseError(problems)
    return entries, "entries"


def _add(db: Store, token: str, data: Any, importing: bool) -> AddedEntries | None:
    try:
        if importing:
            return diary.import_entries(db, token, data)
        entries, prefix = _split(data)
        return diary.add_entries(db, token, entries, prefix)
    except CaseError:
        # A wrong token is a 404 whatever the body holds: the token is checked first in effect.
        if not db.diary_exists(token):
            return None
        raise


def _view(db: Store, token: str) -> dict[str, Any] | None:
    kept = db.diary(token)
    if kept is None:
        return None
    assessed = diary.assess_with_diary(kept)
    return {
        "entries": [e.as_dict() for e in kept.entries],
        "trends": assessed.trends,
        "assessment": assessed.result,
    }


@router.get(
    "/{token}",
    response_model=DiaryOut,
    responses=errors(404),
    summary="A symptom diary, its trends and the triage with it",
    description=(
        "Every entry of the diary behind an assessment's private token (oldest first), the "
        "trends in it, and the stored case assessed again with the whole diary: a red flag "
        "logged in the diary, pain rising by the minimal important change or clicking spreading "
        "into daily life all show in `assessment.triage`."
    ),
)
async def get_diary(token: str, request: Request) -> Response:
    body = await run_in_threadpool(_view, store_of(request), token)
    if body is None:
        raise HTTPException(404, _NOT_FOUND)
    return JSONResponse(body, headers=PRIVATE)


@router.post(
    "/{token}/entries",
    status_code=201,
    response_model=DiaryAdded,
    responses=errors(400, 404, 413, 415, 422),
    openapi_extra=_ENTRIES_BODY,
    summary="Add diary entries",
    description=(
        'One entry, or several as `{"entries": [...]}`. All are checked first (a pain score '
        "outside 0-10, a time in the future or not ISO 8601, an unknown finding id); one bad "
        "entry and nothing is saved, and `errors` names each bad field, e.g. `entries.2.pain`."
    ),
)
async def post_entries(token: str, request: Request) -> Response:
    return await _write(token, request, importing=False)


@router.post(
    "/{token}/import",
    response_model=DiaryAdded,
    responses=errors(400, 404, 413, 415, 422),
    openapi_extra=_IMPORT_BODY,
    summary="Import a diary export",
    description=(
        "The JSON that `export.json` gives, all or nothing. Entries the diary already holds are "
        "skipped, so importing the same file twice adds it once."
    ),
)
async def post_import(token: str, request: Request) -> Response:
    return await _write(token, request, importing=True)


async def _write(token: str, request: Request, importing: bool) -> Response:
    db = store_of(request)
    try:
        data = await _json(request)
    except _BadBody as bad:
        return bad.response
    try:
        result = await run_in_threadpool(_add, db, token, data, importing)
    except CaseError as exc:
        return _invalid(exc)
    if result is None:
        raise HTTPException(404, _NOT_FOUND)
    return _added(result, 200 if importing else 201)


@router.delete(
    "/{token}/entries/{entry_id}",
    status_code=204,
    response_class=Response,
    responses=errors(404, 422),
    summary="Delete a diary entry",
    description="Entries that came with the assessment itself (id null) cannot be deleted.",
)
async def delete_entry(token: str, entry_id: int, request: Request) -> Response:
    db = store_of(request)
    if not await run_in_threadpool(db.delete_diary_entry, token, entry_id):
        raise HTTPException(404, "This diary has no entry with that id.")
    return Response(status_code=204, headers=PRIVATE)


async def _download(request: Request, token: str, fmt: Literal["json", "csv"]) -> Response:
    kept = await run_in_threadpool(store_of(request).diary, token)
    if kept is None:
        raise HTTPException(404, _NOT_FOUND)
    file = diary.export(kept.entries, fmt)
    headers = {**PRIVATE, "Content-Disposition": f'attachment; filename="{file.filename}"'}
    return Response(file.body, media_type=file.media_type, headers=headers)


@router.get(
    "/{token}/export.json",
    response_model=DiaryExport,
    responses=errors(404),
    summary="Export the diary as JSON",
    description="Every entry, oldest first, in the shape `import` reads back.",
)
async def export_diary_json(token: str, request: Request) -> Response:
    return await _download(request, token, "json")


@router.get(
    "/{token}/export.csv",
    response_class=Response,
    responses={
        200: {
            "description": "Columns at, pain, sound, activity, findings (ids, ';'), note",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **errors(404),
    },
    summary="Export the diary as CSV",
    description="Every entry, oldest first, one row each, for a spreadsheet.",
)
async def export_diary_csv(token: str, request: Request) -> Response:
    return await _download(request, token, "csv")
