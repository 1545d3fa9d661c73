"""Free-text parsing speed and accuracy: crepitus.parse over the public vignette texts.

Run on one core (the figures go into bench/README.md):

    taskset -c 0 .venv/bin/python bench/parse_bench.py

Prints one JSON object: texts per second over the vignette texts repeated to ``--n`` texts
(pipeline built beforehand; its one-off cost reported as ``warm_up_s``), the cost of importing
the package, and micro precision, recall and F1 of (finding, present/absent) against the
vignettes' gold lists, counting present and absent items only (affirmed or negated, plus the
derived findings), with the vignettes where the reading differs from the gold; and the time
per character of one text made of the vignette texts joined, cut at 100, 1,000 and 10,000
characters (``per_char``: median microseconds per character; flat means linear).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
VIGNETTES = ROOT / "tests" / "language" / "vignettes_text.yaml"


def accuracy(parse: Any, vignettes: list[dict[str, Any]]) -> dict[str, Any]:
    tp = fp = fn = 0
    misses: dict[str, dict[str, list[str]]] = {}
    for v in vignettes:
        pred = {(m["id"], m["present"]) for m in parse(v["text"]) if m["present"] is not None}
        gold = {(i, True) for i in v["present"]} | {(i, False) for i in v["absent"]}
        tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
        if pred != gold:
            misses[v["id"]] = {
                "missed": [f"{i}={p}" for i, p in sorted(gold - pred)],
                "extra": [f"{i}={p}" for i, p in sorted(pred - gold)],
            }
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "misses": misses,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vignettes", type=Path, default=VIGNETTES)
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args()
    vignettes = yaml.safe_load(args.vignettes.read_text(encoding="utf-8"))["vignettes"]

    t0 = time.perf_counter()
    from crepitus import language

    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    language.warm_up()
    warm_s = time.perf_counter() - t0

    texts = [v["text"] for v in vignettes]
    texts = (texts * (args.n // len(texts) + 1))[: args.n]
    for t in texts[:50]:
        language.parse(t)
    t0 = time.perf_counter()
    for t in texts:
        language.parse(t)
    elapsed = time.perf_counter() - t0

    joined = " ".join(texts[: len(vignettes)])
    while len(joined) < 10_000:
        joined += " " + joined
    per_char: dict[str, float] = {}
    for size in (100, 1_000, 10_000):
        piece = joined[:size]
        times = []
        for _ in range(max(5, 20_000 // size)):
            t0 = time.perf_counter()
            language.parse(piece)
            times.append(time.perf_counter() - t0)
        times.sort()
        per_char[str(size)] = round(times[len(times) // 2] / size * 1e6, 2)

    from importlib.metadata import version

    out = {
        "parser": "crepitus",
        "versions": {"spacy": version("spacy")},
        "texts": len(texts),
        "seconds": round(elapsed, 3),
        "texts_per_s": round(len(texts) / elapsed, 1),
        "import_s": round(import_s, 3),
        "warm_up_s": round(warm_s, 2),
        "per_char_us": per_char,
        "vignettes": len(vignettes),
        **accuracy(language.parse, vignettes),
    }
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
