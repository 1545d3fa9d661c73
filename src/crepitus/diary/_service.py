"""What every surface does with a diary, written once: add or import entries, assess the case with
the whole diary, draw its charts, export it. The HTTP API, the web pages and the command line
call these; each only reads its input and shows the outcome in its own way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
    from crepitus.engine.trends import compute_trends

    entries = [e.as_contract() for e in diary.entries]
    if case is None:
        whole = diary.assessable_case()
    else:
        whole = {**case, "diary": [*(case.get("diary") or []), *entries]}
    result = crepitus.assess(whole)
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


def charts(
    entries: Sequence[StoredEntry], trends: dict[str, Any], phone: bool = False
) -> list[Chart]:
    """The two charts, as self-contained SVG, each with its title and a description in words;
    with ``phone``, each also drawn for a phone's width (the web page).

    However long the diary, each chart draws a bounded number of marks (``diary._charts``) and
    its description says when it does."""
    from crepitus.diary._charts import click_bars

    words = chart_descriptions(entries, trends)
    per = click_bars(list(trends.get("clicks_per_week") or [])).weeks_per_bar

    def drawn(kind: Literal["pain", "clicks"], title: str) -> Chart:
        narrow = data_uri(chart_bytes(entries, kind, "svg", narrow=True)) if phone else None
        return Chart(title, data_uri(chart_bytes(entries, kind, "svg")), words[kind], narrow)

    return [
        drawn("pain", "Pain over time"),
        drawn("clicks", "Clicks per week" if per == 1 else f"Clicks per {per} weeks"),
    ]


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
