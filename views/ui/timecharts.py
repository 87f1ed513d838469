"""Charts over periods as HTML and inline SVG: lines (``Series``, ``Axis``, ``lines``) and stacked
columns (``Part``, ``columns``), and the helpers that turn a frame's periods into their labels and
values (``period_label``, ``values_at``). Built on the shared helpers of ``views.ui.htmlcharts``
(escaping, ticks, hovers, clicks) and drawn by ``views.ui.figure`` like every HTML chart.

Only the lines are SVG, stretched to their box with ``preserveAspectRatio="none"`` and
non-scaling strokes; points, hovers and every label are HTML placed in percent, so no text scales
with the width.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from views.ui.htmlcharts import esc, heading, nice_ticks, number, pct, pick_attrs, tip_attrs

GRID = "rgba(128,128,128,.22)"
TARGET = "#8c8c8c"


# --- lines ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """One line over the chart's periods: ``values[i]`` belongs to ``periods[i]`` (None = gap).
    ``style``: 'solid', 'thick' (the whole scope), 'dotted' (a comparison) or 'faded' (outside a
    filter). ``band`` = (lows, highs) shades an interval; ``hollow[i]`` draws point i hollow
    (too few to judge); ``tips[i]`` replaces the period in the hover (a comparison's own dates)."""
    name: str
    color: str
    values: Sequence[float | None]
    style: str = "solid"
    pick: str = ""
    band: tuple[Sequence[float | None], Sequence[float | None]] | None = None
    hollow: Sequence[bool] = ()
    tips: Sequence[str] = ()
    points: bool = True


@dataclass(frozen=True)
class Axis:
    """How the value axis reads: ``fmt`` writes a value, ``domain`` fixes the range, ``zero``
    keeps 0 in it (counts, costs)."""
    fmt: Callable[[float], str] = field(default=lambda v: f"{v:,.4g}")
    domain: tuple[float, float] | None = None
    zero: bool = False


def _poly(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x * 10:.1f},{y * 10:.1f}" for x, y in points)


def lines(periods: Sequence[str], series: Sequence[Series], title: str = "", note: str = "",
          axis: Axis | None = None, target: float | None = None, target_text: str = "",
          height: int = 240) -> str:
    """Lines over categorical ``periods`` (labels, in order), a dashed target line, value ticks on
    the left, period labels below (thinned to about eight), a hover per period listing every
    series, and a legend whose clickable entries send their series' ``pick``."""
    axis = axis or Axis()
    n = len(periods)
    values = [v for s in series for v in map(number, (*s.values, *(s.band[0] if s.band else ()),
                                                    *(s.band[1] if s.band else ())))
              if v is not None]
    goal = number(target)
    if goal is not None:
        values.append(goal)
    if not values or not n:
        return f'<div class="hc">{heading(title, note)}<div class="hn">No values to draw.</div></div>'
    low, high = axis.domain or (min(values), max(values))
    if axis.zero and axis.domain is None:
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = nice_ticks(low, high) if axis.domain is None else nice_ticks(*axis.domain)
    low, high = min([low, *ticks]), max([high, *ticks])
    span = (high - low) or 1.0

    def x_at(i: int) -> float:
        return 50.0 if n == 1 else 3.0 + 94.0 * i / (n - 1)

    def y_at(v: float) -> float:
        return 100.0 - (v - low) / span * 100.0

    svg, dots = [], []
    for t in ticks:
        svg.append(f'<line x1="0" x2="1000" y1="{y_at(t) * 10:.1f}" y2="{y_at(t) * 10:.1f}" '
                   f'stroke="{GRID}" vector-effect="non-scaling-stroke"/>')
    if goal is not None:
        y = y_at(goal) * 10
        svg.append(f'<line x1="0" x2="1000" y1="{y:.1f}" y2="{y:.1f}" stroke="{TARGET}" '
                   'stroke-width="1.5" stroke-dasharray="6 4" vector-effect="non-scaling-stroke"/>')
    for s in series:
        if s.band:
            upper = [(x_at(i), y_at(v)) for i, v in enumerate(map(number, s.band[1])) if v is not None]
            lower = [(x_at(i), y_at(v)) for i, v in enumerate(map(number, s.band[0])) if v is not None]
            if len(upper) > 1 and len(lower) > 1:
                svg.append(f'<polygon points="{_poly(upper + lower[::-1])}" fill="{s.color}" '
                           'fill-opacity=".16" stroke="none"/>')
        width = {"thick": 3.2, "faded": 1.4}.get(s.style, 2.0)
        dash = ' stroke-dasharray="3 4"' if s.style == "dotted" else ""
        opacity = ' stroke-opacity=".45"' if s.style == "faded" else ""
        run: list[tuple[float, float]] = []
        for i, v in enumerate([*map(number, s.values), None]):
            if v is None:
                if len(run) > 1:
                    svg.append(f'<polyline points="{_poly(run)}" fill="none" stroke="{s.color}" '
                               f'stroke-width="{width}"{dash}{opacity} stroke-linejoin="round" '
                               'vector-effect="non-scaling-stroke"/>')
                run = []
                continue
            run.append((x_at(i), y_at(v)))
            if s.points and s.style != "dotted":
                hollow = i < len(s.hollow) and s.hollow[i]
                fill = "transparent" if hollow else s.color
                size = " sm" if s.style == "faded" or n > 40 else ""
                dots.append(f'<i class="pt{size}" style="left:{pct(x_at(i))};top:'
                            f'{pct(y_at(v))};border-color:{s.color};background:{fill}">'
                            '</i>')
    hovers = []
    for i, period in enumerate(periods):
        parts = [str(period)]
        for s in series:
            v = number(s.values[i]) if i < len(s.values) else None
            if v is None:
                continue
            when = f" ({s.tips[i]})" if i < len(s.tips) and s.tips[i] else ""
            interval = ""
            lo, hi = (number(s.band[0][i]), number(s.band[1][i])) if s.band else (None, None)
            if lo is not None and hi is not None:
                interval = f" [{axis.fmt(lo)} to {axis.fmt(hi)}]"
            parts.append(f"{s.name}{when}: {axis.fmt(v)}{interval}")
        left = 0.0 if n == 1 else max(0.0, x_at(i) - 47.0 / (n - 1))
        width = 100.0 if n == 1 else min(94.0 / (n - 1), 100.0 - left)
        hovers.append(f'<span class="hv" style="left:{pct(left)};width:{pct(width)}"'
                      f'{tip_attrs(chr(10).join(parts))}></span>')
    every = max(1, math.ceil(n / 8))
    xlabels = "".join(f'<span style="left:{pct(x_at(i))}">{esc(p)}</span>'
                      for i, p in enumerate(periods) if i % every == 0 or i == n - 1 and n <= 8)
    ylabels = "".join(f'<span style="top:{pct(y_at(t))}">{esc(axis.fmt(t))}</span>' for t in ticks)
    legend = []
    for s in series:
        swatch = f'<span class="sw {s.style}" style="border-color:{s.color}"></span>'
        legend.append(f'<span class="li{" pk" if s.pick else ""}{" fd" if s.style == "faded" else ""}"'
                      f'{pick_attrs(s.pick)}>{swatch}{esc(s.name)}</span>')
    if goal is not None:
        legend.append(f'<span class="li"><span class="lt"></span>{esc(target_text or "target")}</span>')
    return (f'<div class="hc">{heading(title, note)}<div class="lc" style="height:{height}px">'
            f'<div class="ya">{ylabels}</div><div class="pa"><svg viewBox="0 0 1000 1000" '
            f'preserveAspectRatio="none" aria-hidden="true">{"".join(svg)}</svg>{"".join(dots)}'
            f'{"".join(hovers)}</div><div class="xa">{xlabels}</div></div>'
            f'<div class="lg">{"".join(legend)}</div></div>')


# --- stacked columns -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One member's share of a column: its value, colour, hover and what a click sends."""
    name: str
    value: float
    color: str
    tip: str = ""
    pick: str = ""


def columns(periods: Sequence[str], stacks: Sequence[Sequence[Part]], title: str = "",
            note: str = "", axis: Axis | None = None, height: int = 220,
            legend: Sequence[tuple[str, str]] = ()) -> str:
    """Stacked columns, one per period (``stacks[i]`` bottom-up), value ticks on the left and a
    legend of (name, colour)."""
    axis = axis or Axis()
    totals = [sum(max(p.value, 0.0) for p in stack) for stack in stacks]
    ticks = nice_ticks(0.0, max(totals or [0.0]) or 1.0)
    top = max(ticks or [1.0]) or 1.0
    cols = []
    for period, stack, total in zip(periods, stacks, totals, strict=True):
        parts = "".join(
            f'<i class="{"pk" if p.pick else ""}" style="height:{pct(max(p.value, 0.0) / top * 100)};'
            f'background:{p.color}"{pick_attrs(p.pick)}{tip_attrs(p.tip or f"{period} · {p.name}: {axis.fmt(p.value)}")}></i>'
            for p in stack)
        cols.append(f'<div class="cl"{tip_attrs(f"{period}: {axis.fmt(total)}")}>{parts}</div>')
    every = max(1, math.ceil(len(periods) / 8))
    xlabels = "".join(f'<span style="flex:1">{esc(p) if i % every == 0 else ""}</span>'
                      for i, p in enumerate(periods))
    ylabels = "".join(f'<span style="top:{pct(100 - t / top * 100)}">{esc(axis.fmt(t))}</span>'
                      for t in ticks)
    grid = "".join(f'<i class="gl" style="top:{pct(100 - t / top * 100)}"></i>' for t in ticks)
    keys = "".join(f'<span class="li"><span class="sq" style="background:{c}"></span>{esc(n)}</span>'
                   for n, c in legend)
    return (f'<div class="hc">{heading(title, note)}<div class="lc" style="height:{height}px">'
            f'<div class="ya">{ylabels}</div><div class="pa cs">{grid}{"".join(cols)}</div>'
            f'<div class="xa fx">{xlabels}</div></div><div class="lg">{keys}</div></div>')


# --- helpers for frames --------------------------------------------------------------------------
def period_label(period: object, grain: str) -> str:
    """A period start as an axis label: 'Nov 26' for a month, 'Q4 26', '2026', else '03 Nov'."""
    import pandas as pd

    if _missing_date(period):
        return ""
    when = pd.Timestamp(period)  # type: ignore[arg-type]
    if grain == "month":
        return when.strftime("%b %y")
    if grain == "quarter":
        return f"Q{when.quarter} {when:%y}"
    if grain == "year":
        return f"{when:%Y}"
    return when.strftime("%d %b")


def _missing_date(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def values_at(periods: Sequence[object],
              rows: Iterable[tuple[object, object]]) -> list[float | None]:
    """The value of each period in ``periods`` from (period, value) ``rows`` (None where absent)."""
    found = {str(p): v for p, v in rows}
    return [number(found.get(str(p))) for p in periods]
