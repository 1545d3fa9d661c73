"""A cold start with free text against a bare spaCy start, in the same run, taken in turns.

    python bench/cold_bench.py [--runs 9]

Each round runs, as new processes: ``crepitus assess "TEXT"`` (the reader loaded from the
cache; the first round fills it), ``crepitus assess --json FILE`` (no text: no spaCy) and
``python -c "import spacy; spacy.blank('en')"``. Prints the medians and the ratio of the first
to the last (issue 15's aim: at most 1.3). ``CREPITUS_CACHE_DIR`` is a folder of this run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXT = "My lower back clicks when I twist, no pain, and my left foot tingles since yesterday"


def _time(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    bin_dir = Path(sys.executable).parent
    crepitus = str(bin_dir / "crepitus")
    folder = Path(tempfile.mkdtemp(prefix="crepitus-cold-"))
    env = {**os.environ, "CREPITUS_CACHE_DIR": str(folder / "cache")}
    case = folder / "case.json"
    case.write_text(json.dumps({"age": 40, "evidence": [{"id": "back_sound", "present": True}]}))
    commands = {
        "assess_text": [crepitus, "assess", TEXT],
        "assess_json_no_text": [crepitus, "assess", "--json", str(case)],
        "spacy_blank": [sys.executable, "-c", "import spacy; spacy.blank('en')"],
    }
    first_fill = _time(commands["assess_text"], env)  # builds the reader and keeps it
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(_time(cmd, env))
    med = {k: round(statistics.median(v), 3) for k, v in times.items()}
    out = {
        "runs": args.runs,
        "first_start_building_the_reader_s": round(first_fill, 3),
        "median_s": med,
        "min_s": {k: round(min(v), 3) for k, v in times.items()},
        "ratio_text_to_spacy_blank": round(med["assess_text"] / med["spacy_blank"], 2),
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
