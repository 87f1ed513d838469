"""The Channels page's breakdowns of the chosen KPI, drawn: by channel, reason (Pareto and reason x
month), queue and team, and by hour of the week. Each member chart is a cross-filter: a click sets
the same filter as the sidebar (``sidebar.clickable``), the chosen members are highlighted and the
others stay visible, because a breakdown by a dimension is asked WITHOUT that dimension's own filter.

What is drawn follows ``views.ui.drill``: a breakdown the KPI file does not declare, or one that
cannot vary, is replaced by a sentence saying why; a Pareto ranks what the KPI adds up (its
numerator for a percentage); a KPI that does not add up is shown per member, worst first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from metrics import facade
from views.ui import charts, drill, figure, htmlcharts, palette, timecharts
from views.ui.sidebar import pick_member, reason_labels
from views.ui.state import Filters
from views.ui.tiles import STATUS_WORDS, format_value, missing

CHART = {"displayModeBar": False}
TOP_REASONS = 15
MONTH_REASONS = 12


@dataclass(frozen=True)
class Drill:
    """The chosen KPI and the page's filters: what every breakdown is asked with."""
    kpi: str
    meta: pd.Series
    filters: Filters
    currency: str

    @property
    def unit(self) -> str:
        return str(self.meta["unit"])

    @property
    def name(self) -> str:
        return str(self.meta["label"])

    def fmt(self, value: object) -> str:
        return format_value(value, self.unit, self.currency)

    def query(self, grain: str = "all", dims: tuple[str, ...] = (),
              start: date | None = None, end: date | None = None,
              free: tuple[str, ...] = ()) -> facade.Query:
        """The KPI under the page's filters; ``free`` dimensions are not filtered (a breakdown by
        channel shows every channel, the chosen ones highlighted)."""
        return facade.Query.of(self.kpi, grain=grain, start=start or self.filters.start,
                               end=end or self.filters.end, dimensions=dims,
                               filters=self.filters.as_filter_map(without=free))

    def split(self, dim: str) -> pd.DataFrame:
        """Scorecard rows of the KPI per member of ``dim`` (members with cases only)."""
        frame = facade.scorecard(self.query(dims=(dim,), free=(dim,)), compare=())
        frame = frame[frame["n"].fillna(0) > 0].copy()
        frame[dim] = frame[dim].astype("object").where(frame[dim].notna(), "(none)").astype(str)
        return frame

    def why_not(self, dim: str, frame: pd.DataFrame) -> str | None:
        """Why a breakdown by ``dim`` is not drawn (not declared, nothing, cannot vary)."""
        if len(frame) and not bool(frame["applicable"].iloc[0]):
            return (f"{self.name} is not read by {dim} (its KPI file does not declare it: such "
                    "a split could only read 0 % or 100 %, or says nothing)")
        if frame.empty:
            return f"no {dim} has cases of {self.name} here"
        reason = drill.cannot_vary(frame, self.unit)
        return None if reason is None else f"{self.name} by {dim} is not drawn: {reason}"


def drawable(d: Drill, dim: str) -> pd.DataFrame | None:
    """The KPI per member of ``dim``, or None after a caption that says why it is not drawn."""
    frame = d.split(dim)
    why = d.why_not(dim, frame)
    if why:
        st.caption(why + ".")
        return None
    return frame


def _bar_text(d: Drill, frame: pd.DataFrame) -> pd.Series:
    """Value and status in words on each bar ('22.0 % · red flag'), so the status is read
    without colour (bars of channels and departments are in the member's own colour)."""
    words = frame["status"].map(lambda s: STATUS_WORDS.get(str(s), "not judged"))
    return frame["value"].map(d.fmt) + " · " + words


def _status_bars(d: Drill, frame: pd.DataFrame, dim: str, colors: dict[str, str] | None = None,
                 labels: dict[str, str] | None = None) -> list[htmlcharts.Bar]:
    """One bar per member of ``dim`` (in ``frame``'s order), in the member's colour or else its
    status colour; members outside a cross-filter fade, the chosen ones are marked."""
    chosen = d.filters.members(dim)
    items = []
    for rec in frame.to_dict("records"):
        member = str(rec[dim])
        name = (labels or {}).get(member, member)
        color = (colors or {}).get(member) or charts.status_color(rec["status"])
        items.append(htmlcharts.Bar(
            label=name, value=htmlcharts.number(rec["value"]),
            color=color, text=str(rec.get("text", "")), pick=member,
            tip=f"{name}: {d.fmt(rec['value'])} · n {0 if missing(rec['n']) else int(rec['n']):,}"
                f" · {STATUS_WORDS.get(str(rec['status']), 'not judged')}",
            faded=bool(chosen) and member not in chosen, chosen=member in chosen))
    return items


def _target(frame: pd.DataFrame) -> float | None:
    value = frame["target"].iloc[0] if "target" in frame and len(frame) else None
    return None if missing(value) else float(value)


