"""PDF report and diary page time for diaries of 0, 1,000 and 10,000 entries, through the real
app.

Each size gets its own assessment in a temporary SQLite database; the diary is written with the
store (one transaction), then ``GET /r/TOKEN/report.pdf`` is timed with FastAPI's TestClient, in
this one process: the route assesses the case again with the whole diary, draws the two charts
and lays out the PDF. One request first warms the imports (WeasyPrint, matplotlib, the knowledge
base), then each size is fetched ``--runs`` times; the median, the fastest and the slowest are
printed with the PDF's size and what its chart captions say past the cap; then the diary page
(``GET /r/TOKEN/diary``, its charts inline) is timed the same way, with its size.

Run: .venv/bin/python bench/pdf_bench.py [--runs 5] [--sizes 0,1000,10000]   (prints JSON)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASE: dict[str, Any] = {
    "age": 40,
    "evidence": [{"id": "back_sound", "present": True}, {"id": "pain", "present": False}],
}


def diary(n: int, seed: int = 14) -> list[dict[str, Any]]:
    """``n`` entries four a day (every six hours) up to an hour ago: pain drifting up, a click
    one entry in three."""
    rng = random.Random(seed)
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    start = end - timedelta(hours=6 * max(n - 1, 0))
    return [
        {
            "at": (start + timedelta(hours=6 * i)).isoformat(),
            "pain": max(0, min(10, round(2 + 4 * i / max(n, 1) + rng.gauss(0, 1.2)))),
            "sound": i % 3 == 0,
            "activity": ("gym", "desk", "walking")[i % 3],
        }
        for i in range(n)
    ]


def captions(pdf: bytes) -> list[str]:
    """The sentences of the PDF that say what its charts leave out (pdftotext, when present)."""
    if shutil.which("pdftotext") is None:
        return []
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    words = " ".join(out.stdout.decode().split())
    found = []
    for start in ("So many scores", "So many weeks"):
        at = words.find(start)
        if at >= 0:
            end = words.find("export.", at)
            found.append(words[at : end + len("export.")] if end >= 0 else words[at : at + 300])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="0,1000,10000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    folder = Path(tempfile.mkdtemp(prefix="crepitus-pdf-bench-"))
    os.environ["CREPITUS_DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    os.environ["CREPITUS_RATE_WRITES"] = os.environ["CREPITUS_RATE_LOOKUPS"] = "off"
    from fastapi.testclient import TestClient

    import crepitus
    from crepitus.api.app import create_app

    app = create_app()
    out: dict[str, Any] = {"python": sys.version.split()[0], "runs": args.runs, "sizes": {}}
    with TestClient(app) as client:
        store = app.state.store
        tokens = {}
        for n in sizes:
            token = store.save_assessment(CASE, crepitus.assess(CASE))
            if n:
                store.add_diary_entries(token, diary(n))
            tokens[n] = token
        warm = client.get(f"/r/{tokens[sizes[0]]}/report.pdf")
        assert warm.status_code == 200, warm.text
        for n in sizes:
            times, size, pdf = [], 0, b""
            for _ in range(args.runs):
                t0 = time.perf_counter()
                r = client.get(f"/r/{tokens[n]}/report.pdf")
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.status_code
                pdf = r.content
                size = len(pdf)
            page_times, page = [], b""
            for _ in range(args.runs):
                t0 = time.perf_counter()
                got = client.get(f"/r/{tokens[n]}/diary", headers={"Accept": "text/html"})
                page_times.append(time.perf_counter() - t0)
                assert got.status_code == 200, got.status_code
                page = got.content
            out["sizes"][str(n)] = {
                "diary_page_median_s": round(statistics.median(page_times), 3),
                "diary_page_kb": round(len(page) / 1024, 1),
                "median_s": round(statistics.median(times), 3),
                "min_s": round(min(times), 3),
                "max_s": round(max(times), 3),
                "pdf_kb": round(size / 1024, 1),
                "past_the_cap": captions(pdf),
            }
            print(n, out["sizes"][str(n)]["median_s"], file=sys.stderr)
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
