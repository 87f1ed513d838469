"""Scorecard (executives): one screen with the scores, what needs attention and every KPI.

The landing view is one HTML component (``views.ui.scoregrid``): the overall and perspective scores,
the KPIs that turned red or moved against target (each with the channel or department driving it
and a link to that drill-down), and one compact row per KPI: value over the whole period, target,
status, change against the comparison period, the latest whole month against the month before,
n and a small trend. A row opens that KPI's details (description, its own SQL, trend chart with the
target line) in a dialog: nothing of a closed detail is computed or drawn. The status matrices by
channel and by owning department sit below, each cell a link to the Channels page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from metrics import facade, imports
from views.ui import boardpack_button, charts, scoregrid, statusmatrix
from views.ui.briefing_text import freshness_text
from views.ui.editor_view import header_and_body, parameter_rows
from views.ui.sidebar import global_filters
from views.ui.state import COMPARISONS, Filters, link, scope_parts
from views.ui.tiles import (
    PERSPECTIVES,
    change_markdown,
    drill_link,
    issues_markdown,
    link_params,
    missing,
    note_markdown,
    plain,
    status_badge,
    target_text,
    value_markdown,
)

SHORT = {k: v.split(":")[0] for k, v in PERSPECTIVES.items()}
CHANNELS_PAGE = "views/channels.py"
OWNERSHIP_PAGE = "views/ownership.py"
PAGES = {"channels": CHANNELS_PAGE, "ownership": OWNERSHIP_PAGE}
DETAIL_KEY = "sc_detail"
# Compact page: less top padding, a smaller title; no sidebar, header or toolbar in print.
PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding: 1.4rem 2.5rem 2rem; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { gap: .55rem; }
@media (max-width: 640px) { [data-testid="stMainBlockContainer"] { padding: 4rem 1rem 2rem; } }
[data-testid="stMain"] h1 { font-size: 1.7rem; padding: 0 0 .1rem 0; }
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stBaseButton-secondary"],
  [data-testid="stDownloadButton"] { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: none !important; }
  [data-testid="stMain"] { overflow: visible !important; }
}
</style>"""

st.html(PAGE_CSS)
# the title and the Board pack button share a line and wrap onto two when the page is narrow
head = st.container(horizontal=True, vertical_alignment="center",
                    horizontal_alignment="distribute")
head.title("Scorecard", width="content")
if not imports.warehouse_summary()["contacts"]:
    st.stop()  # app.py shows the empty-warehouse notice

filters: Filters = global_filters()
kpis = facade.kpi_table()
broken_files = facade.kpi_problems()
if broken_files:
    st.warning(f"{len(broken_files)} problem(s) in KPI files: those KPIs are left out of this page "
               "until an analyst fixes them in the Metric editor.\n\n"
               + "\n".join(f"- `{p}`" for p in broken_files[:5]), icon=":material/error:")
currency = facade.currency()
order = [k for p in PERSPECTIVES for k in kpis.loc[kpis["perspective"] == p, "id"]]
kpis = kpis.set_index("id", drop=False).loc[order]
base = facade.Query.of(order, grain="all", start=filters.start, end=filters.end,
                       filters=filters.as_filter_map())
c_start, c_end = facade.comparison_range(filters.start, filters.end, filters.cmp)

with st.spinner("Computing the scorecard ..."):
    view = facade.landing(base, filters.grain, filters.cmp)
    fresh = facade.freshness()
scored, scores, history, months = view["scored"], view["scores"], view["history"], view["months"]
attention = view["attention"]
split = {d: view[d] for d in ("channel", "department")}

with head:
    boardpack_button.draw(filters)

data_line, stale = freshness_text(fresh, filters.end)
scope = " · ".join(plain(p) for p in scope_parts(filters))
st.markdown(f"**{scope} · {filters.start} to {filters.end}** · compared with "
            f"the {COMPARISONS[filters.cmp]}, {c_start} to {c_end} · trends by {filters.grain}"
            f"  \n:gray[{data_line}.]")
for warning in stale:
    st.warning(warning, icon=":material/schedule:")


def _target(kpi_id: str, dimension: str, member: str) -> str:
    """The drill-down of a KPI narrowed to one channel or owning department: a department's
    avoidable-contact or cost KPI opens Ownership (its statement, its cost trend, contacts per X),
    everything else the Channels page, both with the page's filters."""
    if dimension == "department" and kpis.loc[kpi_id, "perspective"] in ("cost", "avoidable"):
        return link("ownership", filters.with_(departments=(member,)), kpi=kpi_id).lstrip("/")
    narrowed = {dimension: member} if dimension in ("channel", "department") else {}
    return drill_link(filters, kpi_id, **narrowed).lstrip("/")


def _drill(row: dict[str, Any]) -> tuple[str, str]:
    """(label, link) of a KPI needing attention: the drill-down of what drives it."""
    member, dimension = str(row.get("driver") or ""), str(row.get("dimension") or "")
    url = _target(str(row["kpi"]), dimension, member)
    page = "Ownership" if url.startswith("ownership") else "Channels"
    return (f"{page}: {member}" if member else page), url


