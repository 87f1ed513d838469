"""Targets: which one judges a KPI in a scope, where it comes from, and how a monthly budget of a sum
scales to the period shown (kpis.md "Scorecard semantics").

ONE rule: a row of the ``targets`` table when one matches the scope (exact channel/department beats
``'*'``, then the latest valid_from, on the row's day), else the KPI file's ``target``/``red_flag``
header. ``Target.source`` says which, in words the tiles and the metric editor show.

Targets of additive KPIs (a sum or count: contacts, avoidable cost) are budgets per month: they are
prorated to the days the row covers (within the data: a month the data covers half of gets half the
budget; a range without dates covers the data's span), and a company-wide one never judges a part of
the company (one department, one channel, several of them, one reason): only a row naming that very
channel/department does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from metrics import periods
from metrics.catalog import KPI
from metrics.query import Query

KPI_FILE = "KPI file"


@dataclass(frozen=True)
class Target:
    target: float | None
    red_flag: float | None
    weight: float
    source: str = KPI_FILE  # "KPI file" or the targets row that applies
    channel: str = "*"  # the channel and department the row names ('*' = any, or the KPI file)
    department: str = "*"


def read(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The targets table with dates as ISO text (9999-12-31 does not fit a pandas timestamp)."""
    return cursor.execute("SELECT kpi, channel, department, CAST(valid_from AS TEXT) AS valid_from, "
                          "CAST(valid_to AS TEXT) AS valid_to, target, red_flag, weight "
                          "FROM targets").fetchdf()


def match_target(table: pd.DataFrame, kpi: KPI, channel: str, department: str,
                 day: date | None) -> Target:
    """The most specific targets row for the scope (exact channel/department beats '*', then the
    latest valid_from); the KPI file's defaults when no row applies."""
    rows = table[table["kpi"] == kpi.id] if len(table) else table
    return match(rows.to_dict("records"), kpi, channel, department, day)


def best_row(rows: list[dict], channel: str, department: str, day: date | None) -> dict | None:
    """The targets row that applies in (channel, department) on ``day``: exact channel/department
    beats '*', then the latest valid_from; None when no row applies (the KPI file's header then)."""
    best: tuple[int, date] | None = None
    chosen: dict | None = None
    for row in rows:
        if row["channel"] not in ("*", channel) or row["department"] not in ("*", department):
            continue
        valid_from = date.fromisoformat(str(row["valid_from"])[:10])
        valid_to = date.fromisoformat(str(row["valid_to"])[:10])
        if day is not None and not valid_from <= day <= valid_to:
            continue
        rank = (int(row["channel"] != "*") + int(row["department"] != "*"), valid_from)
        if best is None or rank > best:
            best, chosen = rank, row
    return chosen


def match(rows: list[dict], kpi: KPI, channel: str, department: str,
           day: date | None) -> Target:
    row = best_row(rows, channel, department, day)
    if row is None:
        return Target(kpi.target, kpi.red_flag, kpi.weight)
    weight = number(row["weight"])
    return Target(number(row["target"]), number(row["red_flag"]),
                  weight if weight is not None else kpi.weight, target_row_text(row),
                  str(row["channel"]), str(row["department"]))


def target_row_text(row: dict) -> str:
    """Where a targets row applies, in words: "targets table (all channels, Finance, from 2025-01-01)"."""
    channel = "all channels" if row["channel"] == "*" else f"channel {row['channel']}"
    department = "all departments" if row["department"] == "*" else f"department {row['department']}"
    parts = [channel, department]
    if str(row["valid_from"]) > "1900-01-01":
        parts.append(f"from {row['valid_from']}")
    if str(row["valid_to"]) < "9999-12-31":
        parts.append(f"to {row['valid_to']}")
    return f"targets table ({', '.join(parts)})"


def budget_fits(t: Target, scope: tuple[object, ...], query: Query) -> bool:
    """A target of a sum is a budget for what it covers: the company's monthly avoidable-cost
    target says nothing about Finance's part, nor about one reason's. So under a split or filter it
    applies only when the targets row names that channel/department (then it came from the
    table, scoped), and never under a split by reason, queue, team or source."""
    others = [d for d in (*query.dimensions, *query.filter_map) if d not in ("channel",
                                                                         "department")]
    several = [d for d, values in query.filters if len(values) > 1]
    if others or several:
        return False
    _kpi, channel, department, _day = scope
    if channel == "*" and department == "*":
        return True
    return t.channel == channel and t.department == department


def additive(kpi: KPI) -> bool:
    """A sum or count (its total over two months is the sum of the months): targets are monthly."""
    return kpi.kind == "value" and kpi.unit in ("count", "currency")


def prorate(kpi: KPI, period: object, query: Query, first: date | None,
            last: date | None) -> float | None:
    """The factor a monthly target of an additive KPI scales by for one row's period: the months
    of the days it covers within the data [first, last]; None when it covers none."""
    if not additive(kpi):
        return 1.0
    start, end = periods.row_range(period, query)
    start = max(d for d in (start, first) if d is not None) if (start or first) else None
    end = min(d for d in (end, last) if d is not None) if (end or last) else None
    if start is None or end is None or end < start:
        return None
    return periods.months_in(start, end)


def number(value: object) -> float | None:
    """A float, or None for NULL, NaN and NA."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return float(value)  # type: ignore[arg-type]
