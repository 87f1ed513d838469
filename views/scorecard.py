"""Scorecard (executives): the four perspectives, one tile per KPI, scores and status matrices.

Headline values cover the whole selected period (grain "all"); the sparkline under each value shows
the same KPI at the chosen grain. Every tile and every matrix cell leads to the Channels page with
the same filters, so the number an executive questions is the number a service lead explains.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import facade, imports
from views.ui import charts
from views.ui.sidebar import global_filters
from views.ui.state import COMPARISONS, Filters
from views.ui.tiles import (
    change_markdown,
    drill_link,
    format_value,
    link_params,
    missing,
    score_color,
    status_badge,
    target_text,
    value_markdown,
)

PERSPECTIVES = {
    "experience": "Experience: what customers say",
    "operational": "Operational: how the service runs",
    "avoidable": "Avoidable contact: demand that should not exist",
    "cost": "Cost and ownership: who pays for failure demand",
}
TILE_WIDTH = 214  # px: tiles wrap, four a row beside the sidebar at 1400 px, two at 800 px
SCORE_WIDTH = 150
CHANNELS_PAGE = "views/channels.py"

st.title("Scorecard")
if not imports.warehouse_summary()["contacts"]:
    st.stop()  # app.py shows the empty-warehouse notice

filters: Filters = global_filters()
kpis = facade.kpi_table().set_index("id", drop=False)
currency = facade.currency()
base = facade.Query.of(list(kpis["id"]), grain="all", start=filters.start, end=filters.end,
                       filters=filters.as_filter_map())
st.caption(
    f"Headline values cover the whole period **{filters.start} to {filters.end}**; the sparklines "
    f"show it by **{filters.grain}**. Changes compare with the **{COMPARISONS[filters.cmp]}** "
    "(the same number of days just before, or the same dates a year earlier). Grey values have too "
    "few cases (n below the KPI's minimum) or no target, and get no status.")

with st.spinner("Computing the scorecard ..."):
    scored = facade.scorecard(base).set_index("kpi", drop=False)
    scores = facade.perspective_scores(base)
    history = facade.trend(base.with_(grain=filters.grain))
    compiled = {c.kpi: c for c in facade.explain(base)}


def _score_of(perspective: str) -> float | None:
    rows = scores[scores["perspective"] == perspective]
    return None if rows.empty else float(rows["score"].iloc[0])


def _score_markdown(value: float | None) -> str:
    text = "–" if value is None or missing(value) else f"{value:.1f}"
    return f"### :{score_color(value)}[{text}] :gray[/ 10]"


# --- scores -------------------------------------------------------------------------------------
with st.container(horizontal=True, gap="small"):
    for key, title in [("overall", "Overall score"),
                       *((k, v.split(":")[0]) for k, v in PERSPECTIVES.items())]:
        with st.container(border=True, width=SCORE_WIDTH):
            st.markdown(f"**{title}**")
            st.markdown(_score_markdown(_score_of(key)))
st.caption("Scores run from 0 (at or beyond the red flag) to 10 (target met); a perspective's "
           "score is the weighted mean of its KPIs', the overall score the weighted mean of the "
           "perspectives'.")


# --- tiles --------------------------------------------------------------------------------------
def _tile(kpi_id: str) -> None:
    meta = kpis.loc[kpi_id]
    row = scored.loc[kpi_id] if kpi_id in scored.index else None
    status = str(row["status"]) if row is not None else "grey"
    value = row["value"] if row is not None else None
    n = row["n"] if row is not None else None
    unit, direction = str(meta["unit"]), str(meta["direction"])
    change = row[f"change_{filters.cmp}"] if row is not None else None
    target = row["target"] if row is not None else meta["target"]
    with st.container(border=True, width=TILE_WIDTH):
        st.markdown(f"**{meta['label']}** {status_badge(status)}")
        st.markdown(value_markdown(value, unit, status, currency))
        st.markdown(change_markdown(change, unit, direction, filters.cmp, currency))
        n_text = "n –" if n is None or missing(n) else f"n {int(n):,}"
        if n is not None and not missing(n) and int(n) < int(meta["min_n"]):
            n_text += f" (below {int(meta['min_n'])})"
        st.caption(f"{n_text} · {target_text(target, direction, unit, currency)}")
        spark = history[history["kpi"] == kpi_id]
        st.plotly_chart(charts.sparkline(spark, color=charts.status_color(status),
                                         target=None if missing(target) else float(target)),
                        key=f"spark_{kpi_id}", config={"displayModeBar": False, "staticPlot": True},
                        width="stretch")
        st.page_link(CHANNELS_PAGE, label="Open in Channels", icon=":material/arrow_forward:",
                     query_params=link_params(drill_link(filters, kpi_id)))
        with st.expander("How is this calculated"):
            st.markdown(str(meta["description"]))
            statement = compiled.get(kpi_id)
            if statement is not None:
                st.code(statement.sql, language="sql")
                st.dataframe(pd.DataFrame({"parameter": list(statement.param_map),
                                           "value": [str(v) for v in statement.param_map.values()]}),
                             hide_index=True, width="stretch")


for perspective, title in PERSPECTIVES.items():
    ids = [k for k in kpis["id"] if kpis.loc[k, "perspective"] == perspective]
    if not ids:
        continue
    value = _score_of(perspective)
    score_text = "" if value is None else f" · {value:.1f} / 10"
    st.subheader(f"{title}{score_text}", divider="gray")
    with st.container(horizontal=True, gap="small"):
        for kpi_id in ids:
            _tile(kpi_id)


# --- matrices -----------------------------------------------------------------------------------
def _matrix(dimension: str) -> None:
    frame = facade.scorecard(base.with_(dimensions=(dimension,)))
    if frame.empty:
        st.info(f"No {dimension} breakdown for this selection.")
        return
    units = kpis["unit"].to_dict()
    frame["text"] = [format_value(v, units.get(k, ""), currency)
                     for k, v in zip(frame["kpi"], frame["value"], strict=True)]
    order = [k for p in PERSPECTIVES for k in kpis["id"] if kpis.loc[k, "perspective"] == p]
    fig = charts.status_matrix(frame, row="kpi", col=dimension, text="text", rows=order,
                               row_labels=kpis["label"].to_dict())
    key = f"matrix_{dimension}"
    event = st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points",
                            width="stretch", config={"displayModeBar": False})
    points = event.selection.points if event is not None else []
    if points:
        kpi_id, cell = _cell(points[0], kpis["label"].to_dict())
        if kpi_id:
            target = {"channel": cell} if dimension == "channel" else {"department": cell}
            st.switch_page(CHANNELS_PAGE,
                           query_params=link_params(drill_link(filters, kpi_id, **target)))


def _cell(point: dict[str, object], labels: dict[str, str]) -> tuple[str | None, str]:
    """(kpi id, column value) of a clicked cell: from customdata, else from the shown labels."""
    custom = point.get("customdata")
    if isinstance(custom, list | tuple) and len(custom) == 2:
        return str(custom[0]), str(custom[1])
    by_label = {v: k for k, v in labels.items()}
    return by_label.get(str(point.get("y"))), str(point.get("x"))


st.subheader("Where it happens", divider="gray")
st.caption("Each cell is a KPI for one channel or one owning department over the whole period, "
           "coloured by status. Click a cell to open the Channels page narrowed to it.")
st.markdown("**KPI x channel**")
_matrix("channel")
st.markdown("**KPI x owning department** (the department whose product, process or error caused "
            "the contact)")
_matrix("department")
