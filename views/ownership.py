"""Ownership (department heads): the avoidable contact each department causes, what it costs, its
charge-back statement (screen, CSV, PDF), contacts per X, the value/irritant matrix and how much
of the failure demand the service department causes itself."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import facade, imports
from views.ui.chargeback import statement_csv, statement_pdf
from views.ui.ownership_charts import (
    caused_split,
    cost_trend,
    cpx_trend,
    department_colors,
    top_reasons_bar,
    value_irritant,
)
from views.ui.sidebar import global_filters
from views.ui.tiles import failure_markdown

st.title("Ownership")
st.caption("Avoidable contact belongs to the department whose product, process or error caused "
           "it, not to the team that answered it.")

filters = global_filters()
if not imports.warehouse_summary()["contacts"]:
    st.info("No contacts yet. Import exports on the Data page, or build the demo company with "
            "`python -m connectors demo`.")
    st.stop()

scope = filters.as_filter_map()
currency = facade.currency()
settings = facade.settings()
service_dept = settings.get("service_department", "Customer Service")
period_q = facade.Query.of(["avoidable_cost", "avoidable_rate", "service_caused_share"],
                           grain="all", start=filters.start, end=filters.end, filters=scope)
reasons = facade.reason_costs(period_q)
colors = department_colors(reasons["department"].dropna().astype(str))
totals = facade.scorecard(period_q).set_index("kpi")
LABELS = {"avoidable_cost": "Avoidable cost", "avoidable_rate": "Avoidable contact rate",
          "service_caused_share": f"Caused by {service_dept}", "cpx": "Contacts per X"}


def _error(kpi: str) -> str | None:
    """Why a KPI of this page could not be computed (the runner's ``error`` column), else None."""
    if "error" not in totals.columns or kpi not in totals.index:
        return None
    errors = totals.loc[[kpi], "error"].dropna()
    return str(errors.iloc[0]) if len(errors) else None


def _failure_note(kpi: str, error: str) -> None:
    st.markdown(failure_markdown(LABELS.get(kpi, kpi), kpi, error))


def _value(kpi: str, column: str = "value") -> float:
    if kpi not in totals.index:
        return 0.0
    value = totals.loc[kpi, column]
    return float(value) if pd.notna(value) else 0.0


def _shown(kpi: str, text: str) -> str:
    """The tile's text; '–' when the KPI failed (a failure is not a zero), 'n/a' when it does not
    apply to the filter (a share across departments says nothing about one department)."""
    if _error(kpi):
        return "–"
    if kpi in totals.index and not bool(totals.loc[kpi, "applicable"]):
        return "n/a"
    return text


for failed in [k for k in period_q.kpis if _error(k)]:
    _failure_note(failed, str(_error(failed)))
tiles = st.container(horizontal=True)  # wraps on narrow screens instead of truncating
tiles.metric(f"Avoidable cost ({currency})",
             _shown("avoidable_cost", f"{_value('avoidable_cost'):,.0f}"), width=200)
tiles.metric("Avoidable contacts",
             _shown("avoidable_cost", f"{int(_value('avoidable_cost', 'n')):,}"), width=200)
tiles.metric("Avoidable contact rate",
             _shown("avoidable_rate", f"{_value('avoidable_rate'):.1f} %"), width=200)
tiles.metric(f"Caused by {service_dept}",
             _shown("service_caused_share", f"{_value('service_caused_share'):.1f} %"),
             help="Share of avoidable contacts the service department caused itself "
                  "(repeats, wrong information, bad transfers). A share across departments: not "
                  "applicable under a department filter.", width=200)

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
    st.plotly_chart(cost_trend(trend, currency, colors), width="stretch", key="cost_trend")

st.subheader("Charge-back statement")
statement = facade.chargeback_statement(period_q)
scope_text = "; ".join(f"{k}: {', '.join(v)}" for k, v in scope.items())
st.caption(f"{filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d}, costs in {currency}"
           + (f"; {scope_text}" if scope_text else "; all channels and departments") + ".")
if statement.empty:
    st.info("Nothing to charge back: no avoidable contacts in this period and scope.")
else:
    st.dataframe(statement, hide_index=True, width="stretch", column_config={
        "department": "Department",
        "avoidable_contacts": st.column_config.NumberColumn("Avoidable contacts", format="%d"),
        "handle_minutes": st.column_config.NumberColumn("Handle minutes", format="%.0f"),
        "cost": st.column_config.NumberColumn(f"Cost ({currency})", format="%.2f"),
        "share": st.column_config.ProgressColumn("Share of cost", format="%.1f %%",
                                                 min_value=0, max_value=100),
        "top_reasons": st.column_config.TextColumn("Top reasons", width="large"),
    })
    name = f"chargeback_{filters.start:%Y%m%d}_{filters.end:%Y%m%d}"
    downloads = st.container(horizontal=True)
    downloads.download_button("Download CSV", statement_csv(statement, filters.start, filters.end,
                                                     currency), f"{name}.csv", "text/csv",
                       key="statement_csv")
    downloads.download_button("Download PDF", statement_pdf(statement, filters.start, filters.end,
                                                     currency, scope=scope_text),
                       f"{name}.pdf", "application/pdf", key="statement_pdf")

top = facade.top_reasons(period_q, limit=10)
if not top.empty:
    st.plotly_chart(top_reasons_bar(top, colors, currency), width="stretch", key="top")
if not reasons.empty and reasons["avoidable"].any():
    st.plotly_chart(caused_split(reasons, service_dept, currency), width="stretch", key="split")
st.caption(f"Avoidable contacts owned by {service_dept} are the service's own failure demand "
           "(chasers, wrong information); everything else is caused elsewhere and belongs on "
           "that department's statement.")

matrix = facade.reason_matrix(period_q)
if matrix.empty or matrix["quadrant"].isna().all():
    st.info("No quadrants yet: give reasons a quadrant (eliminate, simplify, automate, leverage) "
            "in the reason map on the Data page.")
else:
    st.plotly_chart(value_irritant(matrix, colors, currency), width="stretch", key="matrix")
    missing = matrix[matrix["quadrant"].isna()]
    if len(missing):
        st.caption(f"{len(missing)} reason(s) without a quadrant are not shown: "
                   + ", ".join(missing["reason"].astype(str).head(10)))

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
        st.plotly_chart(cpx_trend(cpx, colors), width="stretch", key="cpx")
    st.caption(f"The company line divides all contacts by its {driver}; each department's line "
               "divides its contacts by its own driver (shown in the legend). Demand has no "
               "channel, so the channel filter does not apply here.")
