"""Symptom diary -> trend facts the triage rules can use. Pure: no clock, no I/O.

- Pain trajectory over the last 14 days, judged by the minimal important change of the 0-10
  numeric pain scale (Ostelo 2008): a change of at least 2 points, or of at least 30% of the
  starting score when that is at least 1 point. The numbers are knowledge data
  (``knowledge/thresholds.yaml``, ``diary``).
- Clicks per ISO week, and how many of them happened outside exercise.
- Clicking spreading into daily life: in the last 14 days most clicks happened outside exercise
  (at least 3 of them), where before that most did not.
- New findings: noticed in the last 14 days and never logged before (only when older entries
  exist to compare with).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from crepitus import kb

__all__ = [
    "DiaryEntry",
    "Trends",
    "compute_trends",
    "is_exercise",
]


def _limits(limits: kb.DiaryThresholds | None) -> kb.DiaryThresholds:
    """The minimal important change and the window (knowledge/thresholds.yaml)."""
    return limits if limits is not None else kb.load().thresholds.diary


_EXERCISE = re.compile(
    r"\b(gym|work ?out|exercis\w*|train\w*|squat\w*|deadlift\w*|lift\w*|press\w*|plank\w*|"
    r"run\w*|jog\w*|yoga|pilates|crunch\w*|twists?|flutter|kicks?|leg raises?|leg lifts?|"
    r"sports?|swim\w*|cycl\w*|football|tennis|golf|lunges?|stretch\w*|weights?|crossfit|hiit)\b",
    re.IGNORECASE,
)


def is_exercise(activity: str | None) -> bool:
    return bool(activity and _EXERCISE.search(activity))


class DiaryEntry(Protocol):
    at: datetime
    pain: int | None
    sound: bool | None
    activity: str | None
    findings: list[str]


@dataclass(frozen=True, slots=True)
class Trends:
    entries: int
    pain_baseline: float | None = None
    pain_recent: float | None = None
    pain_change: float | None = None
    pain_direction: str = "unknown"  # rising | falling | steady | unknown
    pain_days: int = 0
    clicks_per_week: list[dict[str, Any]] = field(default_factory=list)
    recent_clicks: int = 0
    recent_outside_exercise: int = 0
    spreading: bool = False
    new_findings: list[str] = field(default_factory=list)

    def pain_detail(self) -> str:
        return (
            f"your pain has risen from {_n(self.pain_baseline)} to {_n(self.pain_recent)} "
            f"over {self.pain_days} days"
        )

    def spreading_detail(self) -> str:
        return (
            f"{self.recent_outside_exercise} of your last {self.recent_clicks} clicks "
            "happened outside exercise"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "pain": {
                "baseline": self.pain_baseline,
                "recent": self.pain_recent,
                "change": self.pain_change,
                "direction": self.pain_direction,
                "days": self.pain_days,
            },
            "clicks_per_week": self.clicks_per_week,
            "recent_clicks": self.recent_clicks,
            "recent_outside_exercise": self.recent_outside_exercise,
            "clicking_spreading": self.spreading,
            "new_findings": self.new_findings,
        }


def _n(x: float | None) -> str:
    return "?" if x is None else (f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}")


def important_change(before: float, after: float, limits: kb.DiaryThresholds | None = None) -> bool:
    """Whether a change in a 0-10 pain score is at least the minimal important change."""
    mic = _limits(limits)
    delta = abs(after - before)
    return delta >= mic.important_change_points or (
        before >= 1 and delta >= 1 and delta / before >= mic.important_change_share
    )


def _pain(recent: Sequence[DiaryEntry]) -> tuple[float | None, float | None, int]:
    scored = [e for e in recent if e.pain is not None]
    if len(scored) < 2:
        return None, None, 0
    # Medians of the first and last third: robust to one odd day, still sensitive to a trend.
    k = max(1, len(scored) // 3)
    first = statistics.median(e.pain for e in scored[:k] if e.pain is not None)
    last = statistics.median(e.pain for e in scored[-k:] if e.pain is not None)
    days = max(1, round((scored[-1].at - scored[0].at).total_seconds() / 86400))
    return float(first), float(last), days


def compute_trends(diary: Sequence[DiaryEntry], limits: kb.DiaryThresholds | None = None) -> Trends:
    """Trend facts of a diary (any order). The window ends at the latest entry, not at 'now'.

    ``limits``: the minimal important change and the window (default: the knowledge base's)."""
    if not diary:
        return Trends(entries=0)
    mic = _limits(limits)
    entries = sorted(diary, key=lambda e: e.at)
    end = entries[-1].at
    cut = end - timedelta(days=mic.window_days)
    recent = [e for e in entries if e.at >= cut]
    older = [e for e in entries if e.at < cut]

    base, last, days = _pain(recent)
    direction, change = "unknown", None
    if base is not None and last is not None:
        change = last - base
        if important_change(base, last, mic):
            direction = "rising" if change > 0 else "falling"
        else:
            direction = "steady"

    weeks: dict[str, list[int]] = {}
    for e in entries:
        if e.sound:
            year, week, _ = e.at.isocalendar()
            tally = weeks.setdefault(f"{year}-W{week:02d}", [0, 0])
            tally[0] += 1
            tally[1] += not is_exercise(e.activity)
    per_week = [
        {"week": w, "clicks": c, "outside_exercise": o} for w, (c, o) in sorted(weeks.items())
    ]

    r_clicks = [e for e in recent if e.sound]
    r_out = sum(not is_exercise(e.activity) for e in r_clicks)
    o_clicks = [e for e in older if e.sound]
    o_out = sum(not is_exercise(e.activity) for e in o_clicks)
    before_daily = bool(o_clicks) and o_out * 2 > len(o_clicks)
    spreading = r_out >= 3 and r_out * 2 > len(r_clicks) and bool(o_clicks) and not before_daily

    seen_before = {f for e in older for f in e.findings}
    new = (
        []
        if not older
        else list(dict.fromkeys(f for e in recent for f in e.findings if f not in seen_before))
    )
    return Trends(
        entries=len(entries),
        pain_baseline=base,
        pain_recent=last,
        pain_change=change,
        pain_direction=direction,
        pain_days=days,
        clicks_per_week=per_week,
        recent_clicks=len(r_clicks),
        recent_outside_exercise=r_out,
        spreading=spreading,
        new_findings=new,
    )
