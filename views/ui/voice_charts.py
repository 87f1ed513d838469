"""Pure chart builders of the Customer voice page: survey KPIs with 95 % confidence intervals.

A survey number without its uncertainty invites reading noise as change, so every value is drawn
with its interval (``facade.survey_intervals``: Wilson for CSAT/CES, the promoter-detractor
standard error for NPS) and its n; values under the KPI's min_n are drawn grey and hollow, the way
the scorecard greys them, instead of being hidden.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

ACCENT = "#636EFA"
GREY = "#9aa0a6"
UNITS = {"csat": "%", "ces": "%", "nps": " pts"}
AXIS = {"csat": (0, 100), "ces": (0, 100), "nps": (-100, 100)}


def interval_dots(frame: pd.DataFrame, kpi: str, dimension: str, label: str) -> go.Figure:
    """One dot per ``dimension`` value with its 95 % interval as error bars, n in the labels."""
    rows = frame[(frame["kpi"] == kpi)].dropna(subset=["value"]).sort_values("value")
    unit = UNITS.get(kpi, "")
    names = [f"{d} (n={int(n):,})" for d, n in zip(rows[dimension], rows["n"], strict=True)]
    fig = go.Figure()
    for reliable, part in ((True, rows["reliable"]), (False, ~rows["reliable"])):
        sub = rows[part.to_numpy()]
        sub_names = [names[i] for i, keep in enumerate(part.to_numpy()) if keep]
        if sub.empty:
            continue
        color = ACCENT if reliable else GREY
        fig.add_scatter(
            x=sub["value"], y=sub_names, mode="markers",
            name="value, 95 % CI" if reliable else "n below min_n",
            marker={"size": 11, "color": color if reliable else "rgba(0,0,0,0)",
                    "line": {"color": color, "width": 2}},
            error_x={"type": "data", "symmetric": False, "color": color, "thickness": 2,
                     "array": (sub["high"] - sub["value"]).fillna(0),
                     "arrayminus": (sub["value"] - sub["low"]).fillna(0)},
            customdata=sub[["low", "high", "n"]],
            hovertemplate=f"%{{y}}<br>{label}: %{{x:.1f}}{unit}"
                          f"<br>95 % CI %{{customdata[0]:.1f}} to %{{customdata[1]:.1f}}{unit}"
                          "<extra></extra>")
    lo, hi = AXIS.get(kpi, (None, None))
    fig.update_xaxes(range=[lo, hi] if lo is not None else None, dtick=50,
                     ticksuffix="%" if unit == "%" else "")
    fig.update_layout(title=f"{label} by {dimension}",
                      height=max(220, 70 + 34 * len(rows)), showlegend=True,
                      legend={"orientation": "h", "y": -0.25},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def interval_trend(frame: pd.DataFrame, kpi: str, label: str) -> go.Figure:
    """The KPI per period with its 95 % band; periods under min_n as hollow grey markers."""
    rows = frame[frame["kpi"] == kpi].dropna(subset=["value"]).sort_values("period")
    unit = UNITS.get(kpi, "")
    fig = go.Figure()
    fig.add_scatter(x=rows["period"], y=rows["high"], mode="lines", line={"width": 0},
                    showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=rows["period"], y=rows["low"], mode="lines", line={"width": 0},
                    fill="tonexty", fillcolor="rgba(99,110,250,0.18)", name="95 % interval",
                    hoverinfo="skip")
    fig.add_scatter(
        x=rows["period"], y=rows["value"], mode="lines+markers", name=label,
        line={"color": ACCENT},
        marker={"size": 8, "color": [ACCENT if r else "rgba(0,0,0,0)" for r in rows["reliable"]],
                "line": {"color": [ACCENT if r else GREY for r in rows["reliable"]], "width": 2}},
        customdata=rows[["low", "high", "n"]],
        hovertemplate=f"%{{x}}<br>{label}: %{{y:.1f}}{unit} (n=%{{customdata[2]:,}})"
                      f"<br>95 % CI %{{customdata[0]:.1f}} to %{{customdata[1]:.1f}}{unit}"
                      "<extra></extra>")
    lo, hi = AXIS.get(kpi, (None, None))
    fig.update_yaxes(range=[lo, hi] if lo is not None else None)
    fig.update_layout(title=f"{label} over time", height=320, hovermode="x unified",
                      legend={"orientation": "h", "y": -0.2},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


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
