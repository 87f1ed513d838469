"""Pure chart builders of the Ownership page: frame in, Plotly figure out (no Streamlit).

Departments keep one colour across every chart and page (``views.ui.palette.department_colors``
over every department of the warehouse), none of them a status colour, so Finance is the same
colour in the cost trend, the matrix and the top-reasons bars whatever the filter. A click opens
the Channels page: in every clickable chart ``customdata[0]`` is the member clicked (a department
or a reason code) and ``customdata[1]`` the KPI to open it on. The value/irritant matrix
follows Price & Jaffe (*The Best Service is No Service*): x = value to the customer, y = value to
the company; eliminate (neither), simplify (the company's, irritating to customers), automate
(customers', costly to the company), leverage (both). Reasons have no coordinates of their own,
only a quadrant, so bubbles are laid out on a small grid inside their quadrant, biggest first.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from views.ui.charts import TOTAL as OTHERS
from views.ui.charts import wrap
from views.ui.palette import UNMAPPED as GREY

QUADRANT_CELLS = {"eliminate": (0, 0), "automate": (1, 0), "simplify": (0, 1), "leverage": (1, 1)}
QUADRANT_TEXT = {"eliminate": "Eliminate: irritant to both", "automate": "Automate: customers value it",
                 "simplify": "Simplify: the company needs it", "leverage": "Leverage: value to both"}
ACCENT = "#4c78a8"
AVOIDABLE_COST = "avoidable_cost"


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(title=title, height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      legend={"orientation": "h", "y": -0.15}, hovermode="closest")
    return fig


def cost_trend(trend: pd.DataFrame, currency: str, colors: dict[str, str]) -> go.Figure:
    """Stacked bars of avoidable cost per owning department per period (``trend`` rows of the
    avoidable_cost KPI with columns period, department, value, n)."""
    fig = go.Figure()
    for dept, rows in trend.sort_values("period").groupby("department", sort=True):
        fig.add_bar(x=rows["period"], y=rows["value"], name=str(dept),
                    marker_color=colors.get(str(dept), GREY),
                    customdata=rows[["department"]].assign(kpi=AVOIDABLE_COST, n=rows["n"]),
                    hovertemplate=f"%{{x}}<br>{dept}: %{{y:,.0f}} {currency}"
                                  "<br>%{customdata[2]:,} avoidable contacts"
                                  "<br>click: open in Channels<extra></extra>")
    fig.update_layout(barmode="stack", yaxis_title=f"Avoidable cost ({currency})")
    return _layout(fig, "Cost of avoidable contact by owning department")


def cpx_trend(frame: pd.DataFrame, colors: dict[str, str]) -> go.Figure:
    """Contacts per 1,000 units over time, one line per ``label`` (the company per its driver, each
    department per its own: rows of the cpx KPI with ``label``, ``driver`` and ``department``)."""
    fig = go.Figure()
    data = frame.dropna(subset=["value"]).sort_values("period")
    for label, rows in data.groupby("label", sort=True):
        dept, driver = str(rows["department"].iloc[0]), str(rows["driver"].iloc[0])
        fig.add_scatter(x=rows["period"], y=rows["value"] * 1000, mode="lines+markers",
                        name=str(label), line={"color": colors.get(dept, OTHERS)},
                        customdata=rows[["numerator", "denominator"]],
                        hovertemplate=f"%{{x}}<br>{label}: %{{y:,.1f}} contacts per 1,000 {driver}"
                                      "<br>%{customdata[0]:,.0f} contacts / %{customdata[1]:,.0f} "
                                      f"{driver}<extra></extra>")
    fig.update_layout(yaxis_title="Contacts per 1,000 units of the driver", showlegend=True)
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, "Contacts per 1,000 units of demand")


def _grid(count: int) -> list[tuple[float, float]]:
    """``count`` points inside a unit cell, on a near-square grid, away from the edges."""
    cols = max(1, math.ceil(math.sqrt(count)))
    rows = max(1, math.ceil(count / cols))
    return [((i % cols + 0.5) / cols, (rows - i // cols - 0.5) / rows) for i in range(count)]


def value_irritant(matrix: pd.DataFrame, colors: dict[str, str], currency: str) -> go.Figure:
    """Reasons as bubbles (size = contacts) in the quadrant the reason map gives them."""
    fig = go.Figure()
    placed = matrix[matrix["quadrant"].isin(list(QUADRANT_CELLS))].copy()
    placed["x"], placed["y"] = 0.0, 0.0
    for quadrant, rows in placed.groupby("quadrant", sort=False):
        cx, cy = QUADRANT_CELLS[str(quadrant)]
        for (gx, gy), index in zip(_grid(len(rows)), rows.index, strict=True):
            placed.loc[index, "x"] = cx + 0.06 + 0.88 * gx
            placed.loc[index, "y"] = cy + 0.12 + 0.72 * gy
    biggest = float(placed["contacts"].max()) if len(placed) else 1.0
    for dept, rows in placed.groupby("department", sort=True):
        fig.add_scatter(
            x=rows["x"], y=rows["y"], mode="markers+text", name=str(dept),
            text=[wrap(t) for t in rows["label"].fillna(rows["reason"])],
            textposition="bottom center", textfont={"size": 11},
            marker={"size": 10 + 34 * (rows["contacts"] / biggest) ** 0.5,
                    "color": colors.get(str(dept), GREY), "opacity": 0.75,
                    "line": {"width": 1, "color": "white"}},
            customdata=rows[["reason"]].assign(
                kpi=rows["avoidable"].map({True: AVOIDABLE_COST, False: "contacts"}),
                contacts=rows["contacts"], cost=rows["cost"], avoidable=rows["avoidable"]),
            hovertemplate="%{text}<br>" + f"{dept}" + "<br>%{customdata[2]:,} contacts"
                          f"<br>%{{customdata[3]:,.0f}} {currency}<br>avoidable: %{{customdata[4]}}"
                          "<br>click: open in Channels<extra></extra>")
    for name, (cx, cy) in QUADRANT_CELLS.items():
        fig.add_annotation(x=cx + 0.5, y=cy + 0.94, text="<b>" + QUADRANT_TEXT[name].replace(": ", ":<br>") + "</b>",
                           showarrow=False, font={"size": 12}, opacity=0.8)
    fig.add_shape(type="line", x0=1, x1=1, y0=0, y1=2, line={"color": GREY, "dash": "dot"})
    fig.add_shape(type="line", x0=0, x1=2, y0=1, y1=1, line={"color": GREY, "dash": "dot"})
    fig.update_xaxes(range=[0, 2], showgrid=False, zeroline=False, tickvals=[0.5, 1.5],
                     ticktext=["low", "high"], title="Value to the customer")
    fig.update_yaxes(range=[0, 2], showgrid=False, zeroline=False, tickvals=[0.5, 1.5],
                     ticktext=["low", "high"], title="Value to the company")
    return _layout(fig, "Value / irritant matrix (bubble = contacts)", height=680)


def caused_split(reasons: pd.DataFrame, service_department: str, currency: str,
                 colors: dict[str, str], chosen: tuple[str, ...] = ()) -> go.Figure:
    """Avoidable contacts and their cost in two parts: caused by the service department vs
    elsewhere, or (``chosen`` departments, under a department filter, with ``reasons`` of every
    department) the chosen departments vs all the others. Member colours, never status ones."""
    avoidable = reasons[reasons["avoidable"]] if len(reasons) else reasons
    if chosen:
        mine = ", ".join(chosen)
        side = avoidable["department"].isin(list(chosen)).map({True: mine,
                                                               False: "Other departments"})
        palette = {mine: colors.get(chosen[0], ACCENT) if len(chosen) == 1 else ACCENT,
                   "Other departments": OTHERS}
        title = f"{mine}: share of all avoidable demand"
    else:
        mine = f"Caused by {service_department}"
        side = avoidable["service_caused"].map({True: mine, False: "Caused elsewhere"})
        palette = {mine: colors.get(service_department, ACCENT), "Caused elsewhere": OTHERS}
        title = "Who causes the avoidable demand"
    totals = avoidable.assign(side=side).groupby("side", as_index=False)[["contacts", "cost"]].sum()
    totals = totals.sort_values("side", key=lambda s: s != mine)
    fig = go.Figure()
    for row in totals.to_dict("records"):
        fig.add_bar(y=["Contacts"], x=[row["contacts"]], name=row["side"], orientation="h",
                    marker_color=palette[row["side"]], legendgroup=row["side"],
                    hovertemplate="%{x:,} avoidable contacts<extra>" + row["side"] + "</extra>")
        fig.add_bar(y=[f"Cost ({currency})"], x=[row["cost"]], name=row["side"], orientation="h",
                    marker_color=palette[row["side"]], legendgroup=row["side"], showlegend=False,
                    hovertemplate=f"%{{x:,.0f}} {currency}<extra>" + row["side"] + "</extra>")
    fig.update_layout(barmode="stack", barnorm="percent")
    fig.update_xaxes(ticksuffix=" %", range=[0, 100])
    fig = _layout(fig, title, height=280)
    fig.update_layout(legend={"orientation": "h", "y": -0.3, "yanchor": "top"})
    return fig


def top_reasons_bar(top: pd.DataFrame, colors: dict[str, str], currency: str) -> go.Figure:
    """Horizontal bars of the costliest avoidable reasons, coloured by owner."""
    data = top.iloc[::-1]
    names = [wrap(n, 22) for n in data["label"].fillna(data["reason"])]
    fig = go.Figure(go.Bar(
        x=data["cost"], y=names, orientation="h",
        marker_color=[colors.get(str(d), GREY) for d in data["department"]],
        customdata=data[["reason"]].assign(kpi=AVOIDABLE_COST, department=data["department"],
                                           contacts=data["contacts"]),
        hovertemplate="%{y}<br>%{customdata[2]}<br>%{customdata[3]:,} contacts"
                      f"<br>%{{x:,.0f}} {currency}<br>click: open in Channels<extra></extra>"))
    fig.update_layout(xaxis_title=f"Cost ({currency})", showlegend=False)
    fig.update_yaxes(automargin=True)
    return _layout(fig, "Top reasons to fix, by cost", height=max(260, 40 + 36 * len(data)))
