"""Rollups: the additive parts of the KPIs summed per business day x the dimensions the pages filter
and split by, so a page's cost follows the days and members it shows, not the whole history.

Built from the KPI files themselves, never a second definition: a ratio, value or spread KPI whose
body is plain aggregates over its model (``compiler.plain``) and whose parts are each ONE ``count``
or ``sum`` (with or without ``FILTER``), or counts added and subtracted (NPS: promoters minus
detractors), is "rollable"; its parts become the rollup's columns ``<kpi>__<part>``, with the
KPI's parameter defaults written in as values. A part that reads ``$department_scope`` (cpx: the
company's demand, or each department's own) is stored twice, ``__scoped`` and ``__total``, and a
query reads the one its dimensions and filters choose. A query is answered from the rollup when it
covers it: both ends of the date range, a calendar grain (day to year, or all), dimensions, filters
(and a spread KPI's ``spread_over``) among the rollup's, and the KPI's parameters at their
defaults; everything else (hour of the week, a changed parameter, the medians, the rows behind a
number) reads the model. Summing the days' sums gives the model's answer exactly: a count part is
summed with ``coalesce(..., 0)`` (a count of nothing is 0, a sum of nothing NULL; a difference of
counts is a count), which ``tests/test_rollups.py`` checks against the model for every KPI x grain x
dimension x filter the pages ask. The medians, which no sum rolls up, are kept beside them as
monthly histograms (``metrics.quantiles``: a stated error bound, exact n).

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

from metrics import compiler, quantiles
from metrics.catalog import DIALECT, KPI, Catalog, ParamValue
from metrics.compiler import Compiled
from metrics.query import Query
from sql import warehouse

MODELS = ("m_contacts", "m_surveys", "m_demand")
KINDS = ("ratio", "value", "spread")
SCOPE = "department_scope"  # compiler.kpi_params: the query groups or filters by department
VARIANTS = {True: "__scoped", False: "__total"}
DIMENSIONS = ("channel", "department", "reason", "queue", "team", "source")
GRAINS = ("day", "week", "month", "quarter", "year", "all")
DAY = "day"


@dataclass(frozen=True)
class Part:
    """One stored column of a KPI: its body's alias (numerator...), the column's suffix, the
    aggregate with the parameter defaults written in, whether it counts, and for a part stored
    per ``$department_scope`` the value it was stored for (None: the part does not read it)."""
    alias: str
    column: str
    sql: str
    counts: bool
    scope: bool | None = None


@dataclass(frozen=True)
class Rollup:
    """One built rollup table: its model, dimensions and the KPI parts it holds (fingerprints)."""
    model: str
    table: str
    dimensions: tuple[str, ...]
    fingerprints: tuple[tuple[str, str], ...]
    grain: str = DAY  # "month": a model's histograms (metrics.quantiles)

    def holds(self, kpi: KPI) -> bool:
        return dict(self.fingerprints).get(kpi.id) == fingerprint(kpi)

    def held(self, kpi: KPI) -> str | None:
        return dict(self.fingerprints).get(kpi.id)


def table_name(model: str) -> str:
    return f"r_{model}"


def _additive(expression: exp.Expression) -> bool | None:
    """True for a count or counts added and subtracted, False for a sum, None for anything a
    day's value cannot be summed from."""
    if isinstance(expression, exp.Paren):
        return _additive(expression.this)
    if isinstance(expression, exp.Add | exp.Sub):
        both = (_additive(expression.this), _additive(expression.expression))
        return True if both == (True, True) else None
    inner = expression.this if isinstance(expression, exp.Filter) else expression
    if not isinstance(inner, exp.Count | exp.Sum) or isinstance(inner.this, exp.Distinct):
        return None
    return isinstance(inner, exp.Count)


