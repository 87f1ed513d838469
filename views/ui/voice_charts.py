"""Pure chart builders of the Customer voice page: survey KPIs with 95 % confidence intervals, as
HTML (``views.ui.htmlcharts``, drawn by ``views.ui.figure``; no Plotly on the page).

A survey number without its uncertainty invites reading noise as change, so every value is drawn
with its interval (``facade.survey_intervals``: Wilson for CSAT/CES, the promoter-detractor
standard error for NPS) and its n; values under the KPI's min_n are drawn grey and hollow, the way
the scorecard greys them, instead of being hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from views.ui import htmlcharts, timecharts
from views.ui.charts import NEUTRAL
from views.ui.palette import UNMAPPED

GREY = UNMAPPED  # a value under min_n: too few answers to judge
UNITS = {"csat": " %", "ces": " %", "nps": " pts"}
AXIS = {"csat": (0.0, 100.0), "ces": (0.0, 100.0), "nps": (-100.0, 100.0)}
# Dot charts side by side (three KPIs), one under the other when the page is narrow; an axis under
# each (the bars of ``htmlcharts.bars`` have none) lined up with the bar zone: the same grid
# columns as a ``.br`` row, and a bar zone that leaves 64 px for the value's text on any width
# (the scale is fixed and the texts short: "42.1 pts").
CSS = """<style>
.vg { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 6px 22px; }
.vd .hc { margin-bottom: 0; }
.vd .bz, .va > span > span { width: calc(100% - 64px); }
.vd .bz { background: linear-gradient(to right, rgba(128,128,128,.28) 1px, transparent 1px)
  0 0 / 25% 100% repeat-x; border-right: 1px solid rgba(128,128,128,.28); }
