"""Rich rendering of an assessment for a person reading it in a terminal.

Order: the level first; a provisional result (the red-flag screen is not complete) leads with
what was not asked, or, beside an emergency, gives it right after what to do now. A provisional
result never shows the self-care reasons ("a click on its own is harmless"), and an
out-of-scope result shows what the scope says instead of causes and a programme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from crepitus import kb
from crepitus.report.view import ReportView, build_view, level_names, provisional_view

__all__ = ["LEVEL_STYLE", "provisional_lines", "render_assessment"]

#: Each level's colour in a terminal (its words, the badge, are in texts.yaml).
LEVEL_STYLE = {
    "self_care": "green",
    "consultation": "yellow",
    "consultation_24": "dark_orange",
    "emergency": "bold white on red",
    "emergency_ambulance": "bold white on red",
}


def _bullets(items: Sequence[Any], key: str = "text") -> Table:
    """A bulleted list whose wrapped lines stay indented under their text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for i in items:
        text = i.get(key) if isinstance(i, Mapping) else i
        if text:
            grid.add_row("•", Text(str(text)))
    return grid


def _level_name(knowledge: kb.KnowledgeBase, level: str) -> str:
    return level_names(knowledge)[level]


def _phrases(knowledge: kb.KnowledgeBase) -> Mapping[str, str]:
    return knowledge.texts.phrases


def provisional_lines(
    result: Mapping[str, Any], knowledge: kb.KnowledgeBase, interviewed: bool = False
) -> list[RenderableType]:
    """The provisional notice, line by line; empty when the result is not provisional.

    ``interviewed``: the result ends an interview (so the hint is not to run one)."""
    view = provisional_view(result, knowledge, words=True)
    if view is None:
        return []
    level = str((result.get("triage") or {}).get("level", ""))
    urgent = kb.level_rank(level) >= kb.level_rank("emergency")
    lines: list[RenderableType] = []
    if urgent and interviewed and view.emergency_notice:
        lines.append(Text(view.emergency_notice, style="bold"))
    lines.append(Text(view.notice, style="bold"))
    if view.not_asked and not view.inline:
        lines.append(Text(f"\n{view.not_asked_heading}", style="bold"))
        lines.append(_bullets(view.not_asked))
    if view.unsure:
        lines.append(Text(f"\n{view.unsure_heading}", style="bold"))
        lines.append(_bullets(view.unsure))
    if urgent and not interviewed:
        lines.append(Text(f"\n{_phrases(knowledge)['emergency_hint']}"))
    elif not interviewed:
        lines.append(Text(f"\n{_phrases(knowledge)['interview_hint']}"))
    return lines


def _print_provisional(console: Console, lines: list[RenderableType]) -> None:
    if lines:
        console.print(
            Panel(Group(*lines), title="Provisional", title_align="left", border_style="yellow")
        )


def render_assessment(
    result: dict[str, Any], console: Console, *, interviewed: bool = False
) -> None:
    """The assessment for a person at a terminal, from the same view as the page and the PDF."""
    knowledge = kb.load()
    view = build_view(result, None, None, knowledge)
    wording = knowledge.texts.level(view.level)
    style, label = LEVEL_STYLE[view.level], wording.badge if wording else view.level_name
    urgent = view.emergency
    notice = provisional_lines(result, knowledge, interviewed)

    if not urgent:
        # Not an emergency: what was not asked comes before anything that could reassure.
        _print_provisional(console, notice)

    # The level, coloured; for emergencies the instructions come straight after it.
    head = Text.assemble((f" {label} ", style), "  ", (view.headline, "bold"))
    body: list[Any] = [head, Text(view.summary)]
    if view.scope_text and view.scope_text != view.summary:
        body.append(Text(view.scope_text))
    if view.do_now:
        body.append(Text("\nWhat to do now", style="bold"))
        body.append(_bullets(view.do_now))
    if view.avoid:
        body.append(Text("\nAvoid", style="bold"))
        body.append(_bullets(view.avoid))
    console.print(Panel(Group(*body), border_style="red" if urgent else style.split()[-1]))
    if urgent:
        _print_provisional(console, notice)
    if view.subject == "other":
        console.print(Text(_phrases(knowledge)["for_someone_else"], style="italic"))
        console.print()

    # The view leaves out "a click on its own is harmless" before every warning sign is asked.
    said = " ".join(r.text for r in view.reasons)
    corrections = [c for c in view.corrections if c not in said]
    if view.reasons or corrections or notice:
        console.print(Text("Why", style="bold underline"))
        for note in corrections:
            console.print(Text(note))
        for r in view.reasons:
            src = "; ".join(s.title for s in r.sources)
            console.print(
                Text.assemble(
                    (f"[{_level_name(knowledge, r.level)}] ", LEVEL_STYLE[r.level]),
                    r.text,
                    (f"  ({src})", "dim"),
                )
            )
        if not view.reasons and notice:
            console.print(Text(_phrases(knowledge)["no_sign_yet"]))
        console.print()
    if view.unsure and not notice:
        console.print(Text(view.unsure_heading, style="bold underline"))
        console.print(_bullets(view.unsure))
        console.print()

    if view.in_scope:
        _render_causes(view, console)

    if view.exercises or view.plan_notes:
        title = "Your exercise programme" if view.exercises else "Exercises"
        console.print(Text(title, style="bold underline"))
        for note in view.plan_notes:
            console.print(Text(f"Note: {note}", style="yellow"))
        for n, ex in enumerate(view.exercises, 1):
            console.print(Text.assemble((f"{n}. {ex.name}", "bold"), f": {ex.targets}"))
            console.print(Text(f"   Why: {ex.why}", style="italic"))
            for k, step in enumerate(ex.steps, 1):
                console.print(f"   {k}) {escape(step)}")
            console.print(Text(f"   Dose: {ex.dose}"))
            console.print(Text(f"   Progress: {ex.progression}"))
            console.print(Text(f"   Stop if: {ex.stop_if}", style="red"))
        console.print()
    for items, title in (
        (view.home_care, "Looking after it at home"),
        (view.prevention, "Preventing it"),
        (view.self_cracking, "About cracking your own back"),
    ):
        if items:
            console.print(Text(title, style="bold underline"))
            console.print(_bullets(items))
            console.print()
    if view.safety_net:
        console.print(Text("Get help if things change", style="bold underline"))
        for group in view.safety_net:
            console.print(Text(f"{group.heading} if:", style=LEVEL_STYLE[group.urgency]))
            console.print(_bullets(group.items))
        console.print()
    if view.questions_for_doctor:
        console.print(Text("Questions to ask your doctor", style="bold underline"))
        console.print(_bullets(view.questions_for_doctor))
        console.print()
    console.print(Text(view.disclaimer, style="dim"))
    console.print(Text(f"Knowledge base {view.knowledge_version}", style="dim"))


def _render_causes(view: ReportView, console: Console) -> None:
    table = Table(title="Possible causes (not a diagnosis)", title_justify="left", expand=True)
    table.add_column("Cause", ratio=3)
    table.add_column("Chance", justify="right", ratio=1)
    table.add_column("What points to it", ratio=3)
    for c in view.causes:
        points = [e.label for e in c.supporting[:3]]
        table.add_row(escape(c.name), f"{c.percent} ({c.word})", escape("; ".join(points)) or "-")
    console.print(table)
    if view.causes and view.causes[0].explanation:
        top = view.causes[0].explanation
        console.print(Text.assemble(("About the most likely cause: ", "bold"), top))
        console.print()
