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

from datetime import date, datetime

import duckdb
import pandas as pd
from sqlglot import exp

from metrics import periods
from metrics.catalog import DIALECT, ParamValue
from metrics.compiler import scoped
from metrics.query import Query

REASON_COLUMNS = ["department", "reason", "reason_label", "quadrant", "avoidable",
                  "service_caused", "contacts", "handle_minutes", "cost"]
STATEMENT_COLUMNS = ["department", "avoidable_contacts", "handle_minutes", "cost", "share",
                     "top_reasons"]
TOTAL = "Total"
UNMAPPED = "Unmapped"  # m_contacts' department of a contact whose reason the map does not know


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


def statement(reasons: pd.DataFrame, top: int = 3,
              everyone: pd.DataFrame | None = None) -> pd.DataFrame:
    """The charge-back statement: one row per owning department of its AVOIDABLE contacts
    (contacts, handle minutes, cost, its ``top`` reasons by cost, its share of the avoidable cost
    of ``everyone``: every department in the same scope, by default the rows given), most costly
    first, then a ``Total`` row that is the exact sum of the rows above. Under a department filter
    the Total's share is the department's share of all avoidable cost, not 100 %."""
    avoidable = _avoidable(reasons)
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
    whole = float(_avoidable(everyone)["cost"].sum()) if everyone is not None else total_cost
    out["share"] = out["cost"] / whole * 100 if whole else 0.0
    total = {"department": TOTAL, "avoidable_contacts": int(out["avoidable_contacts"].sum()),
             "handle_minutes": float(out["handle_minutes"].sum()), "cost": float(total_cost),
             "share": float(out["share"].sum()), "top_reasons": ""}
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


# --- the statement a department head acts on (shares, change, line items, months) -------------

SHARE_MEASURES = {"avoidable_contacts": "contacts", "avoidable_cost": "cost"}
LINE_COLUMNS = ["department", "reason", "label", "contacts", "handle_minutes", "unit_cost", "cost"]
MONTH_COLUMNS = ["month", "contacts", "handle_minutes", "cost", "month_before", "contacts_before",
                 "cost_before", "change", "change_pct"]
# What m_contacts does to cost a contact (sql/models/10_m_contacts.sql, docs/reference-data.md),
# said once for the page, the CSV and the PDF.
COST_METHOD = (
    "Each contact costs its handle minutes x its channel's cost per minute + its channel's cost per "
    "contact, at the rate valid on the contact's local date (the channel_costs table). IVR-only and "
    "bot sessions take the self_service rate when the table has one. A contact without a recorded "
    "handle time costs the per-contact rate only; a channel without a rate costs 0. A line's unit "
    "cost is its cost / its contacts: an average, since handle times differ. Only inbound contacts "
    "whose reason the reason map classes avoidable on that date are charged.")


def every_department(query: Query) -> Query:
    """The query without its department filter: the denominator of a department's share (every
    department in the same period, channel and other filters)."""
    return query.with_(filters=tuple((d, v) for d, v in query.filters if d != "department"))


def _avoidable(reasons: pd.DataFrame) -> pd.DataFrame:
    return reasons[reasons["avoidable"]] if len(reasons) else reasons


def _part(numerator: float, denominator: float) -> float:
    return numerator / denominator * 100 if denominator else float("nan")


def shares(scoped: pd.DataFrame, everyone: pd.DataFrame, scoped_before: pd.DataFrame,
           everyone_before: pd.DataFrame) -> pd.DataFrame:
    """Per measure (avoidable_contacts, avoidable_cost): the scope's value, every department's
    value, the scope's share of it (percent), the same for the comparison period, and the changes
    (``change`` in the measure's unit, ``change_pct`` in percent of before, ``share_change`` in
    percentage points). A share of nothing is NaN, never 0 % or 100 %."""
    rows = []
    for measure, column in SHARE_MEASURES.items():
        now, whole = (float(_avoidable(f)[column].sum()) for f in (scoped, everyone))
        before, whole_before = (float(_avoidable(f)[column].sum())
                                for f in (scoped_before, everyone_before))
        rows.append({"measure": measure, "value": now, "all": whole, "share": _part(now, whole),
                     "value_before": before, "all_before": whole_before,
                     "share_before": _part(before, whole_before), "change": now - before,
                     "change_pct": _part(now - before, before)})
    out = pd.DataFrame(rows)
    out["share_change"] = out["share"] - out["share_before"]
    return out


