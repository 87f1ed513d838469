"""Channels (service leads): one KPI per channel, by reason, queue and team, by hour of the week,
down to the contacts behind the number.

The KPI comes from the ``kpi`` query parameter (the Scorecard's tiles link here with it); the
page-local narrowing by reason, queue or team lives in the URL as well (``reason=``, ``queue=``,
``team=``), so a click on a bar is a link that can be shared. Clicking a channel bar sets the global
channel filter.
"""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import streamlit as st

from metrics import facade, imports
from views.ui import charts
from views.ui.export import safe_csv
from views.ui.sidebar import global_filters
from views.ui.state import COMPARISONS, Filters
from views.ui.tiles import (
    change_markdown,
    failure_markdown,
    format_value,
    issues_markdown,
    missing,
    note_markdown,
    status_badge,
    target_text,
    value_markdown,
)

LOCAL_KEYS = ("reason", "queue", "team")
DEFAULT_KPI = "contacts"
NONE = "(none)"
MIN_ATTEMPTS = 5  # hour cells with fewer phone/chat attempts show no unreachable rate
BEHIND_COLUMNS = ["local_at", "channel", "source", "contact_id", "case_id", "customer_key",
                  "queue", "team", "agent", "reason", "department", "status", "outcome",
                  "wait_seconds", "handle_seconds", "cost"]
CHART = {"displayModeBar": False}
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
    st.toast(f"ignored unknown kpi={asked!r}", icon=":material/warning:")
    asked = DEFAULT_KPI if DEFAULT_KPI in ids else ids[0]
kpi = st.selectbox("KPI", ids, index=ids.index(asked), key="c_kpi",
                   format_func=lambda k: f"{kpis.loc[k, 'label']} ({kpis.loc[k, 'perspective']})")
if st.query_params.get("kpi") != kpi:
    st.query_params["kpi"] = kpi
meta = kpis.loc[kpi]
unit, direction = str(meta["unit"]), str(meta["direction"])

local = {k: st.query_params[k] for k in LOCAL_KEYS if st.query_params.get(k)}
if local:
    chips = st.columns([4, 1])
    chips[0].markdown("Narrowed to " + ", ".join(f"**{k}** = `{v}`" for k, v in local.items()))
    if chips[1].button("Clear", icon=":material/close:", width="stretch"):
        for k in LOCAL_KEYS:
            if k in st.query_params:
                del st.query_params[k]
        st.rerun()
scope = {**filters.as_filter_map(), **{k: (v,) for k, v in local.items()}}


def query(kpi_ids: str | list[str], grain: str = "all", dims: tuple[str, ...] = (),
          start: date | None = None, end: date | None = None) -> facade.Query:
    return facade.Query.of(kpi_ids, grain=grain, start=start or filters.start,
                           end=end or filters.end, dimensions=dims, filters=scope)


def fmt(value: object) -> str:
    return format_value(value, unit, currency)


def failure(frame: pd.DataFrame, kpi_id: str) -> str | None:
    """Why ``kpi_id`` could not be computed (the runner's ``error`` column), else None. Falls
    back to ``run`` when a frame does not carry the column (the scorecard's did not always)."""
    if "error" not in frame.columns:
        frame = facade.run(query(kpi_id))
    errors = frame.loc[frame["kpi"] == kpi_id, "error"].dropna() if len(frame) else frame
    return str(errors.iloc[0]) if len(errors) else None


def failure_note(label: str, kpi_id: str, error: str) -> None:
    st.markdown(failure_markdown(label, kpi_id, error, hint=True))


