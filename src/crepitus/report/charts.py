"""Diary charts with matplotlib: pain over time and clicks per week, as SVG or PNG bytes.

matplotlib is imported inside the functions (with the non-interactive Agg backend), so nothing
that does not draw a chart pays for it, and no display is ever needed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from crepitus.engine.trends import compute_trends

__all__ = ["Format", "clicks_chart", "pain_chart"]

Format = Literal["svg", "png"]
_BLUE, _GREY, _ORANGE = "#1d4f91", "#6b7280", "#b45309"


class Entry(Protocol):
    at: datetime
    pain: int | None
    sound: bool | None
    activity: str | None
    findings: list[str]


def _figure() -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams.update({"font.size": 10, "svg.fonttype": "none", "svg.hashsalt": "crepitus"})
    fig, ax = plt.subplots(figsize=(6.4, 2.8), dpi=100, layout="constrained")
    ax.spines[["top", "right"]].set_visible(False)
    return plt, (fig, ax)


def _save(plt: Any, fig: Any, fmt: Format, title: str) -> bytes:
    buf = io.BytesIO()
    meta = {"Title": title} if fmt == "svg" else {"Title": title, "Software": "crepitus"}
    if fmt == "svg":
        meta["Date"] = None  # type: ignore[assignment]  # reproducible output
    fig.savefig(buf, format=fmt, metadata=meta)
    plt.close(fig)
    return buf.getvalue()


def _empty(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=_GREY)
    ax.set_xticks([])


def pain_chart(entries: Sequence[Entry], fmt: Format = "svg") -> bytes:
    """Pain (0-10) over time, with the minimal important change marked from the first score."""
    plt, (fig, ax) = _figure()
    scored = sorted((e for e in entries if e.pain is not None), key=lambda e: e.at)
    title = "Pain over time (0-10)"
    ax.set_title(title, loc="left")
    ax.set_ylim(0, 12.5)  # headroom for the legend
    ax.set_yticks(range(0, 11, 2))
    ax.set_ylabel("pain score")
    if scored:
        xs = [e.at for e in scored]
        ys = [e.pain for e in scored]
        ax.plot(xs, ys, color=_BLUE, marker="o", markersize=4, linewidth=1.6, label="pain")
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
            ax.legend(loc="upper left", frameon=False, fontsize=8, ncols=2)
        from matplotlib.dates import AutoDateLocator, DateFormatter

        # matplotlib.dates ships without type hints.
        if len(scored) > 1:  # one date leaves the locator no interval to choose (a warning)
            ax.xaxis.set_major_locator(AutoDateLocator(maxticks=8))  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    else:
        _empty(ax, "No pain scores yet")
    return _save(plt, fig, fmt, title)


def clicks_chart(entries: Sequence[Entry], fmt: Format = "svg") -> bytes:
    """Clicks per ISO week, split into during exercise and outside exercise."""
    plt, (fig, ax) = _figure()
    title = "Clicks per week"
    ax.set_title(title, loc="left")
    ax.set_ylabel("clicks")
    weeks = compute_trends(entries).clicks_per_week
    if weeks:
        labels = [w["week"] for w in weeks]
        outside = [w["outside_exercise"] for w in weeks]
        during = [w["clicks"] - w["outside_exercise"] for w in weeks]
        ax.bar(labels, during, color=_BLUE, label="during exercise")
        ax.bar(labels, outside, bottom=during, color=_ORANGE, hatch="//", label="outside exercise")
        # Headroom so the legend never sits on a bar.
        ax.set_ylim(0, max(w["clicks"] for w in weeks) * 1.45 + 0.5)
        ax.legend(loc="upper left", frameon=False, fontsize=8, ncols=2)
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
    else:
        _empty(ax, "No clicks logged yet")
    return _save(plt, fig, fmt, title)
