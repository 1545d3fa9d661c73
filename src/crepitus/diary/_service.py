"""What every surface does with a diary, written once: add or import entries, assess the case with
the whole diary, draw its charts, export it. The HTTP API, the web pages and the command line
call these; each only reads its input and shows the outcome in its own way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from crepitus.diary._output import (
    chart_bytes,
    chart_descriptions,
    data_uri,
    export_csv,
    export_json,
    read_export,
    relabel,
)
from crepitus.errors import CaseError
from crepitus.report.pdf import Chart
from crepitus.store import AddedEntries, Diary, DiaryOwner, Store, StoredEntry

__all__ = [
    "DiaryAssessment",
    "Export",
    "add_entries",
    "assess_with_diary",
    "chart_titles",
    "charts",
    "export",
    "import_entries",
]


@dataclass(frozen=True, slots=True)
class DiaryAssessment:
    """The stored case assessed again with the whole diary, and the diary's trends."""

    result: dict[str, Any]
    trends: dict[str, Any]


def assess_with_diary(diary: Diary, case: dict[str, Any] | None = None) -> DiaryAssessment:
    """The diary's own case (or ``case``, whose diary entries come first) with every entry.

    Raises CaseError when the case is not one the core accepts (a stored case the knowledge base
    no longer takes, or a case file given on the command line)."""
    import crepitus
    from crepitus.engine.case import DiaryEntryIn, validate_case
    from crepitus.engine.trends import compute_trends

    base = validate_case(diary.case if case is None else case)
    # The stored entries were checked when they were written: they go in as they are (the
    # core's diary-entry protocol), not turned into JSON and parsed again, which took a fifth
    # of a second for 10,000. The core still checks their ids against today's knowledge base
    # and their times against the clock.
    kept = cast(list[DiaryEntryIn], diary.entries)
    result = crepitus.assess(base.model_copy(update={"diary": [*base.diary, *kept]}))
    trends = result.get("trends") or compute_trends([]).as_dict()
    return DiaryAssessment(result, trends)


def add_entries(
    store: Store, owner: DiaryOwner, entries: list[Any], prefix: str = ""
) -> AddedEntries | None:
    """Check and add entries, all or none. A bad entry's fields are named under ``prefix``
    ("entries.2.pain", or "pain" for one entry sent alone); None when the diary does not exist."""
    try:
        return store.add_diary_entries(owner, entries)
    except CaseError as exc:
        raise relabel(exc, prefix) from None


def import_entries(store: Store, owner: DiaryOwner, data: Any) -> AddedEntries | None:
    """Add a diary export (``export_json``'s shape), all or none; entries already in the diary
    are skipped, so importing a file twice adds it once. None when the diary does not exist."""
    entries = read_export(data)
    try:
        return store.add_diary_entries(owner, entries, skip_duplicates=True)
    except CaseError as exc:
        raise relabel(exc, "entries") from None


def chart_titles(trends: dict[str, Any]) -> dict[Literal["pain", "clicks"], str]:
    """Each chart's title, without drawing it ("Clicks per 4 weeks" past two years of weeks)."""
    from crepitus.diary._charts import click_bars

    per = click_bars(list(trends.get("clicks_per_week") or [])).weeks_per_bar
    return {
        "pain": "Pain over time",
        "clicks": "Clicks per week" if per == 1 else f"Clicks per {per} weeks",
    }


def charts(
    entries: Sequence[StoredEntry], trends: dict[str, Any], phone: bool = False
) -> list[Chart]:
    """The two charts, as self-contained SVG, each with its title and a description in words;
    with ``phone``, each also drawn for a phone's width (the web page).

    However long the diary, each chart draws a bounded number of marks (``diary._charts``) and
    its description says when it does."""
    words = chart_descriptions(entries, trends)
    titles = chart_titles(trends)

    def drawn(kind: Literal["pain", "clicks"]) -> Chart:
        narrow = data_uri(chart_bytes(entries, kind, "svg", narrow=True)) if phone else None
        return Chart(titles[kind], data_uri(chart_bytes(entries, kind, "svg")), words[kind], narrow)

    return [drawn("pain"), drawn("clicks")]


@dataclass(frozen=True, slots=True)
class Export:
    body: bytes
    media_type: str
    filename: str


def export(entries: Sequence[StoredEntry], fmt: Literal["json", "csv"]) -> Export:
    """Every entry, oldest first: JSON (what ``import_entries`` reads back) or CSV."""
    if fmt == "json":
        return Export(export_json(entries), "application/json", "crepitus-diary.json")
    return Export(export_csv(entries), "text/csv; charset=utf-8", "crepitus-diary.csv")