def one_sided(reasons: pd.DataFrame) -> str | None:
    """Why the avoidable contact rate cannot vary in this scope, else None: every mapped reason in it
    is classed avoidable (the rate can only read 100 %) or none is (0 %), as for a department
    that owns avoidable reasons only."""
    mapped = reasons[reasons["department"] != UNMAPPED] if len(reasons) else reasons
    if mapped.empty or mapped["contacts"].sum() == 0:
        return None
    flags = set(mapped.loc[mapped["contacts"] > 0, "avoidable"].astype(bool))
    if flags == {True}:
        return "every reason in this scope is classed avoidable, so the rate could only read 100 %"
    if flags == {False}:
        return "no reason in this scope is classed avoidable, so the rate could only read 0 %"
    return None


def line_items(reasons: pd.DataFrame) -> pd.DataFrame:
    """The statement's lines: per owning department and avoidable reason, contacts x unit cost =
    cost (and handle minutes). Departments in the statement's order (costliest first), reasons by
    cost within; the lines of a department add up to its statement row."""
    avoidable = _avoidable(reasons)
    if avoidable.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    named = avoidable.assign(reason=avoidable["reason"].fillna("(none)"))
    lines = named.groupby(["department", "reason"], as_index=False, dropna=False).agg(
        label=("reason_label", "first"), contacts=("contacts", "sum"),
        handle_minutes=("handle_minutes", "sum"), cost=("cost", "sum"))
    lines["label"] = lines["label"].fillna(lines["reason"])
    lines["unit_cost"] = lines["cost"] / lines["contacts"].where(lines["contacts"] > 0)
    order = lines.groupby("department")["cost"].sum().sort_values(ascending=False)
    lines["_rank"] = lines["department"].map({d: i for i, d in enumerate(order.index)})
    lines = lines.sort_values(["_rank", "cost", "reason"], ascending=[True, False, True])
    return lines[LINE_COLUMNS].reset_index(drop=True)


def month_costs(cursor: duckdb.DuckDBPyConnection, query: Query) -> pd.DataFrame:
    """Avoidable inbound contacts, handle minutes and cost per local month in the query's range and
    filters (the statement's rows, by month)."""
    month = exp.func("date_trunc", exp.Literal.string("month"), exp.column("local_at"))
    select = exp.select(
        exp.alias_(exp.cast(month, "date"), "month"),
        exp.alias_(exp.Count(this=exp.Star()), "contacts"),
        exp.alias_(exp.func("coalesce", exp.func("sum", exp.column("handle_seconds")),
                            exp.Literal.number(0)) / exp.Literal.number(60.0), "handle_minutes"),
        exp.alias_(exp.func("coalesce", exp.func("sum", exp.column("cost")),
                            exp.Literal.number(0)), "cost"),
    ).from_("m_contacts").where(exp.and_(exp.column("inbound"), exp.column("avoidable")))
    bound: dict[str, ParamValue | datetime] = {}
    select = scoped(select, query, bound).group_by(exp.cast(month.copy(), "date"))
    frame = cursor.execute(select.sql(dialect=DIALECT), bound).fetchdf()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame[["month", "contacts", "handle_minutes", "cost"]]


def months_between(start: date, end: date) -> list[date]:
    """The first day of every calendar month that [start, end] touches."""
    return periods.period_starts(start, end, "month")


def months_of(query: Query) -> list[date]:
    """The months of a query's range ([] without one)."""
    if query.start is None or query.end is None:
        return []
    return months_between(query.start, query.end)


