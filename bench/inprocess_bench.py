"""The app's own cost per request, without a network or a load generator: the ASGI app is
called directly, one request after another, in this process.

    python bench/inprocess_bench.py [--n 1500]

A new SQLite database in a temporary folder; rate limits off. Prints microseconds per request for
``POST /v1/assess`` with a structured case (stored, and ``?store=false``) and a free-text case
(not stored). Steadier than bench/http_bench.py on a busy machine, where wrk and the two workers
share two cores; compare two versions of the code by running it on each in turns
(``PYTHONPATH=OTHER/src``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from http_bench import STRUCTURED, TEXT


async def _call(app: Any, path: str, body: bytes) -> int:
    route, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": route, "raw_path": route.encode(),
        "query_string": query.encode(), "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    sent = False
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client never disconnects mid-request here
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def _main(n: int) -> dict[str, Any]:
    from crepitus.api.app import create_app

    app = create_app()
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    lifespan = {"type": "lifespan", "asgi": {"version": "3.0"}}
    life = asyncio.create_task(app(lifespan, inbox.get, outbox.put))
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    out: dict[str, Any] = {"requests_each": n}
    for name, path, case in (
        ("structured_stored_us", "/v1/assess", STRUCTURED),
        ("structured_not_stored_us", "/v1/assess?store=false", STRUCTURED),
        ("text_not_stored_us", "/v1/assess?store=false", TEXT),
    ):
        body = json.dumps(case).encode()
        for _ in range(100):  # warm
            assert await _call(app, path, body) == 200
        t0 = time.perf_counter()
        for _ in range(n):
            await _call(app, path, body)
        out[name] = round((time.perf_counter() - t0) / n * 1e6)
    await inbox.put({"type": "lifespan.shutdown"})
    await outbox.get()
    await life
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CREPITUS_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
        os.environ["CREPITUS_RATE_WRITES"] = "off"
        os.environ["CREPITUS_RATE_LOOKUPS"] = "off"
        print(json.dumps(asyncio.run(_main(args.n)), indent=2))


if __name__ == "__main__":
    main()
