"""Pure chart builders of the Ownership page (cost trend, contacts per X, who causes the avoidable
demand, top reasons) and what they share with its value/irritant matrix
(``views.ui.irritant_matrix``): the department legend, reason labels, what a click sends. Frame in,
escaped HTML out (no Streamlit, no Plotly), drawn by ``views.ui.figure`` like the Channels page's
charts: no 4.7 MB Plotly script on the page's first screen (issue 11), text laid out in HTML so it
never shrinks on a phone, theme colours from Streamlit's ``--st-*`` variables.

Departments keep one colour across every chart and page (``views.ui.palette.department_colors``
over every department of the warehouse), none of them a status colour, so Finance is the same
colour in the cost trend, the matrix and the top-reasons bars whatever the filter. A click opens
the Channels page: every clickable element carries ``data-pick`` = ``pick(dimension, member, kpi)``
(a department or a reason code and the KPI to open it on), read back with ``read_pick``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from views.ui import htmlcharts, timecharts
from views.ui.charts import TOTAL as OTHERS
from views.ui.htmlcharts import esc, number, tip_attrs
from views.ui.palette import UNMAPPED as GREY

ACCENT = "#4c78a8"
AVOIDABLE_COST = "avoidable_cost"
DIMENSIONS = ("department", "reason")
KPIS = (AVOIDABLE_COST, "contacts")

# The caused split's CSS beyond the figure component's classes (the component renders each chart
# in its own shadow root, so this stays scoped to the chart it starts): two 100 % bars, their
# percent ticks and a key of long lines. The other charts need only the component's classes.
STYLE = """<style>
.o-sr { display: grid; grid-template-columns: minmax(64px, 14%) minmax(0, 1fr); column-gap: 8px;
  align-items: center; margin: 4px 0; }
.o-sl { text-align: right; white-space: nowrap; }
.o-sb { display: flex; height: 26px; border-radius: 3px; overflow: hidden; }
.o-sb i { display: flex; align-items: center; justify-content: center; min-width: 0;
  color: #fff; font-style: normal; font-weight: 600; font-size: 12px; white-space: nowrap;
  overflow: hidden; text-shadow: 0 0 3px rgba(0,0,0,.45); }
.o-tk { display: grid; grid-template-columns: minmax(64px, 14%) minmax(0, 1fr); column-gap: 8px;
  font-size: 11px; opacity: .75; }
.o-tk div { position: relative; height: 15px; }
.o-tk div span { position: absolute; top: 0; transform: translateX(-50%); white-space: nowrap; }
.o-tk div span:first-child { transform: none; }
.o-tk div span:last-child { transform: translateX(-100%); }
.o-keys { display: flex; flex-direction: column; gap: 3px; margin-top: 8px; font-size: 12px; }
.o-keys .sq { flex: none; margin-top: 2px; }
.o-keys .li { align-items: flex-start; }
@container (max-width: 560px) {
  .o-sr, .o-tk { grid-template-columns: 64px minmax(0, 1fr); }
}
</style>"""


# --- what a click sends --------------------------------------------------------------------------
def pick(dimension: str, member: object, kpi: str) -> str:
    """What a click on a department or reason sends: the Channels page's filter and KPI."""
    return json.dumps([dimension, str(member), kpi])


def read_pick(value: object) -> tuple[str, str, str] | None:
    """(dimension, member, kpi) of a ``pick`` value, None for anything else (the value comes from
    the browser: only a department or a reason, on one of this page's KPIs, opens a page)."""
    try:
        found = json.loads(str(value))
    except ValueError:
        return None
    if (not isinstance(found, list) or len(found) != 3
            or not all(isinstance(part, str) for part in found)):
        return None
    dimension, member, kpi = found
    if dimension not in DIMENSIONS or kpi not in KPIS or not member:
        return None
    return dimension, member, kpi


def reason_label(rec: dict, reason: str) -> str:
    """A reason's label, its code when it has none."""
    value = rec.get("label")
    if value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip():
        return reason
    return str(value)


def department_legend(departments: Iterable[object], colors: dict[str, str]) -> str:
    """A legend of the owning departments shown (each once, in the order given)."""
    seen = list(dict.fromkeys(str(d) for d in departments))
    keys = "".join(f'<span class="li"><span class="sq" style="background:{colors.get(d, GREY)}">'
                   f'</span>{esc(d)}</span>' for d in seen)
    return f'<div class="lg">{keys}</div>' if keys else ""