def same_months(query: Query, before: Query) -> bool:
    """Both ranges are the same number of whole calendar months, so month i of one is compared
    with month i of the other (March 2026 with March 2025); a range of days is not."""
    if None in (query.start, query.end, before.start, before.end):
        return False
    count = periods.whole_months(query.start, query.end)  # type: ignore[arg-type]
    return count > 0 and count == periods.whole_months(before.start, before.end)  # type: ignore[arg-type]


def monthly(now: pd.DataFrame, before: pd.DataFrame, months: list[date],
            months_before: list[date], paired: bool = True) -> pd.DataFrame:
    """One row per month of the period (``month_costs`` rows, months without contacts as 0), each
    beside the month in the same place of the comparison period when ``paired`` (both ranges are
    the same number of whole months), then a ``Total`` row (``month`` None): the exact sum of the
    rows above, and the whole comparison period's contacts and cost. Unpaired (a range of days, whose
    first and last months are partial), the months have no counterpart: only the Total compares."""
    def filled(frame: pd.DataFrame, wanted: list[date]) -> pd.DataFrame:
        indexed = frame.set_index("month")[["contacts", "handle_minutes", "cost"]]
        return indexed.reindex(wanted, fill_value=0).fillna(0)
    current, earlier = filled(now, months), filled(before, months_before)
    rows = []
    for i, month in enumerate(months):
        row = {"month": month, **current.loc[month].to_dict()}
        if paired and i < len(months_before):
            row |= {"month_before": months_before[i],
                    "contacts_before": earlier["contacts"].iloc[i],
                    "cost_before": earlier["cost"].iloc[i]}
        rows.append(row)
    out = pd.DataFrame(rows, columns=MONTH_COLUMNS)
    total = {"month": None, "contacts": out["contacts"].sum(),
             "handle_minutes": out["handle_minutes"].sum(), "cost": out["cost"].sum(),
             "month_before": None, "contacts_before": earlier["contacts"].sum(),
             "cost_before": earlier["cost"].sum()}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out["contacts"] = out["contacts"].astype(int)
    out["change"] = out["cost"] - out["cost_before"]
    out["change_pct"] = out["change"] / out["cost_before"].where(out["cost_before"] > 0) * 100
    return out[MONTH_COLUMNS]


def with_change(statement_now: pd.DataFrame, statement_before: pd.DataFrame) -> pd.DataFrame:
    """The statement with each department's cost in the comparison period (``cost_before``) and
    its ``change`` (and ``change_pct``, NaN when there was none before); a department that had
    avoidable cost before and has none now gets a row of zeros, so the rows still add up to the
    Total in every column."""
    columns = [*STATEMENT_COLUMNS, "cost_before", "change", "change_pct"]
    body = statement_now[statement_now["department"] != TOTAL].set_index("department")
    earlier = statement_before[statement_before["department"] != TOTAL]
    before = earlier.set_index("department")["cost"].astype(float)
    gone = [d for d in before.index if d not in body.index]
    zero = pd.DataFrame({"avoidable_contacts": 0, "handle_minutes": 0.0, "cost": 0.0,
                         "share": 0.0, "top_reasons": ""}, index=pd.Index(gone))
    body = pd.concat([body, zero]) if gone else body
    if body.empty:
        return pd.DataFrame(columns=columns)
    body["cost_before"] = before.reindex(body.index).fillna(0.0)
    total = statement_now[statement_now["department"] == TOTAL]
    row = total.iloc[0].to_dict() if len(total) else {"top_reasons": "", "share": 0.0}
    row |= {"department": TOTAL, "avoidable_contacts": int(body["avoidable_contacts"].sum()),
            "handle_minutes": float(body["handle_minutes"].sum()),
            "cost": float(body["cost"].sum()), "cost_before": float(body["cost_before"].sum())}
    out = pd.concat([body.rename_axis("department").reset_index(), pd.DataFrame([row])],
                    ignore_index=True)
    out["avoidable_contacts"] = out["avoidable_contacts"].astype(int)
    out["change"] = out["cost"] - out["cost_before"]
    out["change_pct"] = out["change"] / out["cost_before"].where(out["cost_before"] > 0) * 100
    return out[columns]
