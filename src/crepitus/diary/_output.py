"""The symptom diary as people and files see it: trends in plain words, charts, CSV and JSON.

Shared by the web page, the HTTP API, the PDF report and the command line, so every surface words
a trend, names a bad field and writes an export the same way. matplotlib is imported only when a
chart is drawn (``diary._charts``), and one chart is drawn at a time: pyplot's state is global.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from crepitus import kb
from crepitus.errors import CaseError, Problem
from crepitus.store._diary import StoredEntry, iso

__all__ = [
    "CSV_COLUMNS",
    "EXPORT_VERSION",
    "chart_bytes",
    "chart_descriptions",
    "data_uri",
    "export_csv",
    "export_json",
    "read_export",
    "relabel",
    "trend_sentences",
]

EXPORT_VERSION = 1
CSV_COLUMNS = ("at", "pain", "sound", "activity", "findings", "note")
ChartKind = Literal["pain", "clicks"]

_chart_lock = threading.Lock()


# --- words ---------------------------------------------------------------------------------------


def _n(x: Any) -> str:
    value = float(x)
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"


def _days(n: int) -> str:
    return f"{n} day{'s' * (n != 1)}"


def _clicks(n: int) -> str:
    return f"{n} click{'s' * (n != 1)}"


def pain_sentence(trends: Mapping[str, Any]) -> str:
    pain: Mapping[str, Any] = trends.get("pain") or {}
    direction = pain.get("direction", "unknown")
    base, recent, days = pain.get("baseline"), pain.get("recent"), int(pain.get("days") or 0)
    if base is None or recent is None or direction == "unknown":
        return (
            "There are not yet two pain scores in the last two weeks of your diary to compare, "
            "so there is no pain trend yet."
        )
    if direction == "rising":
        return (
            f"Your pain has gone from {_n(base)} to {_n(recent)} over {_days(days)}. That is more "
            "than the smallest change people notice (2 points, or 30%, on the 0 to 10 scale)."
        )
    if direction == "falling":
        return (
            f"Your pain has gone from {_n(base)} to {_n(recent)} over {_days(days)}: it is easing."
        )
    return f"Your pain has stayed about the same over {_days(days)}, around {_n(recent)} out of 10."


def clicks_sentence(trends: Mapping[str, Any]) -> str:
    n = int(trends.get("recent_clicks") or 0)
    outside = int(trends.get("recent_outside_exercise") or 0)
    if n == 0:
        return "You have logged no clicks in the last two weeks of your diary."
    text = (
        f"You logged {_clicks(n)} in the last two weeks of your diary, "
        f"{outside} of them outside exercise."
    )
    if trends.get("clicking_spreading"):
        text += (
            " The clicking has spread into everyday life: before, it happened mostly during "
            "exercise."
        )
    return text


def new_findings_sentence(trends: Mapping[str, Any]) -> str | None:
    new = [str(f) for f in trends.get("new_findings") or []]
    if not new:
        return None
    findings = kb.load().findings
    labels = [findings[f].label.lower() if f in findings else f.replace("_", " ") for f in new]
    return f"New in the last two weeks of your diary: {', '.join(labels)}."


def trend_sentences(trends: Mapping[str, Any]) -> list[str]:
    """The diary's trend in plain words, pain first ("Your pain has gone from 2 to 5 ...")."""
    if not trends.get("entries"):
        return [
            "Your diary is empty. Add an entry each day, or whenever your back clicks or hurts."
        ]
    out = [pain_sentence(trends), clicks_sentence(trends)]
    new = new_findings_sentence(trends)
    if new:
        out.append(new)
    return out


def _day(when: datetime) -> str:
    when = when.astimezone(UTC)
    return f"{when.day} {when:%B %Y}"


def chart_descriptions(
    entries: Sequence[StoredEntry], trends: Mapping[str, Any]
) -> dict[ChartKind, str]:
    """Text alternatives of the two charts: what each shows, and the trend in words."""
    from crepitus.diary._charts import click_bars, pain_series, week_label

    scored = [e for e in entries if e.pain is not None]
    if scored:
        first, last = scored[0].at, scored[-1].at
        span = _day(first) if _day(first) == _day(last) else f"from {_day(first)} to {_day(last)}"
        pain = (
            f"Line chart of your pain scores (0 to 10): {len(scored):,} "
            f"score{'s' * (len(scored) != 1)} {span}. {pain_sentence(trends)}"
        )
        series = pain_series(scored)
        if series.per_point > 1:
            pain += (
                f" So many scores cannot all be drawn: the line has {series.points} points, "
                f"each the mean of {series.per_point} scores in a row"
                f"{' (the last of fewer)' if series.scores % series.per_point else ''}, and the "
                "shaded band runs from the lowest to the highest of them. Every score is in the "
                "diary's CSV and JSON export."
            )
    else:
        pain = "Pain chart: no pain scores logged yet."
    weeks: list[Mapping[str, Any]] = list(trends.get("clicks_per_week") or [])
    if weeks:
        total = sum(int(w["clicks"]) for w in weeks)
        outside = sum(int(w["outside_exercise"]) for w in weeks)
        most = max(int(w["clicks"]) for w in weeks)
        since, until = (week_label(str(w["week"]), year=True) for w in (weeks[0], weeks[-1]))
        span = (
            f"in the week of {since}"
            if len(weeks) == 1
            else f"over {len(weeks)} weeks, from the week of {since} to the week of {until}"
        )
        clicks = (
            f"Bar chart of clicks per week {span}: {_clicks(total)} in all, "
            f"{total - outside} during exercise and {outside} outside exercise; "
            f"at most {most} in one week. {clicks_sentence(trends)}"
        )
        per = click_bars(weeks).weeks_per_bar
        if per > 1:
            clicks += (
                f" So many weeks cannot all be drawn: each bar adds up {per} weeks in a row. "
                "Every click is in the diary's CSV and JSON export."
            )
    else:
        clicks = "Clicks chart: no clicks logged yet."
    return {"pain": pain, "clicks": clicks}


