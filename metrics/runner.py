"""The runner: execute compiled KPI statements on a cursor and stack the answers into one frame.

One statement per KPI (each reads its own model with its own parameters), so ``explain`` can show
exactly the list of statements ``run`` executes. Frames always carry the same columns in the same
order, whatever the KPI kind: kpi, period, <dimensions>, value, numerator, denominator, n.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from metrics.catalog import KPI, Catalog
from metrics.compiler import Compiled, compile_kpi
from metrics.query import Query, QueryError

VALUE_COLUMNS = ["value", "numerator", "denominator", "n"]


def kpis_of(catalog: Catalog, ids: Iterable[str]) -> list[KPI]:
    """The catalog's KPIs for ``ids``, in the order asked; an unknown id is a QueryError."""
    found = []
    for kpi_id in ids:
        if kpi_id not in catalog.kpis:
            raise QueryError(f"unknown KPI '{kpi_id}' (or its file has problems: run validate)")
        found.append(catalog.kpis[kpi_id])
    return found


def explain(catalog: Catalog, query: Query) -> list[Compiled]:
    """The statements ``run`` executes for ``query``, with their parameters, without running them."""
    return [compile_kpi(kpi, query) for kpi in kpis_of(catalog, query.kpis)]


def columns(query: Query) -> list[str]:
    return ["kpi", "period", *query.dimensions, *VALUE_COLUMNS]


def execute(cursor: duckdb.DuckDBPyConnection, compiled: Compiled) -> pd.DataFrame:
    frame = cursor.execute(compiled.sql, compiled.param_map).fetchdf()
    frame.insert(0, "kpi", compiled.kpi)
    return frame


def run(cursor: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query) -> pd.DataFrame:
    """Every KPI of ``query`` at its grain and dimensions, one row per KPI x period x dimensions."""
    frames = [execute(cursor, c) for c in explain(catalog, query)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns(query)})
    frame = pd.concat(frames, ignore_index=True)[columns(query)]
    if query.grain == "all":
        frame["period"] = None
    else:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame
