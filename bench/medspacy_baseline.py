"""medspaCy baseline for the free-text parser: the same texts, the same target phrases.

Runs under its own virtualenv, because medspaCy pins spaCy < 3.8 and numpy < 2 (ours: 3.8):

    python3 -m venv bench/.venv-medspacy
    bench/.venv-medspacy/bin/pip install medspacy pyyaml
    taskset -c 0 bench/.venv-medspacy/bin/python bench/medspacy_baseline.py

medspaCy's default pipeline (``medspacy.load()``: PyRuSH sentences, TargetMatcher, ConText with
its default rules) with one TargetRule per lexicon phrase: ``terms``, ``exact``, ``absent`` (read
as the finding's denial) and ``deny_only`` (kept only when ConText negates it). ``cued`` phrases
are left out: medspaCy has no way to require their context. A target negated by ConText is
absent, one that is historical, hypothetical, uncertain or about family is not evidence, the rest
are present; per finding, present beats absent (the same merge as crepitus). No derived findings.

Prints one JSON object: texts per second on one core over the vignette texts repeated to
``--n`` texts, and micro precision, recall and F1 of (finding, present/absent) against the
vignettes' gold lists.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def build(lexicon_path: Path, keep_logging: bool = False):  # type: ignore[no-untyped-def]
    import medspacy
    from medspacy.target_matcher import TargetRule

    if not keep_logging:
        try:  # PyRuSH logs every sentence at DEBUG level to stderr; that is not parsing work
            from loguru import logger

            logger.remove()
        except ImportError:
            pass
    nlp = medspacy.load()
    doc = yaml.safe_load(lexicon_path.read_text(encoding="utf-8"))
    rules = []
    for entry in doc["lexicon"]:
        fid = entry["id"]
        for kind in ("terms", "exact", "absent", "deny_only"):
            for phrase in entry.get(kind, []):
                rules.append(TargetRule(phrase, fid, attributes=None, metadata={"kind": kind}))
    nlp.get_pipe("medspacy_target_matcher").add(rules)
    return nlp


def read(nlp, text: str) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    out: dict[str, bool] = {}
    for ent in nlp(text).ents:
        kind = (ent._.target_rule.metadata or {}).get("kind", "terms")
        e = ent._
        if e.is_family or e.is_historical or e.is_hypothetical or e.is_uncertain:
            continue
        present = not e.is_negated
        if kind == "absent":
            present = not present
        elif kind == "deny_only" and present:
            continue
        out[ent.label_] = out.get(ent.label_, False) or present
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vignettes", type=Path, default=ROOT / "tests/language/vignettes_text.yaml")
    ap.add_argument("--lexicon", type=Path, default=ROOT / "src/crepitus/knowledge/lexicon.yaml")
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument(
        "--keep-logging", action="store_true", help="leave PyRuSH's DEBUG logging on (default)"
    )
    args = ap.parse_args()
    vignettes = yaml.safe_load(args.vignettes.read_text(encoding="utf-8"))["vignettes"]
    t0 = time.perf_counter()
    nlp = build(args.lexicon, args.keep_logging)
    load_s = time.perf_counter() - t0

    tp = fp = fn = 0
    for v in vignettes:
        pred = set(read(nlp, v["text"]).items())
        gold = {(i, True) for i in v["present"]} | {(i, False) for i in v["absent"]}
        tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)

    texts = [v["text"] for v in vignettes]
    texts = (texts * (args.n // len(texts) + 1))[: args.n]
    for t in texts[:50]:  # warm caches
        nlp(t)
    t0 = time.perf_counter()
    for t in texts:
        read(nlp, t)
    elapsed = time.perf_counter() - t0
    json.dump(
        {
            "parser": "medspacy",
            "logging": args.keep_logging,
            "versions": {"medspacy": _version("medspacy"), "spacy": _version("spacy")},
            "texts": len(texts),
            "seconds": round(elapsed, 3),
            "texts_per_s": round(len(texts) / elapsed, 1),
            "load_s": round(load_s, 2),
            "target_rules": sum(1 for _ in nlp.get_pipe("medspacy_target_matcher").rules),
            "vignettes": len(vignettes),
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        },
        sys.stdout,
        indent=2,
    )
    print()
    return 0


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    sys.exit(main())
