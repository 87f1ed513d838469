"""Ownership (department heads): the avoidable contact each department causes, what it costs, its
charge-back statement (screen, CSV, PDF: share of every department's avoidable contact, change
against the comparison period, line items per reason, months, how cost is computed), contacts per
X, the value/irritant matrix and how much of the failure demand the service department causes.

Departments and reasons click through to the Channels page with those filters: a chart click (the
charts are HTML drawn by ``views.ui.figure``, no Plotly on the page: its ``on_pick`` callback notes
where to go, the next run switches page) or a link in the statement tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import facade, imports
from views.ui import figure
from views.ui import statement_view as sv
from views.ui.chargeback import (
    Details,
    file_stem,
    percent,
    scope_name,
    statement_csv,
    statement_pdf,
)
from views.ui.irritant_matrix import value_irritant
from views.ui.ownership_charts import (
    caused_split,
    cost_trend,
    cpx_trend,
    read_pick,
    top_reasons_bar,
)
from views.ui.palette import department_colors
from views.ui.sidebar import global_filters, known
from views.ui.state import COMPARISONS, link
from views.ui.tiles import failure_markdown, kpi_error, link_params, plain

CHANNELS_PAGE = "views/channels.py"
GO = "_ownership_go"  # (dimension, member, kpi) of the chart point clicked last

st.title("Ownership")
st.caption("Avoidable contact belongs to the department whose product, process or error caused "
           "it, not to the team that answered it.")

filters = global_filters()
if not imports.warehouse_summary()["contacts"]:
    st.info("No contacts yet. Import exports on the Data page, or build the demo company with "
            "`python -m connectors demo`.")
    st.stop()


def _to_channels(department: str | None = None, reason: str | None = None,
                 kpi: str = "avoidable_cost") -> str:
    """The Channels page narrowed to a department and/or reason, with the page's other filters."""
    narrowed = filters
    if department is not None:
        narrowed = narrowed.with_member("department", (department,))
    if reason is not None:
        narrowed = narrowed.with_member("reason", (reason,))
    return link("channels", narrowed, kpi=kpi).lstrip("/")


def _clicked(value: str) -> None:
    """``figure.draw`` click callback: note the clicked (dimension, member, KPI) of a department
    or reason (``ownership_charts.pick``); the next run opens Channels with it."""
    target = read_pick(value)
    if target is not None:
        st.session_state[GO] = target


def _clickable_chart(markup: str, key: str) -> None:
    figure.draw(markup, key=key, on_pick=_clicked)


target = st.session_state.pop(GO, None)
if target is not None:
    dimension, member, kpi = target
    url = _to_channels(**{dimension: member}, kpi=kpi)
    st.switch_page(CHANNELS_PAGE, query_params=link_params(url))

scope = filters.as_filter_map()
chosen = filters.departments
who = scope_name(chosen)
currency = facade.currency()
service_dept = facade.settings().get("service_department", "Customer Service")
period_q = facade.Query.of(["avoidable_cost", "avoidable_rate", "service_caused_share"],
                           grain="all", start=filters.start, end=filters.end, filters=scope)
c_start, c_end = facade.comparison_range(filters.start, filters.end, filters.cmp)
cmp_words = COMPARISONS[filters.cmp]
reasons = facade.reason_costs(period_q)
colors = department_colors(known("department"))
totals = facade.scorecard(period_q, compare=()).set_index("kpi")
shares = facade.department_share(period_q, filters.cmp).set_index("measure")
LABELS = {"avoidable_cost": "Avoidable cost", "avoidable_rate": "Avoidable contact rate",
          "service_caused_share": f"Caused by {service_dept}", "cpx": "Contacts per X"}


def _error(kpi: str) -> str | None:
    """Why a KPI of this page could not be computed (the runner's ``error`` column), else None."""
    return kpi_error(totals.reset_index(), kpi)


def _failure_note(kpi: str, error: str) -> None:
    st.markdown(failure_markdown(LABELS.get(kpi, kpi), kpi, error))


def _value(kpi: str) -> float:
    value = totals.loc[kpi, "value"] if kpi in totals.index else None
    return float(value) if value is not None and pd.notna(value) else 0.0


def _not_applicable(kpi: str) -> str | None:
    """Why a rate tile reads n/a: it does not apply to the filter (a share across departments
    says nothing about one department), or it cannot vary in this scope; else None."""
    if kpi in totals.index and not bool(totals.loc[kpi, "applicable"]):
        return "a share across departments says nothing about one department"
    return facade.avoidable_rate_note(period_q) if kpi == "avoidable_rate" else None


