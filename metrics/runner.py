"""The runner: execute compiled KPI statements on a cursor and stack the answers into one frame.

KPIs that are plain aggregates over the same model share ONE statement (one scan of the model, each
KPI keeping its own FILTERs: ``compiler.compile_batch``), and so do its medians among themselves; the
others (spread KPIs, bodies with their own
WHERE or joins, a model asked for by one KPI only) get one statement each. ``explain`` lists, per KPI, the
statement that answers it (batched KPIs list the same shared statement), and ``run`` executes each
distinct statement once, so "how is this calculated" shows exactly what ran. Frames always carry the same
columns in the same order, whatever the KPI kind: kpi, period, <dimensions>, value, numerator,
denominator, n, error.

Failures are isolated per KPI, because one analyst's broken edit must not blank 23 other numbers: when a
batch fails, its KPIs are run one by one, and a KPI whose own statement fails gets rows whose value,
numerator, denominator and n are missing and whose ``error`` says, in one line and without a traceback,
what failed and where in its file (the full exception goes to the log). ``error`` is None on every row
that computed (``metrics.kpi_errors`` words the message; ``metrics.trial`` runs an unsaved KPI on small
queries, so the editor refuses to save a KPI that validates but does not run).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

import duckdb
import pandas as pd

from metrics import quantiles, rollups
from metrics.catalog import KPI, Catalog
from metrics.compiler import (
    Compiled,
    batchable,
    compile_batch,
    compile_kpi,
    holistic,
    unpivot,
)
from metrics.kpi_errors import describe, headline
from metrics.query import Query, QueryError, period_start, shift

VALUE_COLUMNS = ["value", "numerator", "denominator", "n"]
ERROR_COLUMN = "error"
log = logging.getLogger(__name__)


def kpis_of(catalog: Catalog, ids: Iterable[str]) -> list[KPI]:
    """The catalog's KPIs for ``ids``, in the order asked; an unknown id is a QueryError."""
    found = []
    for kpi_id in ids:
        if kpi_id not in catalog.kpis:
            raise QueryError(f"unknown KPI '{kpi_id}' (or its file has problems: run validate)")
        found.append(catalog.kpis[kpi_id])
    return found


def explain(catalog: Catalog, query: Query,
            built: Mapping[str, rollups.Rollup] | None = None) -> list[Compiled]:
    """Per KPI of ``query`` (in its order), the statement that computes it, with its parameters,
    without running anything. KPIs answered together share one (equal) statement: a rollup's
    (``built``: the warehouse's rollups, when it covers the query for them), else a batch over
    their model; ``Compiled.source`` says which table it reads."""
    kpis = kpis_of(catalog, query.kpis)
    built = built or {}
    from_rollup: dict[str, list[KPI]] = {}
    by_model: dict[str, list[KPI]] = {}
    alone: dict[str, Compiled] = {}
    holistic_ones: dict[str, list[KPI]] = {}
    sketched: dict[str, list[KPI]] = {}
    for kpi in kpis:
        rollup = built.get(kpi.model)
        histograms = rollups.quantile_covers(kpi, query, built)
        if histograms is not None:
            sketched.setdefault(histograms.table, []).append(kpi)
        elif rollups.covers(kpi, query, rollup) and rollup is not None:
            if kpi.kind == "spread":
                alone[kpi.id] = rollups.compile_spread(kpi, query, rollup)
            else:
                from_rollup.setdefault(kpi.model, []).append(kpi)
        elif batchable(kpi):
            by_model.setdefault(kpi.model, []).append(kpi)
        elif holistic(kpi):
            holistic_ones.setdefault(kpi.model, []).append(kpi)
    together = [rollups.compile_rollup(group, query, built[model])
                for model, group in from_rollup.items()]
    together += [quantiles.compile_quantiles(group, query, table)
                 for table, group in sketched.items()]
    together += [compile_batch(group, query) for groups in (by_model, holistic_ones)
                 for group in groups.values() if len(group) > 1]
    shared = {kpi_id: compiled for compiled in together for kpi_id in compiled.covers}
    out = []
    for kpi in kpis:
        one = shared.get(kpi.id)
        out.append(replace(one, kpi=kpi.id) if one else alone.get(kpi.id) or compile_kpi(kpi, query))
    return out


