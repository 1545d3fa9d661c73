"""Rich rendering of what the free-text reader found: the text with each finding marked, then
a table of the findings."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["ASSERTION_STYLE", "render_parse"]

# By how the text says it; a mention that counts as present is shown green whatever its
# assertion (a past cancer, a parent's ankylosing spondylitis).
ASSERTION_STYLE = {
    "affirmed": "bold green",
    "negated": "red strike",
    "uncertain": "yellow",
    "hypothetical": "yellow italic",
    "historical": "dim",
    "other_person": "dim italic",
}
_PRESENT_WORD = {True: "yes", False: "no", None: "—"}


def _style(m: dict[str, Any]) -> str:
    if m.get("present") is True:
        return ASSERTION_STYLE["affirmed"]
    if m.get("present") is False:
        return ASSERTION_STYLE["negated"]
    return ASSERTION_STYLE.get(str(m.get("assertion")), "dim")


def _labels() -> dict[str, str]:
    try:
        from crepitus import kb

        return {fid: f.label for fid, f in kb.load().findings.items()}
    except Exception:  # labels are a nicety; the view must work without them
        return {}


def render_parse(text: str, mentions: list[dict[str, Any]], console: Console) -> None:
    """Print ``text`` with each mention's span styled by its reading, then a table of them."""
    marked = Text(text)
    # Wider spans first, so a phrase inside a longer one keeps its own colour on top.
    for m in sorted(mentions, key=lambda m: m["span"][0] - m["span"][1]):
        start, end = m["span"]
        marked.stylize(_style(m), start, end)
    console.print(marked)
    console.print()
    if not mentions:
        console.print("No findings mentioned.", style="dim")
        return
    labels = _labels()
    table = Table(title="Findings in the text", title_justify="left")
    table.add_column("finding", no_wrap=True)
    table.add_column("label")
    table.add_column("assertion", no_wrap=True)
    table.add_column("present", justify="center")
    table.add_column("span")
    for m in mentions:
        start, end = m["span"]
        table.add_row(
            Text(m["id"], style=_style(m)),
            labels.get(m["id"], ""),
            str(m["assertion"]),
            _PRESENT_WORD.get(m["present"], "—"),
            Text(f"{start}-{end} ") + Text(repr(m.get("text", text[start:end])), style="dim"),
        )
    console.print(table)
