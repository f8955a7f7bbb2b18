"""Chart geometry for server-rendered SVG: plain numbers the templates draw, nothing drawn here.

Every chart is drawn in its own viewBox units and scales with the page; the templates add a
title, a description and the data table behind it.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as people read it, shown beside the bar
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list = field(default_factory=list)
    series: list = field(default_factory=list)  # line charts: Series
    ticks: list = field(default_factory=list)  # (y, label) gridlines
    labels: list = field(default_factory=list)  # (x, label) under the axis
    plot: tuple = (0, 0, 0, 0)  # left, top, right, bottom of the plotting area


@dataclass(frozen=True)
class Series:
    name: str
    points: list  # (x, y, text); a missing value (no bookings) leaves a gap
    css: str  # the class that colours it

    @property
    def segments(self):
        """Runs of consecutive points, as SVG polyline coordinates."""
        runs, run = [], []
        for point in self.points:
            if point is None:
                runs, run = runs + ([run] if run else []), []
            else:
                run.append(f"{point[0]:.1f},{point[1]:.1f}")
        return [" ".join(r) for r in runs + ([run] if run else [])]


def hbars(rows, width=440, label_width=150, row_height=30, gap=8):
    """Horizontal bars, one row per (label, value, text), longest bar the full width."""
    top = max((value for _, value, _ in rows), default=0) or 1
    room = width - label_width - 95  # space left for the value's text ("10 · 45.5%")
    bars = [Bar(label, value, text, label_width, i * (row_height + gap),
                max(room * value / top, 1 if value else 0), row_height)
            for i, (label, value, text) in enumerate(rows)]
    return Chart(width, max(len(rows) * (row_height + gap) - gap, row_height), bars=bars)


def vbars(rows, width=440, height=220, bottom=34, top_pad=22, gap=16):
    """Vertical bars (a histogram), one column per (label, value, text)."""
    top = max((value for _, value, _ in rows), default=0) or 1
    count = max(len(rows), 1)
    column = (width - gap * (count + 1)) / count
    room = height - bottom - top_pad
    bars = []
    for i, (label, value, text) in enumerate(rows):
        bar_height = room * value / top
        bars.append(Bar(label, value, text, gap + i * (column + gap),
                        top_pad + room - bar_height, column, bar_height))
    return Chart(width, height, bars=bars, plot=(0, top_pad, width, height - bottom))


def lines(labels, series, width=640, height=240, left=48, right=16, top=16, bottom=40):
    """Lines over the same x labels: series are (name, [value or None], css, text format)."""
    values = [v for _, vs, _, _ in series for v in vs if v is not None]
    top_value = _nice_ceiling(max(values, default=0))
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)

    def xy(i, value):
        x = left + (step * i if len(labels) > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * value / top_value

    drawn = [Series(name, [(*xy(i, v), fmt(v)) if v is not None else None
                           for i, v in enumerate(vs)], css)
             for name, vs, css, fmt in series]
    ticks = [(top + plot_h - plot_h * f, f * top_value) for f in (0, 0.25, 0.5, 0.75, 1)]
    every = max(1, -(-len(labels) // 8))  # at most about 8 labels under the axis
    under = [(xy(i, 0)[0], label) for i, label in enumerate(labels) if i % every == 0]
    return Chart(width, height, series=drawn, ticks=ticks, labels=under,
                 plot=(left, top, width - right, top + plot_h))


def _nice_ceiling(value):
    """A round top for the axis: 0.1, 0.2, 0.25, 0.5 or 1 (rates), never below 0.05."""
    for top in (0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0):
        if value <= top:
            return top
    return value
