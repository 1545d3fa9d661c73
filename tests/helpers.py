"""Shared helpers for the tests: vignettes, case builders and the command line in process."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from crepitus import kb

DATA = Path(__file__).parent / "data"
LEVELS = kb.LEVELS
RANK = {lvl: i for i, lvl in enumerate(LEVELS)}


def vignettes() -> list[dict[str, Any]]:
    doc = yaml.safe_load((DATA / "vignettes_public.yaml").read_text(encoding="utf-8"))
    out = []
    for v in doc["vignettes"]:
        v.setdefault("ok", [v["triage"]])
        out.append(v)
    return out


def case(*present: str, absent: tuple[str, ...] = (), age: int | None = 40) -> dict[str, Any]:
    out: dict[str, Any] = {
        "evidence": [{"id": f, "present": True} for f in present]
        + [{"id": f, "present": False} for f in absent]
    }
    if age is not None:
        out["age"] = age
    return out


def crepitus_command(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``crepitus ARGS`` through its entry point, in this process, under ``env`` (replacing the
    environment for the call): its output, errors and exit status, as a real process gives them.

    The reader is built once for the whole test process instead of once per command; the
    command-line tests keep a few real processes as smoke tests."""
    from crepitus.cli import main

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    time.tzset()
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    err = io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin = old_stdin
        os.environ.clear()
        os.environ.update(saved)
        time.tzset()
    out.flush()
    stdout = out.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]

    def text(s: str) -> str:  # as subprocess.run(text=True) reads it: universal newlines
        return s.replace("\r\n", "\n").replace("\r", "\n")

    return subprocess.CompletedProcess(
        ["crepitus", *args], code, text(stdout), text(err.getvalue())
    )
