"""Bar charts drawn on the server as SVG geometry: the service's pages run no scripts.

What a chart says of its bars (their tooltips, its description) is in the language spoken.
"""

import math
from dataclasses import dataclass

from flask_babel import gettext

from comments_service.words.times import duration, month_label

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 80, 8, 12, 28  # room for the axis labels ("30 minutes")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the bar: the month
    text: str  # what the bar says, for its tooltip and the chart's description


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    gridlines: list[tuple[float, str]]  # (y, the value it marks)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM

    @property
    def description(self) -> str:
        return (
            "; ".join(
                gettext("%(label)s: %(text)s", label=bar.label, text=bar.text) for bar in self.bars
            )
            + "."
        )


def bar_chart(
    points: list[tuple[str, float | None, str]], top: float, tick, label=month_label
) -> Chart:
    """Bars for (month, value or None, text) points, scaled so ``top`` fills the height.

    ``tick`` labels the gridlines at 0, half of ``top`` and ``top``; ``label`` names a
    bar from its key (a month by default).
    """
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    bars = []
    for index, (month, value, text) in enumerate(points):
        height = plot_height * min((value or 0) / top, 1)
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=label(month),
                text=text,
            )
        )
    grid = [(round(HEIGHT - BOTTOM - plot_height * f, 1), tick(top * f)) for f in (0, 0.5, 1)]
    return Chart(bars=bars, gridlines=grid)


def nice_hours(largest: float) -> float:
    """A round top for an hours axis: 1, 2, 6, 12, 24 hours, then whole days."""
    for top in (1, 2, 6, 12, 24):
        if largest <= top:
            return top
    return 24 * math.ceil(largest / 24)


def hours_tick(hours: float) -> str:
    """A gridline of an hours axis in the words of every duration ("12 hours", "2 days")."""
    return duration(hours * 3600) if hours else "0"


@dataclass(frozen=True)
class Segment:
    """One series' part of a stacked column; ``series`` is its index, for its fill."""

    x: float
    y: float
    width: float
    height: float
    series: int
    text: str


@dataclass(frozen=True)
class StackedChart:
    columns: list[tuple[str, float, list[Segment]]]  # (label, x of its middle, segments)
    gridlines: list[tuple[float, str]]
    series: list[str]
    descriptions: list[str]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM

    @property
    def description(self) -> str:
        return "; ".join(self.descriptions) + "."


def stacked_chart(groups: list[tuple[str, list[int]]], series: list[str]) -> StackedChart:
    """Columns of counts stacked by series, for (label, count per series) groups.

    The top is the tallest column rounded up to an even number, so the middle
    gridline is a whole count too.
    """
    plot_height = HEIGHT - TOP - BOTTOM
    top = max(2, max((sum(counts) for _, counts in groups), default=0))
    top += top % 2
    slot = (WIDTH - LEFT - RIGHT) / max(len(groups), 1)
    columns, descriptions = [], []
    for index, (label, counts) in enumerate(groups):
        x, width = round(LEFT + index * slot + slot * 0.15, 1), round(slot * 0.7, 1)
        base, segments = HEIGHT - BOTTOM, []
        for number, (name, count) in enumerate(zip(series, counts, strict=True)):
            height = plot_height * count / top
            base -= height
            if count:
                text = gettext("%(label)s: %(text)s", label=label, text=_counted(count, name))
                segments.append(Segment(x, round(base, 1), width, round(height, 1), number, text))
        columns.append((label, round(x + width / 2, 1), segments))
        parts = [_counted(count, name) for name, count in zip(series, counts, strict=True) if count]
        said = ", ".join(parts) or gettext("none")
        descriptions.append(gettext("%(label)s: %(text)s", label=label, text=said))
    grid = [(round(HEIGHT - BOTTOM - plot_height * f, 1), f"{top * f:g}") for f in (0, 0.5, 1)]
    return StackedChart(columns, grid, series, descriptions)


def _counted(count: int, name: str) -> str:
    """ "3 question": a count of one series (a kind, named as configured)."""
    return gettext("%(count)s %(name)s", count=count, name=name)
