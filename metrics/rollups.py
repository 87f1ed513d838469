"""Rollups: the additive parts of the KPIs summed per business day x the dimensions the pages filter
and split by, so a page's cost follows the days and members it shows, not the whole history.

Built from the KPI files themselves, never a second definition: a KPI whose parts are each ONE
``count`` or ``sum`` (with or without ``FILTER``) over its model (``compiler.batchable``) is
"rollable"; its parts become the rollup's columns ``<kpi>__<part>``, with the KPI's parameter
defaults written in as values. A query is answered from the rollup when it covers it: both ends of
the date range, a calendar grain (day to year, or all), dimensions and filters among the rollup's,
and the KPI's parameters at their defaults; everything else (hour of the week, a changed parameter,
medians, the spread and demand KPIs, the rows behind a number) reads the model. Summing the days'
sums gives the model's answer exactly: a count part is summed with ``coalesce(..., 0)`` (a count
of nothing is 0, a sum of nothing NULL), which ``tests/test_rollups.py`` checks against the model
for every KPI x grain x dimension x filter the pages ask.

The generated SQL is stored in the warehouse (``rollup_defs``, migration 005) and run by
``sql/warehouse.py`` after every model refresh: in full, or for the days an import touched. Each
definition carries a fingerprint per KPI (a hash of the parts it stores): a KPI edited since the
rollup was built does not match and reads the model until ``install`` rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import duckdb
from sqlglot import exp

from metrics import compiler
from metrics.catalog import DIALECT, KPI, Catalog, ParamValue
from metrics.compiler import Compiled
from metrics.query import Query
from sql import warehouse

MODELS = ("m_contacts", "m_surveys")
DIMENSIONS = ("channel", "department", "reason", "queue", "team", "source")
GRAINS = ("day", "week", "month", "quarter", "year", "all")
DAY = "day"


@dataclass(frozen=True)
class Rollup:
    """One built rollup table: its model, dimensions and the KPI parts it holds (fingerprints)."""
    model: str
    table: str
    dimensions: tuple[str, ...]
    fingerprints: tuple[tuple[str, str], ...]

    def holds(self, kpi: KPI) -> bool:
        return dict(self.fingerprints).get(kpi.id) == fingerprint(kpi)


def table_name(model: str) -> str:
    return f"r_{model}"


def _literal(value: ParamValue) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


@lru_cache(maxsize=512)
def parts(kpi: KPI) -> tuple[tuple[str, str, bool], ...] | None:
    """(part, its aggregate as SQL with parameter defaults written in, whether it counts) of a
    rollable KPI; None when the KPI cannot be rolled up."""
    if kpi.model not in MODELS or not compiler.batchable(kpi):
        return None
    defaults = kpi.defaults
    out = []
    for projection in compiler.body(kpi).expressions:
        aggregate = projection.this
        inner = aggregate.this if isinstance(aggregate, exp.Filter) else aggregate
        if not isinstance(inner, exp.Count | exp.Sum) or isinstance(inner.this, exp.Distinct):
            return None
        for placeholder in list(aggregate.find_all(exp.Placeholder)):
            if placeholder.name not in defaults:  # $department_scope, or no default to write in
                return None
            placeholder.replace(_literal(defaults[placeholder.name]))
        out.append((projection.alias, aggregate.sql(dialect=DIALECT), isinstance(inner, exp.Count)))
    return tuple(out)


def fingerprint(kpi: KPI) -> str:
    """A hash of what the rollup stores for ``kpi`` ('' when it is not rollable)."""
    found = parts(kpi)
    return "" if found is None else hashlib.sha256(repr(found).encode()).hexdigest()[:16]


# --- definitions and building ----------------------------------------------------------------------
def definition(model: str, kpis: Iterable[KPI], columns: Iterable[str]) -> tuple[str, str, str]:
    """(full SQL, SQL for the days in ``_rollup_days``, fingerprints JSON) of ``model``'s rollup."""
    dims = [d for d in DIMENSIONS if d in set(columns)]
    day = exp.cast(exp.column(compiler.TIME_COLUMN), "DATE")
    projections: list[exp.Expr] = []
    prints = {}
    for kpi in kpis:
        for part, sql, _counts in parts(kpi) or ():
            projections.append(exp.alias_(exp.maybe_parse(sql, dialect=DIALECT), f"{kpi.id}__{part}"))
        prints[kpi.id] = fingerprint(kpi)
    select = (exp.select(exp.alias_(day.copy(), DAY), *[exp.column(d) for d in dims], *projections)
              .from_(exp.to_table(model))
              .where(exp.Not(this=exp.Is(this=exp.column(compiler.TIME_COLUMN), expression=exp.Null())))
              .group_by(day.copy(), *[exp.column(d) for d in dims]))
    days = select.copy().where(day.copy().isin(query=exp.select(DAY).from_("_rollup_days")))
    meta = json.dumps({"dimensions": dims, "kpis": prints}, sort_keys=True)
    return select.sql(dialect=DIALECT), days.sql(dialect=DIALECT), meta