def amount(value: float) -> str:
    """A cost on an axis: '80,000', '2.5M' from a million up."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.1f}M".replace(".0M", "M")
    return f"{value:,.0f}"


def per_thousand(value: float) -> str:
    """Contacts per 1,000 units: '338.2', '0', '51'."""
    return f"{value:,.1f}".removesuffix(".0")


# --- cost trend ----------------------------------------------------------------------------------
def cost_trend(trend: pd.DataFrame, currency: str, colors: dict[str, str],
               grain: str = "month") -> str:
    """Stacked columns of avoidable cost per owning department per period (``trend`` rows of the
    avoidable_cost KPI with columns period, department, value, n), departments bottom-up in
    alphabetical order; a click on a department's part opens its avoidable cost."""
    data = trend.dropna(subset=["period", "value"])
    periods = sorted(set(data["period"]))
    depts = sorted({str(d) for d in data["department"]})
    cells = {(str(r["period"]), str(r["department"])): r for r in data.to_dict("records")}
    stacks = []
    for period in periods:
        label = timecharts.period_label(period, grain)
        stack = []
        for dept in depts:
            row = cells.get((str(period), dept))
            value = None if row is None else number(row["value"])
            if value is None:
                continue
            n = number(row["n"]) if row is not None else None
            contacts = f" · {n:,.0f} avoidable contacts" if n is not None else ""
            stack.append(timecharts.Part(
                name=dept, value=value, color=colors.get(dept, GREY),
                pick=pick("department", dept, AVOIDABLE_COST),
                tip=f"{label} · {dept}\n{value:,.0f} {currency}{contacts}\n"
                    "click: open in Channels"))
        stacks.append(stack)
    return timecharts.columns(
        [timecharts.period_label(p, grain) for p in periods], stacks,
        title="Cost of avoidable contact by owning department",
        note=f"Avoidable cost ({currency}) per {grain}", axis=timecharts.Axis(fmt=amount),
        height=240, legend=[(d, colors.get(d, GREY)) for d in depts])


# --- contacts per X ------------------------------------------------------------------------------
def cpx_trend(frame: pd.DataFrame, colors: dict[str, str], grain: str = "month") -> str:
    """Contacts per 1,000 units over time, one line per ``label`` (the company per its driver, each
    department per its own: rows of the cpx KPI with ``label``, ``driver``, ``department``,
    ``numerator`` and ``denominator``); the company's line thick, in the whole scope's grey."""
    data = frame.dropna(subset=["period", "value"])
    periods = sorted(set(data["period"]))
    series = []
    for label, rows in data.groupby("label", sort=True):
        dept, driver = str(rows["department"].iloc[0]), str(rows["driver"].iloc[0])
        by_period = {str(r["period"]): r for r in rows.to_dict("records")}
        values, tips = [], []
        for period in periods:
            row = by_period.get(str(period))
            value = None if row is None else number(row["value"])
            values.append(None if value is None else value * 1000)
            top = number(row["numerator"]) if row is not None and "numerator" in row else None
            bottom = number(row["denominator"]) if row is not None and "denominator" in row else None
            tips.append("" if value is None or top is None or bottom is None
                        else f"{top:,.0f} contacts / {bottom:,.0f} {driver}")
        company = dept == "Company"
        series.append(timecharts.Series(
            name=str(label), color=OTHERS if company else colors.get(dept, OTHERS),
            values=values, tips=tips, style="thick" if company else "solid"))
    series.sort(key=lambda s: s.style != "thick")  # the company first in the legend
    return timecharts.lines(
        [timecharts.period_label(p, grain) for p in periods], series,
        title="Contacts per 1,000 units of demand",
        note="Each line divides its contacts by its own driver (in the legend)",
        axis=timecharts.Axis(fmt=per_thousand, zero=True), height=260)


# --- who causes the avoidable demand -------------------------------------------------------------
@dataclass(frozen=True)
class Side:
    """One part of the caused split: its avoidable contacts and cost, and their shares (%)."""
    name: str
    color: str
    contacts: float
    cost: float
    contacts_share: float
    cost_share: float


