"""The colours every chart shares, and the few Plotly builders still drawn: the Scorecard's KPI
detail (opened on demand, one KPI at a time) and the board pack's figures. A frame in, a Figure out,
no Streamlit. The pages' charts are HTML (``views.ui.htmlcharts``): the first Plotly chart of a
browser session costs 1.2-1.5 s, more than a page's whole budget. Colours: one status palette of mid-tone fills
that read on both the light and the dark theme, with dark text on the fills; everything else leaves
the background to the Streamlit theme (``st.plotly_chart(theme="streamlit")``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

STATUS_COLORS = {"green": "#3fae6e", "amber": "#f0b429", "red": "#e05a5a", "grey": "#a7adb3"}
STATUS_ORDER = ("green", "amber", "red", "grey")
STATUS_LABELS = {"green": "on target", "amber": "between target and red flag",
                 "red": "beyond the red flag", "grey": "too few to judge or no target"}
CELL_TEXT = "#111111"
NEUTRAL = "#4c78a8"
COMPARISON = "#8c8c8c"
TOTAL = "#5f6b7a"  # the whole scope's line beside its members' lines
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def status_color(status: object) -> str:
    """The fill of a status (unknown values are grey)."""
    return STATUS_COLORS.get(str(status), STATUS_COLORS["grey"])


def label(text: object) -> str:
    """A name from the data as Plotly text: its markup characters escaped (Plotly reads <b>, <a>
    and <br> in labels, so a reason or team name must not)."""
    return html.escape(str(text), quote=False)


TITLE_WIDTH = 44  # characters per title line: a Plotly title does not wrap and is cut on a phone


def _compact(fig: go.Figure, height: int, title: str | None = None) -> go.Figure:
    text = wrap(title, TITLE_WIDTH) if title else None
    lines = text.count("<br>") + 1 if text else 0
    fig.update_layout(height=height + 18 * max(lines - 1, 0),
                      margin={"l": 8, "r": 8, "t": 18 + 18 * lines if title else 8, "b": 8},
                      title={"text": text} if text else None, hovermode="closest")
    return fig


def sparkline(frame: pd.DataFrame, x: str = "period", y: str = "value",
              color: str = NEUTRAL, target: float | None = None, height: int = 64) -> go.Figure:
    """A tiny line without axes; the last point is marked; an optional dotted target line."""
    data = frame.dropna(subset=[y]) if not frame.empty else frame
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(data[x]), y=list(data[y]), mode="lines",
                             line={"color": color, "width": 2}, hovertemplate="%{x}: %{y:,.4g}"
                             "<extra></extra>", name=""))
    if len(data):
        fig.add_trace(go.Scatter(x=[data[x].iloc[-1]], y=[data[y].iloc[-1]], mode="markers",
                                 marker={"color": color, "size": 7}, hoverinfo="skip", name=""))
    if target is not None and len(data):
        fig.add_hline(y=target, line={"dash": "dot", "width": 1, "color": COMPARISON})
    fig.update_layout(showlegend=False, height=height, margin={"l": 0, "r": 0, "t": 2, "b": 2},
                      xaxis={"visible": False}, yaxis={"visible": False, "fixedrange": True})
    fig.update_xaxes(fixedrange=True)
    return fig


def trend(frame: pd.DataFrame, x: str, y: str, series: str | None = None,
          target: float | None = None, comparison: pd.DataFrame | None = None,
          comparison_label: str = "comparison", y_title: str = "", title: str | None = None,
          height: int = 360, colors: Mapping[str, str] | None = None,
          chosen: Sequence[str] = (), total: pd.DataFrame | None = None,
          total_label: str = "total") -> go.Figure:
    """Lines of ``y`` over ``x``, one per ``series`` member in its colour (``colors``: the
    palette's stable member colours); members not in ``chosen`` (when something is chosen) fade
    but stay visible. ``total`` (same columns) is the whole scope's line, ``comparison`` the
    comparison period's line drawn at its counterpart dates (``x``) with the dates it really
    covers in ``counterpart`` for the hover; a dashed target line."""
    fig = go.Figure()
    colors = colors or {}
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=True))
    for name, part in groups:
        part = part.sort_values(x)
        faded = bool(chosen) and name is not None and str(name) not in chosen
        fig.add_trace(go.Scatter(x=part[x], y=part[y], mode="lines+markers",
                                 name=label(name) if name is not None else y_title or y,
                                 opacity=0.45 if faded else 1.0,
                                 line={"width": 1.5 if faded else 2,
                                       "color": colors.get(str(name), NEUTRAL)},
                                 marker={"size": 4 if faded else 5}))
    if total is not None and not total.empty:
        part = total.sort_values(x)
        fig.add_trace(go.Scatter(x=part[x], y=part[y], mode="lines+markers", name=label(total_label),
                                 line={"width": 3, "color": TOTAL}, marker={"size": 6}))
    if comparison is not None and not comparison.empty:
        comp = comparison.sort_values(x)
        custom = comp["counterpart"] if "counterpart" in comp else comp[x]
        fig.add_trace(go.Scatter(x=comp[x], y=comp[y], mode="lines", name=comparison_label,
                                 customdata=custom,
                                 hovertemplate="%{customdata}: %{y:,.4g}<extra></extra>",
                                 line={"dash": "dot", "width": 2, "color": COMPARISON}))
    if target is not None:
        fig.add_hline(y=target, line={"dash": "dash", "width": 1.5, "color": STATUS_COLORS["green"]},
                      annotation_text=f"target {target:,.4g}", annotation_position="top left")
    fig.update_layout(yaxis_title=y_title, legend={"orientation": "h", "y": -0.15})
    return _compact(fig, height, title)


def kpi_history(frame: pd.DataFrame, label: str, start: object = None, end: object = None,
                height: int = 260) -> go.Figure:
    """A KPI's value per period with its target as a dashed line per period (a monthly budget
    stays monthly, a target that changed shows where it changed) and the selected period shaded."""
    data = frame.sort_values("period")
    fig = go.Figure()
    if start is not None and end is not None:
        fig.add_vrect(x0=start, x1=end, fillcolor=COMPARISON, opacity=0.12, line_width=0,
                      annotation_text="selected period", annotation_position="top left")
    fig.add_trace(go.Scatter(x=data["period"], y=data["value"], mode="lines+markers", name=label,
                             line={"width": 2, "color": NEUTRAL}, marker={"size": 5}))
    if "target" in data and data["target"].notna().any():
        fig.add_trace(go.Scatter(x=data["period"], y=data["target"], mode="lines", name="target",
                                 line={"dash": "dash", "width": 1.5, "shape": "hv",
                                       "color": STATUS_COLORS["green"]}))
    fig.update_layout(yaxis_title=label, legend={"orientation": "h", "y": -0.18})
    return _compact(fig, height)


def wrap(text: str, width: int = 14) -> str:
    """Break a label into lines of about ``width`` characters (Plotly's ``<br>``)."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines) or str(text)
