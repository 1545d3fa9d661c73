"""How long one stored assessment takes to save, under a steady stream of saves.

    python bench/save_bench.py [--n 20000] [--batch 1] [--url sqlite:///PATH]

Saves the same real result (``crepitus.assess`` of bench/http_bench.py's structured case, about
21 kB of JSON) ``--n`` times into a new SQLite database in a temporary folder (or ``--url``),
resting 0.5 ms after every fourth save as a server's gaps between requests would, and prints JSON:
the median, p99 and longest save in microseconds and how many took over 5 ms. ``--batch K``
saves K at a time in one transaction (``Store.save_assessments``, as the API does for the
requests of one event-loop turn); times are then per write of K, with the CPU time per row.
The longest save is the figure to watch: SQLite's commit-time checkpoint once made one save in
about 1,100 wait 110-145 ms, which was the whole p99 of a stored ``POST /v1/assess``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from http_bench import STRUCTURED

# A server's requests are not back to back; the background checkpointer runs in these gaps.
_REST_EVERY = 4
_REST_SECONDS = 0.0005


def run(url: str, n: int, batch: int = 1) -> dict[str, Any]:
    import crepitus
    from crepitus.store import Store

    result = crepitus.assess(STRUCTURED)
    result_json = orjson.dumps(result).decode()
    store = Store(url)
    items = [(STRUCTURED, result, result_json)] * batch
    times: list[float] = []
    cpu = time.process_time()  # all threads: the background checkpointer's work counts too
    try:
        for i in range(0, n, batch):
            t0 = time.perf_counter()
            if batch == 1:
                store.save_assessment(STRUCTURED, result, result_json=result_json)
            else:
                store.save_assessments(items)
            times.append(time.perf_counter() - t0)
            if (i // batch) % _REST_EVERY == _REST_EVERY - 1:
                time.sleep(_REST_SECONDS)
    finally:
        store.close()
    cpu = time.process_time() - cpu
    times.sort()
    writes = len(times)
    return {
        "saves": writes * batch,
        "batch": batch,
        "result_bytes": len(result_json),
        "p50_us": round(statistics.median(times) * 1e6, 1),
        "p99_us": round(times[int(0.99 * (writes - 1))] * 1e6, 1),
        "max_ms": round(times[-1] * 1e3, 2),
        "over_5ms": sum(t > 0.005 for t in times),
        "cpu_us_per_row": round(cpu / (writes * batch) * 1e6, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="saves (default 20,000)")
    parser.add_argument("--batch", type=int, default=1, help="saves per transaction (default 1)")
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{folder}/save.db"
        print(json.dumps(run(url, args.n, args.batch), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
