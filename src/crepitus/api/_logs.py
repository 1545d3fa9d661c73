"""Server logs with nothing private in them: no token, no case text, no SQL parameters.

:class:`Redact` is a logging filter: it replaces private tokens (43 URL-safe characters, as in
``/r/TOKEN``) in every message, and replaces a traceback by one whose lines carry no exception
text (an exception's message may quote what it was given). :func:`install` puts it on the loggers
the service writes to and silences SQLAlchemy's statement and row logging, which would print
bound parameters and rows at INFO and DEBUG. :class:`JsonFormatter` writes one JSON object a
line (``CREPITUS_LOG_FORMAT=json``).
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

__all__ = ["LOGGERS", "JsonFormatter", "Redact", "install", "redact", "safe_traceback"]

_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
REDACTED = "[token]"

#: Loggers whose records pass the filter (a logger's filters see only its own records).
LOGGERS = (
    "crepitus",
    "crepitus.api",
    "crepitus.web",
    "crepitus.store",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "fastapi",
    "starlette",
    "alembic",
    "alembic.runtime.migration",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.engine.Engine",
    "sqlalchemy.pool",
)


def redact(text: str) -> str:
    """``text`` with every private token replaced."""
    return _TOKEN.sub(REDACTED, text)


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def safe_traceback(exc_info: ExcInfo) -> str:
    """The traceback's frames and exception types, without any exception's message."""
    lines: list[str] = []
    seen: set[int] = set()
    exc: BaseException | None = exc_info[1]
    chain: list[BaseException] = []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    for i, e in enumerate(reversed(chain)):
        if i:
            lines.append("\nDuring handling, another exception occurred:\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(e.__traceback__))
        lines.append(f"{type(e).__module__}.{type(e).__qualname__} (message withheld)")
    return redact("".join(lines))


class Redact(logging.Filter):
    """Rewrites a record so that no handler can print a token or an exception's text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep only the template
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = safe_traceback(record.exc_info)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = Redact()


def install() -> None:
    """Filter every logger the service writes to; keep SQL statements and rows out of the log."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    # Statements and their parameters at INFO, rows at DEBUG: health data, never logged.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message (and a withheld traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info and record.exc_info[1] is not None:
            out["traceback"] = safe_traceback(record.exc_info)
        elif record.exc_text:
            out["traceback"] = redact(record.exc_text)
        return json.dumps(out, ensure_ascii=False)


def log_config(fmt: str) -> dict[str, Any]:
    """uvicorn's ``log_config``: every record through :class:`Redact`, as text or JSON."""
    formatter: dict[str, Any] = (
        {"()": "crepitus.api._logs.JsonFormatter"}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "crepitus.api._logs.Redact"}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
            "sqlalchemy.engine": {"level": "WARNING"},
        },
    }