# --- charts --------------------------------------------------------------------------------------


def chart_bytes(
    entries: Sequence[StoredEntry],
    kind: ChartKind,
    fmt: Literal["svg", "png"],
    narrow: bool = False,
) -> bytes:
    """One chart drawn by matplotlib (``diary._charts``), one drawing at a time; ``narrow``
    draws it for a phone's width."""
    from crepitus.diary._charts import clicks_chart, pain_chart

    draw = pain_chart if kind == "pain" else clicks_chart
    with _chart_lock:
        return draw(entries, fmt, narrow)


def data_uri(svg: bytes) -> str:
    """An SVG as a ``data:`` URI: pages and the PDF load nothing from anywhere else."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def export_json(entries: Sequence[StoredEntry], now: datetime | None = None) -> bytes:
    """The diary as JSON, oldest entry first; ``read_export`` (and so import) reads it back."""
    body = {
        "version": EXPORT_VERSION,
        "exported_at": iso(now or datetime.now(UTC)),
        "entries": [e.as_contract() for e in entries],
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


#: What a spreadsheet may start a formula with, once it has trimmed and folded the cell.
_FORMULA = frozenset("=+-@")
_BLANKS = " \t\r\n\u00a0\u3000\ufeff"


def _cell(text: str | None) -> str:
    """A cell a spreadsheet will show as text: a leading apostrophe before anything that could
    start a formula, also after leading blanks or line breaks, or as a fullwidth ＝ ＋ － ＠."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).lstrip(_BLANKS)
    if folded[:1] in _FORMULA or text[0] in "\t\r\n":
        return "'" + text
    return text


def export_csv(entries: Sequence[StoredEntry]) -> bytes:
    """The diary as CSV for a spreadsheet, oldest first; findings as ids separated by ';'."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                iso(e.at),
                "" if e.pain is None else e.pain,
                "" if e.sound is None else ("yes" if e.sound else "no"),
                _cell(e.activity),
                ";".join(e.findings),
                _cell(e.note),
            ]
        )
    return buf.getvalue().encode("utf-8")


def read_export(data: Any) -> list[Any]:
    """The entries of an export (``{"version": 1, "entries": [...]}``), not yet checked.

    Raises CaseError naming what is wrong with the wrapper; the entries themselves are checked
    by the store with the core (name their fields with ``relabel(..., "entries")``).
    """
    if not isinstance(data, Mapping):
        raise CaseError.one(
            "", 'must be a JSON object with "entries", as the diary export writes it', "type"
        )
    problems = [
        Problem(str(k), "is not a field this accepts", "extra_forbidden")
        for k in data
        if k not in {"version", "exported_at", "entries"}
    ]
    version = data.get("version", EXPORT_VERSION)
    if version != EXPORT_VERSION or isinstance(version, bool):
        problems.append(
            Problem("version", f"must be {EXPORT_VERSION} (got {version!r:.40})", "version")
        )
    if not isinstance(data.get("exported_at", ""), str):
        problems.append(Problem("exported_at", "must be a string", "string_type"))
    if "entries" not in data:
        problems.append(Problem("entries", "is required", "missing"))
    elif not isinstance(data["entries"], list):
        problems.append(Problem("entries", "must be a list of diary entries", "list_type"))
    if problems:
        raise CaseError(problems)
    entries: list[Any] = data["entries"]
    return entries


def relabel(error: CaseError, prefix: str) -> CaseError:
    """The core's ``diary.N.field`` names as the input named them: ``prefix.N.field``.

    With an empty prefix the input was one entry on its own: ``diary.0.pain`` becomes ``pain``.
    """

    def name(loc: str) -> str:
        parts = loc.split(".")
        if parts[0] != "diary":
            return loc
        if prefix:
            return ".".join([prefix, *parts[1:]])
        return ".".join(parts[2:])

    return CaseError([Problem(name(p.loc), p.msg, p.type) for p in error.problems])
