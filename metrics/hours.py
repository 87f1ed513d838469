"""Demand and unreachability by hour of the week, in the business time zone.

The Channels page's heat map asks "when do customers contact us, and when can they not get
through?". Rather than a second definition of "inbound contact" and "unreachable", the rows are the
ones the catalog's own KPIs count (``compiler.rows_behind``: ``contacts`` for demand,
``unreachable_rate``'s numerator and denominator for attempts that never reached a person), so an
analyst's edit of those KPIs moves the heat map too. Buckets use ``local_at``, the model's timestamp
in ``settings.business_timezone``; weekday is ISO (1 = Monday).
"""

from __future__ import annotations

import duckdb
import pandas as pd
from sqlglot import exp

from metrics import compiler, runner
from metrics.catalog import DIALECT, Catalog
from metrics.query import Query

COLUMNS = ["weekday", "hour", "contacts", "attempts", "unreachable", "unreachable_rate"]
PARTS = {"contacts": ("contacts", "value"), "attempts": ("unreachable_rate", "denominator"),
         "unreachable": ("unreachable_rate", "numerator")}


def _counts(kpi_rows: exp.Select, name: str) -> exp.Select:
    local = exp.column(compiler.TIME_COLUMN)
    return (exp.select(exp.alias_(exp.func("isodow", local), "weekday"),
                       exp.alias_(exp.func("hour", local), "hour"),
                       exp.alias_(exp.Count(this=exp.Star()), name))
            .from_(kpi_rows.subquery("r"))
            .group_by(exp.func("isodow", local), exp.func("hour", local)))


def statements(catalog: Catalog, query: Query) -> list[tuple[str, str, dict[str, object]]]:
    """(column, SQL, bound parameters) per count; compiled, never run here."""
    out = []
    for column, (kpi_id, part) in PARTS.items():
        kpi = runner.kpis_of(catalog, [kpi_id])[0]
        rows, params = compiler.rows_behind(kpi, query.with_(kpis=(kpi_id,)), part)
        out.append((column, _counts(rows, column).sql(dialect=DIALECT), dict(params)))
    return out


def week_hours(cursor: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query) -> pd.DataFrame:
    """All 7 x 24 cells (zeros where nothing happened) with contacts, attempts, unreachable and
    unreachable_rate (percent of attempts, NaN without attempts)."""
    grid = pd.DataFrame([(d, h) for d in range(1, 8) for h in range(24)],
                        columns=["weekday", "hour"])
    for column, sql, params in statements(catalog, query):
        part = cursor.execute(sql, params).fetchdf()
        part = part.astype({"weekday": "int64", "hour": "int64", column: "int64"})
        grid = grid.merge(part, on=["weekday", "hour"], how="left")
        grid[column] = grid[column].fillna(0).astype("int64")
    attempts = grid["attempts"].astype("float64")
    grid["unreachable_rate"] = (100.0 * grid["unreachable"] / attempts.where(attempts > 0))
    return grid[COLUMNS]
