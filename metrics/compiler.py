"""The compiler: a KPI file + a query -> one SQL statement with bound parameters.

Everything the query adds goes through sqlglot's AST (``select``, ``group_by``, ``where``), never
through string pasting: the grain is a ``date_trunc`` over the model's ``local_at`` (the business
time zone timestamp), dimensions are selected and grouped, filters and the date range become
``IN``/comparison predicates over named placeholders whose values travel beside the SQL. The KPI body
stays untouched inside, so "how is this calculated" shows the analyst's own SQL.

Roll-up by kind (the grain is always right because only requested dimensions are grouped):
* ratio  - numerator and denominator are aggregated at the grain; value = scale * num / den.
* value  - the body's ``value`` is aggregated at the grain (a median is recomputed from the rows).
* spread - the body's ratio is computed per ``spread_over`` value inside each group; value is
  scale * (max - min) over the values whose denominator reaches ``$min_n`` (NULL under two),
  n = the sum of those denominators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache

import sqlglot
from sqlglot import exp

from metrics.catalog import DIALECT, KPI, ParamValue
from metrics.query import Query, QueryError

TIME_COLUMN = "local_at"
TRANSPILE_DIALECTS = ("duckdb", "spark", "postgres", "snowflake", "bigquery")


@dataclass(frozen=True)
class Compiled:
    """One statement to run: its SQL and the values of its named parameters."""

    kpi: str
    sql: str
    params: tuple[tuple[str, ParamValue | datetime], ...]

    @property
    def param_map(self) -> dict[str, ParamValue | datetime]:
        return dict(self.params)

    def __str__(self) -> str:
        bound = ", ".join(f"${k} = {v!r}" for k, v in self.params)
        return f"-- {self.kpi}" + (f" ({bound})" if bound else "") + f"\n{self.sql}"


@lru_cache(maxsize=256)
def _body(sql: str) -> exp.Select:
    tree = sqlglot.parse_one(sql, read=DIALECT)
    if not isinstance(tree, exp.Select):
        raise QueryError("a KPI body must be a SELECT (validate the catalog first)")
    for node in tree.walk():  # the header is metadata, not part of the compiled statement
        node.comments = None
    return tree


def body(kpi: KPI) -> exp.Select:
    """A fresh copy of the KPI's SELECT (the cached tree is never mutated)."""
    return _body(kpi.sql).copy()


def _coerce(default: ParamValue, value: ParamValue) -> ParamValue:
    """An override takes the type of the default (URL and widget values arrive as text)."""
    try:
        if isinstance(default, bool) or isinstance(default, str):
            return str(value)
        if isinstance(default, int) and float(value) == int(float(value)):
            return int(float(value))
        return float(value)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"parameter value {value!r} is not a number") from exc


def kpi_params(kpi: KPI, query: Query) -> dict[str, ParamValue]:
    """The KPI's parameters: its defaults, overridden by the query's values of the same name."""
    values = dict(kpi.params)
    for name, value in query.params:
        if name in values:
            values[name] = _coerce(values[name], value)
    return values


def _period(grain: str) -> exp.Expression:
    if grain == "all":
        return exp.cast(exp.null(), "DATE")
    trunc = exp.func("date_trunc", exp.Literal.string(grain), exp.column(TIME_COLUMN))
    return exp.cast(trunc, "DATE")


def scoped(select: exp.Select, query: Query, bound: dict[str, ParamValue | datetime]) -> exp.Select:
    """Add the query's date range and filters to a SELECT over a model (WHERE, placeholders)."""
    if query.start is not None:
        bound["period_start"] = datetime.combine(query.start, time())
        select = select.where(exp.GTE(this=exp.column(TIME_COLUMN),
                                      expression=exp.Placeholder(this="period_start")))
    if query.end is not None:
        bound["period_end"] = datetime.combine(query.end + timedelta(days=1), time())
        select = select.where(exp.LT(this=exp.column(TIME_COLUMN),
                                     expression=exp.Placeholder(this="period_end")))
    for dim, values in query.filters:
        names = []
        for i, value in enumerate(values, start=1):
            name = f"{dim}_{i}"
            bound[name] = value
            names.append(exp.Placeholder(this=name))
        select = select.where(exp.In(this=exp.column(dim), expressions=names))
    return select


def compile_kpi(kpi: KPI, query: Query) -> Compiled:
    """The statement that computes ``kpi`` for ``query``: columns period, <dimensions>, value,
    numerator, denominator, n, one row per period and dimension values, ordered by them."""
    bound: dict[str, ParamValue | datetime] = {}
    inner = scoped(body(kpi), query, bound)
    keys = ["period", *query.dimensions]
    inner = inner.select(exp.alias_(_period(query.grain), "period"))
    for dim in query.dimensions:
        inner = inner.select(exp.column(dim))
    group: list[exp.Expression] = [] if query.grain == "all" else [_period(query.grain)]
    group += [exp.column(d) for d in query.dimensions]
    if kpi.kind == "spread" and kpi.spread_over:
        if kpi.spread_over not in query.dimensions:
            inner = inner.select(exp.column(kpi.spread_over))
            group.append(exp.column(kpi.spread_over))
    if group:
        inner = inner.group_by(*group)
    outer_keys = [exp.column(k, table="k") for k in keys]
    num, den = exp.column("numerator", table="k"), exp.column("denominator", table="k")
    scale = exp.Literal.number(kpi.scale)
    as_double = lambda e: exp.cast(e, "DOUBLE")  # noqa: E731
    if kpi.kind == "ratio":
        value = exp.Div(this=exp.Mul(this=scale, expression=as_double(num)),
                        expression=exp.func("nullif", as_double(den), exp.Literal.number(0)))
        n = exp.column("n", table="k") if kpi.has_n else den
        outer = exp.select(*outer_keys, exp.alias_(value, "value"),
                           exp.alias_(as_double(num), "numerator"),
                           exp.alias_(as_double(den), "denominator"),
                           exp.alias_(exp.cast(n, "BIGINT"), "n"))
    elif kpi.kind == "value":
        outer = exp.select(*outer_keys,
                           exp.alias_(as_double(exp.column("value", table="k")), "value"),
                           exp.alias_(exp.cast(exp.null(), "DOUBLE"), "numerator"),
                           exp.alias_(exp.cast(exp.null(), "DOUBLE"), "denominator"),
                           exp.alias_(exp.cast(exp.column("n", table="k"), "BIGINT"), "n"))
    else:
        enough = exp.GTE(this=den, expression=exp.Placeholder(this="min_n"))
        ratio = exp.Div(this=as_double(num), expression=exp.func("nullif", as_double(den),
                                                                  exp.Literal.number(0)))
        spread = exp.Mul(this=scale, expression=exp.Sub(
            this=exp.Filter(this=exp.func("max", ratio), expression=exp.Where(this=enough.copy())),
            expression=exp.Filter(this=exp.func("min", ratio.copy()),
                                  expression=exp.Where(this=enough.copy()))))
        channels = exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=enough.copy()))
        gap = exp.Case(ifs=[exp.If(this=exp.GTE(this=channels, expression=exp.Literal.number(2)),
                                     true=spread)])
        qualified = exp.Filter(this=exp.func("sum", den.copy()),
                               expression=exp.Where(this=enough.copy()))
        outer = exp.select(*outer_keys, exp.alias_(gap, "value"),
                           exp.alias_(exp.cast(exp.null(), "DOUBLE"), "numerator"),
                           exp.alias_(exp.cast(exp.null(), "DOUBLE"), "denominator"),
                           exp.alias_(exp.cast(exp.func("coalesce", qualified,
                                                        exp.Literal.number(0)),
                                               "BIGINT"), "n"))
        outer = outer.group_by(*[k.copy() for k in outer_keys])
    outer = outer.from_(exp.alias_(exp.Subquery(this=inner), "k", table=True))
    outer = outer.order_by(*[exp.Ordered(this=k.copy(), nulls_first=False) for k in outer_keys])
    used = {p.name for p in outer.find_all(exp.Placeholder)}
    params = kpi_params(kpi, query)
    if kpi.kind == "spread" and "min_n" not in params:
        params["min_n"] = kpi.min_n
    bound.update({k: v for k, v in params.items() if k in used})
    missing = used - set(bound)
    if missing:
        raise QueryError(f"{kpi.id}: no value for ${', $'.join(sorted(missing))}")
    sql = outer.sql(dialect=DIALECT, pretty=True)
    return Compiled(kpi.id, sql, tuple(sorted(bound.items())))


def transpile(sql: str, dialect: str) -> str:
    """The same SQL for another engine (placeholders become that engine's named parameters)."""
    if dialect not in TRANSPILE_DIALECTS:
        raise QueryError(f"unknown dialect '{dialect}' (use {', '.join(TRANSPILE_DIALECTS)})")
    return ";\n".join(sqlglot.transpile(sql, read=DIALECT, write=dialect, pretty=True))


def rows_behind(kpi: KPI, query: Query, part: str = "denominator") -> tuple[exp.Select, dict]:
    """The model rows that make up the KPI's ``part`` (numerator or denominator, or value/n) under
    ``query``: the part's aggregate FILTER condition, the body's WHERE and the query's scope."""
    tree = body(kpi)
    condition: exp.Expression | None = None
    for projection in tree.expressions:
        if projection.alias_or_name == part:
            agg_filter = projection.find(exp.Filter)
            if agg_filter is not None:
                condition = agg_filter.expression.this.copy()
    select = exp.select(exp.Star()).from_(exp.to_table(kpi.model))
    where = tree.args.get("where")
    if where is not None:
        select = select.where(where.this.copy())
    if condition is not None:
        select = select.where(condition)
    bound: dict[str, ParamValue | datetime] = {}
    select = scoped(select, query, bound)
    params = kpi_params(kpi, query)
    used = {p.name for p in select.find_all(exp.Placeholder)}
    bound.update({k: v for k, v in params.items() if k in used})
    return select, bound