.vd .bz b { font-size: 11.5px; padding: 0 2px; border-radius: 2px;
  background: var(--st-background-color, #fff); }
.va { display: grid; grid-template-columns: minmax(90px, 34%) minmax(0, 1fr); column-gap: 8px;
  height: 18px; margin-bottom: 10px; }
.va > span { position: relative; }
.va > span > span { position: absolute; left: 0; top: 0; bottom: 0; }
.va i { position: absolute; top: 2px; transform: translateX(-50%); font-style: normal;
  font-size: 11px; opacity: .75; white-space: nowrap; }
.vk { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; margin: 2px 0 8px; }
.vk span { display: inline-flex; align-items: center; gap: 5px; }
.vk i { display: inline-block; width: 11px; height: 11px; border-radius: 50%; border: 2px solid;
  box-sizing: border-box; }
@container (max-width: 560px) { .va { grid-template-columns: minmax(70px, 38%) minmax(0, 1fr); } }
</style>"""


def _one(value: object) -> str:
    number = htmlcharts.number(value)
    return "–" if number is None else f"{number:.1f}"


def _interval_words(low: object, high: object, unit: str) -> str:
    if htmlcharts.number(low) is None or htmlcharts.number(high) is None:
        return "no interval"
    return f"95 % CI {_one(low)} to {_one(high)}{unit}"


def interval_items(frame: pd.DataFrame, kpi: str, dimension: str, label: str,
                   colors: Mapping[str, str] | None = None,
                   min_n: int | None = None) -> list[htmlcharts.Bar]:
    """One dot per ``dimension`` value, highest value first, with its 95 % interval as a whisker,
    in the member's colour (``colors``); hollow and grey when n is below the KPI's min_n. n is in
    the label, the interval and n in the hover."""
    rows = frame[frame["kpi"] == kpi].dropna(subset=["value"])
    rows = rows.sort_values("value", ascending=False, kind="stable")
    unit = UNITS.get(kpi, "")
    below = f"below min_n {min_n}" if min_n is not None else "below min_n"
    items = []
    for rec in rows.to_dict("records"):
        member = str(rec[dimension])
        n = 0 if htmlcharts.number(rec["n"]) is None else int(rec["n"])
        reliable = bool(rec["reliable"])
        color = (colors or {}).get(member, NEUTRAL) if reliable else GREY
        tip = (f"{member} · {label} {_one(rec['value'])}{unit}\n"
               f"{_interval_words(rec['low'], rec['high'], unit)}\nn = {n:,}"
               + ("" if reliable else f" ({below}: an anecdote, not a difference)"))
        items.append(htmlcharts.Bar(
            label=f"{member} (n={n:,})", value=htmlcharts.number(rec["value"]), color=color,
            text=f"{_one(rec['value'])}{unit}", tip=tip, low=htmlcharts.number(rec["low"]),
            high=htmlcharts.number(rec["high"]), hollow=not reliable))
    return items


def _axis(kpi: str) -> str:
    """Tick labels at the start, middle and end of the bar zone (gridlines every quarter)."""
    low, high = AXIS.get(kpi, (0.0, 100.0))
    ticks = "".join(f'<i style="left:{share * 100:g}%">{low + share * (high - low):g}</i>'
                    for share in (0.0, 0.5, 1.0))
    return f'<div class="va" aria-hidden="true"><span></span><span><span>{ticks}</span></span></div>'


def interval_dots(frame: pd.DataFrame, kpi: str, dimension: str, label: str,
                  colors: Mapping[str, str] | None = None, min_n: int | None = None) -> str:
    """``label`` by ``dimension``: a dot per member with its 95 % interval on the KPI's fixed
    scale (0-100 for CSAT and CES, -100 to 100 for NPS) and an axis under it."""
    items = interval_items(frame, kpi, dimension, label, colors, min_n)
    if not items:
        return (f'<div class="vd"><div class="hc"><div class="ht">{htmlcharts.esc(label)} by '
                f'{htmlcharts.esc(dimension)}</div><div class="hn">No answers.</div></div></div>')
    chart = htmlcharts.bars(items, title=f"{label} by {dimension}",
                            domain=AXIS.get(kpi, (0.0, 100.0)))
    return f'<div class="vd">{chart}{_axis(kpi)}</div>'


def dot_panel(frame: pd.DataFrame, kpis: Mapping[str, str], dimension: str,
              colors: Mapping[str, str] | None = None,
              min_n: Mapping[str, int] | None = None) -> str:
    """The dot charts of every KPI in ``kpis`` (id -> label) side by side (one under the other
    on a narrow screen), and a key to the dots."""
    charts = "".join(interval_dots(frame, kpi, dimension, label, colors, (min_n or {}).get(kpi))
                     for kpi, label in kpis.items())
    rows = frame[frame["kpi"].isin(list(kpis))].dropna(subset=["value"])
    key = (f'<span><i style="border-color:{NEUTRAL};background:{NEUTRAL}"></i>value (in the '
           f"{htmlcharts.esc(dimension)}'s colour), 95 % CI</span>")
    if len(rows) and not rows["reliable"].astype(bool).all():
        key += (f'<span><i style="border-color:{GREY};background:transparent"></i>'
                "n below the KPI's min_n</span>")
    return f'{CSS}<div class="vg">{charts}</div><div class="vk">{key}</div>'


def interval_trend(frame: pd.DataFrame, kpi: str, label: str, grain: str = "month",
                   min_n: int | None = None, periods: Sequence[object] = ()) -> str:
    """The KPI per period with its 95 % band on the KPI's fixed scale; periods under min_n as
    hollow points, n and the interval in each period's hover. ``periods`` (the range's period
    starts) keeps the calendar: a period without answers is a gap, not a closer neighbour."""
    rows = frame[frame["kpi"] == kpi].dropna(subset=["value"])
    found = {pd.Timestamp(r["period"]): r for r in rows.to_dict("records")}
    starts = sorted({pd.Timestamp(p) for p in periods} | set(found))
    picked = [found.get(p) for p in starts]
    unit = UNITS.get(kpi, "")
    below = f"below min_n {min_n}" if min_n is not None else "below min_n"

    def column(name: str) -> list[float | None]:
        return [None if r is None else htmlcharts.number(r[name]) for r in picked]

    def tip(r: Mapping[str, object] | None) -> str:
        if r is None:
            return ""
        n = htmlcharts.number(r["n"])
        return f"n = {0 if n is None else int(n):,}" + ("" if r["reliable"] else f", {below}")

    values, lows, highs = column("value"), column("low"), column("high")
    hollow = [r is not None and not r["reliable"] for r in picked]
    tips = [tip(r) for r in picked]
    # one series per run of periods with answers, so the band stops at a gap like the line does
    # (``lines`` draws one band polygon per series); the legend shows the first only (CSS)
    series = []
    for run in _runs(values):
        def part(items: Sequence[float | None], keep: range = run) -> list[float | None]:
            return [v if i in keep else None for i, v in enumerate(items)]
        series.append(timecharts.Series(name=label, color=NEUTRAL, values=part(values),
                                        band=(part(lows), part(highs)), hollow=hollow, tips=tips))
    axis = timecharts.Axis(fmt=lambda v: f"{v:.1f}{unit}" if v % 1 else f"{v:g}{unit}",
                           domain=AXIS.get(kpi))
    note = ("The band is the 95 % interval; hollow points have fewer answers than the KPI's "
            "min_n; a gap is a period without answers.")
    chart = timecharts.lines([timecharts.period_label(p, grain) for p in starts], series,
                             title=f"{label} over time", note=note, axis=axis, height=280)
    return f'<style>.vt .lg .li ~ .li {{ display: none; }}</style><div class="vt">{chart}</div>'


def _runs(values: Sequence[float | None]) -> list[range]:
    """The index ranges of consecutive values that are not None: [1, None, 2, 3] -> 0-0, 2-3."""
    runs, first = [], None
    for i, v in enumerate([*values, None]):
        if v is not None and first is None:
            first = i
        elif v is None and first is not None:
            runs.append(range(first, i))
            first = None
    return runs


def interval_table(frame: pd.DataFrame, dimension: str, labels: dict[str, str]) -> pd.DataFrame:
    """One row per ``dimension`` value: per KPI its value (1 decimal), its 95 % interval as text
    and n; a value under min_n is marked "(low n)" in its interval column."""
    out: pd.DataFrame | None = None
    for kpi, label in labels.items():
        rows = frame[frame["kpi"] == kpi]
        if rows.empty:
            continue
        part = pd.DataFrame({
            dimension: rows[dimension].astype(str),
            label: rows["value"].round(1),
            f"{label} 95 % CI": [
                "" if pd.isna(lo) else f"{lo:.1f} to {hi:.1f}" + ("" if ok else " (low n)")
                for lo, hi, ok in zip(rows["low"], rows["high"], rows["reliable"], strict=True)],
            f"{label} n": rows["n"].astype("Int64"),
        })
        out = part if out is None else out.merge(part, on=dimension, how="outer")
    return out if out is not None else pd.DataFrame(columns=[dimension])
