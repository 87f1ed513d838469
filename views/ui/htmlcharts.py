"""Charts as HTML and inline SVG: a frame's numbers in, escaped markup out, drawn by
``views.ui.figure`` (one Streamlit component; clicks come back as the member a bar, cell, point or
legend entry stands for).

Why not Plotly on the pages' first screens: the first Plotly chart of a browser session costs the
browser 1.2-1.5 s (a 4.7 MB script to load and compile, then the first draw), which alone breaks the
2 s budget of a new session (issue 11); these charts are a few kB of markup drawn in milliseconds,
print as they look and reflow on a phone. The board pack and the Scorecard's detail on demand keep
Plotly.

Every chart is laid out in HTML (bars, stacked columns, heat tables, legends, axis labels), with SVG
only for the lines of a line chart, stretched to its box with ``preserveAspectRatio="none"`` and
non-scaling strokes: text never scales with the width, so a 390 px phone reads the same 12 px as a
1400 px screen. Hovers are ``data-tip`` texts the component's CSS shows at once (and ``aria-label`` for
screen readers). Every text from the data is escaped here; ``pick`` values travel in ``data-pick``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

GRID = "rgba(128,128,128,.22)"
TARGET = "#8c8c8c"


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def number(value: object) -> float | None:
    """``value`` as a float, None when missing (None, NaN, not a number)."""
    return None if _missing(value) else float(value)  # type: ignore[arg-type]


def _pick(pick: str | None) -> str:
    """The attributes that make an element clickable (a member to send back)."""
    if not pick:
        return ""
    return f' data-pick="{esc(pick)}" tabindex="0" role="button"'


def _tip(tip: str) -> str:
    return f' data-tip="{esc(tip)}" aria-label="{esc(tip)}"' if tip else ""


def _title(title: str, note: str = "") -> str:
    head = f'<div class="ht">{esc(title)}</div>' if title else ""
    return head + (f'<div class="hn">{esc(note)}</div>' if note else "")


def _pct(value: float) -> str:
    return f"{value:.2f}%"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of
    ten apart), the outer ones on or beyond the data."""
    if _missing(low) or _missing(high):
        return []
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks, value = [], first
    while value < high + step * 0.999 and len(ticks) < 3 * count:
        ticks.append(round(value, 10))
        if value >= high - 1e-12:
            break
        value += step
    return ticks


