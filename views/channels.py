"""Channels (service leads): one KPI per channel, by reason, queue and team, by hour of the week,
down to the contacts behind the number and one customer's journey.

The KPI comes from the ``kpi`` query parameter (the Scorecard's tiles link here with it). Every
narrowing is a global filter (sidebar, URL, browser history): a click on a channel, reason, queue or
team in a chart sets the same filter as the sidebar and combines with the others, and each
breakdown shows every member of its own dimension with the chosen ones highlighted
(``views.ui.breakdowns``).
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from metrics import facade, imports
from views.ui import breakdowns, charts, drill, figure, palette, timecharts
from views.ui.export import safe_csv
from views.ui.sidebar import global_filters, pick_member
from views.ui.state import COMPARISONS, Filters, link, scope_words
from views.ui.tiles import (
    change_markdown,
    failure_markdown,
    issues_markdown,
    kpi_error,
    link_params,
    missing,
    note_markdown,
    plain,
    status_badge,
    target_text,
    value_markdown,
)

DEFAULT_KPI = "contacts"
BEHIND_COLUMNS = ["local_at", "channel", "source", "contact_id", "case_id", "customer_key",
                  "queue", "team", "agent", "reason", "department", "status", "outcome",
                  "wait_seconds", "handle_seconds", "cost"]
JOURNEY_PAGE = "views/journey.py"
log = logging.getLogger(__name__)

st.title("Channels")
if not imports.warehouse_summary()["contacts"]:
    st.stop()  # app.py shows the empty-warehouse notice

filters: Filters = global_filters()
kpis = facade.kpi_table().set_index("id", drop=False)
currency = facade.currency()
ids = list(kpis["id"])
asked = st.query_params.get("kpi", DEFAULT_KPI)
if asked not in ids:
    st.toast(plain(f"ignored unknown kpi={asked!r}"), icon=":material/warning:")
    asked = DEFAULT_KPI if DEFAULT_KPI in ids else ids[0]
kpi = st.selectbox("KPI", ids, index=ids.index(asked), key="c_kpi",
                   format_func=lambda k: f"{kpis.loc[k, 'label']} ({kpis.loc[k, 'perspective']})")
if st.query_params.get("kpi") != kpi:
    st.query_params["kpi"] = kpi
meta = kpis.loc[kpi]
unit, direction = str(meta["unit"]), str(meta["direction"])
d = breakdowns.Drill(kpi, meta, filters, currency)
st.caption(f":material/filter_alt: {plain(scope_words(filters))} · {filters.start} to "
           f"{filters.end}")


# --- headline -----------------------------------------------------------------------------------
head = facade.scorecard(d.query(), compare=(filters.cmp,))
broken = kpi_error(head, kpi)
row = head.iloc[0] if not head.empty and broken is None else None
status = str(row["status"]) if row is not None else "grey"
cols = st.columns([2, 3])
with cols[0].container(border=True):
    if broken is not None:
        st.markdown(failure_markdown(d.name, kpi, broken, hint=True))
    else:
        note = row["note"] if row is not None else ""
        st.markdown(f"**{d.name}** {status_badge(status, note)}")
        st.markdown(value_markdown(row["value"] if row is not None else None, unit, status,
                                   currency, bool(row["applicable"]) if row is not None else True))
        if note_markdown(note):
            st.caption(note_markdown(note))
    if row is not None:
        st.markdown(change_markdown(row[f"change_{filters.cmp}"], unit, direction, filters.cmp,
                                    currency, judged=not bool(row["provisional"])))
        if row["mix_effect"]:
            st.caption(f":material/shuffle: {row['mix_effect']}")
        if issues_markdown(row["data_issues"]):
            st.markdown(issues_markdown(row["data_issues"]))
        st.caption(f"n {0 if missing(row['n']) else int(row['n']):,} · "
                   f"{target_text(row['target'], direction, unit, currency, row['target_source'])}")
cols[1].markdown(str(meta["description"]))


# --- trend per channel --------------------------------------------------------------------------
def comparison_line() -> tuple[pd.DataFrame, str]:
    """The whole scope's comparison period, drawn at its counterpart dates, and its legend."""
    c_start, c_end = facade.comparison_range(filters.start, filters.end, filters.cmp)
    earlier = facade.trend(d.query(filters.grain, start=c_start, end=c_end))
    first = facade.first_day(kpi)
    moved = drill.aligned_comparison(earlier, (filters.start, filters.end), (c_start, c_end),
                                     filters.grain, first)
    words = f"{scope_words(filters)}, {COMPARISONS[filters.cmp]} ({c_start} to {c_end})"
    if first is not None and c_start < first:
        st.caption(f"The {COMPARISONS[filters.cmp]} starts before the data does: its partial "
                   "periods are not drawn.")
    return moved, words