def _rate_tile(kpi: str, label: str, help_text: str) -> str | None:
    """Draw a rate tile; return why it reads n/a (None when it shows a value)."""
    why = None if _error(kpi) else _not_applicable(kpi)
    shown = "–" if _error(kpi) else "n/a" if why else f"{_value(kpi):.1f} %"
    tiles.metric(label, shown, help=help_text + (f" n/a: {why}." if why else ""), width=210)
    return why


def _share_tiles() -> None:
    """Cost and contacts with their change; under a department filter also its share of all."""
    since = f"against the {cmp_words}, {c_start} to {c_end}"
    for measure, label, digits in (("avoidable_cost", f"Avoidable cost ({currency})", 0),
                                   ("avoidable_contacts", "Avoidable contacts", 0)):
        row = shares.loc[measure]
        tiles.metric(label, f"{row['value']:,.0f}", delta=sv.delta_text(
            row["change"], row["change_pct"], digits), delta_color="inverse",
            help=f"Change {since}.", width=210)
    if not chosen:
        return
    for measure, label in (("avoidable_cost", "Share of all avoidable cost"),
                           ("avoidable_contacts", "Share of all avoidable contacts")):
        row = shares.loc[measure]
        moved = row["share_change"]
        tiles.metric(label, percent(row["share"]), delta=None if pd.isna(moved) or moved == 0
                     else f"{moved:+.1f} pp", delta_color="inverse", width=210,
                     help=f"{who}'s part of every department's avoidable "
                          f"{'cost' if 'cost' in measure else 'contacts'} in the same period and "
                          f"channel scope ({row['all']:,.0f} in all); change {since}.")


for failed in [k for k in period_q.kpis if _error(k)]:
    _failure_note(failed, str(_error(failed)))
tiles = st.container(horizontal=True)  # wraps on narrow screens instead of truncating
_share_tiles()
why_not = {LABELS["avoidable_rate"]: _rate_tile(
               "avoidable_rate", "Avoidable contact rate",
               "Inbound contacts with an avoidable reason / inbound contacts with a mapped reason."),
           LABELS["service_caused_share"]: _rate_tile(
               "service_caused_share", f"Caused by {service_dept}",
               "Share of avoidable contacts the service department caused itself (repeats, wrong "
               "information, bad transfers).")}
notes = [f"{label}: {why}" for label, why in why_not.items() if why]
if notes:
    st.caption("n/a — " + "; ".join(notes) + ".")

trend = facade.trend(facade.Query.of("avoidable_cost", grain=filters.grain, start=filters.start,
                                     end=filters.end, dimensions=["department"], filters=scope))
if "error" in trend.columns:
    trend = trend[trend["error"].isna()]  # a failed avoidable_cost has its note above
if _error("avoidable_cost"):
    st.caption("No cost trend: avoidable_cost does not run (see above).")
elif trend.empty:
    st.info("No avoidable contacts in this period and scope. Widen the period, or check that the "
            "reason map on the Data page marks reasons as avoidable.")
else:
    _clickable_chart(cost_trend(trend, currency, colors, filters.grain), "cost_trend")
    st.caption("Click a department's part of a column to open its avoidable cost on the Channels "
               "page.")

st.subheader(f"Charge-back statement: {plain(who)}")
statement = facade.chargeback_statement(period_q, cmp=filters.cmp)
scope_text = "; ".join(f"{k}: {', '.join(v)}" for k, v in scope.items())
st.caption(f"{filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d} against the {cmp_words} "
           f"({c_start:%Y-%m-%d} to {c_end:%Y-%m-%d}), costs in {currency}"
           + (f"; {plain(scope_text)}" if scope_text else "; all channels and departments")
           + ". Shares are of every department's avoidable cost in the same period and scope.")
if statement.empty or not statement["avoidable_contacts"].sum():
    st.info("Nothing to charge back: no avoidable contacts in this period and scope.")
else:
    lines = facade.statement_lines(period_q)
    months = facade.statement_months(period_q, filters.cmp)
    links = {} if chosen else sv.own_statement_links(statement, lambda d: link(
        "ownership", filters.with_member("department", (d,))).lstrip("/"))
    st.html(sv.table_html(*sv.statement_rows(statement, currency, _to_channels), extra=links,
                          narrow=760))
    st.markdown("**Line items** · avoidable contacts × unit cost = cost, per reason (a reason "
                "opens on the Channels page)")
    st.html(sv.table_html(*sv.line_rows(lines, currency, _to_channels),
                          narrow=560 if lines["department"].nunique() > 1 else 440))
    st.markdown(f"**By month** · against the {cmp_words}")
    st.html(sv.table_html(*sv.month_rows(months, currency), stacked=False))
    rates = sv.rates_text(facade.reference_frame("channel_costs"), filters.start, filters.end)
    st.markdown("**How cost is computed.** " + facade.COST_METHOD)
    st.caption("Rates in this period: " + "; ".join(rates) + ".")
    details = Details(lines=lines, months=months, shares=shares.reset_index(),
                      compared=(c_start, c_end), compared_words=cmp_words, departments=chosen,
                      method=facade.COST_METHOD, rates=rates)
    name = file_stem(chosen, filters.start, filters.end)
    downloads = st.container(horizontal=True)
    downloads.download_button("Download CSV", statement_csv(
        statement, filters.start, filters.end, currency, details), f"{name}.csv", "text/csv",
        key="statement_csv")
    downloads.download_button("Download PDF", statement_pdf(
        statement, filters.start, filters.end, currency, scope=scope_text,
        company=str(facade.settings().get("company_name", "")), details=details),
        f"{name}.pdf", "application/pdf", key="statement_pdf")