@lru_cache(maxsize=512)
def parts(kpi: KPI) -> tuple[Part, ...] | None:
    """The columns a rollup stores for ``kpi``; None when the KPI cannot be rolled up."""
    if kpi.model not in MODELS or kpi.kind not in KINDS or not compiler.plain(kpi):
        return None
    out = []
    for projection in compiler.body(kpi).expressions:
        aggregate = projection.this
        counts = _additive(aggregate)
        if counts is None:
            return None
        scoped = any(p.name == SCOPE for p in aggregate.find_all(exp.Placeholder))
        for scope in ((True, False) if scoped else (None,)):
            values = {**kpi.defaults, **({} if scope is None else {SCOPE: scope})}
            tree = compiler.written_in(aggregate, values)
            if tree is None:  # no default to write in
                return None
            column = projection.alias + ("" if scope is None else VARIANTS[scope])
            out.append(Part(projection.alias, column, tree.sql(dialect=DIALECT), counts, scope))
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
        for part in parts(kpi) or ():
            projections.append(exp.alias_(exp.maybe_parse(part.sql, dialect=DIALECT),
                                          f"{kpi.id}__{part.column}"))
        prints[kpi.id] = fingerprint(kpi)
    select = (exp.select(exp.alias_(day.copy(), DAY), *[exp.column(d) for d in dims], *projections)
              .from_(exp.to_table(model))
              .where(exp.Not(this=exp.Is(this=exp.column(compiler.TIME_COLUMN), expression=exp.Null())))
              .group_by(day.copy(), *[exp.column(d) for d in dims]))
    days = select.copy().where(day.copy().isin(query=exp.select(DAY).from_("_rollup_days")))
    meta = json.dumps({"dimensions": dims, "kpis": prints}, sort_keys=True)
    return select.sql(dialect=DIALECT), days.sql(dialect=DIALECT), meta


def wanted(catalog: Catalog, extra: Iterable[KPI] = ()) -> dict[str, list[KPI]]:
    """Rollup key -> the KPIs it holds: per model its rollable KPIs (the catalog's and ``extra``
    ones the scorecard asks for itself, the open tickets behind "provisional"), and under
    ``<model>:quantiles`` its medians (``metrics.quantiles``); models without one get none."""
    out: dict[str, list[KPI]] = {}
    for kpi in [*catalog.kpis.values(), *extra]:
        if kpi.model not in MODELS:
            continue
        if parts(kpi) is not None:
            out.setdefault(kpi.model, []).append(kpi)
        elif quantiles.quantile_of(kpi) is not None:
            out.setdefault(kpi.model + quantiles.SUFFIX, []).append(kpi)
    return out


def _print(key: str, kpi: KPI) -> str:
    return quantiles.fingerprint(kpi) if key.endswith(quantiles.SUFFIX) else fingerprint(kpi)


def stale(catalog: Catalog, built: Mapping[str, Rollup], extra: Iterable[KPI] = ()) -> bool:
    """Whether the rollups built differ from what the catalog's KPIs would store."""
    want = wanted(catalog, extra)
    if set(want) != set(built):
        return True
    return any(dict(built[key].fingerprints) != {k.id: _print(key, k) for k in kpis}
               for key, kpis in want.items())


def install(con: duckdb.DuckDBPyConnection, catalog: Catalog, extra: Iterable[KPI] = ()) -> None:
    """(Re)define every model's rollup from the catalog and build it (a write connection)."""
    want = wanted(catalog, extra)
    for key, table in con.execute("SELECT model, table_name FROM rollup_defs").fetchall():
        if key not in want:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DELETE FROM rollup_defs")
    for key, kpis in want.items():
        model = key.removesuffix(quantiles.SUFFIX)
        if key != model:
            full, days = quantiles.definition(model, kpis)
            meta = json.dumps({"dimensions": list(quantiles.DIMENSIONS), "grain": quantiles.GRAIN,
                               "kpis": {k.id: quantiles.fingerprint(k) for k in kpis}},
                              sort_keys=True)
            table = quantiles.table_name(model)
        else:
            columns = [r[0] for r in con.execute(f"DESCRIBE {model}").fetchall()]
            full, days, meta = definition(model, kpis, columns)
            table = table_name(model)
        con.execute("INSERT INTO rollup_defs VALUES (?, ?, ?, ?, ?, NULL)",
                    [key, table, full, days, meta])
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
                            tuple(sorted(data["kpis"].items())), data.get("grain", DAY))
    return out


