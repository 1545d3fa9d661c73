"""Diary charts with matplotlib: pain over time and clicks per week, as SVG or PNG bytes.

matplotlib is imported inside the functions (with the non-interactive Agg backend), so nothing
that does not draw a chart pays for it, and no display is ever needed.

A chart draws a bounded number of marks whatever the diary's length, so that drawing it (and
laying out the PDF that carries it) costs about the same for 500 entries as for 20,000: at most
``MAX_PAIN_POINTS`` points, each the mean of consecutive scores with the band from their lowest
to their highest, and at most ``MAX_CLICK_BARS`` bars, each adding up consecutive weeks.
``pain_series`` and ``click_bars`` say what is drawn, so the charts' descriptions can say it too.
The data are never cut: the exports hold every entry.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from crepitus.engine.trends import DiaryEntry, compute_trends

__all__ = [
    "MAX_CLICK_BARS",
    "MAX_PAIN_POINTS",
    "ClickBars",
    "Format",
    "PainSeries",
    "click_bars",
    "clicks_chart",
    "pain_chart",
    "pain_series",
]

#: The most points the pain chart draws; a longer diary is drawn as means of consecutive scores.
MAX_PAIN_POINTS = 500
#: The most bars the clicks chart draws (two years of weeks); beyond, a bar adds up weeks.
MAX_CLICK_BARS = 104
#: The most x-axis labels the clicks chart writes; the bars between them go unlabelled.
_MAX_BAR_LABELS = 26

Format = Literal["svg", "png"]
_BLUE, _GREY, _ORANGE = "#1d4f91", "#6b7280", "#b45309"


@dataclass(frozen=True, slots=True)
class PainSeries:
    """What the pain chart draws: one point per ``per_point`` consecutive scores (1: each)."""

    scores: int  # how many pain scores the diary has
    per_point: int
    at: list[datetime]
    mean: list[float]
    low: list[int]
    high: list[int]

    @property
    def points(self) -> int:
        return len(self.at)


def pain_series(entries: Sequence[DiaryEntry]) -> PainSeries:
    """The pain scores in time order, as at most ``MAX_PAIN_POINTS`` points."""
    scored = sorted((e for e in entries if e.pain is not None), key=lambda e: e.at)
    per = max(1, math.ceil(len(scored) / MAX_PAIN_POINTS))
    at, mean, low, high = [], [], [], []
    for i in range(0, len(scored), per):
        chunk = scored[i : i + per]
        pains = [int(e.pain) for e in chunk if e.pain is not None]
        first = chunk[0].at
        at.append(first + sum((e.at - first for e in chunk), timedelta()) / len(chunk))
        mean.append(sum(pains) / len(pains))
        low.append(min(pains))
        high.append(max(pains))
    return PainSeries(len(scored), per, at, mean, low, high)


@dataclass(frozen=True, slots=True)
class ClickBars:
    """What the clicks chart draws: one bar per ``weeks_per_bar`` calendar weeks (1: each)."""

    weeks_per_bar: int
    labels: list[str]  # the ISO week each bar starts with (drawn as its Monday's date)
    clicks: list[int]
    outside_exercise: list[int]


def _monday(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def week_label(week: str, year: bool = False) -> str:
    """An ISO week ("2026-W47") as people read it: the Monday it starts ("16 Nov", or with
    ``year`` "16 November 2026")."""
    monday = _monday(week)
    return f"{monday.day} {monday:%B %Y}" if year else f"{monday.day} {monday:%b}"


def click_bars(weeks: Sequence[Mapping[str, Any]]) -> ClickBars:
    """Clicks per week (the trends' ``clicks_per_week``) as at most ``MAX_CLICK_BARS`` bars."""
    if not weeks:
        return ClickBars(1, [], [], [])
    start = _monday(str(weeks[0]["week"]))
    span = (_monday(str(weeks[-1]["week"])) - start).days // 7 + 1
    per = max(1, math.ceil(span / MAX_CLICK_BARS))
    bars: dict[int, list[Any]] = {}
    for w in weeks:
        n = (_monday(str(w["week"])) - start).days // 7 // per
        bar = bars.setdefault(n, [str(w["week"]), 0, 0])
        bar[1] += int(w["clicks"])
        bar[2] += int(w["outside_exercise"])
    if per == 1:
        rows = [bars[n] for n in sorted(bars)]
    else:
        # Every bar of the span is drawn (an empty one too), so that the axis is even in time.
        def label(n: int) -> str:
            year, week, _ = (start + timedelta(weeks=n * per)).isocalendar()
            return f"{year}-W{week:02d}"

        rows = [bars.get(n, [label(n), 0, 0]) for n in range(max(bars) + 1)]
        for n, row in enumerate(rows):
            row[0] = label(n)
    return ClickBars(per, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])


#: Figure sizes in inches: the page and the PDF, and a phone's width, where the page shows the
#: narrow drawing at about its own size so that no text is drawn under 11 CSS pixels.
_WIDE, _NARROW = (6.4, 2.8), (3.6, 2.8)
#: The smallest text drawn (the legend), in points: 9 pt is 12 CSS px at a chart's own size.
_SMALLEST = 9
#: A bar's width, as a share of the space between bars (matplotlib's own default).
_BAR_WIDTH = 0.8


def _figure(narrow: bool = False) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams.update({"font.size": 10, "svg.fonttype": "none", "svg.hashsalt": "crepitus"})
    size = _NARROW if narrow else _WIDE
    fig, ax = plt.subplots(figsize=size, dpi=100, layout="constrained")
    ax.spines[["top", "right"]].set_visible(False)
    return plt, (fig, ax)