def channel_bars(d: Drill) -> None:
    frame = drawable(d, "channel")
    if frame is None:
        return
    frame["text"] = _bar_text(d, frame)
    target = _target(frame)
    figure.draw(htmlcharts.bars(_status_bars(d, frame, "channel",
                                             colors=palette.channel_colors(frame["channel"])),
                                target=target, target_text=f"target {d.fmt(target)}"),
                key="bars_channel", on_pick=pick_member("channel"))
    st.caption("Bars in each channel's own colour; the text says the status against the "
               "channel's target. Click a bar to filter to that channel (click again to remove "
               "it); the sidebar shows every filter.")


def member_bars(d: Drill, dim: str) -> None:
    """The KPI per queue or team, worst on top, coloured by status."""
    frame = drawable(d, dim)
    if frame is None:
        return
    frame = frame.sort_values("value", ascending=str(d.meta["direction"]) == "higher")
    frame["text"] = frame["value"].map(d.fmt)
    names = {m: f"{m} (n {n:,.0f})" for m, n in zip(frame[dim], frame["n"], strict=True)}
    target = _target(frame)
    figure.draw(htmlcharts.bars(_status_bars(d, frame, dim, labels=names), title=f"By {dim}",
                                target=target, target_text=f"target {d.fmt(target)}"),
                key=f"bars_{dim}", on_pick=pick_member(dim))


def reason_pareto(d: Drill) -> None:
    """What the KPI adds up per reason (Pareto), or its value per reason, worst first."""
    frame = drawable(d, "reason")
    if frame is None:
        return
    labels = reason_labels()
    amount = drill.amount_column(str(d.meta["kind"]), d.unit)
    if amount is None:
        frame = frame.sort_values("value", ascending=str(d.meta["direction"]) == "higher")
        frame = frame.head(TOP_REASONS)
        frame["text"] = frame["value"].map(d.fmt)
        target = _target(frame)
        markup = htmlcharts.bars(_status_bars(d, frame, "reason", labels=labels),
                                 title=f"{d.name} by reason (worst first, top {TOP_REASONS})",
                                 target=target, target_text=f"target {d.fmt(target)}")
    else:
        title = drill.amount_title(d.name, str(d.meta["kind"]), d.unit)
        items, note = pareto_bars(d, frame, amount, labels)
        markup = htmlcharts.bars(items, title=f"{title} by reason (Pareto)", note=note)
    figure.draw(markup, key="pareto_reason", on_pick=pick_member("reason"))


def pareto_bars(d: Drill, frame: pd.DataFrame, amount: str,
                labels: dict[str, str]) -> tuple[list[htmlcharts.Bar], str]:
    """Bars of ``amount`` per reason, largest first, each with its count and cumulative share
    (reasons beyond the top folded into 'other'), and a note on how many make 80 %."""
    keep = [c for c in dict.fromkeys(["reason", amount, "value", "denominator", "n"]) if c in frame]
    data = frame[keep].dropna(subset=[amount])
    data = data.sort_values(amount, ascending=False, kind="stable")
    total = float(data[amount].sum()) or 1.0
    shown, rest = data.head(TOP_REASONS), data.iloc[TOP_REASONS:]
    chosen = d.filters.reasons
    items, running, vital = [], 0.0, 0
    for rec in shown.to_dict("records"):
        running += float(rec[amount])
        vital += running - float(rec[amount]) < 0.8 * total
        code = str(rec["reason"])
        name = labels.get(code, code)
        rate = (f"{d.fmt(rec['value'])} of {rec['denominator']:,.0f}"
                if amount == "numerator" else d.fmt(rec["value"]))
        items.append(htmlcharts.Bar(
            label=name, value=float(rec[amount]), color=charts.NEUTRAL, pick=code,
            text=f"{rec[amount]:,.0f} · {running / total * 100:.0f} % cum.",
            tip=f"{name}: {rec[amount]:,.0f} ({running / total * 100:.0f} % cumulative) · {rate}",
            faded=bool(chosen) and code not in chosen, chosen=code in chosen))
    if len(rest):
        other = float(rest[amount].sum())
        items.append(htmlcharts.Bar(label=f"other ({len(rest)} reasons)", value=other,
                                    color=charts.COMPARISON, text=f"{other:,.0f} · 100 % cum.",
                                    faded=bool(chosen)))
    note = (f"{vital} of {len(data)} reasons make 80 % of the total ({total:,.0f}). "
            "Click a reason to filter to it.")
    return items, note


def reason_months(d: Drill) -> None:
    """Reasons x months of what the KPI adds up (or its value): a month that spikes for one reason
    stands out whatever the reason's size."""
    frame = facade.trend(d.query(grain="month", dims=("reason",), free=("reason",)))
    frame = frame[frame["n"].fillna(0) > 0]
    if frame.empty or not bool(frame["applicable"].iloc[0]):
        return
    amount = drill.amount_column(str(d.meta["kind"]), d.unit) or "value"
    frame = frame.assign(reason=frame["reason"].astype("object").where(frame["reason"].notna(),
                                                                       "(none)").astype(str))
    top = (frame.groupby("reason")[amount].sum().sort_values(ascending=False)
           .head(MONTH_REASONS).index)
    frame = frame[frame["reason"].isin(top)]
    if frame["period"].nunique() < 2:
        return
    what = drill.amount_title(d.name, str(d.meta["kind"]), d.unit) if amount != "value" else d.name
    text_format = "{:,.0f}" if amount != "value" or d.unit == "count" else "{:,.1f}"
    figure.draw(htmlcharts.heat(*month_rows(frame, amount, text_format, reason_labels(),
                                            d.filters.reasons),
                                charts.NEUTRAL, title=f"{what} by reason and month (top {len(top)})"),
                key="months_reason", on_pick=pick_member("reason"))
    st.caption("Each row is shaded against its own largest month, so a spike stands out whatever "
               "the reason's size. Click a reason to filter to it.")