def statements(catalog: Catalog, query: Query,
               built: Mapping[str, rollups.Rollup] | None = None) -> list[Compiled]:
    """The distinct statements ``run`` executes, in order (a batch once, at its first KPI)."""
    seen: set[tuple[str, tuple[tuple[str, object], ...]]] = set()
    out = []
    for compiled in explain(catalog, query, built):
        key = (compiled.sql, compiled.params)
        if key not in seen:
            seen.add(key)
            out.append(compiled)
    return out


def columns(query: Query) -> list[str]:
    return ["kpi", "period", *query.dimensions, *VALUE_COLUMNS, ERROR_COLUMN]


def execute(cursor: duckdb.DuckDBPyConnection, compiled: Compiled) -> pd.DataFrame:
    """The rows of one statement (raises the DuckDB error; ``run`` isolates it per KPI)."""
    frame = cursor.execute(compiled.sql, compiled.param_map).fetchdf()
    if compiled.quantiles:
        return quantiles.finish(frame, compiled.quantiles, tuple(
            c for c in frame.columns if c not in ("kpi", "period", "bucket", "n")),
            compiled.whole)
    if compiled.outputs:
        return unpivot(frame, compiled.outputs, tuple(c for c in frame.columns if "__" not in c
                                                      and c != "period"))
    if "kpi" not in frame.columns:
        frame.insert(0, "kpi", compiled.kpi)
    return frame


# --- running, one broken KPI at a time ---------------------------------------------------------

def periods(query: Query) -> list[date | None]:
    """The periods a query covers (its range at its grain); [None] at grain "all", and the
    current period when the range is open, so a failed KPI still has a row per period."""
    if query.grain == "all":
        return [None]
    if query.start is None or query.end is None:
        return [period_start(query.end or query.start or date.today(), query.grain)]
    out: list[date | None] = []
    day = period_start(query.start, query.grain)
    while day <= query.end:
        out.append(day)
        day = shift(day, query.grain, 1)
    return out


def failed_rows(kpi_id: str, query: Query, message: str) -> pd.DataFrame:
    """Rows of a KPI that did not compute: one per period, dimensions and values missing."""
    rows = [{"kpi": kpi_id, "period": p, **{d: None for d in query.dimensions},
             **{c: float("nan") for c in VALUE_COLUMNS}, ERROR_COLUMN: message}
            for p in periods(query)]
    return pd.DataFrame(rows, columns=columns(query))


def _one(cursor: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query,
         compiled: Compiled) -> list[pd.DataFrame]:
    """The frame(s) of one KPI's statement, or its failed rows."""
    try:
        return [execute(cursor, compiled)]
    except duckdb.Error as error:
        log.exception("KPI %s failed at run time", compiled.kpi)
        kpi = catalog.kpis[compiled.kpi]
        return [failed_rows(kpi.id, query, describe(cursor, kpi, error, compiled.sql))]


def answer(cursor: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query,
           compiled: Compiled) -> list[pd.DataFrame]:
    """The frames of one statement; a failed batch is re-run KPI by KPI, so only the broken
    KPIs fail (the healthy ones keep their exact values, computed alone)."""
    if len(compiled.covers) == 1:
        return _one(cursor, catalog, query, compiled)
    try:
        return [execute(cursor, compiled)]
    except duckdb.Error as error:  # the broken KPI's own run below logs the traceback
        log.warning("a batch of %s failed (%s); running its KPIs one by one",
                    ", ".join(compiled.covers), headline(error))
    return [frame for kpi_id in compiled.covers
            for frame in _one(cursor, catalog, query,
                              compile_kpi(catalog.kpis[kpi_id], query))]


def run(cursor: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query,
        built: Mapping[str, rollups.Rollup] | None = None) -> pd.DataFrame:
    """Every KPI of ``query`` at its grain and dimensions, one row per KPI x period x dimensions;
    a KPI that does not run has rows with missing values and its ``error``."""
    frames = [f for c in statements(catalog, query, built)
              for f in answer(cursor, catalog, query, c)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns(query)})
    for frame in frames:
        if ERROR_COLUMN not in frame.columns:
            frame[ERROR_COLUMN] = None
    frame = pd.concat(frames, ignore_index=True)[columns(query)]
    frame[ERROR_COLUMN] = frame[ERROR_COLUMN].astype(object).where(frame[ERROR_COLUMN].notna(),
                                                                   None)
    if len(frames) > 1:  # back in the order the KPIs were asked (each statement keeps its order)
        order = {k: i for i, k in enumerate(query.kpis)}
        frame = frame.iloc[frame["kpi"].map(order).argsort(kind="stable")].reset_index(drop=True)
    if query.grain == "all":
        frame["period"] = None
    else:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame
