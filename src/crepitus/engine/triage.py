"""Rules -> triage level and reasons.

Every rule is evaluated in Kleene's three-valued logic over present (True), absent (False) and
unknown (None) evidence, and fires only when definitely true. Rules have no negation, so turning an
unknown into "absent" can never make a rule fire, and turning it into "present" can never stop
one: the level is monotone in the evidence by construction (the property tests hold it to that).

Missing age: an age condition counts as met when age is unknown (the cautious reading), so a
missing age never lowers the level; a reason that depended on it says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crepitus import kb

__all__ = ["CompiledRule", "Known", "compiled_rules", "evaluate", "triage"]

Known = Mapping[str, bool]
Tri = bool | None
# (known evidence, age, value an age condition takes when age is missing) -> truth value
Pred = Callable[[Known, int | None, bool], Tri]


def _and(values: list[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def _or(values: list[Tri]) -> Tri:
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def compile_expr(expr: kb.Expr) -> Pred:
    if isinstance(expr, str):
        fid = expr
        return lambda known, age, missing: known.get(fid)
    if isinstance(expr, kb.AllOf):
        parts = [compile_expr(e) for e in expr.all]
        return lambda known, age, missing: _and([p(known, age, missing) for p in parts])
    if isinstance(expr, kb.AnyOf):
        parts = [compile_expr(e) for e in expr.any]
        return lambda known, age, missing: _or([p(known, age, missing) for p in parts])
    if isinstance(expr, kb.AtLeast):
        n = expr.at_least.n
        parts = [compile_expr(e) for e in expr.at_least.of]

        def at_least(known: Known, age: int | None, missing: bool) -> Tri:
            vals = [p(known, age, missing) for p in parts]
            yes = sum(v is True for v in vals)
            if yes >= n:
                return True
            return False if yes + sum(v is None for v in vals) < n else None

        return at_least
    if isinstance(expr, kb.AgeAtLeast):
        limit = expr.age_at_least
        return lambda known, age, missing: missing if age is None else age >= limit
    if isinstance(expr, kb.AgeBelow):
        limit = expr.age_below
        return lambda known, age, missing: missing if age is None else age < limit
    raise TypeError(f"unknown expression {expr!r}")  # pragma: no cover


def _has_age(expr: kb.Expr) -> bool:
    if isinstance(expr, kb.AgeAtLeast | kb.AgeBelow):
        return True
    if isinstance(expr, kb.AllOf):
        return any(_has_age(e) for e in expr.all)
    if isinstance(expr, kb.AnyOf):
        return any(_has_age(e) for e in expr.any)
    if isinstance(expr, kb.AtLeast):
        return any(_has_age(e) for e in expr.at_least.of)
    return False


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: kb.Rule
    rank: int
    order: int
    pred: Pred
    findings: tuple[str, ...]
    uses_age: bool


@lru_cache(maxsize=4)
def _compile(knowledge: kb.KnowledgeBase) -> tuple[CompiledRule, ...]:
    out = [
        CompiledRule(
            rule=r,
            rank=kb.level_rank(r.level),
            order=i,
            pred=compile_expr(r.when),
            findings=tuple(dict.fromkeys(kb.expr_findings(r.when))),
            uses_age=_has_age(r.when),
        )
        for i, r in enumerate(knowledge.rules)
    ]
    # Most urgent first, file order within a level: the order reasons are reported in.
    out.sort(key=lambda c: (-c.rank, c.order))
    return tuple(out)


def compiled_rules(knowledge: kb.KnowledgeBase | None = None) -> tuple[CompiledRule, ...]:
    return _compile(knowledge or kb.load())


def evaluate(rule: CompiledRule, known: Known, age: int | None) -> tuple[Tri, bool]:
    """(truth value, whether it is true only because age is missing)."""
    value = rule.pred(known, age, True)
    assumed = False
    if value is True and age is None and rule.uses_age:
        assumed = rule.pred(known, age, False) is not True
    return value, assumed


_AGE_NOTE = " (Your age was not given, so we took the more cautious reading.)"


def triage(
    known: Known,
    age: int | None,
    knowledge: kb.KnowledgeBase | None = None,
    details: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The contract's ``triage`` object: the most urgent level reached and every rule that fired.

    ``details`` gives plain-words detail for derived findings (diary trends) that a rule's text
    shows in place of ``{detail}``.
    """
    reasons: list[dict[str, Any]] = []
    top = 0
    for c in compiled_rules(knowledge):
        value, assumed = evaluate(c, known, age)
        if value is not True:
            continue
        top = max(top, c.rank)
        evidence = [f for f in c.findings if known.get(f) is True]
        text = c.rule.text
        if "{detail}" in text:
            text = text.replace("{detail}", "; ".join((details or {}).get(f, f) for f in evidence))
        reason: dict[str, Any] = {
            "rule": c.rule.id,
            "level": c.rule.level,
            "text": text + (_AGE_NOTE if assumed else ""),
            "evidence": evidence,
            "sources": list(c.rule.sources),
        }
        if assumed:
            reason["assumed"] = ["age"]
        reasons.append(reason)
    return {"level": kb.LEVELS[top], "reasons": reasons}
