"""Priors and likelihoods -> ranked possible causes, with the evidence for and against each.

Naive Bayes over mutually exclusive conditions: P(c | E) is proportional to
prior(c) * age(c) * prod over known evidence of P(e | c) (present) or 1 - P(e | c) (absent).
Unknown evidence is left out. A finding a condition does not list takes its background rate, so
it neither favours nor disfavours that condition relative to the population. Sums are done in
log space; probabilities are normalised over the conditions (they sum to at most 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crepitus import kb

__all__ = ["differential"]

# Likelihood ratios beyond these bounds count as evidence for / against a condition.
_FOR, _AGAINST = math.log(1.5), -math.log(1.5)


@dataclass(frozen=True, slots=True)
class _Model:
    ids: tuple[str, ...]
    base: tuple[float, ...]  # log prior
    age: tuple[tuple[float, float, float], ...]  # log multipliers: <40, 40-64, >=65
    # finding -> per condition (log P(present|c), log P(absent|c), log LR present, log LR absent)
    table: Mapping[str, tuple[tuple[float, float, float, float], ...]]


@lru_cache(maxsize=4)
def _model(knowledge: kb.KnowledgeBase) -> _Model:
    conds = list(knowledge.conditions.values())
    table: dict[str, tuple[tuple[float, float, float, float], ...]] = {}
    for fid, b in knowledge.background.items():
        rows = []
        for c in conds:
            p = c.likelihoods.get(fid, b)
            rows.append(
                (math.log(p), math.log1p(-p), math.log(p / b), math.log((1 - p) / (1 - b)))
            )
        table[fid] = tuple(rows)
    return _Model(
        ids=tuple(c.id for c in conds),
        base=tuple(math.log(c.prior) for c in conds),
        age=tuple(
            (math.log(c.age.under_40), math.log(c.age.from_40_to_64), math.log(c.age.from_65))
            for c in conds
        ),
        table=table,
    )


def _band(age: int | None) -> int | None:
    if age is None:
        return None
    return 0 if age < 40 else (1 if age < 65 else 2)


def differential(
    known: Mapping[str, bool], age: int | None, knowledge: kb.KnowledgeBase | None = None
) -> list[dict[str, Any]]:
    """Every condition, most likely first, with probability, supporting and opposing evidence."""
    knowledge = knowledge or kb.load()
    m = _model(knowledge)
    n = len(m.ids)
    scores = list(m.base)
    band = _band(age)
    if band is not None:
        for i in range(n):
            scores[i] += m.age[i][band]
    weights: list[list[tuple[float, str]]] = [[] for _ in range(n)]
    for fid, present in known.items():
        rows = m.table.get(fid)
        if rows is None:
            continue
        for i, (lp, la, lrp, lra) in enumerate(rows):
            scores[i] += lp if present else la
            weights[i].append((lrp if present else lra, fid))
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    out = []
    for i, cid in enumerate(m.ids):
        cond = knowledge.conditions[cid]
        w = weights[i]
        out.append(
            {
                "id": cid,
                # Floor to 4 places so rounding never pushes the sum above 1.
                "probability": math.floor(exps[i] / total * 10_000) / 10_000,
                "supporting": [f for lr, f in sorted(w, reverse=True) if lr >= _FOR],
                "opposing": [f for lr, f in sorted(w) if lr <= _AGAINST],
                "name": cond.name,
                "serious": cond.serious,
            }
        )
    out.sort(key=lambda d: -d["probability"])
    return out
