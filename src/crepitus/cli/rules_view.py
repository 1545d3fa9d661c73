"""`crepitus kb rules`: every triage rule as a table, generated from the knowledge base itself.

Three formats: a terminal table, Markdown for the documentation (so the documented rules cannot
drift from the data), and JSON. Each rule shows its id, level, condition (the ``when`` expression
in words, and its ``unless`` exception), sources, whether the level is set by a guideline or is
the team's decision, and the rationale.
"""

from __future__ import annotations

from typing import Any

from crepitus import kb

__all__ = ["condition_text", "render_json", "render_markdown", "render_table", "rule_rows"]


def _expr(expr: kb.Expr, nested: bool = False) -> str:
    """An expression in words: ``fever and (leg_weakness or leg_numbness)``."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, kb.AllOf | kb.AnyOf):
        parts, word = (expr.all, " and ") if isinstance(expr, kb.AllOf) else (expr.any, " or ")
        if len(parts) == 1:
            return _expr(parts[0], nested)
        text = word.join(_expr(p, nested=True) for p in parts)
        return f"({text})" if nested else text
    if isinstance(expr, kb.AtLeast):
        body = expr.at_least
        return f"at least {body.n} of ({', '.join(_expr(p, nested=True) for p in body.of)})"
    if isinstance(expr, kb.AgeAtLeast):
        return f"age {expr.age_at_least} or over"
    if isinstance(expr, kb.AgeBelow):
        return f"age under {expr.age_below}"
    if isinstance(expr, kb.NotSure):
        return f"not sure about {expr.not_sure}"
    raise TypeError(f"unknown rule expression {expr!r}")  # pragma: no cover


def _unless(unless: kb.Unless) -> str:
    parts = [f"{', '.join(unless.present)} confirmed present"]
    if unless.absent:
        parts.append(f"{', '.join(unless.absent)} confirmed absent")
    if unless.not_present:
        parts.append(f"none of {', '.join(unless.not_present)} present")
    return "; ".join(parts)


def condition_text(rule: kb.Rule) -> str:
    """The rule's condition in words, with its exception."""
    text = _expr(rule.when)
    if rule.unless is not None:
        text += f"; unless {_unless(rule.unless)}"
    return text


def _ordered(knowledge: kb.KnowledgeBase) -> list[kb.Rule]:
    """Every rule, most urgent level first (the file's order within a level)."""
    order = {r.id: i for i, r in enumerate(knowledge.rules)}
    return sorted(knowledge.rules, key=lambda r: (-kb.level_rank(r.level), order[r.id]))


def rule_rows(knowledge: kb.KnowledgeBase) -> list[dict[str, Any]]:
    """Every rule as words, most urgent first: id, level, condition, unless, sources, ..."""
    return [
        {
            "id": r.id,
            "level": r.level,
            "condition": _expr(r.when),
            "unless": _unless(r.unless) if r.unless is not None else None,
            "sources": list(r.sources),
            "decision": r.decision,
            "rationale": r.rationale,
            "text": r.text,
        }
        for r in _ordered(knowledge)
    ]


def render_json(knowledge: kb.KnowledgeBase) -> dict[str, Any]:
    """The rows, each with its expression as data too (``when``, ``unless_expr``)."""
    rows = []
    for r, row in zip(_ordered(knowledge), rule_rows(knowledge), strict=True):
        when = r.when if isinstance(r.when, str) else r.when.model_dump(mode="json")
        unless = r.unless.model_dump(mode="json") if r.unless is not None else None
        rows.append({**row, "when": when, "unless_expr": unless})
    return {"knowledge_version": knowledge.version, "rules": rows}


def _cell(text: str) -> str:
    """Markdown table cell: pipes escaped, one line."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _source_link(knowledge: kb.KnowledgeBase, sid: str) -> str:
    s = knowledge.sources.get(sid)
    return f"[{sid}]({s.url})" if s is not None and s.url else sid


def render_markdown(knowledge: kb.KnowledgeBase) -> str:
    rows = rule_rows(knowledge)
    out = [
        "# Triage rules",
        "",
        f"Knowledge base {knowledge.version}: {len(rows)} rules, most urgent first. Generated "
        "from `src/crepitus/knowledge/rules.yaml` by `crepitus kb rules --format markdown`; "
        "do not edit by hand.",
        "",
        "A rule fires when its condition is definitely true (unknown is never true; a missing "
        "age counts as meeting an age condition). *Decision*: `source` when a cited source "
        "sets the level; `team` when a source names the sign and the level is the "
        "project's decision. An exception (*unless*) counts only on confirmed answers.",
        "",
        "| Rule | Level | Condition | Sources | Decision | Rationale |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        condition = f"`{_cell(r['condition'])}`"
        if r["unless"]:
            condition += f" unless {_cell(r['unless'])}"
        out.append(
            "| "
            + " | ".join(
                [
                    f"`{r['id']}`",
                    f"`{r['level']}`",
                    condition,
                    ", ".join(_source_link(knowledge, s) for s in r["sources"]),
                    r["decision"],
                    _cell(r["rationale"]),
                ]
            )
            + " |"
        )
    cited = sorted({s for r in rows for s in r["sources"]})
    out += ["", "## Sources", ""]
    for sid in cited:
        s = knowledge.sources[sid]
        bits = [s.title]
        if s.publisher:
            bits.append(s.publisher)
        if s.year:
            bits.append(str(s.year))
        line = f"- `{sid}`: " + ", ".join(_cell(b) for b in bits)
        if s.url:
            line += f". <{s.url}>"
        out.append(line)
    return "\n".join(out) + "\n"


#: Narrower than this, each rule is a block of lines instead of a row of four columns.
TABLE_MIN_WIDTH = 120


def render_table(knowledge: kb.KnowledgeBase, width: int = TABLE_MIN_WIDTH) -> Any:
    """A rich table for the terminal (one block per rule in a narrow terminal)."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from crepitus.cli.report import LEVEL_STYLE

    rows = rule_rows(knowledge)
    title = Text(f"Triage rules ({len(rows)}), knowledge base {knowledge.version}", style="bold")
    if width < TABLE_MIN_WIDTH:
        blocks: list[Any] = [title, Text("")]
        for r in rows:
            grid = Table.grid(padding=(0, 1))
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(overflow="fold")
            grid.add_row("when", r["condition"])
            if r["unless"]:
                grid.add_row("unless", r["unless"])
            grid.add_row("sources", ", ".join(r["sources"]))
            grid.add_row("why", r["rationale"])
            head = Text.assemble(
                (r["id"], "bold"),
                "  ",
                (r["level"], LEVEL_STYLE[r["level"]]),
                (f"  {r['decision']} decision", "dim"),
            )
            blocks += [head, grid, Text("")]
        return Group(*blocks)
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_lines=True, expand=True
    )
    table.add_column("Rule", no_wrap=True)
    table.add_column("Condition", ratio=2, overflow="fold")
    table.add_column("Sources", no_wrap=True)
    table.add_column("Rationale", ratio=3)
    for r in rows:
        rule = Text(r["id"], style="bold")
        rule.append("\n")
        rule.append(r["level"], style=LEVEL_STYLE[r["level"]])
        rule.append(f"\n{r['decision']} decision", style="dim")
        condition = Text(r["condition"])
        if r["unless"]:
            condition.append(f"\nunless {r['unless']}", style="italic")
        table.add_row(rule, condition, "\n".join(r["sources"]), r["rationale"])
    return table
