"""The customer journey page's timeline (frame in, escaped HTML out): the customer's contacts on one
lane per channel in the channel's stable colour (``palette.channel_colors``), the contact opened
ringed, each repeat joined to the contact it repeats by a dotted line, round dates on an axis below.
HTML drawn by ``views.ui.figure`` (no Plotly on the page), every text in HTML so it never scales
down on a phone; a dot's hover says what the contact was, its click goes to its card in the list
below (``views.ui.journey_view``, whose anchors and words of a contact it uses).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from views.ui.htmlcharts import tip_attrs
from views.ui.journey_view import (
    OPENED_RING,
    anchor,
    esc,
    outcome_text,
    reason_text,
    truth,
    when,
)

REPEAT_LINE = "#8c8c8c"
CSS = """<style>
.jt { --lane: 40px; }
.jt .jg { display: grid; grid-template-columns: 74px minmax(0, 1fr); margin-right: 12px; }
.jt .jm { display: grid; grid-auto-rows: var(--lane); font-size: 12.5px; }
.jt .jm span { display: flex; align-items: center; justify-content: flex-end; gap: 5px;
  padding-right: 8px; white-space: nowrap; overflow: hidden; }
.jt .jm i { flex: none; width: 10px; height: 10px; border-radius: 50%; }
.jt .jp { position: relative; border-left: 1px solid rgba(128,128,128,.35);
  border-bottom: 1px solid rgba(128,128,128,.35); background-size: 100% var(--lane);
  background-image: linear-gradient(transparent calc(50% - .5px), rgba(128,128,128,.22)
  calc(50% - .5px), rgba(128,128,128,.22) calc(50% + .5px), transparent calc(50% + .5px)); }
.jt .jp svg { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible;
  pointer-events: none; }
