"""Pure Plotly chart builders shared by the pages: a frame in, a Figure out, no Streamlit.

They stay generic (no KPI ids, no page logic) so every page draws status, trends and breakdowns the
same way, and they are unit-tested without a browser. Colours: one status palette of mid-tone fills
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
CHOSEN_EDGE = "#222222"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def status_color(status: object) -> str:
    """The fill of a status (unknown values are grey)."""
    return STATUS_COLORS.get(str(status), STATUS_COLORS["grey"])


def label(text: object) -> str:
    """A name from the data as Plotly text: its markup characters escaped (Plotly reads <b>, <a>
    and <br> in labels, so a reason or team name must not)."""
    return html.escape(str(text), quote=False)


def fade(color: str, alpha: float = 0.35) -> str:
    """A '#rrggbb' colour made see-through (members outside a cross-filter). Per-point opacity
    would do the same, but a Plotly bar with a ``marker.opacity`` array sends no selection to
    Streamlit, so the chart could not be clicked."""
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


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


def status_matrix(frame: pd.DataFrame, row: str, col: str, status: str = "status",
                  text: str | None = None, rows: Sequence[str] | None = None,
                  cols: Sequence[str] | None = None, row_labels: dict[str, str] | None = None,
                  title: str | None = None) -> go.Figure:
    """A rows x columns grid whose cells are filled by status colour and show ``text``.

    Cells carry ``customdata = [row id, column id]`` so a click (selection event) can be mapped
    back to the ids whatever labels are shown."""
    rows = list(rows) if rows is not None else list(dict.fromkeys(frame[row]))
    cols = list(cols) if cols is not None else sorted(frame[col].dropna().astype(str).unique())
    code = {s: i for i, s in enumerate(STATUS_ORDER)}
    z: list[list[float | None]] = [[None] * len(cols) for _ in rows]
    labels: list[list[str]] = [[""] * len(cols) for _ in rows]
    custom: list[list[list[str]]] = [[[r, c] for c in cols] for r in rows]
    row_pos, col_pos = {r: i for i, r in enumerate(rows)}, {c: j for j, c in enumerate(cols)}
    for rec in frame.to_dict("records"):
        i, j = row_pos.get(rec[row]), col_pos.get(str(rec[col]))
        if i is None or j is None:
            continue
        z[i][j] = code.get(str(rec[status]), code["grey"])
        labels[i][j] = str(rec[text]) if text and rec.get(text) is not None else ""
    n = len(STATUS_ORDER)
    scale = []
    for k, name in enumerate(STATUS_ORDER):
        scale += [[k / n, STATUS_COLORS[name]], [(k + 1) / n, STATUS_COLORS[name]]]
    names = row_labels or {}
    fig = go.Figure(go.Heatmap(
        z=z, x=cols, y=[names.get(r, r) for r in rows], text=labels, texttemplate="%{text}",
        textfont={"color": CELL_TEXT, "size": 11}, customdata=custom, colorscale=scale,
        zmin=-0.5, zmax=n - 0.5, showscale=False, xgap=2, ygap=2,
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    # Heatmaps cannot be selected in Plotly, so an invisible marker sits on every cell: a click
    # selects it and the selection event carries the cell's ids.
    cells = [(names.get(r, r), c, [r, c], labels[i][j]) for i, r in enumerate(rows)
             for j, c in enumerate(cols) if z[i][j] is not None]
    fig.add_trace(go.Scatter(
        x=[c[1] for c in cells], y=[c[0] for c in cells], customdata=[c[2] for c in cells],
        text=[c[3] for c in cells], mode="markers", name="",
        marker={"size": 28, "symbol": "square", "opacity": 0.01, "color": CELL_TEXT},
        selected={"marker": {"opacity": 0.01}}, unselected={"marker": {"opacity": 0.01}},
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>", showlegend=False))
    fig.update_yaxes(autorange="reversed", fixedrange=True)
    fig.update_xaxes(side="top", fixedrange=True)
    return _compact(fig, max(160, 30 * len(rows) + 60), title)


def status_bars(frame: pd.DataFrame, x: str, y: str, status: str = "status",
                target: float | None = None, y_title: str = "", text: str | None = None,
                title: str | None = None, horizontal: bool = False, height: int = 320,
                colors: Mapping[str, str] | None = None, chosen: Sequence[str] = (),
                labels: Mapping[str, str] | None = None) -> go.Figure:
    """One bar per member with a dashed target line. Filled in the member's colour when
    ``colors`` gives one (channels, departments), else by status; each bar's ``customdata`` is the
    member (``labels`` only change what is written), and when members are ``chosen`` the others
    fade but stay (a cross-filter highlights, it does not hide)."""
    members = frame[x].astype(str)
    if colors:
        fill = [colors.get(m, NEUTRAL) for m in members]
    else:
        fill = ([status_color(s) for s in frame[status]] if status in frame
                else [NEUTRAL] * len(members))
    fill = [fade(c) if chosen and m not in chosen else c for c, m in zip(fill, members, strict=True)]
    names = [label((labels or {}).get(m, m)) for m in members]
    shown = frame[text] if text and text in frame else None
    marker = {"color": fill,
              "line": {"width": [2 if chosen and m in chosen else 0 for m in members],
                       "color": CHOSEN_EDGE}}
    if horizontal:  # text beside the bar: readable on a faded bar in either theme
        bar = go.Bar(y=names, x=frame[y], orientation="h", marker=marker, text=shown,
                     textposition="outside", cliponaxis=False, name="", customdata=members)
    else:
        bar = go.Bar(x=names, y=frame[y], marker=marker, text=shown, textposition="auto",
                     name="", customdata=members)
    fig = go.Figure(bar)
    if target is not None:
        line = {"dash": "dash", "width": 1.5, "color": COMPARISON}
        if horizontal:
            fig.add_vline(x=target, line=line)
        else:
            fig.add_hline(y=target, line=line, annotation_text=f"target {target:,.4g}")
    if horizontal:
        fig.update_layout(xaxis_title=y_title, yaxis={"autorange": "reversed"})
        fig.update_xaxes(range=[0, _room(frame[y])])
    else:
        fig.update_layout(yaxis_title=y_title)
    fig.update_layout(showlegend=False)
    return _compact(fig, height, title)


def pareto(frame: pd.DataFrame, category: str, count: str, title: str | None = None,
           top: int = 15, labels: Mapping[str, str] | None = None,
           chosen: Sequence[str] = (), count_title: str | None = None,
           hover: str | None = None) -> go.Figure:
    """Horizontal bars of ``count`` per ``category``, biggest on top, each labelled with its count
    and the cumulative share, and the cumulative share as a line on a top axis (0-100 %) with an
    80 % guide; categories beyond ``top`` are folded into 'other'. Bars carry the category in
    ``customdata`` and show its label (``labels``) in full; ``hover`` is a column of extra hover
    text (the rate of a ratio KPI)."""
    keep = [category, count] + ([hover] if hover else [])
    data = frame[keep].dropna(subset=[count])
    agg = {count: "sum", **({hover: "first"} if hover else {})}
    data = data.groupby(category, dropna=False, sort=False).agg(agg).reset_index()
    data[category] = data[category].fillna("(none)").astype(str)
    data = data.sort_values(count, ascending=False, kind="stable")
    if len(data) > top:
        rest = pd.DataFrame({category: ["other"], count: [data[count].iloc[top:].sum()]})
        data = pd.concat([data.iloc[:top], rest], ignore_index=True)
    total = float(data[count].sum()) or 1.0
    cumulative = data[count].cumsum() / total * 100.0
    names = [label((labels or {}).get(c, c)) + (" ●" if c in chosen else "") for c in data[category]]
    fill = [fade(NEUTRAL) if chosen and c not in chosen else NEUTRAL for c in data[category]]
    extra = data[hover].fillna("") if hover else [""] * len(data)
    text = [f"{v:,.0f} · {c:.0f} % cum." for v, c in zip(data[count], cumulative, strict=True)]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=names, x=data[count], orientation="h", text=text,
                         textposition="outside", cliponaxis=False, marker={"color": fill},
                         name=count_title or count,
                         customdata=list(zip(data[category], extra, strict=True)),
                         hovertemplate="%{y}: %{x:,.4g}<br>%{customdata[1]}<extra></extra>"))
    fig.add_trace(go.Scatter(y=names, x=cumulative, xaxis="x2", mode="lines+markers",
                             name="cumulative %", line={"color": COMPARISON, "width": 1},
                             marker={"size": 4},
                             hovertemplate="cumulative %{x:.0f} %<extra></extra>"))
    fig.add_vline(x=80, xref="x2", line={"dash": "dot", "width": 1, "color": COMPARISON})
    fig.update_layout(xaxis={"title": count_title or ""}, showlegend=False,
                      xaxis2={"overlaying": "x", "side": "top", "range": [0, 105],
                              "tickvals": [0, 20, 40, 60, 80, 100], "ticksuffix": " %",
                              "showgrid": False})
    fig.update_yaxes(autorange="reversed", automargin=True, fixedrange=True)
    fig.update_layout(xaxis={"range": [0, _room(data[count])]})  # not the cumulative axis
    fig = _compact(fig, 28 * len(data) + 110, title)
    fig.update_layout(margin={"t": fig.layout.margin.t + 26})  # room for the top axis
    return fig


def member_months(frame: pd.DataFrame, member: str, value: str, period: str = "period",
                  labels: Mapping[str, str] | None = None, chosen: Sequence[str] = (),
                  title: str | None = None, text_format: str = "{:,.0f}") -> go.Figure:
    """Members (rows, biggest total first) x periods: each cell coloured by its share of its own
    row's largest value, so a month that spikes for one reason stands out whatever the reason's
    size, and labelled with the value. Invisible markers carry each member as ``customdata`` (a
    heatmap cannot be clicked in Plotly)."""
    data = frame.dropna(subset=[value])
    order = list(data.groupby(member)[value].sum().sort_values(ascending=False).index.astype(str))
    periods = sorted(data[period].unique())
    grid = data.assign(**{member: data[member].astype(str)}).pivot_table(
        index=member, columns=period, values=value, aggfunc="sum").reindex(index=order,
                                                                           columns=periods)
    peak = grid.max(axis=1).replace(0, float("nan"))
    share = grid.div(peak, axis=0)
    names = [wrap(label((labels or {}).get(m, m)), 28) + (" ●" if m in chosen else "")
             for m in order]
    months = [pd.Timestamp(p).strftime("%b %y") for p in periods]
    text = [[("" if v != v else text_format.format(v)) for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(
        z=share.to_numpy().tolist(), x=months, y=names, text=text, texttemplate="%{text}",
        textfont={"size": 10}, colorscale="Blues", zmin=0, zmax=1, showscale=False,
        xgap=1, ygap=1, hoverongaps=False,
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    cells = [(months[j], names[i], order[i]) for i in range(len(order))
             for j in range(len(periods)) if text[i][j]]
    fig.add_trace(go.Scatter(
        x=[c[0] for c in cells], y=[c[1] for c in cells], customdata=[c[2] for c in cells],
        mode="markers", name="", showlegend=False, hoverinfo="skip",
        marker={"size": 18, "symbol": "square", "opacity": 0.01, "color": CELL_TEXT},
        selected={"marker": {"opacity": 0.01}}, unselected={"marker": {"opacity": 0.01}}))
    fig.update_yaxes(autorange="reversed", fixedrange=True, automargin=True)
    fig.update_xaxes(fixedrange=True, tickfont={"size": 10})
    return _compact(fig, max(200, 26 * len(order) + 90), title)


def _room(values: pd.Series, share: float = 1.45) -> float:
    """The value axis' end for horizontal bars with their text outside: room for the longest."""
    top = pd.to_numeric(values, errors="coerce").max()
    return float(top) * share if top == top and top > 0 else 1.0


