"""Run every benchmark in turn and print their JSON: `make bench`.

The free-text baseline against medspaCy needs its own virtualenv (see bench/README.md) and is
run separately.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    runs = [["core_bench.py"], ["parse_bench.py"], ["inprocess_bench.py"], ["save_bench.py"]]
    if shutil.which("wrk"):
        runs.append(["http_bench.py"])
    else:
        print("# http_bench.py skipped: wrk is not installed (apt-get install -y wrk)")
    for args in runs:
        print(f"# {args[0]}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / args[0]), *args[1:]])
    return status


if __name__ == "__main__":
    sys.exit(main())