def _cell_link(dimension: str) -> Any:
    return lambda kpi_id, member: _target(kpi_id, dimension, member)


rows = scoregrid.kpi_rows(kpis, scored, months, history, filters.cmp, currency)
month = months["period"].iloc[0] if len(months) else None
labels = {k: str(v) for k, v in kpis["label"].items()}
units = {k: str(v) for k, v in kpis["unit"].items()}
markup = (
    '<div class="top">' + scoregrid.scores_html(scores, SHORT)
    + scoregrid.attention_html(attention, currency, filters.cmp, _drill) + "</div>"
    + scoregrid.tables_html(rows, PERSPECTIVES, scores,
                            "vs " + ("last year" if filters.cmp == "yoy" else "previous"), month)
    + '<p class="foot">Click a row for its details: description, its own SQL, trend with the '
      "target line. Grey values get no status: too few cases (n below the KPI's minimum), no "
      "target, provisional (follow-ups still to come) or not applicable to this selection.</p>"
    + '<div class="mxh">Where it happens</div><p class="mxc">Each cell is a KPI for one channel or '
      "one owning department (the department whose product, process or error caused the contact) "
      "over the whole period, coloured by status; n/a where the KPI cannot be read by that "
      "dimension. Click a cell to open it narrowed: the Channels page, or Ownership for a "
      "department's avoidable contact and cost.</p>"
    + statusmatrix.matrix_html(split["channel"], "channel", order, labels, units, currency,
                               _cell_link("channel"))
    + statusmatrix.matrix_html(split["department"], "department", order, labels, units,
                               currency, _cell_link("department")))
clicked = scoregrid.draw(markup, key="scorecard_grid")

if clicked is not None and clicked.drill:
    page = str(clicked.drill).partition("?")[0]
    st.switch_page(PAGES.get(page, CHANNELS_PAGE), query_params=link_params(str(clicked.drill)))
if clicked is not None and clicked.open:
    st.session_state[DETAIL_KEY] = str(clicked.open)


def _close() -> None:
    st.session_state.pop(DETAIL_KEY, None)


def _details(kpi_id: str) -> None:
    """One KPI's details: value and why it has (no) status, trend with target, definition."""
    meta = kpis.loc[kpi_id]
    found = scored[scored["kpi"] == kpi_id]
    row = found.iloc[0].to_dict() if len(found) else {}
    unit, direction = str(meta["unit"]), str(meta["direction"])
    status, note = str(row.get("status") or "grey"), row.get("note", "")
    st.markdown(f"{status_badge(status, note)} · {meta['perspective']} · `{kpi_id}`")
    st.markdown(value_markdown(row.get("value"), unit, status, currency,
                               bool(row.get("applicable", True))))
    if note_markdown(note):
        st.caption(note_markdown(note))
    st.markdown(change_markdown(row.get(f"change_{filters.cmp}"), unit, direction, filters.cmp,
                                currency, judged=not bool(row.get("provisional"))))
    if row.get("mix_effect"):
        st.caption(f":material/shuffle: {row['mix_effect']}")
    if issues_markdown(row.get("data_issues")):
        st.markdown(issues_markdown(row.get("data_issues")))
    n = row.get("n")
    target = row.get("target", meta["target"])
    st.caption(f"n {'–' if missing(n) else f'{int(float(n)):,}'} (judged from {meta['min_n']}) · "
               f"{target_text(target, direction, unit, currency, str(row.get('target_source', '')))}")
    # two years by month, the selected period shaded: a story older than the period shows here
    first = date(filters.end.year - 2, filters.end.month, 1)
    months_back = facade.trend(facade.Query.of(kpi_id, grain="month", start=first, end=filters.end,
                                               filters=filters.as_filter_map()))
    fig = charts.kpi_history(months_back, str(meta["label"]), filters.start, filters.end)
    st.plotly_chart(fig, key=f"detail_{kpi_id}", config={"displayModeBar": False}, width="stretch")
    st.page_link(CHANNELS_PAGE, label="Open in Channels (by channel, reason, queue and team)",
                 icon=":material/arrow_forward:",
                 query_params=link_params(drill_link(filters, kpi_id)))
    st.markdown(str(meta["description"]))
    with st.expander("How is this calculated"):
        st.code(header_and_body(str(meta["sql"]))[1].strip(), language="sql")
        approximate = facade.approximation(base.with_(kpis=(kpi_id,)))
        if approximate:
            st.caption(f":material/info: For this period the value is {approximate}.")
        statement = {c.kpi: c for c in facade.explain(base.with_(kpis=(kpi_id,)))}.get(kpi_id)
        bound = statement.param_map if statement is not None else {}
        own = {k: v for k, v in bound.items() if k in meta["params"] or k in (
            "period_start", "period_end", "department_scope")}
        st.dataframe(pd.DataFrame(parameter_rows(dict(meta["params"]), own)), hide_index=True,
                     width="stretch")


chosen = st.session_state.get(DETAIL_KEY)
if chosen in kpis.index:
    st.dialog(str(kpis.loc[chosen, "label"]), width="large", on_dismiss=_close)(_details)(chosen)
