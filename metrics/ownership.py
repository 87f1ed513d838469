"""Ownership: inbound contacts, handle minutes and cost per owning department and reason, and the
charge-back statement built from them.

The KPIs give one number per cell; a department head's statement needs several additive columns of
the same rows side by side (avoidable contacts, handle minutes, cost) plus the reasons behind them,
and the value/irritant matrix needs every reason with its quadrant. ``reason_costs`` reads them in
one aggregate over ``m_contacts`` (where cost, owning department, avoidable flag and quadrant were
computed at load time), scoped exactly like a KPI (``compiler.scoped``: range and filters as bound
parameters). ``statement`` is pure pandas, so its totals are tested to add up.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
from sqlglot import exp

from metrics.catalog import DIALECT, ParamValue
from metrics.compiler import scoped
from metrics.query import Query

REASON_COLUMNS = ["department", "reason", "reason_label", "quadrant", "avoidable",
                  "service_caused", "contacts", "handle_minutes", "cost"]
STATEMENT_COLUMNS = ["department", "avoidable_contacts", "handle_minutes", "cost", "share",
                     "top_reasons"]
TOTAL = "Total"


def reason_costs(cursor: duckdb.DuckDBPyConnection, query: Query) -> pd.DataFrame:
    """Inbound contacts per owning department x reason in the query's range and filters:
    label, quadrant, avoidable, service_caused, contacts, handle_minutes, cost (most costly first)."""
    keys = ["department", "reason", "reason_label", "quadrant", "avoidable", "service_caused"]
    select = exp.select(
        *[exp.column(k) for k in keys],
        exp.alias_(exp.Count(this=exp.Star()), "contacts"),
        exp.alias_(exp.func("coalesce", exp.func("sum", exp.column("handle_seconds")),
                            exp.Literal.number(0)) / exp.Literal.number(60.0), "handle_minutes"),
        exp.alias_(exp.func("coalesce", exp.func("sum", exp.column("cost")),
                            exp.Literal.number(0)), "cost"),
    ).from_("m_contacts").where(exp.column("inbound"))
    bound: dict[str, ParamValue | datetime] = {}
    select = scoped(select, query, bound).group_by(*[exp.column(k) for k in keys])
    select = select.order_by(exp.Ordered(this=exp.column("cost"), desc=True))
    frame = cursor.execute(select.sql(dialect=DIALECT), bound).fetchdf()
    frame["avoidable"] = frame["avoidable"].astype("boolean").fillna(False).astype(bool)
    frame["service_caused"] = frame["service_caused"].astype(bool)
    return frame[REASON_COLUMNS]


def currency(cursor: duckdb.DuckDBPyConnection) -> str:
    """The currency of the channel cost rates (the most common one; EUR when none is set)."""
    rows = cursor.execute("SELECT currency, count(*) AS n FROM channel_costs WHERE currency IS NOT "
                          "NULL GROUP BY currency ORDER BY n DESC, currency LIMIT 1").fetchall()
    return str(rows[0][0]) if rows else "EUR"


def statement(reasons: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """The charge-back statement: one row per owning department of its AVOIDABLE contacts
    (contacts, handle minutes, cost, share of the total cost, its ``top`` reasons by cost), most
    costly first, then a ``Total`` row that is the exact sum of the rows above."""
    avoidable = reasons[reasons["avoidable"]] if len(reasons) else reasons
    if avoidable.empty:
        return pd.DataFrame(columns=STATEMENT_COLUMNS)
    rows = []
    for dept, group in avoidable.groupby("department", sort=False):
        by_reason = group.assign(name=group["reason_label"].fillna(group["reason"]).fillna("(none)"))
        costs: pd.DataFrame = by_reason.groupby("name", as_index=False).agg(cost=("cost", "sum"))
        costs = costs.sort_values(["cost", "name"], ascending=[False, True])
        rows.append({"department": dept, "avoidable_contacts": int(group["contacts"].sum()),
                     "handle_minutes": float(group["handle_minutes"].sum()),
                     "cost": float(group["cost"].sum()),
                     "top_reasons": ", ".join(costs["name"].head(top))})
    out = pd.DataFrame(rows).sort_values(["cost", "department"], ascending=[False, True])
    total_cost = out["cost"].sum()
    out["share"] = out["cost"] / total_cost * 100 if total_cost else 0.0
    total = {"department": TOTAL, "avoidable_contacts": int(out["avoidable_contacts"].sum()),
             "handle_minutes": float(out["handle_minutes"].sum()), "cost": float(total_cost),
             "share": 100.0 if total_cost else 0.0, "top_reasons": ""}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out[STATEMENT_COLUMNS]


def top_reasons(reasons: pd.DataFrame, limit: int = 10) -> pd.DataFrame:
    """Avoidable reasons ranked by cost: the list of things to fix, with their owner."""
    avoidable = reasons[reasons["avoidable"]] if len(reasons) else reasons
    if avoidable.empty:
        return pd.DataFrame(columns=["reason", "label", "department", "quadrant", "contacts",
                                     "handle_minutes", "cost"])
    grouped = avoidable.groupby(["reason", "department"], as_index=False, dropna=False).agg(
        label=("reason_label", "first"), quadrant=("quadrant", "first"),
        contacts=("contacts", "sum"), handle_minutes=("handle_minutes", "sum"),
        cost=("cost", "sum"))
    grouped = grouped.sort_values(["cost", "reason"], ascending=[False, True]).head(limit)
    return grouped[["reason", "label", "department", "quadrant", "contacts", "handle_minutes",
                    "cost"]].reset_index(drop=True)


def matrix(reasons: pd.DataFrame) -> pd.DataFrame:
    """One row per reason for the value/irritant matrix: quadrant, contacts, cost, owner."""
    if reasons.empty:
        return pd.DataFrame(columns=["reason", "label", "department", "quadrant", "avoidable",
                                     "contacts", "cost"])
    known = reasons.dropna(subset=["reason"])
    grouped = known.groupby("reason", as_index=False).agg(
        label=("reason_label", "first"), department=("department", "first"),
        quadrant=("quadrant", "first"), avoidable=("avoidable", "max"),
        contacts=("contacts", "sum"), cost=("cost", "sum"))
    return grouped.sort_values("contacts", ascending=False).reset_index(drop=True)
