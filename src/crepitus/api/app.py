"""The application factory: ``uvicorn crepitus.api.app:create_app --factory``.

It serves the JSON API (/v1, /healthz, /openapi.json, /docs) and, when the web package is
present, the patient pages and their static files.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

import crepitus
from crepitus import kb, startup_cache
from crepitus.api._diary import IMPORT_PATH, TOKEN_PATTERN, finding_id_schema
from crepitus.api._diary import router as diary_router
from crepitus.api._docs import install_docs
from crepitus.api._guard import Guard
from crepitus.api._limits import BodyLimit
from crepitus.api._logs import install as install_logging
from crepitus.api._problems import PROBLEM_MEDIA_TYPE, install_error_handlers
from crepitus.api._routes import CASE_PATHS
from crepitus.api._routes import router as api_router
from crepitus.api._saves import Saves
from crepitus.settings import Settings, get_settings
from crepitus.store import Store

__all__ = ["create_app"]

log = logging.getLogger("crepitus.api")

_DESCRIPTION = """\
Triage, possible causes and a care plan for a lower back that clicks, cracks or pops.

Errors are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem details
(`application/problem+json`); `errors` names every bad field with what is allowed.
"""


def _web() -> Any | None:
    """The web package, or None while it does not exist (the API works without it)."""
    try:
        return importlib.import_module("crepitus.web")
    except ImportError as exc:
        if exc.name != "crepitus.web":
            raise  # a fault inside the web package must not pass for its absence
        return None


def _warm_up() -> None:
    # A broken knowledge base or language pipeline stops the server here, not on the first
    # request; and the first case with text is not slowed by loading the language model.
    kb.load()
    case = {"age": 40, "text": "My lower back clicks when I bend."}
    crepitus.assess(case)  # builds every cache: compiled rules, the differential model, spaCy
    crepitus.next_question(case)
    # Everything built so far lives as long as the process: move it out of the collector's
    # sight, so that full collections stay short and do not stall requests (the p99).
    gc.collect()
    gc.freeze()
    _trim_heap()


def _trim_heap() -> None:
    """Give the memory freed while loading (the kept reader's pickle, start-up garbage) back to
    the system: glibc keeps it in the heap otherwise, about 5 MB of every worker. Elsewhere
    (no glibc) this does nothing."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            # FastAPI documents every response as application/json; problems are problem+json.
            problem = "#/components/schemas/ProblemDetails"
            for operation in (op for item in doc["paths"].values() for op in item.values()):
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if content.get("application/json", {}).get("schema", {}).get("$ref") == problem:
                        content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
            _tighten(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    return build


# FastAPI 0.16x looks up OpenTelemetry's tracer, meter and logger providers on every request to
# see whether to record it. crepitus configures none, and a request about someone's back is not
# sent to a collector unasked: recording is off, which spares each request the lookups.
_NO_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters
    else {}
)

_TOKEN_SCHEMA = {"type": "string", "minLength": 43, "maxLength": 43, "pattern": TOKEN_PATTERN}


def _tighten(doc: dict[str, Any]) -> None:
    """What the server refuses, the document refuses too: tokens of 43 URL-safe characters,
    entry ids from 1, finding ids from the knowledge base."""
    for item in doc["paths"].values():
        for operation in item.values():
            for param in operation.get("parameters", []):
                if param.get("in") != "path":
                    continue
                if param["name"] == "token":
                    param["schema"] = {**param["schema"], **_TOKEN_SCHEMA}
                elif param["name"] == "entry_id":
                    param["schema"] = {**param["schema"], "minimum": 1, "maximum": 2**31 - 1}
    evidence = doc.get("components", {}).get("schemas", {}).get("EvidenceIn")
    if evidence is not None:
        evidence["properties"]["id"].update(finding_id_schema())
    diary = doc.get("components", {}).get("schemas", {}).get("DiaryEntryIn")
    if diary is not None:
        diary["properties"]["findings"]["items"] = finding_id_schema()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app; ``settings`` default to the ``CREPITUS_*`` environment."""
    settings = settings or get_settings()
    # Every worker loads the kept reader instead of building its own (a start, a restart).
    startup_cache.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _warm_up()
        app.state.store = Store(settings.database_url, link_days=settings.link_days)
        app.state.saves = Saves(app.state.store)
        # Expired links find nothing already; their data goes for good at each start.
        erased = app.state.store.erase_expired()
        if erased:
            log.info("erased %d assessments whose private links had expired", erased)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="crepitus",
        version=crepitus.__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        redoc_url=None,
        docs_url=None,  # served from packaged assets below, not from a CDN
        **_NO_TELEMETRY,
    )
    install_logging()
    app.state.settings = settings
    app.include_router(api_router)
    app.include_router(diary_router)

    web = _web()
    error_page: Callable[[Request, int], Response] | None = None
    if web is not None:
        router = getattr(web, "router", None)
        if isinstance(router, APIRouter):
            app.include_router(router)
        error_page = getattr(web, "error_page", None)
        static = Path(str(resources.files("crepitus") / "web" / "static"))
        if static.is_dir():
            app.mount("/static", StaticFiles(directory=static), name="static")

    install_docs(app)
    install_error_handlers(app, CASE_PATHS, error_page)
    # A diary's own export must import back: its route takes a body sized for a full diary.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        timeout=settings.body_timeout,
        larger=[(IMPORT_PATH, max(settings.max_import_bytes, settings.max_body_bytes))],
    )
    # Outermost of ours: refusals (403, 415, 429) before a byte of the body is read.
    app.add_middleware(Guard, settings=settings, html_error_page=error_page)
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    return app