def _save(plt: Any, fig: Any, fmt: Format, title: str) -> bytes:
    buf = io.BytesIO()
    meta = {"Title": title} if fmt == "svg" else {"Title": title, "Software": "crepitus"}
    if fmt == "svg":
        meta["Date"] = None  # type: ignore[assignment]  # reproducible output
    with warnings.catch_warnings():
        # For some spans the date locator finds no interval under its tick limit and falls back
        # on a default one, which draws well: nothing for a person to act on.
        warnings.filterwarnings("ignore", "AutoDateLocator was unable", UserWarning)
        fig.savefig(buf, format=fmt, metadata=meta)
    plt.close(fig)
    return buf.getvalue()


def _empty(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=_GREY)
    ax.set_xticks([])


def pain_chart(entries: Sequence[DiaryEntry], fmt: Format = "svg", narrow: bool = False) -> bytes:
    """Pain (0-10) over time, with the minimal important change marked from the first score."""
    plt, (fig, ax) = _figure(narrow)
    series = pain_series(entries)
    title = "Pain over time (0-10)"
    ax.set_title(title, loc="left")
    ax.set_ylim(0, 12.5)  # headroom for the legend
    ax.set_yticks(range(0, 11, 2))
    ax.set_ylabel("pain score")
    if series.points:
        if series.per_point == 1:
            ax.plot(
                series.at,
                series.mean,
                color=_BLUE,
                marker="o",
                markersize=4,
                linewidth=1.6,
                label="pain",
            )
        else:
            ax.fill_between(
                series.at,
                series.low,
                series.high,
                color=_BLUE,
                alpha=0.18,
                linewidth=0,
                label=f"lowest to highest of each {series.per_point} scores",
            )
            ax.plot(
                series.at,
                series.mean,
                color=_BLUE,
                linewidth=1.2,
                label=f"mean of each {series.per_point} scores",
            )
        trends = compute_trends(entries)
        if trends.pain_baseline is not None:
            line = min(10.0, trends.pain_baseline + 2)
            ax.axhline(
                line,
                color=_ORANGE,
                linestyle="--",
                linewidth=1,
                label="2 points above the start of the last two weeks",
            )
        if trends.pain_baseline is not None or series.per_point > 1:
            ax.legend(loc="upper left", frameon=False, fontsize=_SMALLEST, ncols=1 if narrow else 2)
        from matplotlib.dates import AutoDateLocator, DateFormatter

        # matplotlib.dates ships without type hints.
        if series.points > 1:  # one date leaves the locator no interval to choose (a warning)
            ax.xaxis.set_major_locator(AutoDateLocator(maxticks=8))  # type: ignore[no-untyped-call]
        span = series.at[-1] - series.at[0]
        fmt_date = "%d %b" if span < timedelta(days=300) else "%b %Y"
        ax.xaxis.set_major_formatter(DateFormatter(fmt_date))  # type: ignore[no-untyped-call]
    else:
        _empty(ax, "No pain scores yet")
    return _save(plt, fig, fmt, title)


def _bars(
    ax: Any, heights: Sequence[int], bottoms: Sequence[int], *, label: str, **style: Any
) -> None:
    """Bars as one collection, not ``ax.bar``'s artist per bar: a hundred bars drew in a third
    of a second that way, and each was an SVG element of its own for the PDF to draw."""
    from matplotlib.collections import PolyCollection

    half = _BAR_WIDTH / 2
    boxes = [
        [(i - half, b), (i - half, b + h), (i + half, b + h), (i + half, b)]
        for i, (h, b) in enumerate(zip(heights, bottoms, strict=True))
        if h
    ]
    ax.add_collection(PolyCollection(boxes, linewidth=0, label=label, **style), autolim=False)


def clicks_chart(entries: Sequence[DiaryEntry], fmt: Format = "svg", narrow: bool = False) -> bytes:
    """Clicks per ISO week, split into during exercise and outside exercise."""
    plt, (fig, ax) = _figure(narrow)
    bars = click_bars(compute_trends(entries).clicks_per_week)
    title = (
        "Clicks per week" if bars.weeks_per_bar == 1 else f"Clicks per {bars.weeks_per_bar} weeks"
    )
    ax.set_title(title, loc="left")
    ax.set_ylabel("clicks")
    if bars.labels:
        x = range(len(bars.labels))
        outside = bars.outside_exercise
        during = [c - o for c, o in zip(bars.clicks, outside, strict=True)]
        _bars(ax, during, [0] * len(during), color=_BLUE, label="during exercise")
        _bars(
            ax,
            outside,
            during,
            color=_ORANGE,
            hatch="//",
            hatchcolor="black",
            label="outside exercise",
        )
        # As ax.bar's autoscaling left them: the bars and 5% either side.
        lo, hi = -_BAR_WIDTH / 2, len(bars.labels) - 1 + _BAR_WIDTH / 2
        ax.set_xlim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
        # Headroom so the legend never sits on a bar.
        ax.set_ylim(0, max(bars.clicks) * 1.45 + 0.5)
        ax.legend(loc="upper left", frameon=False, fontsize=_SMALLEST, ncols=1 if narrow else 2)
        step = max(1, math.ceil(len(bars.labels) / _MAX_BAR_LABELS))
        ax.set_xticks(list(x)[::step], [week_label(w) for w in bars.labels[::step]])
        ax.tick_params(axis="x", labelrotation=45, labelsize=_SMALLEST)
        ax.yaxis.get_major_locator().set_params(integer=True)
    else:
        _empty(ax, "No clicks logged yet")
    return _save(plt, fig, fmt, title)