top = facade.top_reasons(period_q, limit=10)
if not top.empty:
    _clickable_chart(top_reasons_bar(top, colors, currency), "top")
    st.caption("Click a reason to open its avoidable cost on the Channels page.")
if not reasons.empty and reasons["avoidable"].any():
    split_source = facade.reason_costs(facade.Query.of(
        "contacts", grain="all", start=filters.start, end=filters.end,
        filters=filters.as_filter_map(without=["department"]))) if chosen else reasons
    figure.draw(caused_split(split_source, service_dept, currency, colors, chosen), key="split")
st.caption(f"Avoidable contacts owned by {service_dept} are the service's own failure demand "
           "(chasers, wrong information); everything else is caused elsewhere and belongs on "
           "that department's statement." + (f" Above: {who} against every other department in "
                                             "the same period and scope." if chosen else ""))

matrix = facade.reason_matrix(period_q)
if matrix.empty or matrix["quadrant"].isna().all():
    st.info("No quadrants yet: give reasons a quadrant (eliminate, simplify, automate, leverage) "
            "in the reason map on the Data page.")
else:
    _clickable_chart(value_irritant(matrix, colors, currency), "matrix")
    st.caption("Click a bubble to open that reason on the Channels page: its avoidable cost, or "
               "its contacts when the reason is not avoidable.")
    missing = matrix[matrix["quadrant"].isna()]
    if len(missing):
        st.caption(f"{len(missing)} reason(s) without a quadrant are not shown: "
                   + plain(", ".join(missing["reason"].astype(str).head(10))))

def _cpx_lines(driver: str, cpx_scope: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """cpx for the company (per ``driver``) and per owning department (per its own driver), one
    frame with a ``label`` and the ``driver`` each line is divided by."""
    base = facade.Query.of("cpx", grain=filters.grain, start=filters.start, end=filters.end,
                           params={"driver": driver})
    company = facade.run(base).assign(label=f"Company (per {driver})", driver=driver,
                                      department="Company")
    own = facade.cpx_drivers(driver)
    if not own:
        return company
    parts = facade.run(base.with_(dimensions=("department",),
                                  filters=tuple(sorted(cpx_scope.items()))))
    parts = parts[parts["department"].isin(list(own))]
    parts = parts.assign(driver=parts["department"].map(own))
    parts["label"] = parts["department"] + " (per " + parts["driver"] + ")"
    return pd.concat([company if not cpx_scope else company.iloc[0:0], parts],
                     ignore_index=True)


st.subheader("Contacts per X")
demand = facade.reference_frame("demand")
drivers = sorted(demand["driver"].dropna().astype(str).unique()) if len(demand) else []
if not drivers:
    st.info("No demand drivers yet: add orders, shipments or invoices per month in the demand "
            "table on the Data page (CSV upload or editor).")
else:
    driver = st.selectbox("Demand driver", drivers, index=drivers.index("orders")
                          if "orders" in drivers else 0, key="cpx_driver",
                          help="The company's driver; a department with a driver of its own in "
                               "the demand table is measured per that driver.")
    cpx_scope = {k: v for k, v in scope.items() if k == "department"}  # demand has no channel
    cpx = _cpx_lines(driver, cpx_scope)
    cpx_errors = cpx["error"].dropna() if "error" in cpx.columns else cpx.iloc[0:0]
    if len(cpx_errors):
        _failure_note("cpx", str(cpx_errors.iloc[0]))
    elif cpx.dropna(subset=["value"]).empty:
        st.info(f"No {driver} in this period: add them to the demand table on the Data page.")
    else:
        figure.draw(cpx_trend(cpx, colors, filters.grain), key="cpx")
    st.caption(f"The company line divides all contacts by its {driver}; each department's line "
               "divides its contacts by its own driver (shown in the legend). Demand has no "
               "channel, so the channel filter does not apply here.")