def month_rows(frame: pd.DataFrame, amount: str, text_format: str, labels: dict[str, str],
               chosen: tuple[str, ...]) -> tuple[list[str], list[htmlcharts.Row]]:
    """(month labels, one row per reason, biggest total first, each cell shaded between the row's
    lowest month and its peak, so a spike stands out whatever the reason's size)."""
    grid = frame.pivot_table(index="reason", columns="period", values=amount, aggfunc="sum")
    grid = grid.reindex(index=grid.sum(axis=1).sort_values(ascending=False).index,
                        columns=sorted(grid.columns))
    months = [timecharts.period_label(p, "month") for p in grid.columns]
    rows = []
    for code, values in grid.iterrows():
        # from the row's lowest month (or half its peak, when the row hardly varies) to its peak
        peak, floor = values.max(), min(values.min(), values.max() / 2)
        span = (peak - floor) or 1.0
        name = labels.get(str(code), str(code))
        cells = [(None, "", f"{name} · {m}: none") if missing(v) else
                 ((float(v) - floor) / span, text_format.format(v),
                  f"{name} · {m}: {text_format.format(v)}")
                 for m, v in zip(months, values, strict=True)]
        rows.append(htmlcharts.Row(label=name, cells=cells, pick=str(code),
                                   chosen=str(code) in chosen,
                                   faded=bool(chosen) and str(code) not in chosen))
    return months, rows


def week_hours(d: Drill) -> None:
    """The KPI by weekday x hour (business time zone): what it counts (a percentage's numerator,
    else its cases) beside its value per cell; a count is both, so it is drawn once."""
    frame = facade.scorecard(d.query(dims=("weekday", "hour")), compare=())
    if frame.empty or not bool(frame["applicable"].iloc[0]):
        monthly = str(d.meta["model"]) == "m_demand"
        st.caption(f"{d.name} is not read by hour of the week "
                   + ("(it is computed per month)." if monthly else
                      "under these filters (its KPI file does not declare one of them)."))
        return
    min_n = int(d.meta["min_n"])
    frame = frame.astype({"weekday": "int64", "hour": "int64"})
    frame["value"] = frame["value"].where(frame["n"].fillna(0) >= min_n)
    color = charts.STATUS_COLORS["red"] if str(d.meta["direction"]) == "lower" else charts.NEUTRAL
    blank = f" (cells with n < {min_n} blank)" if min_n > 1 else ""
    value = htmlcharts.heat(*hour_rows(_grid(frame, "value"), "value", d.fmt), color,
                            title=f"{d.name}{blank}", compact=True)
    if d.unit == "count":
        figure.draw(value, key="hours_value")
        return
    numerator = drill.amount_column(str(d.meta["kind"]), d.unit) == "numerator"
    count = "numerator" if numerator else "n"
    what = (drill.amount_title(d.name, str(d.meta["kind"]), d.unit) if numerator
            else f"{d.name}: cases (n)")
    counted = htmlcharts.heat(*hour_rows(_grid(frame, count), count, "{:,.0f}".format),
                              charts.NEUTRAL, title=what, compact=True)
    figure.draw(f'<div class="two">{counted}{value}</div>', key="hours_value")


def hour_rows(grid: pd.DataFrame, column: str,
              fmt: Callable[[object], str]) -> tuple[list[str], list[htmlcharts.Row]]:
    """(hours 0-23, one row per weekday Monday first), each cell shaded between the grid's
    smallest and largest value."""
    values = grid[column].astype("float64")
    low, high = values.min(), values.max()
    span = (high - low) if high > low else 1.0
    rows = []
    for day in range(1, 8):
        part = grid[grid["weekday"] == day].set_index("hour")[column]
        cells = []
        for hour in range(24):
            v = part.get(hour)
            tip = f"{charts.WEEKDAYS[day - 1]} {hour:02d}:00 · "
            cells.append((None, "", tip + "none") if missing(v) else
                         ((float(v) - low) / span, fmt(v), tip + fmt(v)))
        rows.append(htmlcharts.Row(label=charts.WEEKDAYS[day - 1], cells=cells))
    return [f"{h:02d}" for h in range(24)], rows


def _grid(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """All 7 x 24 cells, zeros for counts and blanks for values where nothing happened."""
    grid = pd.DataFrame([(w, h) for w in range(1, 8) for h in range(24)],
                        columns=["weekday", "hour"])
    grid = grid.merge(frame[["weekday", "hour", column]], on=["weekday", "hour"], how="left")
    if column != "value":
        grid[column] = grid[column].fillna(0)
    return grid

