"""The Channels page's breakdowns of the chosen KPI, drawn: by channel, reason (Pareto and reason x
month), queue and team, and by hour of the week. Each member chart is a cross-filter: a click sets
the same filter as the sidebar (``sidebar.clickable``), the chosen members are highlighted and the
others stay visible, because a breakdown by a dimension is asked WITHOUT that dimension's own filter.

What is drawn follows ``views.ui.drill``: a breakdown the KPI file does not declare, or one that
cannot vary, is replaced by a sentence saying why; a Pareto ranks what the KPI adds up (its
numerator for a percentage); a KPI that does not add up is shown per member, worst first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from metrics import facade
from views.ui import charts, drill, palette
from views.ui.sidebar import clickable, reason_labels
from views.ui.state import Filters
from views.ui.tiles import STATUS_WORDS, format_value, missing

CHART = {"displayModeBar": False}
# Numbers in a dozen month cells overlap below this width; the shading and the hover remain.
NARROW_CSS = ("<style>@media (max-width: 1000px) { [class*='st-key-months_reason'] "
              ".heatmap-label { display: none; } }</style>")
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
        frame = facade.scorecard(self.query(dims=(dim,), free=(dim,)))
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


def channel_bars(d: Drill) -> None:
    frame = drawable(d, "channel")
    if frame is None:
        return
    frame["text"] = _bar_text(d, frame)
    target = None if missing(frame["target"].iloc[0]) else float(frame["target"].iloc[0])
    st.plotly_chart(charts.status_bars(frame, "channel", "value", target=target, text="text",
                                       y_title=d.name, height=280,
                                       colors=palette.channel_colors(frame["channel"]),
                                       chosen=d.filters.channels),
                    width="stretch", config=CHART, **clickable("channel", "bars_channel"))
    st.caption("Bars in each channel's own colour; the text says the status against the "
               "channel's target. Click a bar to filter to that channel (click again to remove "
               "it); the sidebar shows every filter.")


def member_bars(d: Drill, dim: str) -> None:
    """The KPI per queue or team, worst on top, coloured by status."""
    frame = drawable(d, dim)
    if frame is None:
        return
    frame = frame.sort_values("value", ascending=str(d.meta["direction"]) == "higher")
    frame["text"] = frame["value"].map(d.fmt)  # n is on the axis label: the text stays short
    names = {m: f"{m} (n {n:,.0f})" for m, n in zip(frame[dim], frame["n"], strict=True)}
    st.plotly_chart(charts.status_bars(frame, dim, "value", text="text", horizontal=True,
                                       title=f"By {dim}", y_title=d.name, labels=names,
                                       height=max(220, 34 * len(frame) + 80),
                                       chosen=d.filters.members(dim)),
                    width="stretch", config=CHART, **clickable(dim, f"bars_{dim}"))


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
        st.plotly_chart(charts.status_bars(frame, "reason", "value", text="text", horizontal=True,
                                           title=f"{d.name} by reason (worst first, top "
                                                 f"{TOP_REASONS})", y_title=d.name,
                                           height=max(240, 30 * len(frame) + 80),
                                           chosen=d.filters.reasons, labels=labels),
                        width="stretch", config=CHART, **clickable("reason", "pareto_reason"))
        return
    if amount == "numerator":
        frame["hover"] = (frame["value"].map(d.fmt) + " of " + frame["denominator"].map(
            "{:,.0f}".format) + " (" + frame["reason"].map(lambda r: labels.get(r, r)) + ")")
    else:
        frame["hover"] = frame["value"].map(d.fmt)
    title = drill.amount_title(d.name, str(d.meta["kind"]), d.unit)
    st.plotly_chart(charts.pareto(frame, "reason", amount, title=f"{title} by reason (Pareto)",
                                  labels=labels, chosen=d.filters.reasons, hover="hover"),
                    width="stretch", config=CHART, **clickable("reason", "pareto_reason"))


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
    st.plotly_chart(charts.member_months(frame, "reason", amount, labels=reason_labels(),
                                         chosen=d.filters.reasons, text_format=text_format,
                                         title=f"{what} by reason and month (top {len(top)})"),
                    width="stretch", config=CHART, **clickable("reason", "months_reason"))
    st.html(NARROW_CSS)
    st.caption("Each row is shaded against its own largest month, so a spike stands out whatever "
               "the reason's size (on a narrow screen the numbers are in the hover). Click a "
               "reason to filter to it.")


def week_hours(d: Drill) -> None:
    """The KPI by weekday x hour (business time zone): what it counts (a percentage's numerator,
    else its cases) beside its value per cell; a count is both, so it is drawn once."""
    frame = facade.scorecard(d.query(dims=("weekday", "hour")))
    if frame.empty or not bool(frame["applicable"].iloc[0]):
        monthly = str(d.meta["model"]) == "m_demand"
        st.caption(f"{d.name} is not read by hour of the week "
                   + ("(it is computed per month)." if monthly else
                      "under these filters (its KPI file does not declare one of them)."))
        return
    min_n = int(d.meta["min_n"])
    frame = frame.astype({"weekday": "int64", "hour": "int64"})
    frame["value"] = frame["value"].where(frame["n"].fillna(0) >= min_n)
    suffix = " %" if d.unit == "percent" else ""
    colorscale = "Reds" if str(d.meta["direction"]) == "lower" else "Blues"
    blank = f" (cells with n < {min_n} blank)" if min_n > 1 else ""
    value = charts.week_hours(_grid(frame, "value"), "value", suffix=suffix,
                              colorscale=colorscale, title=f"{d.name}{blank}")
    if d.unit == "count":
        st.plotly_chart(value, key="hours_value", width="stretch", config=CHART)
        return
    numerator = drill.amount_column(str(d.meta["kind"]), d.unit) == "numerator"
    count = "numerator" if numerator else "n"
    what = (drill.amount_title(d.name, str(d.meta["kind"]), d.unit) if numerator
            else f"{d.name}: cases (n)")
    left, right = st.columns(2)
    left.plotly_chart(charts.week_hours(_grid(frame, count), count, title=what),
                      key="hours_count", width="stretch", config=CHART)
    right.plotly_chart(value, key="hours_value", width="stretch", config=CHART)


def _grid(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """All 7 x 24 cells, zeros for counts and blanks for values where nothing happened."""
    grid = pd.DataFrame([(w, h) for w in range(1, 8) for h in range(24)],
                        columns=["weekday", "hour"])
    grid = grid.merge(frame[["weekday", "hour", column]], on=["weekday", "hour"], how="left")
    if column != "value":
        grid[column] = grid[column].fillna(0)
    return grid

