"""The charts' drawing: what is drawn, not how fast (bench/pdf_bench.py times it)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from crepitus import kb
from crepitus.diary import _charts
from crepitus.engine.case import DiaryEntryIn, build_case
from crepitus.engine.trends import compute_trends


def _entries(n: int) -> list[DiaryEntryIn]:
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    diary = [
        {
            "at": (start + timedelta(hours=12 * i)).isoformat(),
            "pain": i % 7,
            "sound": i % 2 == 0,
            "activity": ("gym", "desk", "walking", "sitting")[(i // 2) % 4],
        }
        for i in range(n)
    ]
    case = {"age": 40, "evidence": [{"id": "back_sound", "present": True}], "diary": diary}
    now = start + timedelta(hours=12 * n)
    return build_case(case, None, kb.load(), now).diary


def _pixels(png: bytes) -> bytes:
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB").tobytes()


def _drawn_with_ax_bar(entries: list[DiaryEntryIn], narrow: bool) -> bytes:
    """The clicks chart as drawn before its bars became one collection: an artist a bar."""
    plt, (fig, ax) = _charts._figure(narrow)
    bars = _charts.click_bars(compute_trends(entries).clicks_per_week)
    title = (
        "Clicks per week" if bars.weeks_per_bar == 1 else f"Clicks per {bars.weeks_per_bar} weeks"
    )
    ax.set_title(title, loc="left")
    ax.set_ylabel("clicks")
    x = range(len(bars.labels))
    outside = bars.outside_exercise
    during = [c - o for c, o in zip(bars.clicks, outside, strict=True)]
    ax.bar(x, during, color=_charts._BLUE, label="during exercise")
    ax.bar(x, outside, bottom=during, color=_charts._ORANGE, hatch="//", label="outside exercise")
    ax.set_ylim(0, max(bars.clicks) * 1.45 + 0.5)
    ax.legend(loc="upper left", frameon=False, fontsize=_charts._SMALLEST, ncols=1 if narrow else 2)
    step = max(1, -(-len(bars.labels) // _charts._MAX_BAR_LABELS))
    ax.set_xticks(list(x)[::step], [_charts.week_label(w) for w in bars.labels[::step]])
    ax.tick_params(axis="x", labelrotation=45, labelsize=_charts._SMALLEST)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _charts._save(plt, fig, "png", title)


@pytest.mark.parametrize(("n", "narrow"), [(60, False), (60, True), (1500, False)])
def test_the_bars_look_as_ax_bar_drew_them(n: int, narrow: bool) -> None:
    entries = _entries(n)
    drawn = _charts.clicks_chart(entries, "png", narrow)
    assert _pixels(drawn) == _pixels(_drawn_with_ax_bar(entries, narrow))
