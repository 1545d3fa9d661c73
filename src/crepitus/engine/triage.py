"""Rules -> triage level and reasons.

Every rule is evaluated in Kleene's three-valued logic over present (True), absent (False) and
unknown (None) evidence, and fires only when definitely true. ``when`` has no negation, so turning
an unknown into "absent" can never make a rule fire, and turning it into "present" can never stop
one: the level is monotone in the evidence by construction (the property tests hold it to that).

Two additions keep that promise:

* ``{not_sure: x}`` is true when x was answered "not sure", false when x is known, unknown while
  unasked. "Not sure" therefore never gives a lower level than "no" (which fires nothing).
* A rule's ``unless`` exception (for example stenosis rather than cauda equina) is read on
  *confirmed* evidence only and counts only when definitely true: an unknown or a reading of free
  text never meets it, so a missing answer never lowers a level. Only the few findings an
  exception names as present can lower one; the knowledge checks list them.

Missing age: an age condition counts as met when the age is unknown (the cautious reading), so a
missing age never lowers the level; a reason that depended on it says so. An age band answered in
the interview (50 or over, 65 or over, under 16) narrows the unknown age to an interval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crepitus import kb
from crepitus.engine.evidence import Evidence

__all__ = ["CompiledRule", "Evidence", "compiled_rules", "evaluate", "lowering_items", "triage"]

Tri = bool | None
# (evidence, value an age condition takes when the age range straddles it) -> truth value
Pred = Callable[[Evidence, bool], Tri]


class _Gen:
    """Python source for one rule's ``when``, as straight-line statements over Kleene values.

    Generated once per knowledge base and compiled: a rule is then one call with no nested
    closures or lists, which made rule evaluation tens of times faster than walking the tree.
    Values are only True, False and None, so ``in`` and ``count`` on a tuple read them exactly.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.n = 0

    def _tmp(self, code: str) -> str:
        self.n += 1
        name = f"v{self.n}"
        self.lines.append(f"{name} = {code}")
        return name

    def _values(self, parts: list[kb.Expr]) -> str:
        """A tuple of the parts' values."""
        return self._tmp("(" + "".join(self.expr(e) + ", " for e in parts) + ")")

    def expr(self, expr: kb.Expr) -> str:
        if isinstance(expr, str):
            return f"k.get({expr!r})"
        if isinstance(expr, kb.NotSure):
            fid = repr(expr.not_sure)
            return self._tmp(f"True if {fid} in u else (False if {fid} in k else None)")
        if isinstance(expr, kb.AgeAtLeast | kb.AgeBelow):
            call = (
                f"a.at_least({expr.age_at_least})"
                if isinstance(expr, kb.AgeAtLeast)
                else f"a.below({expr.age_below})"
            )
            # An age the range straddles takes the value the caller gives for a missing age.
            return self._tmp(f"missing if (x := {call}) is None else x")
        if isinstance(expr, kb.AllOf):
            t = self._values(expr.all)
            return self._tmp(f"False if False in {t} else (None if None in {t} else True)")
        if isinstance(expr, kb.AnyOf):
            t = self._values(expr.any)
            return self._tmp(f"True if True in {t} else (None if None in {t} else False)")
        if isinstance(expr, kb.AtLeast):
            t, n = self._values(expr.at_least.of), expr.at_least.n
            yes = self._tmp(f"{t}.count(True)")
            return self._tmp(
                f"True if {yes} >= {n} else (False if {yes} + {t}.count(None) < {n} else None)"
            )
        raise TypeError(f"unknown expression {expr!r}")  # pragma: no cover


def compile_expr(expr: kb.Expr) -> Pred:
    gen = _Gen()
    result = gen.expr(expr)
    body = "".join(f"    {line}\n" for line in gen.lines)
    source = (
        "def pred(ev, missing):\n"
        "    k = ev.known\n    u = ev.unsure\n    a = ev.age\n"
        f"{body}    return {result}\n"
    )
    scope: dict[str, Any] = {}
    # Safe: the source is ours; ids enter only as repr() literals, limits as validated ints.
    exec(compile(source, "<crepitus rule>", "exec"), scope)
    pred: Pred = scope["pred"]
    return pred


def _unless(u: kb.Unless) -> Callable[[Evidence], Tri]:
    """True when the exception definitely holds on confirmed evidence, False when it cannot."""

    def held(ev: Evidence) -> Tri:
        conf, known = ev.confirmed, ev.known
        if any(known.get(f) is True for f in u.not_present):
            return False
        if any(conf.get(f) is False for f in u.present) or any(
            conf.get(f) is True for f in u.absent
        ):
            return False
        if all(conf.get(f) is True for f in u.present) and all(
            conf.get(f) is False for f in u.absent
        ):
            return True
        return None

    return held


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