def pick(event: object, param: str, key: str) -> None:
    """A click on a bar -> the URL parameter ``param`` (global channel or page-local) and rerun."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if not points:
        return
    custom = points[0].get("customdata")
    value = str(custom[0] if isinstance(custom, list | tuple) else custom or "")
    if not value or value == "None":
        value = str(points[0].get("y") if param in ("queue", "team") else points[0].get("x"))
    current = st.query_params.get(param)
    st.session_state.pop(key, None)
    if value and value not in (current, NONE, "other"):
        st.query_params[param] = value
        if param == "channel":
            st.session_state.pop("f_channel", None)  # let the sidebar follow the URL
        st.rerun()


# --- headline -----------------------------------------------------------------------------------
head = facade.scorecard(query(kpi))
broken = failure(head, kpi)
row = head.iloc[0] if not head.empty and broken is None else None
status = str(row["status"]) if row is not None else "grey"
cols = st.columns([2, 3])
with cols[0].container(border=True):
    if broken is not None:
        failure_note(str(meta["label"]), kpi, broken)
    else:
        note = row["note"] if row is not None else ""
        st.markdown(f"**{meta['label']}** {status_badge(status, note)}")
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
                   f"{target_text(row['target'], direction, unit, currency, row['target_source'])}"
                   f" · {filters.start} to {filters.end}")
cols[1].markdown(str(meta["description"]))

# --- trend per channel --------------------------------------------------------------------------
st.subheader("Trend by channel", divider="gray")
lines = facade.trend(query(kpi, filters.grain, ("channel",))).dropna(subset=["value"])
total = facade.trend(query(kpi, filters.grain)).dropna(subset=["value"])
c_start, c_end = facade.comparison_range(filters.start, filters.end, filters.cmp)
earlier = facade.trend(query(kpi, filters.grain, start=c_start, end=c_end)).dropna(subset=["value"])
comparison = None
if not earlier.empty and not total.empty:
    # Draw each earlier period where its counterpart falls in the current range (shifted by the
    # distance between the two ranges), so a comparison range with missing data stays aligned.
    shift = pd.Timedelta(days=(filters.start - c_start).days)
    moved = pd.to_datetime(earlier["period"]) + shift
    comparison = pd.DataFrame({"period": moved.dt.date.to_numpy(),
                               "value": earlier["value"].to_numpy()})
if broken is not None:
    st.caption(f"No trend: {meta['label']} does not run (see above).")
elif lines.empty:
    st.info("No data for this KPI in the selected period and filters.")
else:
    series = pd.concat([lines[["period", "dimension", "value"]],
                        total.assign(dimension="all channels")[["period", "dimension", "value"]]])
    target = None if row is None or missing(row["target"]) else float(row["target"])
    st.plotly_chart(charts.trend(series, "period", "value", "dimension", target=target,
                                 comparison=comparison,
                                 comparison_label=f"all channels, {COMPARISONS[filters.cmp]}",
                                 y_title=str(meta["label"])),
                    key="trend", width="stretch", config=CHART)

# --- channel comparison -------------------------------------------------------------------------
st.subheader("Channel comparison", divider="gray")
by_channel = facade.scorecard(query(kpi, dims=("channel",)))
by_channel = by_channel[by_channel["n"].fillna(0) > 0]
if broken is not None:
    st.caption(f"No comparison: {meta['label']} does not run (see above).")
elif by_channel.empty:
    st.info("No channel has data for this KPI here.")
else:
    by_channel["text"] = by_channel["value"].map(fmt)
    target = None if missing(by_channel["target"].iloc[0]) else float(by_channel["target"].iloc[0])
    event = st.plotly_chart(charts.status_bars(by_channel, "channel", "value", target=target,
                                               text="text", y_title=str(meta["label"]),
                                               height=280),
                            key="bars_channel", on_select="rerun", selection_mode="points",
                            width="stretch", config=CHART)
    st.caption("Bars are coloured by status against the channel's target. "
               "Click a bar to filter the page to that channel.")
    pick(event, "channel", "bars_channel")

# --- reasons, queues, teams ---------------------------------------------------------------------
def breakdown(dim: str) -> None:
    """The KPI per queue or team as status-coloured bars, worst on top; a click narrows the page
    (contacts without a queue or team show as '(none)' and cannot be clicked to a filter)."""
    frame = facade.scorecard(query(kpi, dims=(dim,)))
    if broken is not None:
        st.caption(f"No {dim} breakdown: {meta['label']} does not run (see above).")
        return
    frame = frame[frame["n"].fillna(0) > 0].sort_values("value", ascending=direction == "higher")
    frame[dim] = frame[dim].astype("object").where(frame[dim].notna(), NONE)
    if frame.empty:
        st.info(f"No {dim} has data for this KPI here.")
        return
    frame["text"] = frame["value"].map(fmt)
    event = st.plotly_chart(
        charts.status_bars(frame, dim, "value", text="text", horizontal=True,
                           title=f"{meta['label']} by {dim}", y_title=str(meta["label"]),
                           height=max(220, 34 * len(frame) + 80)),
        key=f"bars_{dim}", on_select="rerun", selection_mode="points", width="stretch",
        config=CHART)
    pick(event, dim, f"bars_{dim}")


st.subheader("Reasons, queues and teams", divider="gray")
reasons = facade.run(query("contacts", dims=("reason",))).rename(columns={"value": "contacts"})
contacts_broken = failure(reasons, "contacts")
if contacts_broken is not None:
    failure_note("Inbound contacts", "contacts", contacts_broken)
elif reasons.empty:
    st.info("No contacts with a reason here.")
else:
    event = st.plotly_chart(charts.pareto(reasons, "reason", "contacts",
                                          title="Inbound contacts by reason (Pareto)"),
                            key="pareto_reason", on_select="rerun", selection_mode="points",
                            width="stretch", config=CHART)
    pick(event, "reason", "pareto_reason")
left, right = st.columns(2)
with left:
    breakdown("queue")
with right:
    breakdown("team")
st.caption("Click a reason, queue or team to narrow the whole page to it.")

# --- hour x weekday -----------------------------------------------------------------------------
zone = facade.settings().get("business_timezone", "UTC")
st.subheader("When customers contact us, and when they cannot get through", divider="gray")
try:
    hours = facade.week_hours(query("contacts"))
except Exception as error:  # the rows of a broken contacts/unreachable_rate file do not select
    log.exception("the hour-of-week counts failed")
    failure_note("Hour-of-week counts", "contacts, unreachable_rate", facade.error_headline(error))
else:
    hours["unreachable_rate"] = hours["unreachable_rate"].where(hours["attempts"] >= MIN_ATTEMPTS)
    left, right = st.columns(2)
    left.plotly_chart(charts.week_hours(hours, "contacts", title="Inbound contacts"),
                      key="hours_demand", width="stretch", config=CHART)
    right.plotly_chart(charts.week_hours(hours, "unreachable_rate", colorscale="Reds",
                                         suffix=" %",
                                         title="Unreachable phone/chat attempts (% of attempts)"),
                       key="hours_unreachable", width="stretch", config=CHART)
st.caption(f"Hours in the business time zone ({zone}). Unreachable = attempts to reach a person "
           "(a queued or offered call or chat, or an IVR/bot session in which the customer asked "
           "for an agent) that never reached one; hours with fewer than "
           f"{MIN_ATTEMPTS} attempts are left blank.")

# --- contacts behind the number -----------------------------------------------------------------
st.subheader("The contacts behind the number", divider="gray")
parts = ["numerator", "denominator"] if meta["kind"] == "ratio" else ["value"]
part = st.radio("Rows counted in", parts, horizontal=True, key="c_part")
try:
    behind = facade.contacts_behind(query(kpi), kpi, part=part, limit=500)
except facade.QueryError as error:
    st.warning(f"Cannot list the rows behind this KPI: {error}")
except Exception as error:  # the KPI's FILTER condition itself fails in DuckDB
    log.exception("the rows behind %s failed", kpi)
    failure_note(f"The rows behind {meta['label']}", kpi, facade.error_headline(error))
else:
    shown = behind[[c for c in BEHIND_COLUMNS if c in behind.columns]]
    st.caption(f"The newest {len(shown):,} rows (at most 500). Identifiers are masked; free text is "
               "left out.")
    st.dataframe(shown, hide_index=True, width="stretch", height=320)
    st.download_button("Download these rows (CSV)", safe_csv(shown), f"{kpi}_{part}.csv",
                       "text/csv", icon=":material/download:")
