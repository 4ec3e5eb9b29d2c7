"""Bar charts drawn on the server as SVG geometry: the service's pages run no scripts."""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 28  # room for the axis labels
MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


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
        return "; ".join(f"{bar.label}: {bar.text}" for bar in self.bars) + "."


def month_label(key: str) -> str:
    """ "2026-11" as "Nov 2026"."""
    year, month = key.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {year}"


def bar_chart(points: list[tuple[str, float | None, str]], top: float, tick) -> Chart:
    """Bars for (month, value or None, text) points, scaled so ``top`` fills the height.

    ``tick`` labels the gridlines at 0, half of ``top`` and ``top``.
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
                label=month_label(month),
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
