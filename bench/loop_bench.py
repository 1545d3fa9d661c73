"""Which event loop serves CPU-bound requests fairly: uvloop or the standard library's asyncio.

    python bench/loop_bench.py [--seconds 6] [--connections 32] [--cpu-ms 2.5] [--yield]

A bare ASGI app (below) spends ``--cpu-ms`` of CPU on every request, on the event loop, as
crepitus's routes do. It runs under uvicorn with one worker, once with each loop, and is loaded
twice each time:
- by wrk, which opens its connections as the run starts (as new visitors do);
- by a small client in this file that opens every connection first, then keeps each one busy
  with one request after another, and counts how many requests each connection got done.
Prints JSON: requests a second, p50/p90/p99, and the fewest and most requests of one connection.
With ``--yield`` the app first gives the loop one turn (``await asyncio.sleep(0)``), which made
uvloop serve every connection in turn (bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from http_bench import free_port

CPU_SECONDS = float(os.environ.get("LOOP_BENCH_CPU_MS", "2.5")) / 1000
# --yield: the app gives the loop one turn (asyncio.sleep(0)) before its CPU work.
YIELD_FIRST = os.environ.get("LOOP_BENCH_YIELD") == "1"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    if YIELD_FIRST:
        await asyncio.sleep(0)
    end = time.thread_time() + CPU_SECONDS
    while time.thread_time() < end:
        pass
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


_REQUEST = (
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
)


def keep_alive_client(
    port: int,
    seconds: float,
    connections: int,
    request: bytes = _REQUEST,
    opened: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """Closed loop over connections opened before the clock starts: each sends ``request`` again
    as soon as its answer is in. Also ``done``: how many answers each connection got, and
    ``opened``: what ``opened()`` returned, called once every connection is open."""
    sel = selectors.DefaultSelector()
    conns = []
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        c: dict[str, Any] = {"s": s, "buf": b"", "t": 0.0, "done": 0}
        conns.append(c)
        sel.register(s, selectors.EVENT_READ, c)
    time.sleep(0.5)
    seen = opened() if opened is not None else None
    latencies: list[float] = []
    end = time.perf_counter() + seconds
    for c in conns:
        c["t"] = time.perf_counter()
        c["s"].send(request)
    while time.perf_counter() < end:
        for key, _ in sel.select(0.5):
            c = key.data
            c["buf"] += c["s"].recv(1 << 20)
            while (size := _answer_size(c["buf"])) is not None:
                c["buf"] = c["buf"][size:]
                now = time.perf_counter()
                latencies.append(now - c["t"])
                c["done"] += 1
                c["t"] = now
                c["s"].send(request)
    latencies.sort()

    def q(p: float) -> float:
        return round(latencies[int(p * (len(latencies) - 1))] * 1000, 1)

    done = [c["done"] for c in conns]
    for c in conns:
        c["s"].close()
    return {
        "requests_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": q(0.5),
        "p90_ms": q(0.9),
        "p99_ms": q(0.99),
        "fewest_of_one_connection": min(done),
        "most_of_one_connection": max(done),
        "done": done,
        "opened": seen,
    }


def _answer_size(buf: bytes) -> int | None:
    """The length of the first whole answer in ``buf`` (head and Content-Length body), if any."""
    head = buf.find(b"\r\n\r\n")
    if head < 0:
        return None
    m = re.search(rb"(?im)^content-length:\s*(\d+)", buf[:head])
    size = head + 4 + (int(m.group(1)) if m else 0)
    return size if len(buf) >= size else None


def wrk(port: int, seconds: int, connections: int) -> dict[str, Any] | None:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write('wrk.method = "POST"\nwrk.body = "{}"\n')
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", fh.name,
             f"http://127.0.0.1:{port}/"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    finally:
        os.unlink(fh.name)

    def ms(label: str) -> float:
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
        if m is None:
            return float("nan")
        return round(float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)], 1)

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return {
        "requests_per_s": float(rate.group(1)) if rate else None,
        "p50_ms": ms("50%"),
        "p90_ms": ms("90%"),
        "p99_ms": ms("99%"),
    }


def measure(loop: str, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    env = {
        **os.environ,
        "LOOP_BENCH_CPU_MS": str(args.cpu_ms),
        "LOOP_BENCH_YIELD": "1" if args.yield_first else "0",
    }
    cmd = [
        sys.executable, "-m", "uvicorn", "loop_bench:app", "--app-dir", str(Path(__file__).parent),
        "--port", str(port), "--loop", loop, "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        return {
            "wrk": wrk(port, args.seconds, args.connections),
            "connections_opened_first": {
                k: v
                for k, v in keep_alive_client(port, args.seconds, args.connections).items()
                if k not in ("done", "opened")
            },
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--cpu-ms", type=float, default=2.5)
    parser.add_argument(
        "--yield", dest="yield_first", action="store_true",
        help="the app awaits asyncio.sleep(0) before its CPU work",
    )  # fmt: skip
    args = parser.parse_args()
    out = {
        "cpu_ms_per_request": args.cpu_ms,
        "connections": args.connections,
        "yield_first": args.yield_first,
    }
    for loop in ("uvloop", "asyncio"):
        out[loop] = measure(loop, args)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
