"""HTTP API under load: POST /v1/assess through a real server with 2 workers, storing every result.

Starts `crepitus serve --workers 2` (or uvicorn with the app factory, if the command is not there)
on a free loopback port with a temporary SQLite database, runs wrk against it (a structured case,
then a free-text case), measures a worker's resident memory, stops the server; then does the same
with a bare FastAPI app that echoes the body (bench/echo_app.py, uvicorn, 2 workers) and prints
JSON with both and their ratios (issue 15's aims: half of echo's requests a second, p99 at most
50 ms, worker memory at most 150 MB).

Run: .venv/bin/python bench/http_bench.py [--seconds 10] [--connections 32]
(``BENCH_PATH="/v1/assess?store=false"`` loads the same route without storing.)
Needs wrk (apt-get install -y wrk). Figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

STRUCTURED = {
    "age": 34,
    "sex": "male",
    "evidence": [
        {"id": "sound_twisting", "present": True},
        {"id": "sound_with_exercise", "present": True},
        {"id": "pain", "present": False},
        {"id": "saddle_numbness", "present": False},
        {"id": "bladder_dysfunction", "present": False},
        {"id": "leg_weakness", "present": False},
    ],
}
TEXT = {
    "age": 34,
    "text": "My lower back pops when I twist during Russian twists and deadlifts. "
    "It does not hurt, no tingling or numbness, and I can walk normally.",
}
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_command(port: int, workers: int) -> list[str]:
    crepitus = Path(sys.executable).with_name("crepitus")
    serve = [str(crepitus), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if crepitus.exists():
        probe = subprocess.run([*serve[:2], "--help"], capture_output=True, timeout=60)
        if probe.returncode == 0:
            return [*serve, "--workers", str(workers)]
    return [
        sys.executable, "-m", "uvicorn", "crepitus.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not become healthy in time")


def check_case(url: str, case: dict[str, Any]) -> str:
    """POST once and return the level, so a broken case fails loudly instead of timing errors."""
    req = urllib.request.Request(
        f"{url}/v1/assess",
        data=json.dumps(case).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            level: str = json.load(r)["triage"]["level"]
            return level
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"POST /v1/assess answered {exc.code}: {exc.read().decode()}") from None


def run_wrk(
    url: str, case: dict[str, Any], folder: Path, seconds: int, connections: int
) -> dict[str, Any]:
    script = folder / "post.lua"
    body = json.dumps(case).replace("\\", "\\\\").replace("'", "\\'")
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = '{body}'\n"
    )
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script)]
    path = os.environ.get("BENCH_PATH", "/v1/assess")
    out = subprocess.run([*cmd, f"{url}{path}"], capture_output=True, text=True, check=True)
    return parse_wrk(out.stdout)


def parse_wrk(text: str) -> dict[str, Any]:
    def latency(pct: str) -> float:
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if not m:
            raise ValueError(f"no {pct}% latency in wrk output:\n{text}")
        return round(float(m.group(1)) * _UNIT_MS[m.group(2)], 2)

    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return {
        "requests_per_s": round(float(rps.group(1)), 1) if rps else None,
        "requests": int(total.group(1)) if total else None,
        "p50_ms": latency("50"),
        "p90_ms": latency("90"),
        "p99_ms": latency("99"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else None,
    }


def worker_pids(parent: int) -> list[int]:
    """The server's worker processes: descendants started by multiprocessing's spawn_main."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        procs = psutil.Process(parent).children(recursive=True)
        return [p.pid for p in procs if "spawn_main" in " ".join(p.cmdline())]
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [parent]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            try:
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(child)
            except OSError:
                continue
    return found


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def load_test(
    url: str, proc: subprocess.Popen[bytes], folder: Path, args: argparse.Namespace
) -> tuple[dict[str, Any], list[float]]:
    """Warm every worker, then wrk with each case; and the workers' resident memory."""
    run_wrk(url, STRUCTURED, folder, 2, args.connections)
    results = {
        name: run_wrk(url, case, folder, args.seconds, args.connections)
        for name, case in (("structured", STRUCTURED), ("text", TEXT))
    }
    rss = sorted((r for r in map(rss_mb, worker_pids(proc.pid)) if r is not None), reverse=True)
    return results, rss


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def measure(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    db = folder / "bench.db"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Rate limits off: a load test is one client sending far more than a person would.
    env = {
        **os.environ,
        "CREPITUS_DATABASE_URL": f"sqlite:///{db}",
        "CREPITUS_RATE_WRITES": "off",
        "CREPITUS_RATE_LOOKUPS": "off",
    }
    cmd = server_command(port, args.workers)
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc)
        levels = {"structured": check_case(url, STRUCTURED), "text": check_case(url, TEXT)}
        results, rss = load_test(url, proc, folder, args)
    except BaseException:
        print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        stop(proc)
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM assessments").fetchone()[0]
    return {
        "server": " ".join(Path(cmd[0]).name if i == 0 else c for i, c in enumerate(cmd)),
        "wrk": f"-t1 -c{args.connections} -d{args.seconds}s",
        "cpus": os.cpu_count(),
        "levels": levels,
        **results,
        "worker_rss_mb": rss,
        "assessments_stored": stored,
    }


def measure_echo(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "uvicorn", "echo_app:app", "--app-dir", str(Path(__file__).parent),
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    log = folder / "echo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc)
        results, rss = load_test(url, proc, folder, args)
    finally:
        stop(proc)
    return {**results, "worker_rss_mb": rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    with tempfile.TemporaryDirectory(prefix="crepitus-bench-") as folder:
        report = measure(Path(folder), args)
        echo = measure_echo(Path(folder), args)
    report["echo"] = echo
    report["ratio_to_echo_requests_per_s"] = {
        name: round(report[name]["requests_per_s"] / echo[name]["requests_per_s"], 3)
        for name in ("structured", "text")
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
