"""Rich rendering of an assessment for a person reading it in a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from crepitus import kb

__all__ = ["LEVEL_STYLE", "render_assessment"]

LEVEL_STYLE = {
    "self_care": ("green", "SELF-CARE"),
    "consultation": ("yellow", "SEE A DOCTOR OR PHYSIOTHERAPIST"),
    "consultation_24": ("dark_orange", "SEE A DOCTOR WITHIN 24 HOURS"),
    "emergency": ("bold white on red", "EMERGENCY"),
    "emergency_ambulance": ("bold white on red", "CALL AN AMBULANCE"),
}


def _likelihood_word(p: float, first: bool) -> str:
    if first and p >= 0.4:
        return "most likely"
    if p >= 0.15:
        return "possible"
    return "less likely"


def _bullets(items: list[dict[str, Any]], key: str = "text") -> Text:
    return Text("\n").join(Text(f"• {i[key]}") for i in items)


def render_assessment(result: dict[str, Any], console: Console) -> None:
    knowledge = kb.load()
    plan = result["plan"]
    level = result["triage"]["level"]
    style, label = LEVEL_STYLE[level]
    urgent = kb.level_rank(level) >= kb.level_rank("emergency")

    # The level first, coloured; for emergencies the instructions come straight after it.
    head = Text.assemble((f" {label} ", style), "  ", (plan["headline"], "bold"))
    body: list[Any] = [head, Text(plan["summary"])]
    if plan["do_now"]:
        body.append(Text("\nWhat to do now", style="bold"))
        body.append(_bullets(plan["do_now"]))
    if plan["avoid"]:
        body.append(Text("\nAvoid", style="bold"))
        body.append(_bullets(plan["avoid"]))
    console.print(Panel(Group(*body), border_style="red" if urgent else style.split()[-1]))

    reasons = result["triage"]["reasons"]
    if reasons:
        console.print(Text("Why", style="bold underline"))
        for r in reasons:
            src = ", ".join(r["sources"])
            console.print(
                Text.assemble(
                    (f"[{r['level']}] ", LEVEL_STYLE[r["level"]][0]),
                    r["text"],
                    (f"  ({src})", "dim"),
                )
            )
        console.print()

    table = Table(title="Possible causes (not a diagnosis)", title_justify="left", expand=True)
    table.add_column("Cause", ratio=3)
    table.add_column("Chance", justify="right", ratio=1)
    table.add_column("What points to it", ratio=3)
    for i, c in enumerate(result["conditions"][:5]):
        labels = [knowledge.findings[f].label for f in c["supporting"][:3]]
        table.add_row(
            escape(c["name"]),
            f"{c['probability'] * 100:.0f}% ({_likelihood_word(c['probability'], i == 0)})",
            escape("; ".join(labels)) or "-",
        )
    console.print(table)
    if result["conditions"]:
        top = knowledge.conditions[result["conditions"][0]["id"]]
        console.print(Text.assemble(("About the most likely cause: ", "bold"), top.explanation))
        console.print()

    if plan["exercises"]:
        console.print(Text("Your exercise programme", style="bold underline"))
        for n, ex in enumerate(plan["exercises"], 1):
            console.print(Text.assemble((f"{n}. {ex['name']}", "bold"), f": {ex['targets']}"))
            console.print(Text(f"   Why: {ex['why']}", style="italic"))
            for s, step in enumerate(ex["steps"], 1):
                console.print(f"   {s}) {escape(step)}")
            console.print(Text(f"   Dose: {ex['dose']}"))
            console.print(Text(f"   Progress: {ex['progression']}"))
            console.print(Text(f"   Stop if: {ex['stop_if']}", style="red"))
        console.print()
    for key, title in (
        ("home_care", "Looking after it at home"),
        ("prevention", "Preventing it"),
        ("self_cracking", "About cracking your own back"),
    ):
        if plan[key]:
            console.print(Text(title, style="bold underline"))
            console.print(_bullets(plan[key]))
            console.print()
    if plan["safety_net"]:
        console.print(Text("Get help if things change", style="bold underline"))
        for item in plan["safety_net"]:
            st, lab = LEVEL_STYLE[item["urgency"]]
            console.print(Text.assemble((f"[{lab.lower()}] ", st), item["text"]))
        console.print()
    if plan["questions_for_doctor"]:
        console.print(Text("Questions to ask your doctor", style="bold underline"))
        console.print(_bullets(plan["questions_for_doctor"]))
        console.print()
    console.print(Text(plan["disclaimer"], style="dim"))
    console.print(Text(f"Knowledge base {result['knowledge_version']}", style="dim"))