# --- bars ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: ``label`` on the left, a bar to ``value`` in ``color`` and ``text``
    beside it. ``low``/``high`` draw an interval with a dot instead of a bar (a hollow dot when
    ``hollow``). ``pick`` is what a click sends back ('' = not clickable)."""
    label: str
    value: float | None
    color: str
    text: str = ""
    tip: str = ""
    pick: str = ""
    faded: bool = False
    chosen: bool = False
    low: float | None = None
    high: float | None = None
    hollow: bool = False


def bars(items: Sequence[Bar], title: str = "", note: str = "",
         target: float | None = None, target_text: str = "",
         domain: tuple[float, float] | None = None) -> str:
    """Horizontal bars (or intervals), one row per item in the given order, on one scale from
    the smaller of 0 and the lowest value to the largest (``domain`` fixes it: 0-100 for a
    percentage score); a dashed line at ``target`` through every row."""
    values = [v for b in items for v in map(number, (b.value, b.low, b.high)) if v is not None]
    goal = number(target)
    if goal is not None:
        values.append(goal)
    low, high = domain or (min([0.0, *values]), max([0.0, *values]))
    span = (high - low) or 1.0

    def at(value: float) -> float:
        return max(0.0, min(1.0, (value - low) / span)) * 100  # of the bar zone (``.bz``)

    zero = at(0.0) if low <= 0 <= high else at(low)
    rows = []
    for b in items:
        classes = "br" + (" pk" if b.pick else "") + (" fd" if b.faded else "") + (
            " ch" if b.chosen else "")
        mark, end = "", zero
        value, b_low, b_high = number(b.value), number(b.low), number(b.high)
        if b.low is not None or b.high is not None:
            if b_low is not None and b_high is not None:
                lo, hi = at(b_low), at(b_high)
                mark += (f'<i class="wh" style="left:{_pct(lo)};width:{_pct(max(hi - lo, 0.3))};'
                         f'background:{b.color}"></i>')
                end = hi
            if value is not None:
                x = at(value)
                fill = "transparent" if b.hollow else b.color
                mark += (f'<i class="dt" style="left:{_pct(x)};border-color:{b.color};'
                         f'background:{fill}"></i>')
                end = max(end, x)
        elif value is not None:
            x = at(value)
            left, width = min(x, zero), abs(x - zero)
            mark = (f'<i class="bb" style="left:{_pct(left)};width:{_pct(max(width, 0.4))};'
                    f'background:{b.color}"></i>')
            end = max(x, zero)
        if goal is not None:
            mark += f'<i class="tl" style="left:{_pct(at(goal))}"></i>'
        text = f'<b style="left:calc({_pct(end)} + 5px)">{esc(b.text)}</b>' if b.text else ""
        rows.append(f'<div class="{classes}"{_pick(b.pick)}{_tip(b.tip or b.label)}>'
                    f'<span class="bl">{esc(b.label)}</span><span class="bk"><span class="bz">{mark}'
                    f'{text}</span></span></div>')
    legend = ""
    if goal is not None:
        legend = (f'<div class="lg"><span class="li"><span class="lt"></span>'
                  f'{esc(target_text or "target")}</span></div>')
    return f'<div class="hc">{_title(title, note)}<div class="bs">{"".join(rows)}</div>{legend}</div>'


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
        return f'<div class="hc">{_title(title, note)}<div class="hn">No values to draw.</div></div>'
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
                dots.append(f'<i class="pt{size}" style="left:{_pct(x_at(i))};top:'
                            f'{_pct(y_at(v))};border-color:{s.color};background:{fill}">'
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
        hovers.append(f'<span class="hv" style="left:{_pct(left)};width:{_pct(width)}"'
                      f'{_tip(chr(10).join(parts))}></span>')
    every = max(1, math.ceil(n / 8))
    xlabels = "".join(f'<span style="left:{_pct(x_at(i))}">{esc(p)}</span>'
                      for i, p in enumerate(periods) if i % every == 0 or i == n - 1 and n <= 8)
    ylabels = "".join(f'<span style="top:{_pct(y_at(t))}">{esc(axis.fmt(t))}</span>' for t in ticks)
    legend = []
    for s in series:
        swatch = f'<span class="sw {s.style}" style="border-color:{s.color}"></span>'
        legend.append(f'<span class="li{" pk" if s.pick else ""}{" fd" if s.style == "faded" else ""}"'
                      f'{_pick(s.pick)}>{swatch}{esc(s.name)}</span>')
    if goal is not None:
        legend.append(f'<span class="li"><span class="lt"></span>{esc(target_text or "target")}</span>')
    return (f'<div class="hc">{_title(title, note)}<div class="lc" style="height:{height}px">'
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
            f'<i class="{"pk" if p.pick else ""}" style="height:{_pct(max(p.value, 0.0) / top * 100)};'
            f'background:{p.color}"{_pick(p.pick)}{_tip(p.tip or f"{period} · {p.name}: {axis.fmt(p.value)}")}></i>'
            for p in stack)
        cols.append(f'<div class="cl"{_tip(f"{period}: {axis.fmt(total)}")}>{parts}</div>')
    every = max(1, math.ceil(len(periods) / 8))
    xlabels = "".join(f'<span style="flex:1">{esc(p) if i % every == 0 else ""}</span>'
                      for i, p in enumerate(periods))
    ylabels = "".join(f'<span style="top:{_pct(100 - t / top * 100)}">{esc(axis.fmt(t))}</span>'
                      for t in ticks)
    grid = "".join(f'<i class="gl" style="top:{_pct(100 - t / top * 100)}"></i>' for t in ticks)
    keys = "".join(f'<span class="li"><span class="sq" style="background:{c}"></span>{esc(n)}</span>'
                   for n, c in legend)
    return (f'<div class="hc">{_title(title, note)}<div class="lc" style="height:{height}px">'
            f'<div class="ya">{ylabels}</div><div class="pa cs">{grid}{"".join(cols)}</div>'
            f'<div class="xa fx">{xlabels}</div></div><div class="lg">{keys}</div></div>')


# --- heat tables ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One row of a heat table: its label, what a click on the label sends, and per column a
    (shade 0-1 or None for an empty cell, text written in the cell, hover)."""
    label: str
    cells: Sequence[tuple[float | None, str, str]]
    pick: str = ""
    chosen: bool = False
    faded: bool = False


def shade(color: str, share: float) -> str:
    """``color`` ('#rrggbb') at an opacity that grows with ``share`` (0-1)."""
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{0.08 + 0.87 * max(0.0, min(1.0, share)):.2f})"


def heat(columns_: Sequence[str], rows: Sequence[Row], color: str, title: str = "",
         note: str = "", compact: bool = False) -> str:
    """A table of shaded cells (rows x ``columns_``): the darker, the larger. ``compact`` drops the
    cell texts (24 hours across): the hover keeps them."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns_)
    body = []
    for r in rows:
        cells = []
        for share, text, tip in r.cells:
            if share is None or _missing(share):
                cells.append(f'<td class="e"{_tip(tip)}></td>')
                continue
            dark = share > 0.55
            cells.append(f'<td class="{"dk" if dark else ""}" style="background:'
                         f'{shade(color, share)}"{_tip(tip)}>{"" if compact else esc(text)}</td>')
        classes = " ".join(c for c, on in (("pk", bool(r.pick)), ("ch", r.chosen),
                                           ("fd", r.faded)) if on)
        body.append(f'<tr><th class="rl {classes}"{_pick(r.pick)}{_tip(r.label)}>{esc(r.label)}'
                    f'</th>{"".join(cells)}</tr>')
    return (f'<div class="hc">{_title(title, note)}<div class="hm"><table class="{"cp" if compact else ""}">'
            f'<thead><tr><th></th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div></div>')


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
