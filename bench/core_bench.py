"""Core speed: structured assessments per second, cold CLI start, interview step latency.

Run: .venv/bin/python bench/core_bench.py [--only assess]   (prints JSON; figures go into README.md)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
VIGNETTES = ROOT / "tests" / "data" / "vignettes_public.yaml"


def load_cases() -> list[dict[str, Any]]:
    doc = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))
    cases = []
    for v in doc["vignettes"]:
        case: dict[str, Any] = {"age": v["age"], "sex": v["sex"]}
        case["evidence"] = [{"id": i, "present": True} for i in v["present"]] + [
            {"id": i, "present": False} for i in v["absent"]
        ]
        cases.append(case)
    return cases


def random_cases(n: int = 2_000, seed: int = 7) -> list[dict[str, Any]]:
    """Structured cases drawn at random from the vocabulary: answers the public cases never give,
    so a figure cannot come from anything tuned to those 36."""
    import random

    from crepitus import kb

    ids = sorted(kb.load().findings)
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        case: dict[str, Any] = {
            "evidence": [
                {"id": f, "present": rng.choice([True, False, False, None])}
                for f in rng.sample(ids, rng.randint(0, 14))
            ]
        }
        if rng.random() < 0.8:
            case["age"] = rng.randint(1, 99)
        if rng.random() < 0.7:
            case["sex"] = rng.choice(["male", "female"])
        cases.append(case)
    return cases


def result_objects(repeat: int = 200) -> dict[str, float]:
    """The least a Python engine can spend on an assessment: making the result's objects, here by
    orjson from its own bytes (in C, with no reasoning at all)."""
    import orjson

    import crepitus

    blobs = [orjson.dumps(crepitus.assess(c)) for c in load_cases()]
    t0 = time.perf_counter()
    for _ in range(repeat):
        for b in blobs:
            orjson.loads(b)
    us = (time.perf_counter() - t0) / (repeat * len(blobs)) * 1e6
    return {
        "bytes_mean": round(statistics.mean(map(len, blobs))),
        "orjson_loads_us": round(us, 1),
        "per_second": round(1e6 / us),
    }


def stage_times(repeat: int = 300) -> dict[str, float]:
    """Microseconds per public case of each stage of ``assess``, each looped on its own over
    inputs made beforehand (so they do not add up to the whole exactly: caches are warmer)."""
    import importlib

    import crepitus
    from crepitus import kb

    # The stage modules share names with the functions the package exports.
    e = importlib.import_module("crepitus.engine")
    screening = importlib.import_module("crepitus.engine.screening")
    knowledge = kb.load()
    raw = load_cases()
    cases = [e.build_case(c, None, knowledge) for c in raw]
    evs = [c.evidence(knowledge) for c in cases]
    levels = [e.triage(ev, knowledge, c.details)["level"] for c, ev in zip(cases, evs, strict=True)]
    causes = [e.differential(ev.known, ev.age, knowledge) for ev in evs]
    reasons = [str(screening.scope(ev, knowledge).get("reason", "in")) for ev in evs]
    rows = list(zip(raw, cases, evs, levels, causes, reasons, strict=True))
    stages = {
        "build_case": lambda r: e.build_case(r[0], None, knowledge),
        "evidence": lambda r: r[1].evidence(knowledge),
        "triage": lambda r: e.triage(r[2], knowledge, r[1].details),
        "screening": lambda r: screening.screening(r[1], r[2], knowledge, r[5]),
        "differential": lambda r: e.differential(r[2].known, r[2].age, knowledge),
        "care_plan": lambda r: e.care_plan(
            r[3],
            r[2].present(),
            r[4],
            knowledge,
            scope=r[5],
            known=r[2].known,
            sex=r[1].sex,
            age=r[2].age,
        ),
        "assess": lambda r: crepitus.assess(r[0]),
    }
    out: dict[str, float] = {}
    for name, stage in stages.items():
        t0 = time.perf_counter()
        for _ in range(repeat):
            for r in rows:
                stage(r)
        out[name] = round((time.perf_counter() - t0) / (repeat * len(rows)) * 1e6, 1)
    return out


def assess_throughput(
    seconds: float = 5.0, cases: list[dict[str, Any]] | None = None
) -> dict[str, float]:
    import crepitus

    cases = load_cases() if cases is None else cases
    for c in cases:  # warm caches (knowledge base, compiled rules)
        crepitus.assess(c)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for c in cases:
            crepitus.assess(c)
        n += len(cases)
    elapsed = time.perf_counter() - t0
    return {"assessments": n, "seconds": round(elapsed, 2), "per_second": round(n / elapsed)}


def cold_cli(runs: int = 15) -> dict[str, float]:
    case = load_cases()[0]
    exe = str(Path(sys.executable).with_name("crepitus"))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(case, fh)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([exe, "assess", "--json", fh.name], check=True, capture_output=True)
        times.append((time.perf_counter() - t0) * 1000)
    os.unlink(fh.name)
    return {
        "runs": runs,
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
    }


def interview_latency(repeat: int = 20) -> dict[str, float]:
    import crepitus

    doc = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))
    lat: list[float] = []
    counts: list[int] = []
    for r in range(repeat):
        for v in doc["vignettes"]:
            present = set(v["present"])
            case: dict[str, Any] = {
                "age": v["age"],
                "sex": v["sex"],
                "evidence": [{"id": i, "present": True} for i in v.get("opening", [])],
            }
            asked = 0
            while asked < 40:
                t0 = time.perf_counter()
                step = crepitus.next_question(case)
                lat.append((time.perf_counter() - t0) * 1000)
                if step["should_stop"]:
                    break
                asked += 1
                case["evidence"] += [
                    {"id": i["id"], "present": i["id"] in present}
                    for i in step["question"]["items"]
                ]
            if r == 0:
                counts.append(asked)
    lat.sort()
    return {
        "steps": len(lat),
        "median_ms": round(statistics.median(lat), 3),
        "p99_ms": round(lat[int(len(lat) * 0.99) - 1], 3),
        "questions_mean": round(statistics.mean(counts), 2),
        "questions_max": max(counts),
    }


def diary_trends(n: int = 10_000, repeat: int = 20) -> dict[str, float]:
    import random
    from datetime import UTC, datetime, timedelta

    import crepitus
    from crepitus.engine.case import validate_case
    from crepitus.engine.trends import compute_trends

    rng = random.Random(7)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    acts = ["gym", "squats", "sitting", "walking", "deadlifts", None]
    raw = [
        {
            "at": (start + timedelta(hours=i)).isoformat(),
            "pain": rng.randint(0, 10),
            "sound": rng.random() < 0.5,
            "activity": rng.choice(acts),
            "findings": ["stiffness"] if rng.random() < 0.01 else [],
        }
        for i in range(n)
    ]
    entries = validate_case({"diary": raw}).diary
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        compute_trends(entries)
        times.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    crepitus.assess({"diary": raw})
    whole = (time.perf_counter() - t0) * 1000
    return {
        "entries": n,
        "trends_median_ms": round(statistics.median(times), 2),
        "assess_with_diary_ms": round(whole, 1),
    }


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=["assess"], help="assess: only the throughput figures (quick, for turns)"
    )
    only = parser.parse_args().only
    out: dict[str, Any] = {
        "assess_structured": assess_throughput(),
        "assess_random": assess_throughput(cases=random_cases()),
        "result_objects": result_objects(),
        "stage_us": stage_times(),
    }
    if only is None:
        out["cold_cli_assess_json"] = cold_cli()
        out["next_question"] = interview_latency()
        out["diary_trends"] = diary_trends()
    print(json.dumps(out, indent=2))