def split_sides(reasons: pd.DataFrame, service_department: str, colors: dict[str, str],
                chosen: Sequence[str] = ()) -> tuple[str, list[Side]]:
    """(title, sides) of the avoidable contacts and their cost in two parts: caused by the service
    department vs elsewhere, or (``chosen`` departments, under a department filter, with
    ``reasons`` of every department) the chosen departments vs all the others; the named side
    first. Member colours, never status ones."""
    avoidable = reasons[reasons["avoidable"].astype(bool)] if len(reasons) else reasons
    if chosen:
        mine = ", ".join(chosen)
        other = "Other departments"
        side = avoidable["department"].isin(list(chosen)).map({True: mine, False: other})
        palette = {mine: colors.get(chosen[0], ACCENT) if len(chosen) == 1 else ACCENT,
                   other: OTHERS}
        title = f"{mine}: share of all avoidable demand"
    else:
        mine = f"Caused by {service_department}"
        other = "Caused elsewhere"
        side = avoidable["service_caused"].astype(bool).map({True: mine, False: other})
        palette = {mine: colors.get(service_department, ACCENT), other: OTHERS}
        title = "Who causes the avoidable demand"
    totals = (avoidable.assign(side=side).groupby("side")[["contacts", "cost"]].sum()
              if len(avoidable) else pd.DataFrame(columns=["contacts", "cost"]))
    all_contacts = float(totals["contacts"].sum()) if len(totals) else 0.0
    all_cost = float(totals["cost"].sum()) if len(totals) else 0.0
    sides = []
    for name in (mine, other):
        if name not in totals.index:
            continue
        contacts, cost = float(totals.loc[name, "contacts"]), float(totals.loc[name, "cost"])
        sides.append(Side(name, palette[name], contacts, cost,
                          contacts / all_contacts * 100 if all_contacts else 0.0,
                          cost / all_cost * 100 if all_cost else 0.0))
    return title, sides


def caused_split(reasons: pd.DataFrame, service_department: str, currency: str,
                 colors: dict[str, str], chosen: Sequence[str] = ()) -> str:
    """Two 100 % bars (avoidable contacts, their cost) split as ``split_sides`` says, each part's
    share written in it when it is wide enough and always in the key below."""
    title, sides = split_sides(reasons, service_department, colors, chosen)
    if not sides:
        return f'<div class="hc"><div class="ht">{esc(title)}</div><div class="hn">No avoidable ' \
               'contacts here.</div></div>'
    rows = []
    for what, share_of, value_of in (
            ("Contacts", lambda s: s.contacts_share, lambda s: f"{s.contacts:,.0f} avoidable contacts"),
            (f"Cost ({currency})", lambda s: s.cost_share, lambda s: f"{s.cost:,.0f} {currency}")):
        parts = []
        for s in sides:
            share = share_of(s)
            if share <= 0:
                continue
            text = f"{share:.1f} %" if share >= 22 else ""
            parts.append(f'<i style="width:{share:.2f}%;background:{s.color}"'
                         f'{tip_attrs(f"{s.name}: {share:.1f} % · {value_of(s)}")}>'
                         f'{esc(text)}</i>')
        rows.append(f'<div class="o-sr"><span class="o-sl">{esc(what)}</span>'
                    f'<div class="o-sb">{"".join(parts)}</div></div>')
    ticks = "".join(f'<span style="left:{t}%">{t} %</span>' for t in (0, 25, 50, 75, 100))
    keys = "".join(
        f'<span class="li"><span class="sq" style="background:{s.color}"></span><span>'
        f'<b>{esc(s.name)}</b>: {s.contacts_share:.1f} % of contacts ({s.contacts:,.0f}) · '
        f'{s.cost_share:.1f} % of cost ({s.cost:,.0f} {esc(currency)})</span></span>'
        for s in sides)
    return (f'{STYLE}<div class="hc"><div class="ht">{esc(title)}</div>{"".join(rows)}'
            f'<div class="o-tk"><i></i><div>{ticks}</div></div><div class="o-keys">{keys}</div></div>')


# --- top reasons ---------------------------------------------------------------------------------
def top_reasons_bar(top: pd.DataFrame, colors: dict[str, str], currency: str) -> str:
    """Horizontal bars of the costliest avoidable reasons (``top`` costliest first, drawn on top),
    coloured by owner, with a legend of the owners; a click opens the reason's avoidable cost."""
    items = []
    for rec in top.to_dict("records"):
        reason, dept = str(rec["reason"]), str(rec["department"])
        label = reason_label(rec, reason)
        cost = number(rec["cost"]) or 0.0
        contacts = number(rec["contacts"]) or 0.0
        items.append(htmlcharts.Bar(
            label=label, value=cost, color=colors.get(dept, GREY),
            text=f"{cost:,.0f} {currency}", pick=pick("reason", reason, AVOIDABLE_COST),
            tip=f"{label}\n{dept}\n{contacts:,.0f} contacts · {cost:,.0f} {currency}\n"
                "click: open in Channels"))
    markup = htmlcharts.bars(items, title="Top reasons to fix, by cost",
                             note=f"Avoidable cost ({currency}), coloured by owning department")
    legend = department_legend(top["department"], colors)
    return markup + legend
