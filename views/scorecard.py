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
from views.ui.editor_view import header_and_body, parameter_rows
from views.ui.sidebar import global_filters
from views.ui.state import COMPARISONS, Filters
from views.ui.tiles import (
    change_markdown,
    drill_link,
    format_value,
    issues_markdown,
    judged_text,
    link_params,
    missing,
    note_markdown,
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
broken_files = facade.kpi_problems()
if broken_files:
    st.warning(f"{len(broken_files)} problem(s) in KPI files: those KPIs are left out of this page "
               "until an analyst fixes them in the Metric editor.\n\n"
               + "\n".join(f"- `{p}`" for p in broken_files[:5]), icon=":material/error:")
currency = facade.currency()
base = facade.Query.of(list(kpis["id"]), grain="all", start=filters.start, end=filters.end,
                       filters=filters.as_filter_map())
c_start, c_end = facade.comparison_range(filters.start, filters.end, filters.cmp)
st.caption(
    f"Headline values cover the whole period **{filters.start} to {filters.end}**; the sparklines "
    f"show it by **{filters.grain}**. Changes compare with the **{COMPARISONS[filters.cmp]}**, "
    f"**{c_start} to {c_end}** (whole months compare with whole months). Grey values get no "
    "status: too few cases, no target, provisional (follow-ups still to come) or not applicable "
    "to this selection; the tile says which.")

with st.spinner("Computing the scorecard ..."):
    scored = facade.scorecard(base).set_index("kpi", drop=False)
    scores = facade.perspective_scores(base)
    history = facade.trend(base.with_(grain=filters.grain))
    compiled = {c.kpi: c for c in facade.explain(base)}


def _score_of(perspective: str) -> float | None:
    rows = scores[scores["perspective"] == perspective]
    return None if rows.empty or missing(rows["score"].iloc[0]) else float(rows["score"].iloc[0])


def _judged_of(perspective: str) -> str:
    rows = scores[scores["perspective"] == perspective]
    return "no KPIs" if rows.empty else judged_text(rows["kpis"].iloc[0], rows["of"].iloc[0])


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
            st.caption(_judged_of(key))
st.caption("Scores run from 0 (at or beyond the red flag) to 10 (target met); a perspective's "
           "score is the weighted mean of its judged KPIs', the overall score the weighted mean of "
           "the perspectives'. A KPI without a target, with too few cases, provisional or not "
           "applicable is not judged and does not count.")


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
    applicable = bool(row["applicable"]) if row is not None else True
    with st.container(border=True, width=TILE_WIDTH):
        note = row["note"] if row is not None else ""
        st.markdown(f"**{meta['label']}** {status_badge(status, note)}")
        st.markdown(value_markdown(value, unit, status, currency, applicable))
        if note_markdown(note):
            st.caption(note_markdown(note))
        provisional = bool(row["provisional"]) if row is not None else False
        st.markdown(change_markdown(change, unit, direction, filters.cmp, currency,
                                    judged=not provisional))
        if row is not None and row["mix_effect"]:
            st.caption(f":material/shuffle: {row['mix_effect']}")
        if row is not None and issues_markdown(row["data_issues"]):
            st.markdown(issues_markdown(row["data_issues"]))
        n_text = "n –" if n is None or missing(n) else f"n {int(n):,}"
        if n is not None and not missing(n) and int(n) < int(meta["min_n"]):
            n_text += f" (below {int(meta['min_n'])})"
        source = str(row["target_source"]) if row is not None else ""
        st.caption(f"{n_text} · {target_text(target, direction, unit, currency, source)}")
        spark = history[history["kpi"] == kpi_id]
        st.plotly_chart(charts.sparkline(spark, color=charts.status_color(status),
                                         target=None if missing(target) else float(target)),
                        key=f"spark_{kpi_id}", config={"displayModeBar": False, "staticPlot": True},
                        width="stretch")
        st.page_link(CHANNELS_PAGE, label="Open in Channels", icon=":material/arrow_forward:",
                     query_params=link_params(drill_link(filters, kpi_id)))
        with st.expander("How is this calculated"):
            _how(kpi_id, meta, source)


def _how(kpi_id: str, meta: pd.Series, source: str) -> None:
    """The KPI's own definition: description, its SQL body and its parameters (not the combined
    statement the page runs, which holds every KPI of a batch)."""
    st.markdown(str(meta["description"]))
    st.code(header_and_body(str(meta["sql"]))[1].strip(), language="sql")
    statement = compiled.get(kpi_id)
    bound = statement.param_map if statement is not None else {}
    own = {k: v for k, v in bound.items() if k in meta["params"] or k in (
        "period_start", "period_end", "department_scope")}
    st.dataframe(parameter_rows(dict(meta["params"]), own), hide_index=True, width="stretch")
    if source:
        st.caption(f"Target from the {source}.")


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
    frame["text"] = [format_value(v, units.get(k, ""), currency) if ok else "n/a"
                     for k, v, ok in zip(frame["kpi"], frame["value"], frame["applicable"],
                                         strict=True)]
    order = [k for p in PERSPECTIVES for k in kpis["id"] if kpis.loc[k, "perspective"] == p]
    frame.loc[frame["provisional"].astype(bool), "text"] += " (prov.)"
    fig = charts.status_matrix(frame, row="kpi", col=dimension, text="text", rows=order,
                               row_labels=_row_labels())
    key = f"matrix_{dimension}"
    event = st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points",
                            width="stretch", config={"displayModeBar": False})
    points = event.selection.points if event is not None else []
    if points:
        kpi_id, cell = _cell(points[0], _row_labels())
        if kpi_id:
            target = {"channel": cell} if dimension == "channel" else {"department": cell}
            st.switch_page(CHANNELS_PAGE,
                           query_params=link_params(drill_link(filters, kpi_id, **target)))


def _row_labels() -> dict[str, str]:
    """KPI labels for the matrices; a KPI an audit finding touches carries a warning sign."""
    issues = scored["data_issues"].to_dict() if "data_issues" in scored else {}
    return {k: f"⚠ {label}" if issues.get(k) else str(label)
            for k, label in kpis["label"].to_dict().items()}


def _cell(point: dict[str, object], labels: dict[str, str]) -> tuple[str | None, str]:
    """(kpi id, column value) of a clicked cell: from customdata, else from the shown labels."""
    custom = point.get("customdata")
    if isinstance(custom, list | tuple) and len(custom) == 2:
        return str(custom[0]), str(custom[1])
    by_label = {v: k for k, v in labels.items()}
    return by_label.get(str(point.get("y"))), str(point.get("x"))


st.subheader("Where it happens", divider="gray")
st.caption("Each cell is a KPI for one channel or one owning department over the whole period, "
           "coloured by status; n/a where the KPI cannot be read by that dimension, (prov.) where "
           "it is provisional, ⚠ where an audit found bad rows it uses. Click a cell to open the "
           "Channels page narrowed to it.")
st.markdown("**KPI x channel**")
_matrix("channel")
st.markdown("**KPI x owning department** (the department whose product, process or error caused "
            "the contact)")
_matrix("department")
