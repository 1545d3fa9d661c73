"""Run the service with uvicorn: ``crepitus serve`` calls :func:`serve`."""

from __future__ import annotations

import contextlib
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from crepitus.api._logs import log_config
from crepitus.settings import get_settings

__all__ = ["UVICORN_LIMITS", "ServeError", "WorkerSocket", "serve"]

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


#: The app factory every worker runs.
APP = "crepitus.api.app:create_app"
#: Whether each worker listens on a socket of its own (Linux: the kernel spreads connections).
WORKER_SOCKETS = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API and the pages until interrupted. Each worker process builds its own app."""
    settings = get_settings()
    if workers > 1:
        _migrate(settings.database_url)
    print(f"crepitus is running at http://{host}:{port}", flush=True)
    options: dict[str, Any] = {
        # An import string and a factory, so every worker process builds its own app.
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": "info",
        # Every record passes crepitus.api._logs.Redact: no token, no case text, as text or JSON.
        "log_config": log_config(settings.log_format),
        # Access logs would record private result links (/r/TOKEN) in plain text; errors and
        # start-up messages are still logged.
        "access_log": False,
        "limit_concurrency": settings.concurrency,
        # Behind a reverse proxy on this machine, the client's address comes from it.
        "proxy_headers": True,
        "forwarded_allow_ips": "127.0.0.1",
        **UVICORN_LIMITS,
    }
    if workers > 1 and WORKER_SOCKETS:
        try:
            sock = WorkerSocket.bound(host, port)
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        with contextlib.suppress(KeyboardInterrupt):  # as uvicorn.run: Ctrl-C is a normal stop
            Multiprocess(uvicorn.Config(APP, **options), sockets=[sock]).run()
        return
    uvicorn.run(APP, **options)


class ServeError(Exception):
    """The server cannot start (the address is in use, or not this machine's)."""


class WorkerSocket(socket.socket):
    """The server's address, which every worker process opens for itself (``SO_REUSEPORT``).

    With one listening socket shared by the workers, whichever worker was awake took every
    connection waiting: a burst of 32 new connections went 32 to 0 in five rounds of six, so one
    worker did all the work while the other idled (``bench/spread_bench.py``). With a socket
    each, the kernel spreads new connections over the workers. The parent binds the address and
    never listens on it (it takes no connections); a worker unpickles it as a fresh socket bound
    to the same address, and so does a worker restarted later. Linux only: elsewhere
    ``SO_REUSEPORT`` does not spread connections, and one shared socket is used as before.
    """

    @classmethod
    def bound(cls, host: str, port: int) -> WorkerSocket:
        sock = cls(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        sock.set_inheritable(True)
        return sock

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self).bound, self.getsockname()[:2]


def _migrate(url: str) -> None:
    """Bring the database to the newest schema once, before the workers start: each then finds
    it migrated and never loads the migration tool. Any failure is left to the workers, which
    report it as they always have."""
    from crepitus.store import Store

    try:
        Store(url).close()
    except Exception:
        return
