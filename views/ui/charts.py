"""The colours every chart shares (pages, board pack) and the one Plotly figure still drawn: a
Scorecard KPI's history in its details, opened on demand, one KPI at a time. A frame in, a Figure out,
no Streamlit. The pages' charts are HTML (``views.ui.htmlcharts``, ``views.ui.timecharts``): the
first Plotly chart of a browser session costs 1.2-1.5 s, more than a page's whole budget. Colours:
one status palette of mid-tone fills that read on both the light and the dark theme, with dark text
on the fills.
"""

from __future__ import annotations

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
    fig.update_layout(height=height, margin={"l": 8, "r": 8, "t": 8, "b": 8},
                      hovermode="closest")
    return fig

