"""Shared helpers for the tests: vignettes and case builders."""

from __future__ import annotations

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