def wrap(text: str, width: int = 14) -> str:
    """Break a label into lines of about ``width`` characters (Plotly's ``<br>``)."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines) or str(text)


def week_hours(frame: pd.DataFrame, value: str, weekday: str = "weekday", hour: str = "hour",
               title: str | None = None, colorscale: str = "Blues", suffix: str = "",
               height: int = 300) -> go.Figure:
    """A 7 x 24 heatmap (Monday on top, hours 0-23 across; weekday 1 = Monday as ISO)."""
    grid = pd.DataFrame(index=range(1, 8), columns=range(24), dtype="float64")
    for rec in frame.to_dict("records"):
        d, h = int(rec[weekday]), int(rec[hour])
        if 1 <= d <= 7 and 0 <= h <= 23:
            grid.loc[d, h] = rec[value]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy().tolist(), x=[f"{h:02d}" for h in range(24)], y=list(WEEKDAYS),
        colorscale=colorscale, xgap=1, ygap=1, hoverongaps=False,
        colorbar={"ticksuffix": suffix, "thickness": 12},
        hovertemplate="%{y} %{x}:00 · %{z:,.4g}" + suffix + "<extra></extra>"))
    fig.update_yaxes(autorange="reversed", fixedrange=True)
    fig.update_xaxes(title="hour (business time zone)", fixedrange=True)
    return _compact(fig, height, title)
