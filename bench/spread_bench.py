"""How a burst of new connections falls between the server's workers, and what that does to the
tail: ``crepitus serve --workers 2`` loaded by a client that opens all its connections first.

    python bench/spread_bench.py [--rounds 5] [--seconds 4] [--connections 32]

Each round opens ``--connections`` keep-alive connections at once (as wrk does when it starts),
notes how many of them each worker process holds (from /proc, Linux), then keeps every one busy
with the structured case of bench/http_bench.py, stored, for ``--seconds``. Prints JSON per
round: connections per worker, the fewest and most answers one connection got, requests a
second, p50 and p99. The workers share one listening socket; whichever is awake takes what is
waiting, so the split changes from round to round.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from http_bench import STRUCTURED, free_port, server_command, stop, wait_healthy, worker_pids
from loop_bench import keep_alive_client


def _request(case: dict[str, Any]) -> bytes:
    body = json.dumps(case).encode()
    head = (
        "POST /v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def connections_by_worker(pids: list[int], port: int) -> list[int]:
    """How many established connections on ``port`` each process holds, most first."""
    established: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "01" and int(f[1].rsplit(":", 1)[1], 16) == port:
                established.add(int(f[9]))
    counts = []
    for pid in pids:
        held = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                link = os.readlink(fd)
            except OSError:
                continue
            if link.startswith("socket:[") and int(link[8:-1]) in established:
                held += 1
        counts.append(held)
    return sorted(counts, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    request = _request(STRUCTURED)
    rounds = []
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        env = {
            **os.environ,
            "CREPITUS_DATABASE_URL": f"sqlite:///{folder}/spread.db",
            "CREPITUS_RATE_WRITES": "off",
            "CREPITUS_RATE_LOOKUPS": "off",
        }
        log = Path(folder) / "server.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                server_command(port, args.workers), env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_healthy(f"http://127.0.0.1:{port}", proc)
            pids = worker_pids(proc.pid)
            keep_alive_client(port, 1, args.connections, request)  # warm every worker
            for _ in range(args.rounds):
                got = keep_alive_client(
                    port, args.seconds, args.connections, request,
                    opened=lambda: connections_by_worker(pids, port),
                )  # fmt: skip
                rounds.append({
                    "connections_per_worker": got["opened"],
                    "fewest_of_one_connection": got["fewest_of_one_connection"],
                    "most_of_one_connection": got["most_of_one_connection"],
                    "requests_per_s": got["requests_per_s"],
                    "p50_ms": got["p50_ms"],
                    "p99_ms": got["p99_ms"],
                })  # fmt: skip
        except BaseException:
            print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            stop(proc)
    print(json.dumps({"workers": args.workers, "rounds": rounds}, indent=2))


if __name__ == "__main__":
    main()