# --- answering from a rollup -------------------------------------------------------------------------
def covers(kpi: KPI, query: Query, rollup: Rollup | None) -> bool:
    """Whether ``rollup`` answers ``kpi`` for ``query`` exactly (see the module docstring)."""
    if rollup is None or query.start is None or query.end is None or query.grain not in GRAINS:
        return False
    dims = set(query.dimensions) | {d for d, _ in query.filters}
    if kpi.kind == "spread":
        dims.add(str(kpi.spread_over))
    if not dims <= set(rollup.dimensions) or not rollup.holds(kpi):
        return False
    params = compiler.kpi_params(kpi, query)
    params.pop(SCOPE, None)
    return params == kpi.defaults


def quantile_covers(kpi: KPI, query: Query, built: Mapping[str, Rollup]) -> Rollup | None:
    """The model's histograms when they answer ``kpi`` for ``query`` (``metrics.quantiles``)."""
    found = built.get(kpi.model + quantiles.SUFFIX)
    if found is None or not quantiles.covers(kpi, query, found.dimensions, found.held(kpi)):
        return None
    return found


def compile_rollup(kpis: list[KPI], query: Query, rollup: Rollup) -> Compiled:
    """ONE statement answering ``kpis`` (ratio and value KPIs held by ``rollup``) from the rollup
    table: the days' sums re-summed at the query's grain and dimensions, a batch like the model's
    (``compiler.batch``; compiled once per query shape)."""
    return compiler.rebind(_compile_rollup(tuple(kpis), compiler.shape(query), rollup), query)


def compile_spread(kpi: KPI, query: Query, rollup: Rollup) -> Compiled:
    """The statement of a spread KPI held by ``rollup``: the compiler's own spread over the
    rollup's sums (grouped by ``spread_over`` inside each period, as over the model)."""
    body = exp.select(*_sums(kpi, query, prefix=False)).from_(exp.to_table(rollup.table))
    source = compiler.Source(rollup.table, DAY, body.sql(dialect=DIALECT))
    return compiler.compile_kpi(kpi, query, source)


def _sums(kpi: KPI, query: Query, prefix: bool = True) -> list[exp.Expr]:
    """The KPI's parts re-summed from the rollup's columns, each named ``<kpi>__<alias>`` (or the
    body's own alias without ``prefix``); a part stored per department scope reads the column of
    the query's scope."""
    scope = compiler.kpi_params(kpi, query)[SCOPE]
    out: list[exp.Expr] = []
    for part in parts(kpi) or ():
        if part.scope is not None and part.scope != scope:
            continue
        total: exp.Expr = exp.func("sum", exp.column(f"{kpi.id}__{part.column}"))
        if part.counts:  # a count of no rows is 0, not NULL
            total = exp.func("coalesce", total, exp.Literal.number(0))
        out.append(exp.alias_(total, f"{kpi.id}__{part.alias}" if prefix else part.alias))
    return out


@lru_cache(maxsize=256)
def _compile_rollup(kpis: tuple[KPI, ...], query: Query, rollup: Rollup) -> Compiled:
    bound: dict[str, ParamValue | datetime] = {}
    sums = [total for kpi in kpis for total in _sums(kpi, query)]
    inner = compiler.scoped(exp.select(*sums).from_(exp.to_table(rollup.table)), query, bound,
                            time_column=DAY)
    inner = inner.select(exp.alias_(compiler.period(query.grain, DAY), "period"),
                         *[exp.column(d) for d in query.dimensions])
    group: list[exp.Expr] = [] if query.grain == "all" else [compiler.period(query.grain, DAY)]
    group += [exp.column(d) for d in query.dimensions]
    if group:
        inner = inner.group_by(*group)
    return compiler.batch(list(kpis), inner, bound, rollup.table, query)
