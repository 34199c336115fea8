"""Server-drawn SVG charts: the geometry is computed here, the template only draws it.

No JavaScript: each chart is an inline ``<svg role="img">`` with a title, and the page
shows the same numbers as a table for screen readers and for copying.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 400
LABEL_WIDTH = 120
ROW = 28


@dataclass(frozen=True)
class Group:
    """Attempts and passes of one group (a unit, a position, an age band, a month)."""

    label: str
    attempts: int
    passed: int

    @property
    def rate(self) -> float:
        return self.passed / self.attempts if self.attempts else 0.0

    @property
    def text(self) -> str:
        return f"{self.rate:.0%}（{self.passed}/{self.attempts}）"


@dataclass(frozen=True)
class Bar:
    group: Group
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = WIDTH


def bar_chart(groups: list[Group]) -> BarChart:
    """Horizontal bars of the pass rate, one row per group: long Chinese names fit."""
    span = WIDTH - LABEL_WIDTH - 90  # room for the "75%（30/40）" text after the bar
    bars = [Bar(g, i * ROW, round(g.rate * span, 1)) for i, g in enumerate(groups)]
    return BarChart(bars, max(ROW, len(bars) * ROW))


@dataclass(frozen=True)
class Point:
    group: Group
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    points: list[Point]
    polyline: str
    height: int = 180
    top: int = 10
    bottom: int = 150
    left: int = 40
    width: int = WIDTH


def line_chart(groups: list[Group]) -> LineChart:
    """Pass rate over time; the x axis is evenly spaced by group (month)."""
    chart = LineChart([], "")
    span_x, span_y = chart.width - chart.left - 60, chart.bottom - chart.top
    step = span_x / max(1, len(groups) - 1)
    points = [
        Point(g, round(chart.left + 10 + i * step, 1), round(chart.bottom - g.rate * span_y, 1))
        for i, g in enumerate(groups)
    ]
    return LineChart(points, " ".join(f"{p.x},{p.y}" for p in points))
