"""The runner: execute compiled KPI statements on a cursor and stack the answers into one frame.

KPIs that are plain aggregates over the same model share ONE statement (one scan of the model, each
KPI keeping its own FILTERs: ``compiler.compile_batch``); the others (spread KPIs, bodies with their own
WHERE or joins, a model asked for by one KPI only) get one statement each. ``explain`` lists, per KPI, the
statement that answers it (batched KPIs list the same shared statement), and ``run`` executes each
distinct statement once, so "how is this calculated" shows exactly what ran. Frames always carry the same columns in the same
order, whatever the KPI kind: kpi, period, <dimensions>, value, numerator, denominator, n.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from metrics.catalog import KPI, Catalog
from metrics.compiler import Compiled, batchable, compile_batch, compile_kpi
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
    """Per KPI of ``query`` (in its order), the statement that computes it, with its parameters,
    without running anything. KPIs batched together share one (equal) statement."""
    kpis = kpis_of(catalog, query.kpis)
    by_model: dict[str, list[KPI]] = {}
    for kpi in kpis:
        if batchable(kpi):
            by_model.setdefault(kpi.model, []).append(kpi)
    batches: dict[str, Compiled] = {}
    for model, group in by_model.items():
        if len(group) > 1:
            batches[model] = compile_batch(group, query)
    out = []
    for kpi in kpis:
        shared = batches.get(kpi.model) if batchable(kpi) else None
        out.append(Compiled(kpi.id, shared.sql, shared.params, shared.kpis) if shared
                   else compile_kpi(kpi, query))
    return out


def statements(catalog: Catalog, query: Query) -> list[Compiled]:
    """The distinct statements ``run`` executes, in order (a batch once, at its first KPI)."""
    seen: set[tuple[str, tuple[tuple[str, object], ...]]] = set()
    out = []
    for compiled in explain(catalog, query):
        key = (compiled.sql, compiled.params)
        if key not in seen:
            seen.add(key)
            out.append(compiled)
    return out


def columns(query: Query) -> list[str]:
    return ["kpi", "period", *query.dimensions, *VALUE_COLUMNS]


def execute(cursor: duckdb.DuckDBPyConnection, compiled: Compiled) -> pd.DataFrame:
    frame = cursor.execute(compiled.sql, compiled.param_map).fetchdf()
    if "kpi" not in frame.columns:
        frame.insert(0, "kpi", compiled.kpi)
    return frame


def run(cursor: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query) -> pd.DataFrame:
    """Every KPI of ``query`` at its grain and dimensions, one row per KPI x period x dimensions."""
    frames = [execute(cursor, c) for c in statements(catalog, query)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns(query)})
    frame = pd.concat(frames, ignore_index=True)[columns(query)]
    if len(frames) > 1:  # back in the order the KPIs were asked (each statement keeps its order)
        order = {k: i for i, k in enumerate(query.kpis)}
        frame = frame.iloc[frame["kpi"].map(order).argsort(kind="stable")].reset_index(drop=True)
    if query.grain == "all":
        frame["period"] = None
    else:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame
