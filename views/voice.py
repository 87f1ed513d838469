"""Customer voice: CSAT, NPS and CES per channel and per owning department with n and 95 %
confidence intervals (greyed under min_n), their trend, and the verbatims behind them.

Verbatims are untrusted free text (they can contain HTML or formulas): they are shown only as text
in a data grid, never through markdown or HTML, and the response ids are masked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import facade, imports
from views.ui import figure
from views.ui.palette import channel_colors, department_colors
from views.ui.sidebar import global_filters, known
from views.ui.tiles import failure_markdown
from views.ui.voice_charts import dot_panel, interval_table, interval_trend

SURVEY_KPIS = {"csat": "CSAT", "nps": "NPS", "ces": "CES (easy %)"}
SCORE_RANGES = {"csat": (0, 10), "nps": (0, 10), "ces": (1, 7)}

st.title("Customer voice")
st.caption("What customers say: satisfaction, promoters and effort, with how sure we can be "
           "(95 % confidence intervals) and their own words.")

filters = global_filters()
if not imports.warehouse_summary()["surveys"]:
    st.info("No survey responses yet. Import a survey export (Qualtrics, SurveyMonkey, Typeform, "
            "or the helpdesk's satisfaction ratings) on the Data page, or run the demo with "
            "`python -m connectors demo`.")
    st.stop()

scope = filters.as_filter_map()
table = facade.kpi_table()
kpis = [k for k in SURVEY_KPIS if k in set(table["id"])]
min_ns = {str(k): int(n) for k, n in zip(table["id"], table["min_n"], strict=True)
          if k in SURVEY_KPIS and pd.notna(n)}


def _query(grain: str, dimensions: list[str]) -> facade.Query:
    return facade.Query.of(kpis, grain=grain, start=filters.start, end=filters.end,
                           dimensions=dimensions, filters=scope)


def _failures(frame: pd.DataFrame) -> dict[str, str]:
    """KPI id -> why it could not be computed (the runner's ``error`` column)."""
    if "error" not in frame.columns or frame.empty:
        return {}
    failed = frame.dropna(subset=["error"])
    return dict(zip(failed["kpi"].astype(str), failed["error"].astype(str), strict=True))


def _failure_note(kpi: str, error: str) -> None:
    st.markdown(failure_markdown(SURVEY_KPIS[kpi], kpi, error))


def _healthy(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the KPIs that computed (charts never see a failed KPI's empty rows)."""
    return frame[frame["error"].isna()] if "error" in frame.columns else frame


def _interval_text(row: pd.Series) -> str:
    if pd.isna(row["low"]):
        return "no interval"
    return f"95 % CI {row['low']:.1f} to {row['high']:.1f}, n = {int(row['n']):,}"


overall = facade.survey_intervals(_query("all", []))
failed = _failures(overall)
for kpi, error in failed.items():
    _failure_note(kpi, error)
kpis = [k for k in kpis if k not in failed]  # the others draw as usual
tiles = st.container(horizontal=True)
for kpi in kpis:
    col = tiles.container(width=240)
    row = overall[overall["kpi"] == kpi]
    if row.empty or pd.isna(row.iloc[0]["value"]):
        col.metric(SURVEY_KPIS[kpi], "n/a")
        col.caption("no answers in this period")
        continue
    r = row.iloc[0]
    unit = " pts" if kpi == "nps" else " %"
    col.metric(SURVEY_KPIS[kpi], f"{r['value']:.1f}{unit}")
    col.caption(_interval_text(r) + ("" if r["reliable"] else " (below min_n: not reliable)"))

# Lazy tabs: only the open one runs and draws.
by_channel, by_department, over_time = st.tabs(["By channel", "By owning department",
                                                "Over time"], key="voice_tab", on_change="rerun")
for tab, dim in ((by_channel, "channel"), (by_department, "department")):
    if not tab.open:
        continue
    with tab:
        frame = _healthy(facade.survey_intervals(_query("all", [dim])))
        if frame.empty:
            st.info("No survey answers in this period and scope.")
            continue
        colors = (channel_colors(frame[dim]) if dim == "channel"
                  else department_colors(known("department")))
        # the three KPIs side by side, one under the other on a narrow screen
        figure.draw(dot_panel(frame, {k: SURVEY_KPIS[k] for k in kpis}, dim, colors, min_ns),
                    key=f"dots_{dim}")
        table = interval_table(frame, dim, SURVEY_KPIS).set_index(dim)
        st.table(table.style.format(precision=1))  # a few rows: a plain table, no grid script
        st.caption("Hollow grey dots have fewer answers than the KPI's min_n: read them as "
                   "anecdotes, not as differences.")
if over_time.open:
    with over_time:
        pick = st.radio("Measure", kpis, format_func=SURVEY_KPIS.get, horizontal=True,
                        key="voice_trend_kpi")
        grain = filters.grain or "month"
        frame = _healthy(facade.survey_intervals(_query(grain, [])))
        if frame.empty or pick is None:
            st.info("No survey answers in this period and scope.")
        else:
            figure.draw(interval_trend(frame, pick, SURVEY_KPIS[pick], grain, min_ns.get(pick),
                                       facade.period_starts(filters.start, filters.end, grain)),
                        key="voice_trend")

st.subheader("Verbatims")
if not facade.allowed("read_verbatims"):
    st.info(f"Verbatims are free text that may hold personal data: your role "
            f"({facade.role()}) cannot read them. Ask a lead or analyst.")
    st.stop()
# On demand: the comments' table is the page's largest browser download (its grid script).
if not st.toggle("Show the comments", key="verbatims_on",
                 help="Up to 300 comments, newest first, by reason and score; plain text, "
                      "masked response ids."):
    st.stop()
reason_map = facade.reference_frame("reason_map")
labels = dict(zip(reason_map["reason"].astype(str), reason_map["label"].fillna(reason_map["reason"]),
                  strict=True)) if len(reason_map) else {}
c1, c2, c3 = st.columns([3, 2, 2])
reasons = c1.multiselect("Reason", sorted(labels), format_func=lambda r: labels.get(r, r),
                         key="verbatim_reasons", placeholder="all reasons")
field = c2.selectbox("Score", ["any", *SCORE_RANGES], key="verbatim_field",
                     format_func=lambda f: {"any": "any score"}.get(f, f.upper()))
low = high = None
if field != "any":
    lo, hi = SCORE_RANGES[field]
    low, high = c3.slider("Score between", lo, hi, (lo, hi), key=f"verbatim_range_{field}")
verbatims = facade.verbatims(_query("all", []), reasons=tuple(reasons),
                             score_field=None if field == "any" else field,
                             low=low, high=high, limit=300)
if verbatims.empty:
    st.info("No comments match: widen the period, the reasons or the score range.")
else:
    st.caption(f"{len(verbatims):,} comments, newest first (at most 300). Shown as plain text; "
               "response ids are masked.")
    st.dataframe(verbatims, hide_index=True, width="stretch", column_order=[
        "responded_at", "comment", "csat", "nps", "ces", "reason", "channel", "department",
        "response_id"], column_config={
        "responded_at": st.column_config.DatetimeColumn("Responded", format="YYYY-MM-DD HH:mm"),
        "comment": st.column_config.TextColumn("Comment", width="large"),
        "csat_scale": None,
        "response_id": st.column_config.TextColumn("Response", width="small"),
    })