def _needs(expr: kb.Expr) -> frozenset[str]:
    """Findings that must be known present for ``expr`` to be definitely true."""
    if isinstance(expr, str):
        return frozenset([expr])
    if isinstance(expr, kb.AllOf):
        return frozenset().union(*map(_needs, expr.all))
    if isinstance(expr, kb.AnyOf):
        return frozenset.intersection(*map(_needs, expr.any))
    return frozenset()  # ages, "not sure" and "at least n of" need no one finding


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: kb.Rule
    rank: int
    order: int
    pred: Pred
    findings: tuple[str, ...]  # what `when` mentions
    uses_age: bool
    unless: Callable[[Evidence], Tri] | None = None
    needs: frozenset[str] = frozenset()  # known present, or the rule cannot be true


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
            unless=_unless(r.unless) if r.unless is not None else None,
            needs=_needs(r.when),
        )
        for i, r in enumerate(knowledge.rules)
    ]
    # Most urgent first, file order within a level: the order reasons are reported in.
    out.sort(key=lambda c: (-c.rank, c.order))
    return tuple(out)


def compiled_rules(knowledge: kb.KnowledgeBase | None = None) -> tuple[CompiledRule, ...]:
    return _compile(knowledge or kb.load())


@lru_cache(maxsize=4)
def _by_finding(knowledge: kb.KnowledgeBase) -> dict[str, tuple[int, ...]]:
    """Finding -> the positions in ``compiled_rules`` of the rules that mention it."""
    out: dict[str, list[int]] = {}
    for i, c in enumerate(_compile(knowledge)):
        for f in c.findings:
            out.setdefault(f, []).append(i)
    return {f: tuple(ix) for f, ix in out.items()}


def evaluate(rule: CompiledRule, ev: Evidence) -> tuple[Tri, bool]:
    """(truth value, whether it is true only because age is missing).

    A rule whose ``when`` holds but whose exception might still be confirmed stays True: the
    exception lowers only once it is certain.
    """
    value = rule.pred(ev, True)
    if value is True and rule.unless is not None and rule.unless(ev) is True:
        return False, False
    assumed = False
    if value is True and rule.uses_age and not ev.age.known:
        assumed = rule.pred(ev, False) is not True
    return value, assumed


def lowering_items(rule: CompiledRule, ev: Evidence) -> list[str]:
    """Findings still to confirm before the rule's exception could hold (none if it cannot)."""
    u = rule.rule.unless
    if u is None or rule.pred(ev, True) is not True or rule.unless is None:
        return []
    if rule.unless(ev) is not None:
        return []
    conf = ev.confirmed
    return [f for f in [*u.present, *u.absent, *u.not_present] if f not in conf]


def _plain_list(ids: list[str], knowledge: kb.KnowledgeBase) -> str:
    short = kb.short_texts(knowledge)
    words = [(short.get(f) or knowledge.findings[f].label).rstrip(".") for f in ids]
    words = [w[:1].lower() + w[1:] for w in words]
    return words[0] if len(words) == 1 else "; ".join(words[:-1]) + " and " + words[-1]


_AGE_NOTE = " (Your age was not given, so we took the more cautious reading.)"


def triage(
    ev: Evidence,
    knowledge: kb.KnowledgeBase | None = None,
    details: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The contract's ``triage`` object: the most urgent level reached and every rule that fired.

    ``details`` gives plain-words detail for derived findings (diary trends) that a rule's text
    shows in place of ``{detail}``.
    """
    knowledge = knowledge or kb.load()
    reasons: list[dict[str, Any]] = []
    top = 0
    known = ev.known
    rules = _compile(knowledge)
    index = _by_finding(knowledge)
    # A rule can be true only if one of its findings is present or unsure (no rule is made of
    # ages alone): only those rules are evaluated, found through the index, in report order.
    candidates: set[int] = set()
    present: set[str] = set()
    for f, v in known.items():
        if v:
            present.add(f)
            if f in index:
                candidates.update(index[f])
    for f in ev.unsure:
        if f in index:
            candidates.update(index[f])
    for i in sorted(candidates):
        c = rules[i]
        if not c.needs <= present:
            continue  # a finding it needs is absent or unknown: it cannot be true
        value, assumed = evaluate(c, ev)
        if value is not True:
            continue
        top = max(top, c.rank)
        unsure = [f for f in c.findings if f in ev.unsure] if ev.unsure else []
        evidence = [f for f in c.findings if known.get(f) is True or f in unsure]
        text = c.rule.text
        if "{detail}" in text:
            text = text.replace("{detail}", "; ".join((details or {}).get(f, f) for f in evidence))
        if "{unsure}" in text:
            text = text.replace("{unsure}", _plain_list(unsure, knowledge))
        reason: dict[str, Any] = {
            "rule": c.rule.id,
            "level": c.rule.level,
            "text": text + (_AGE_NOTE if assumed else ""),
            "evidence": evidence,
            "sources": list(c.rule.sources),
        }
        if unsure:
            reason["unsure"] = unsure
        if assumed:
            reason["assumed"] = ["age"]
        reasons.append(reason)
    return {"level": kb.LEVELS[top], "reasons": reasons}