def trend_chart() -> None:
    """The KPI per channel over time, the whole scope's line and its comparison period."""
    st.subheader("Trend by channel", divider="gray")
    lines = facade.trend(d.query(filters.grain, ("channel",), free=("channel",)))
    lines = lines.dropna(subset=["value"])
    total = facade.trend(d.query(filters.grain)).dropna(subset=["value"])
    if lines.empty and total.empty:
        st.info("No data for this KPI in the selected period and filters.")
        return
    comparison, comparison_words = comparison_line()
    target = None if row is None or missing(row["target"]) else float(row["target"])
    periods = sorted(set(lines["period"]) | set(total["period"]))
    colors = palette.channel_colors(lines["channel"])
    series = [timecharts.Series(
        name=str(name), color=colors.get(str(name), charts.NEUTRAL), pick=str(name),
        values=timecharts.values_at(periods, zip(part["period"], part["value"], strict=True)),
        style="faded" if filters.channels and str(name) not in filters.channels else "solid")
        for name, part in lines.groupby("channel", sort=True)]
    series.append(timecharts.Series(
        name=f"total ({scope_words(filters)})", color=charts.TOTAL, style="thick",
        values=timecharts.values_at(periods, zip(total["period"], total["value"], strict=True))))
    if not comparison.empty:
        tips = dict(zip(comparison["period"].astype(str), comparison["counterpart"], strict=True))
        series.append(timecharts.Series(
            name=comparison_words, color=charts.COMPARISON, style="dotted",
            values=timecharts.values_at(periods, zip(comparison["period"], comparison["value"],
                                                     strict=True)),
            tips=[tips.get(str(p), "") for p in periods]))
    axis = timecharts.Axis(fmt=d.fmt, zero=unit in ("count", "currency"))
    markup = timecharts.lines([timecharts.period_label(p, filters.grain) for p in periods], series,
                              axis=axis, target=target, target_text=f"target {d.fmt(target)}",
                              height=260)
    figure.draw(markup, key="trend", on_pick=pick_member("channel"))
    st.caption("One line per channel in its own colour (channels outside the filter fade; click "
               "a channel in the legend to filter to it), the thick grey line is the whole "
               "filtered scope, the dotted line its comparison period drawn under the dates it "
               "is compared with.")


def breakdown_charts() -> None:
    """The chosen KPI by channel, reason, queue, team and hour of the week (cross-filters)."""
    st.subheader("Channel comparison", divider="gray")
    breakdowns.channel_bars(d)
    st.subheader("Reasons, queues and teams", divider="gray")
    breakdowns.reason_pareto(d)
    breakdowns.reason_months(d)
    left, right = st.columns(2)
    with left:
        breakdowns.member_bars(d, "queue")
    with right:
        breakdowns.member_bars(d, "team")
    st.caption("Click a reason, queue or team to filter the whole page to it; filters combine "
               "and the sidebar's Reset clears them.")
    zone = facade.settings().get("business_timezone", "UTC")
    st.subheader("By hour of the week", divider="gray")
    breakdowns.week_hours(d)
    st.caption(f"Hours in the business time zone ({zone}), Monday on top.")


if broken is None:
    trend_chart()
    breakdown_charts()
else:
    st.caption(f"No trend or breakdowns: {d.name} does not run (see above). The rows it would "
               "count are still listed below.")

# --- contacts behind the number -----------------------------------------------------------------
st.subheader("The contacts behind the number", divider="gray")
# On demand: the table widget is the page's largest browser download (its grid script), so the
# drill-down's first screen does not wait for it.
if not st.toggle("Show the contacts behind the number", key="c_rows",
                 help="The newest 500 rows the KPI counts, masked; select one to open that "
                      "customer's journey."):
    st.stop()
parts = ["numerator", "denominator"] if meta["kind"] == "ratio" else ["value"]
part = st.radio("Rows counted in", parts, horizontal=True, key="c_part")
try:
    behind = facade.contacts_behind(d.query(), kpi, part=part, limit=500)
except facade.QueryError as error:
    st.warning(f"Cannot list the rows behind this KPI: {error}")
except Exception as error:  # the KPI's FILTER condition itself fails in DuckDB
    log.exception("the rows behind %s failed", kpi)
    st.markdown(failure_markdown(f"The rows behind {d.name}", kpi, facade.error_headline(error)))
else:
    shown = behind[[c for c in BEHIND_COLUMNS if c in behind.columns]]
    st.caption(f"The newest {len(shown):,} rows (at most 500). Identifiers are masked; free text is "
               "left out. Select a row to open that customer's journey across channels.")
    picked = st.dataframe(shown, hide_index=True, width="stretch", height=320,
                          on_select="rerun", selection_mode="single-row", key="behind")
    st.download_button("Download these rows (CSV)", safe_csv(shown), f"{kpi}_{part}.csv",
                       "text/csv", icon=":material/download:")
    chosen_rows = picked.selection.rows if picked is not None else []
    if chosen_rows and "contact_id" in shown.columns:
        contact = str(shown.iloc[chosen_rows[0]]["contact_id"])
        st.switch_page(JOURNEY_PAGE, query_params=link_params(link("journey", filters,
                                                                   contact=contact, kpi=kpi)))
