"""Priors and likelihoods -> ranked possible causes, with the evidence for and against each.

Naive Bayes over mutually exclusive conditions: P(c | E) is proportional to
prior(c) * age(c) * prod over known evidence of P(e | c) (present) or 1 - P(e | c) (absent).
Unknown evidence is left out. A finding a condition does not list takes its background rate, so
it neither favours nor disfavours that condition relative to the population. Sums are done in
log space; probabilities are normalised over the conditions (they sum to at most 1).

A finding implied by another is counted once: pain over 3 months entails pain over 6 weeks and
over 3 days, so when the longest is present the shorter ones add nothing; when the shortest is
absent, the longer ones' absence adds nothing either. Counting each again would make the
figures over-confident.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import add
from typing import Any

from crepitus import kb
from crepitus.engine.evidence import AgeRange

__all__ = ["differential", "expected_information_gain", "posterior"]

# "No" answers are tempered: symptoms are correlated and a denial is weaker evidence than a report,
# so a plain naive Bayes would let a run of "no" answers drown one strong "yes".
ABSENT_WEIGHT = 0.5
# Likelihood ratios beyond these bounds count as evidence for / against a condition.
_FOR, _AGAINST = math.log(1.5), -math.log(1.5)


@dataclass(frozen=True, slots=True)
class _Row:
    """What one finding adds to every condition's score, present and absent, laid out so that a
    case adds a whole vector per finding and collects the strong weights without a test each."""

    present: tuple[float, ...]  # log LR per condition
    absent: tuple[float, ...]  # tempered log LR per condition
    like: tuple[float, ...]  # P(present | condition)
    # (condition index, (weight, finding)) for the weights beyond the bounds
    strong_present: tuple[tuple[int, tuple[float, str]], ...]
    strong_absent: tuple[tuple[int, tuple[float, str]], ...]


@dataclass(frozen=True, slots=True)
class _Model:
    ids: tuple[str, ...]
    base: tuple[float, ...]  # log prior
    age: tuple[tuple[float, ...], ...]  # per band (<40, 40-64, >=65): log multiplier per condition
    table: Mapping[str, _Row]
    implied_by: Mapping[str, frozenset[str]]  # x -> what entails x
    implies: Mapping[str, frozenset[str]]  # x -> what x entails (transitively)
    labels: tuple[tuple[str, bool], ...]  # (name, serious) per condition


def _strong(weights: tuple[float, ...], fid: str) -> tuple[tuple[int, tuple[float, str]], ...]:
    return tuple((i, (lr, fid)) for i, lr in enumerate(weights) if lr >= _FOR or lr <= _AGAINST)


@lru_cache(maxsize=4)
def _model(knowledge: kb.KnowledgeBase) -> _Model:
    conds = list(knowledge.conditions.values())
    table: dict[str, _Row] = {}
    for fid, b in knowledge.background.items():
        like = tuple(c.likelihoods.get(fid, b) for c in conds)
        # Scores use log-likelihood ratios against the background; the background term is
        # the same for every condition, so the posterior is unchanged by it.
        present = tuple(math.log(p / b) for p in like)
        absent = tuple(ABSENT_WEIGHT * math.log((1 - p) / (1 - b)) for p in like)
        table[fid] = _Row(present, absent, like, _strong(present, fid), _strong(absent, fid))
    ages = [
        (math.log(c.age.under_40), math.log(c.age.from_40_to_64), math.log(c.age.from_65))
        for c in conds
    ]
    return _Model(
        implied_by=knowledge.implied_by,
        implies=knowledge.entails,
        ids=tuple(c.id for c in conds),
        labels=tuple((c.name, c.serious) for c in conds),
        base=tuple(math.log(c.prior) for c in conds),
        age=tuple(tuple(a[band] for a in ages) for band in range(3)),
        table=table,
    )


Age = AgeRange | int | None


def _band(age: Age) -> int | None:
    if age is None:
        return None
    if isinstance(age, int):
        return 0 if age < 40 else (1 if age < 65 else 2)
    lo, hi = _band(age.lo), _band(age.hi)
    return lo if lo == hi else None


def _counted(m: _Model, known: Mapping[str, bool]) -> dict[str, bool]:
    """The known findings that carry information of their own (see the module docstring)."""
    yes = {f for f, v in known.items() if v}
    no = known.keys() - yes
    implied_by, implies = m.implied_by, m.implies
    out: dict[str, bool] = {}
    for fid, present in known.items():
        if present:
            if fid in implied_by and not implied_by[fid].isdisjoint(yes):
                continue  # entailed by a more specific present finding
        elif fid in implies and not implies[fid].isdisjoint(no):
            continue  # its absence follows from a more general absent finding
        out[fid] = present
    return out


def _scores(
    m: _Model,
    known: Mapping[str, bool],
    age: Age,
    strong: list[list[tuple[float, str]]] | None = None,
) -> list[float]:
    """Log scores by condition; with ``strong``, also each condition's weights strong enough to
    name as evidence for or against it, collected in the same pass."""
    scores = list(m.base)
    band = _band(age)
    if band is not None:
        scores = list(map(add, scores, m.age[band]))
    for fid, present in _counted(m, known).items():
        row = m.table.get(fid)
        if row is None:
            continue
        # Added finding by finding, in the same order as ever: the sums are identical to the bit.
        scores = list(map(add, scores, row.present if present else row.absent))
        if strong is not None:
            for i, weight in row.strong_present if present else row.strong_absent:
                strong[i].append(weight)
    return scores


def posterior(
    known: Mapping[str, bool], age: Age, knowledge: kb.KnowledgeBase | None = None
) -> dict[str, float]:
    """P(condition | evidence), unrounded, by condition id."""
    m = _model(knowledge or kb.load())
    scores = _scores(m, known, age)
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return {cid: e / total for cid, e in zip(m.ids, exps, strict=True)}


def _entropy(ps: list[float]) -> float:
    return -sum(p * math.log2(p) for p in ps if p > 0)


def expected_information_gain(
    fid: str, post: Mapping[str, float], knowledge: kb.KnowledgeBase | None = None
) -> float:
    """Bits of uncertainty about the cause that asking about ``fid`` is expected to remove."""
    m = _model(knowledge or kb.load())
    prior = [post[c] for c in m.ids]
    like = m.table[fid].like
    p_yes = sum(p * q for p, q in zip(prior, like, strict=True))
    if not 0 < p_yes < 1:
        return 0.0
    yes = [p * q / p_yes for p, q in zip(prior, like, strict=True)]
    no = [p * (1 - q) / (1 - p_yes) for p, q in zip(prior, like, strict=True)]
    return _entropy(prior) - p_yes * _entropy(yes) - (1 - p_yes) * _entropy(no)


def differential(
    known: Mapping[str, bool], age: Age, knowledge: kb.KnowledgeBase | None = None
) -> list[dict[str, Any]]:
    """Every condition, most likely first, with probability, supporting and opposing evidence."""
    knowledge = knowledge or kb.load()
    m = _model(knowledge)
    strong: list[list[tuple[float, str]]] = [[] for _ in m.ids]
    scores = _scores(m, known, age, strong)
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    # Floor to 4 places so rounding never pushes the sum above 1.
    probs = [math.floor(e / total * 10_000) / 10_000 for e in exps]
    out: list[dict[str, Any]] = []
    # Most likely first; a stable sort keeps the knowledge base's order among equals.
    for i in sorted(range(len(probs)), key=[-p for p in probs].__getitem__):
        supporting: list[str] = []
        opposing: list[str] = []
        if strong[i]:
            # One sort serves both lists: no two weights are equal tuples (one per finding), and
            # every weight collected is beyond one bound or the other.
            for lr, f in sorted(strong[i]):
                (supporting if lr >= _FOR else opposing).append(f)
            supporting.reverse()  # strongest first
        name, serious = m.labels[i]
        out.append(
            {
                "id": m.ids[i],
                "probability": probs[i],
                "supporting": supporting,
                "opposing": opposing,
                "name": name,
                "serious": serious,
            }
        )
    return out