def wanted(catalog: Catalog, extra: Iterable[KPI] = ()) -> dict[str, list[KPI]]:
    """Model -> its rollable KPIs, the catalog's and ``extra`` ones the scorecard asks for itself
    (the open tickets behind "provisional"); models without one get no rollup."""
    out: dict[str, list[KPI]] = {}
    for kpi in [*catalog.kpis.values(), *extra]:
        if parts(kpi) is not None:
            out.setdefault(kpi.model, []).append(kpi)
    return out


def stale(catalog: Catalog, built: Mapping[str, Rollup], extra: Iterable[KPI] = ()) -> bool:
    """Whether the rollups built differ from what the catalog's KPIs would store."""
    want = wanted(catalog, extra)
    if set(want) != set(built):
        return True
    return any(dict(built[m].fingerprints) != {k.id: fingerprint(k) for k in kpis}
               for m, kpis in want.items())


def install(con: duckdb.DuckDBPyConnection, catalog: Catalog, extra: Iterable[KPI] = ()) -> None:
    """(Re)define every model's rollup from the catalog and build it (a write connection)."""
    want = wanted(catalog, extra)
    for (model,) in con.execute("SELECT model FROM rollup_defs").fetchall():
        if model not in want:
            con.execute(f"DROP TABLE IF EXISTS {table_name(model)}")
    con.execute("DELETE FROM rollup_defs")
    for model, kpis in want.items():
        columns = [r[0] for r in con.execute(f"DESCRIBE {model}").fetchall()]
        full, days, meta = definition(model, kpis, columns)
        con.execute("INSERT INTO rollup_defs VALUES (?, ?, ?, ?, ?, NULL)",
                    [model, table_name(model), full, days, meta])
    warehouse.refresh_rollups(con)


def read(cursor: duckdb.DuckDBPyConnection) -> dict[str, Rollup]:
    """The rollups a warehouse holds, built and ready (none before migration 5 or ``install``)."""
    try:
        rows = cursor.execute("SELECT model, table_name, fingerprints FROM rollup_defs "
                              "WHERE built_at IS NOT NULL").fetchall()
    except duckdb.CatalogException:
        return {}
    out = {}
    for model, table, meta in rows:
        data = json.loads(meta)
        out[model] = Rollup(model, table, tuple(data["dimensions"]),
                            tuple(sorted(data["kpis"].items())))
    return out


# --- answering from a rollup -------------------------------------------------------------------------
def covers(kpi: KPI, query: Query, rollup: Rollup | None) -> bool:
    """Whether ``rollup`` answers ``kpi`` for ``query`` exactly (see the module docstring)."""
    if rollup is None or query.start is None or query.end is None or query.grain not in GRAINS:
        return False
    dims = set(query.dimensions) | {d for d, _ in query.filters}
    if not dims <= set(rollup.dimensions) or not rollup.holds(kpi):
        return False
    params = compiler.kpi_params(kpi, query)
    params.pop("department_scope", None)
    return params == kpi.defaults


def compile_rollup(kpis: list[KPI], query: Query, rollup: Rollup) -> Compiled:
    """ONE statement answering ``kpis`` (all held by ``rollup``) from the rollup table: the days'
    sums re-summed at the query's grain and dimensions, then the batch's per-KPI branches
    (compiled once per query shape, like the model's statements)."""
    return compiler.rebind(_compile_rollup(tuple(kpis), compiler.shape(query), rollup), query)


@lru_cache(maxsize=256)
def _compile_rollup(kpis: tuple[KPI, ...], query: Query, rollup: Rollup) -> Compiled:
    bound: dict[str, ParamValue | datetime] = {}
    sums = []
    for kpi in kpis:
        for part, _sql, counts in parts(kpi) or ():
            column = f"{kpi.id}__{part}"
            total: exp.Expr = exp.func("sum", exp.column(column))
            if counts:  # a count of no rows is 0, not NULL
                total = exp.func("coalesce", total, exp.Literal.number(0))
            sums.append(exp.alias_(total, column))
    inner = compiler.scoped(exp.select(*sums).from_(exp.to_table(rollup.table)), query, bound,
                            time_column=DAY)
    inner = inner.select(exp.alias_(compiler.period(query.grain, DAY), "period"),
                         *[exp.column(d) for d in query.dimensions])
    group: list[exp.Expr] = [] if query.grain == "all" else [compiler.period(query.grain, DAY)]
    group += [exp.column(d) for d in query.dimensions]
    if group:
        inner = inner.group_by(*group)
    sql = compiler.batch_outer(list(kpis), query, inner).sql(dialect=DIALECT, pretty=True)
    ids = tuple(k.id for k in kpis)
    return Compiled(ids[0], sql, tuple(sorted(bound.items())), ids, source=rollup.table)
