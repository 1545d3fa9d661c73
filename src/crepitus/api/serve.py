"""Run the service with uvicorn: ``crepitus serve`` calls :func:`serve`."""

from __future__ import annotations

import uvicorn

__all__ = ["serve"]


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API and the pages until interrupted. Each worker process builds its own app."""
    print(f"crepitus is running at http://{host}:{port}", flush=True)
    uvicorn.run(
        # An import string and a factory, so every worker process builds its own app.
        "crepitus.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # Access logs would record private result links (/r/TOKEN) in plain text; errors and
        # start-up messages are still logged.
        access_log=False,
    )