.jt .jv { position: absolute; top: 0; bottom: 0; border-left: 1px dotted rgba(128,128,128,.35); }
.jt .jd { position: absolute; width: 12px; height: 12px; margin: -6px 0 0 -6px; border-radius: 50%;
  box-sizing: border-box; border: 1.5px solid var(--st-background-color, #fff); z-index: 1; }
.jt .jd.tr { border-radius: 2px; transform: rotate(45deg) scale(.92); }
.jt .jd.op { z-index: 2; }
.jt .jd.op::after { content: ""; position: absolute; inset: -8px; border: 3px solid #8c8c8c;
  border-radius: 50%; }
.jt .jd:hover, .jt .jd:focus-visible { outline: 2px solid var(--st-text-color, #222);
  outline-offset: 2px; z-index: 3; }
.jt .jx { position: relative; height: 20px; margin: 0 12px 0 74px; font-size: 11px;
  opacity: .75; }
.jt .jx span { position: absolute; top: 3px; transform: translateX(-50%); white-space: nowrap; }
.jt .jx span.s { transform: none; } .jt .jx span.e { transform: translateX(-100%); }
.jt .jk { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; margin: 4px 0 8px; }
.jt .jk span { display: inline-flex; align-items: center; gap: 5px; }
.jt .jk i { display: inline-block; width: 10px; height: 10px; background: #8c8c8c;
  border-radius: 50%; }
.jt .jk i.tr { border-radius: 1px; transform: rotate(45deg) scale(.85); }
.jt .jk i.op { background: transparent; border: 3px solid #8c8c8c; width: 14px; height: 14px;
  box-sizing: border-box; }
.jt .jk i.rp { width: 20px; height: 0; border-radius: 0; background: none;
  border-top: 2px dotted #8c8c8c; }
@container (max-width: 560px) {
  .jt .jg { grid-template-columns: 58px minmax(0, 1fr); } .jt .jx { margin-left: 58px; }
  .jt .jm span { padding-right: 5px; } .jt .jx span.odd { display: none; }
}
</style>"""
# Tick steps of the time axis, smallest first: (seconds, unit, how many units).
TICK_STEPS = ([(60 * m, "min", m) for m in (5, 10, 15, 30)]
              + [(3600 * h, "h", h) for h in (1, 2, 3, 6, 12)]
              + [(86_400 * d, "D", d) for d in (1, 2, 7, 14)]
              + [(30 * 86_400 * m, "M", m) for m in (1, 2, 3, 6, 12)])
TICKS = 6  # about this many dates on the axis (every other one on a phone)
PAD = 3.0  # % of the width kept free at each end, so the first and last dots are whole


def time_ticks(first: pd.Timestamp, last: pd.Timestamp,
               count: int = TICKS) -> tuple[list[pd.Timestamp], str]:
    """Round times between ``first`` and ``last`` (about ``count``: every 5 minutes up to every
    year) and the strftime format that writes them; one tick at ``first`` when they are equal."""
    span = (last - first).total_seconds()
    if span <= 0:
        return [first], "%Y-%m-%d %H:%M"
    seconds, unit, size = next((s for s in TICK_STEPS if span / s[0] <= count - 1), TICK_STEPS[-1])
    if unit == "M":
        tick = pd.Timestamp(first.year, first.month, 1)
        while tick < first or (tick.month - 1) % size:
            tick += pd.DateOffset(months=1)
        ticks = []
        while tick <= last:
            ticks.append(tick)
            tick += pd.DateOffset(months=size)
        return ticks, "%Y" if size == 12 else "%b %Y"
    if unit == "D" and size in (7, 14):
        tick = first.ceil("D")
        tick += pd.Timedelta(days=(7 - tick.day_of_week) % 7)  # weeks start on Monday
    else:
        tick = first.ceil(f"{size}{unit}")
    ticks = list(pd.date_range(tick, last, freq=pd.Timedelta(seconds=seconds))) if tick <= last \
        else []
    return ticks, "%d %b" if unit == "D" else "%d %b %H:%M"


def timeline(contacts: pd.DataFrame, colors: Mapping[str, str], vocabulary: list[str]) -> str:
    """The customer's contacts on one lane per channel (in the vocabulary's order), a dot per
    contact at its time (``left:%``) in its channel's colour: a diamond when transferred, ringed
    when it is the contact opened; a dotted line from each repeat back to the contact it repeats
    (when both are shown); dates on an axis below. A dot's hover is ``hover_text``; a click goes
    to the contact's card in the list below (``#c-<hex>``). Every value is escaped."""
    rows = channel_order([str(c) for c in contacts["channel"]], vocabulary)
    lanes = max(len(rows), 1)
    times = [pd.Timestamp(t) for t in contacts["local_at"]]
    first, last = min(times), max(times)
    span = (last - first).total_seconds()

    def x_at(when: pd.Timestamp) -> float:
        return 50.0 if span <= 0 else PAD + (100 - 2 * PAD) * (when - first).total_seconds() / span

    def y_at(channel: str) -> float:
        return (rows.index(channel) + 0.5) / lanes * 100

    records = contacts.to_dict("records")
    at = {str(r["contact"]): (x_at(t), y_at(str(r["channel"]))) for r, t in zip(records, times,
                                                                                 strict=True)}
    links = []
    for r in records:
        earlier = r.get("repeat_of")
        if isinstance(earlier, str) and earlier in at:
            (x1, y1), (x2, y2) = at[earlier], at[str(r["contact"])]
            links.append(f'<line x1="{x1 * 10:.1f}" y1="{y1 * 10:.1f}" x2="{x2 * 10:.1f}" '
                         f'y2="{y2 * 10:.1f}" stroke="{REPEAT_LINE}" stroke-width="1.5" '
                         'stroke-dasharray="2 4" vector-effect="non-scaling-stroke"/>')
    dots = []
    for r in records:
        x, y = at[str(r["contact"])]
        kind = ("jd" + (" tr" if truth(r.get("transferred")) else "")
                + (" op" if bool(r["opened"]) else ""))
        color = colors.get(str(r["channel"]), OPENED_RING)
        dots.append(f'<a class="{kind}" href="#{esc(anchor(r["contact"]))}" style="left:{x:.2f}%;'
                    f'top:{y:.2f}%;background:{esc(color)}"{tip_attrs(hover_text(r))}></a>')
    ticks, fmt = time_ticks(first, last)
    grid, dates = [], []
    for i, tick in enumerate(ticks):
        x = x_at(tick)
        grid.append(f'<i class="jv" style="left:{x:.2f}%"></i>')
        side = " s" if x < 12 and len(ticks) > 1 else " e" if x > 88 and len(ticks) > 1 else ""
        dates.append(f'<span class="{"odd" if i % 2 else "ev"}{side}" style="left:{x:.2f}%">'
                     f"{esc(tick.strftime(fmt))}</span>")
    names = "".join(f'<span data-tip="{esc(c)}"><i style="background:{esc(colors.get(c, OPENED_RING))}">'
                    f"</i>{esc(c)}</span>" for c in rows)
    key = ['<span><i></i>contact, in its channel\'s colour (click: its card below)</span>']
    if any(truth(r.get("transferred")) for r in records):
        key.append('<span><i class="tr"></i>transferred</span>')
    if any(bool(r["opened"]) for r in records):
        key.append('<span><i class="op"></i>the contact opened</span>')
    if links:
        key.append('<span><i class="rp"></i>a repeat and the contact it repeats</span>')
    svg = (f'<svg viewBox="0 0 1000 1000" preserveAspectRatio="none" aria-hidden="true">'
           f'{"".join(links)}</svg>')
    return (f'{CSS}<div class="jt"><div class="jg" style="height:calc({lanes} * '
            f'var(--lane))"><div class="jm">{names}</div><div class="jp">{"".join(grid)}{svg}'
            f'{"".join(dots)}</div></div><div class="jx">{"".join(dates)}</div>'
            f'<div class="jk">{"".join(key)}</div></div>')


def channel_order(channels: list[str], vocabulary: list[str]) -> list[str]:
    """The channels present, in the canonical vocabulary's order (unknown ones last)."""
    present = list(dict.fromkeys(channels))
    known = [c for c in vocabulary if c in present]
    return known + sorted(c for c in present if c not in vocabulary)


def hover_lines(row: Mapping[str, Any]) -> list[str]:
    """What a contact's dot says on hover, line by line (plain text: escape it where it goes)."""
    parts = [f"no. {row['position']} · {row['contact']} · {when(row['local_at'])}",
             reason_text(row), outcome_text(row)]
    if row.get("repeat"):
        parts.append(f"repeat of {row['repeat_of']}")
    if truth(row.get("transferred")):
        parts.append("transferred")
    return [p for p in parts if p]


def hover_text(row: Mapping[str, Any]) -> str:
    """``hover_lines`` as one text, a line each (the hover shows it as written)."""
    return "\n".join(hover_lines(row))
