"""Charts as HTML and inline SVG, the part every chart shares and the charts of members side by
side: escaping (``esc``), numbers (``number``, ``nice_ticks``), the attributes that make an element
clickable (``pick_attrs``: its ``data-pick``) or give it a hover (``tip_attrs``: its ``data-tip``),
a chart's heading; horizontal bars (``Bar``, ``bars``) and heat tables (``Row``, ``heat``,
``shade``). The charts over periods (lines, stacked columns) are in ``views.ui.timecharts``; both
are drawn by ``views.ui.figure`` (one Streamlit component; clicks come back as the member a bar,
cell, point or legend entry stands for).

Why not Plotly on the pages' first screens: the first Plotly chart of a browser session costs the
browser 1.2-1.5 s (a 4.7 MB script to load and compile, then the first draw), which alone breaks the
2 s budget of a new session (issue 11); these charts are a few kB of markup drawn in milliseconds,
print as they look and reflow on a phone. The board pack and the Scorecard's detail on demand keep
Plotly.

Every chart is laid out in HTML (bars, stacked columns, heat tables, legends, axis labels), with SVG
only for the lines of a line chart: text never scales with the width, so a 390 px phone reads the
same 12 px as a 1400 px screen. Hovers are ``data-tip`` texts the component's CSS shows at once (and
``aria-label`` for screen readers). Every text from the data is escaped here; ``pick`` values travel
in ``data-pick``. Other HTML builders (the Ownership and journey charts, the Scorecard grid) use
the same helpers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from views.ui.tiles import missing


def esc(value: object) -> str:
    """``value`` as HTML text, quotes escaped too (safe in an attribute); '' for None."""
    return html.escape("" if value is None else str(value), quote=True)


def number(value: object) -> float | None:
    """``value`` as a float, None when missing (None, NaN, not a number)."""
    return None if missing(value) else float(value)  # type: ignore[arg-type]


def pick_attrs(pick: str | None) -> str:
    """The attributes that make an element clickable: ``pick`` is what a click sends back (the
    component's ``data-pick``); '' when there is nothing to send."""
    if not pick:
        return ""
    return f' data-pick="{esc(pick)}" tabindex="0" role="button"'


def tip_attrs(tip: str) -> str:
    """A hover text (``data-tip``, shown by the component) and its screen-reader label."""
    return f' data-tip="{esc(tip)}" aria-label="{esc(tip)}"' if tip else ""


def heading(title: str, note: str = "") -> str:
    """A chart's title and the note under it (each only when given)."""
    head = f'<div class="ht">{esc(title)}</div>' if title else ""
    return head + (f'<div class="hn">{esc(note)}</div>' if note else "")


def pct(value: float) -> str:
    """A position or a length as a CSS percentage."""
    return f"{value:.2f}%"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of
    ten apart), the outer ones on or beyond the data."""
    if missing(low) or missing(high):
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
                mark += (f'<i class="wh" style="left:{pct(lo)};width:{pct(max(hi - lo, 0.3))};'
                         f'background:{b.color}"></i>')
                end = hi
            if value is not None:
                x = at(value)
                fill = "transparent" if b.hollow else b.color
                mark += (f'<i class="dt" style="left:{pct(x)};border-color:{b.color};'
                         f'background:{fill}"></i>')
                end = max(end, x)
        elif value is not None:
            x = at(value)
            left, width = min(x, zero), abs(x - zero)
            mark = (f'<i class="bb" style="left:{pct(left)};width:{pct(max(width, 0.4))};'
                    f'background:{b.color}"></i>')
            end = max(x, zero)
        if goal is not None:
            mark += f'<i class="tl" style="left:{pct(at(goal))}"></i>'
        text = f'<b style="left:calc({pct(end)} + 5px)">{esc(b.text)}</b>' if b.text else ""
        rows.append(f'<div class="{classes}"{pick_attrs(b.pick)}{tip_attrs(b.tip or b.label)}>'
                    f'<span class="bl">{esc(b.label)}</span><span class="bk"><span class="bz">{mark}'
                    f'{text}</span></span></div>')
    legend = ""
    if goal is not None:
        legend = (f'<div class="lg"><span class="li"><span class="lt"></span>'
                  f'{esc(target_text or "target")}</span></div>')
    return f'<div class="hc">{heading(title, note)}<div class="bs">{"".join(rows)}</div>{legend}</div>'


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
            if share is None or missing(share):
                cells.append(f'<td class="e"{tip_attrs(tip)}></td>')
                continue
            dark = share > 0.55
            cells.append(f'<td class="{"dk" if dark else ""}" style="background:'
                         f'{shade(color, share)}"{tip_attrs(tip)}>{"" if compact else esc(text)}</td>')
        classes = " ".join(c for c, on in (("pk", bool(r.pick)), ("ch", r.chosen),
                                           ("fd", r.faded)) if on)
        body.append(f'<tr><th class="rl {classes}"{pick_attrs(r.pick)}{tip_attrs(r.label)}>{esc(r.label)}'
                    f'</th>{"".join(cells)}</tr>')
    return (f'<div class="hc">{heading(title, note)}<div class="hm"><table class="{"cp" if compact else "wd" if len(columns_) > 8 else ""}">'
            f'<thead><tr><th></th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div></div>')
