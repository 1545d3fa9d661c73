"""Run the service with uvicorn: ``crepitus serve`` calls :func:`serve`."""

from __future__ import annotations

import uvicorn

from crepitus.api._logs import log_config
from crepitus.settings import get_settings

__all__ = ["UVICORN_LIMITS", "serve"]

#: Connection limits, so that idle or half-open connections cannot pile up: an idle keep-alive
#: connection is closed after 5 s, a request head may hold at most 16 KiB (h11; httptools, used
#: when installed, has a fixed limit of its own), and past
#: ``CREPITUS_CONCURRENCY`` connections a worker answers 503 at once. A body that stalls is cut
#: off by the app (``CREPITUS_BODY_TIMEOUT``). uvicorn has no timeout for a slow request head:
#: run it behind a reverse proxy that has one (``deploy/``).
UVICORN_LIMITS = {
    "timeout_keep_alive": 5,
    "h11_max_incomplete_event_size": 16 * 1024,
    "timeout_graceful_shutdown": 10,
}


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API and the pages until interrupted. Each worker process builds its own app."""
    settings = get_settings()
    if workers > 1:
        _migrate(settings.database_url)
    print(f"crepitus is running at http://{host}:{port}", flush=True)
    uvicorn.run(
        # An import string and a factory, so every worker process builds its own app.
        "crepitus.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # Every record passes crepitus.api._logs.Redact: no token, no case text, as text or JSON.
        log_config=log_config(settings.log_format),
        # Access logs would record private result links (/r/TOKEN) in plain text; errors and
        # start-up messages are still logged.
        access_log=False,
        limit_concurrency=settings.concurrency,
        # Behind a reverse proxy on this machine, the client's address comes from it.
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        **UVICORN_LIMITS,  # type: ignore[arg-type]
    )


def _migrate(url: str) -> None:
    """Bring the database to the newest schema once, before the workers start: each then finds
    it migrated and never loads the migration tool. Any failure is left to the workers, which
    report it as they always have."""
    from crepitus.store import Store

    try:
        Store(url).close()
    except Exception:
        return
