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

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd
import sqlglot
from sqlglot import exp

from metrics.catalog import DIALECT, KPI, TIME_OF_WEEK, ParamValue
from metrics.query import Query, QueryError

TIME_COLUMN = "local_at"
TRANSPILE_DIALECTS = ("duckdb", "spark", "postgres", "snowflake", "bigquery")


@dataclass(frozen=True)
class Source:
    """Where a KPI's statement reads when not its model: a table (a rollup), its time column and
    the SELECT standing for the KPI's body there (the same aliases: numerator, denominator...)."""

    table: str
    time_column: str
    body: str


@dataclass(frozen=True)
class Output:
    """How a batch's columns ``<kpi>__<part>`` become one KPI's value, numerator, denominator
    and n (``unpivot``): what ``_outputs`` says in SQL for a statement of its own."""

    kpi: str
    kind: str
    scale: float
    has_n: bool


@dataclass(frozen=True)
class Compiled:
    """One statement to run: its SQL and the values of its named parameters. A batch
    (``outputs``) returns one wide row per period and dimensions, the columns ``<kpi>__<part>``
    of every KPI it answers, which ``unpivot`` turns into the runner's rows."""

    kpi: str
    sql: str
    params: tuple[tuple[str, ParamValue | datetime], ...]
    kpis: tuple[str, ...] = ()  # a batch: every KPI whose rows this one statement returns
    source: str = ""  # the table read: the KPI's model, or a rollup (metrics.rollups)
    outputs: tuple[Output, ...] = ()
    quantiles: tuple[tuple[str, float], ...] = ()  # histogram rows: (kpi, p), metrics.quantiles
    whole: bool = False  # grain "all" without a split: one row per KPI even when nothing matched

    @property
    def covers(self) -> tuple[str, ...]:
        """The KPIs this statement answers (one, or the whole batch)."""
        return self.kpis or (self.kpi,)

    @property
    def param_map(self) -> dict[str, ParamValue | datetime]:
        return dict(self.params)

    def __str__(self) -> str:
        bound = ", ".join(f"${k} = {v!r}" for k, v in self.params)
        read = f"\n-- reads {self.source}" if self.source else ""
        shaped = "".join(f"\n-- {o.kpi}: " + (
            f"value = {o.scale:g} * {o.kpi}__numerator / {o.kpi}__denominator, n = {o.kpi}__"
            + ("n" if o.has_n else "denominator") if o.kind == "ratio"
            else f"value = {o.kpi}__value, n = {o.kpi}__n") for o in self.outputs)
        return (f"-- {', '.join(self.covers)}" + (f" ({bound})" if bound else "") + read
                + shaped + f"\n{self.sql}")


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


def written_in(tree: exp.Expression, values: dict[str, ParamValue]) -> exp.Expression | None:
    """A copy of ``tree`` with each placeholder replaced by its value as a literal (what a rollup
    stores for a KPI's parameter defaults); None when a placeholder has no value."""
    tree = tree.copy()
    for placeholder in list(tree.find_all(exp.Placeholder)):
        if placeholder.name not in values:
            return None
        value = values[placeholder.name]
        placeholder.replace(exp.Boolean(this=value) if isinstance(value, bool)
                            else exp.Literal.number(value) if isinstance(value, int | float)
                            else exp.Literal.string(str(value)))
    return tree


def kpi_params(kpi: KPI, query: Query) -> dict[str, ParamValue]:
    """The KPI's parameters: its defaults, overridden by the query's values of the same name, plus
    the reserved ``department_scope`` (the query groups or filters by owning department)."""
    values = dict(kpi.params)
    for name, value in query.params:
        if name in values:
            values[name] = _coerce(values[name], value)
    values["department_scope"] = ("department" in query.dimensions
                                  or "department" in query.filter_map)
    return values


def period(grain: str, time_column: str = TIME_COLUMN) -> exp.Expression:
    """The period a row falls in at ``grain``: the first day of its day, week, month... (NULL for
    the whole range)."""
    if grain == "all":
        return exp.cast(exp.null(), "DATE")
    trunc = exp.func("date_trunc", exp.Literal.string(grain), exp.column(time_column))
    return exp.cast(trunc, "DATE")


def dimension(dim: str) -> exp.Expr:
    """What a dimension groups by: a model column, or for the time of week the ISO weekday
    (1 = Monday) or hour of the model's local timestamp (``catalog.TIME_OF_WEEK``)."""
    if dim == "weekday":
        return exp.func("isodow", exp.column(TIME_COLUMN))
    if dim == "hour":
        return exp.func("hour", exp.column(TIME_COLUMN))
    return exp.column(dim)


def _dimension_columns(dims: tuple[str, ...]) -> list[exp.Expr]:
    return [exp.alias_(dimension(d), d) if d in TIME_OF_WEEK else exp.column(d) for d in dims]


def scoped(select: exp.Select, query: Query, bound: dict[str, ParamValue | datetime],
           time_column: str = TIME_COLUMN) -> exp.Select:
    """Add the query's date range and filters to a SELECT over a model or a rollup (WHERE,
    placeholders)."""
    if query.start is not None:
        bound["period_start"] = datetime.combine(query.start, time())
        select = select.where(exp.GTE(this=exp.column(time_column),
                                      expression=exp.Placeholder(this="period_start")))
    if query.end is not None:
        bound["period_end"] = datetime.combine(query.end + timedelta(days=1), time())
        select = select.where(exp.LT(this=exp.column(time_column),
                                     expression=exp.Placeholder(this="period_end")))
    for dim, values in query.filters:
        names = []
        for i, value in enumerate(values, start=1):
            name = f"{dim}_{i}"
            bound[name] = value
            names.append(exp.Placeholder(this=name))
        select = select.where(exp.In(this=exp.column(dim), expressions=names))
    return select


def shape(query: Query) -> Query:
    """The query with its values replaced by stand-ins: the compiled SQL depends on the values only
    through placeholders, so every date range and filter value of one shape shares one compile."""
    stand_in = date(1900, 1, 1)
    return query.with_(start=stand_in if query.start is not None else None,
                       end=stand_in if query.end is not None else None,
                       filters=tuple((d, tuple(f"_{i}" for i in range(len(v))))
                                     for d, v in query.filters))


def rebind(compiled: Compiled, query: Query) -> Compiled:
    """A shape's statement with the query's own date range and filter values bound."""
    values = dict(compiled.params)
    if query.start is not None:
        values["period_start"] = datetime.combine(query.start, time())
    if query.end is not None:
        values["period_end"] = datetime.combine(query.end + timedelta(days=1), time())
    for dim, filter_values in query.filters:
        for i, value in enumerate(filter_values, start=1):
            values[f"{dim}_{i}"] = value
    return replace(compiled, params=tuple(sorted(values.items())))


def compile_kpi(kpi: KPI, query: Query, source: Source | None = None) -> Compiled:
    """The statement that computes ``kpi`` for ``query`` (compiled once per query shape: building
    and printing the AST costs more than running the statement on a small warehouse); over its
    model, or over ``source`` (a rollup standing in for the model)."""
    return rebind(_compile_kpi(kpi, shape(query), source), query)


def compile_batch(kpis: list[KPI], query: Query) -> Compiled:
    """One statement for several KPIs over one model (see ``_compile_batch``)."""
    return rebind(_compile_batch(tuple(kpis), shape(query)), query)


@lru_cache(maxsize=1024)
def _compile_kpi(kpi: KPI, query: Query, source: Source | None = None) -> Compiled:
    """The statement that computes ``kpi`` for ``query``: columns period, <dimensions>, value,
    numerator, denominator, n, one row per period and dimension values, ordered by them."""
    bound: dict[str, ParamValue | datetime] = {}
    time_column = TIME_COLUMN if source is None else source.time_column
    inner = scoped(body(kpi) if source is None else _body(source.body).copy(), query, bound,
                   time_column)
    keys = ["period", *query.dimensions]
    inner = inner.select(exp.alias_(period(query.grain, time_column), "period"),
                         *_dimension_columns(query.dimensions))
    group: list[exp.Expr] = [] if query.grain == "all" else [period(query.grain, time_column)]
    group += [dimension(d) for d in query.dimensions]
    if kpi.kind == "spread" and kpi.spread_over:
        if kpi.spread_over not in query.dimensions:
            inner = inner.select(exp.column(kpi.spread_over))
            group.append(exp.column(kpi.spread_over))
    if group:
        inner = inner.group_by(*group)
    outer_keys = [exp.column(k, table="k") for k in keys]
    if kpi.kind in ("ratio", "value"):
        outer = exp.select(*outer_keys, *_outputs(kpi, lambda name: exp.column(name, table="k")))
    else:
        num, den = exp.column("numerator", table="k"), exp.column("denominator", table="k")
        scale = exp.Literal.number(kpi.scale)
        as_double = lambda e: exp.cast(e, "DOUBLE")  # noqa: E731
        enough = exp.GTE(this=den, expression=exp.Placeholder(this="min_n"))
        ratio = exp.Div(this=as_double(num), expression=exp.func("nullif", as_double(den),
                                                                  exp.Literal.number(0)))
        # Paren: sqlglot does not add parentheses for a Sub nested in a Mul (100 * max - min).
        spread = exp.Mul(this=scale, expression=exp.Paren(this=exp.Sub(
            this=exp.Filter(this=exp.func("max", ratio), expression=exp.Where(this=enough.copy())),
            expression=exp.Filter(this=exp.func("min", ratio.copy()),
                                  expression=exp.Where(this=enough.copy())))))
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
    return Compiled(kpi.id, sql, tuple(sorted(bound.items())),
                    source=kpi.model if source is None else source.table)


def _outputs(kpi: KPI, col: Callable[[str], exp.Expression]) -> list[exp.Expr]:
    """value, numerator, denominator, n of a ratio or value KPI over its aggregated body columns."""
    as_double = lambda e: exp.cast(e, "DOUBLE")  # noqa: E731
    if kpi.kind == "ratio":
        num, den = col("numerator"), col("denominator")
        scale = exp.Literal.number(kpi.scale)
        value = exp.Div(this=exp.Mul(this=scale, expression=as_double(num)),
                        expression=exp.func("nullif", as_double(den.copy()), exp.Literal.number(0)))
        n = col("n") if kpi.has_n else den.copy()
        return [exp.alias_(value, "value"), exp.alias_(as_double(num.copy()), "numerator"),
                exp.alias_(as_double(den.copy()), "denominator"),
                exp.alias_(exp.cast(n, "BIGINT"), "n")]
    return [exp.alias_(as_double(col("value")), "value"),
            exp.alias_(exp.cast(exp.null(), "DOUBLE"), "numerator"),
            exp.alias_(exp.cast(exp.null(), "DOUBLE"), "denominator"),
            exp.alias_(exp.cast(col("n"), "BIGINT"), "n")]


BATCH_PARTS = {"numerator", "denominator", "n", "value"}
# Holistic aggregates keep every value of a group: in a wide hash aggregate DuckDB evaluates them
# several times slower than in a statement of their own, so they stay out of batches (measured).
HOLISTIC = {"median", "quantile", "quantile_cont", "quantile_disc", "mode", "percentile_cont",
            "percentile_disc", "mad", "approx_quantile", "list", "string_agg", "array_agg"}


def batchable(kpi: KPI) -> bool:
    """A ratio or value KPI whose body is plain aggregates over its model (no WHERE, GROUP BY,
    join, CTE, DISTINCT...): its columns can share one scan with other KPIs of the same model."""
    return kpi.kind in ("ratio", "value") and plain(kpi)


def holistic(kpi: KPI) -> bool:
    """A ratio or value KPI that would be batchable but for a holistic aggregate (a median): it
    shares a scan with the other holistic KPIs of its model only (two medians in one statement
    cost about what one does; in a wide batch they cost several times more)."""
    return kpi.kind in ("ratio", "value") and plain(kpi, holistic=True) and not plain(kpi)


def plain(kpi: KPI, holistic: bool = False) -> bool:
    """The KPI's body is only aliased parts (numerator, denominator, n, value), each an aggregate
    over its model table that keeps no list of values (no WHERE, GROUP BY, join, CTE, DISTINCT,
    and, unless ``holistic``, no median...)."""
    try:
        tree = _body(kpi.sql)
    except (QueryError, sqlglot.errors.ParseError):
        return False
    if any(tree.args.get(a) for a in ("where", "group", "having", "joins", "with", "distinct",
                                      "qualify", "order", "limit", "laterals")):
        return False
    source = tree.args.get("from") or tree.args.get("from_")
    if source is None or not isinstance(source.this, exp.Table):
        return False
    if not all(isinstance(p, exp.Alias) and p.alias in BATCH_PARTS for p in tree.expressions):
        return False
    names = {(f.sql_name() if isinstance(f, exp.Func) else "").lower() for f in tree.find_all(exp.Func)}
    names |= {f.name.lower() for f in tree.find_all(exp.Anonymous)}
    return holistic or not names & HOLISTIC


@lru_cache(maxsize=256)
def _compile_batch(kpis: tuple[KPI, ...], query: Query) -> Compiled:
    """ONE statement for several batchable KPIs over the same model: a single scan computes every
    KPI's aggregates (each keeps its own FILTER), grouped once by period and dimensions
    (``unpivot`` turns its rows into the runner's). A parameter that two KPIs bind to different
    values is renamed ``<kpi>__<name>`` in one of them."""
    if len({k.model for k in kpis}) != 1 or not all(batchable(k) or holistic(k) for k in kpis):
        raise QueryError("a batch needs batchable KPIs over one model")
    bound: dict[str, ParamValue | datetime] = {}
    projections: list[exp.Expr] = []
    for kpi in kpis:
        params = kpi_params(kpi, query)
        for projection in body(kpi).expressions:
            expression = projection.this
            for placeholder in list(expression.find_all(exp.Placeholder)):
                name = placeholder.name
                if name not in params:
                    raise QueryError(f"{kpi.id}: no value for ${name}")
                if name in bound and bound[name] != params[name]:
                    placeholder.replace(exp.Placeholder(this=f"{kpi.id}__{name}"))
                    bound[f"{kpi.id}__{name}"] = params[name]
                else:
                    bound[name] = params[name]
            projections.append(exp.alias_(expression, f"{kpi.id}__{projection.alias}"))
    inner = exp.select(*projections).from_(exp.to_table(kpis[0].model))
    inner = scoped(inner, query, bound)
    inner = inner.select(exp.alias_(period(query.grain), "period"),
                         *_dimension_columns(query.dimensions))
    group: list[exp.Expr] = [] if query.grain == "all" else [period(query.grain)]
    group += [dimension(d) for d in query.dimensions]
    if group:
        inner = inner.group_by(*group)
    return batch(list(kpis), inner, bound, kpis[0].model, query)


def batch(kpis: list[KPI], inner: exp.Select, bound: dict[str, ParamValue | datetime],
          source: str, query: Query) -> Compiled:
    """The batch statement ``inner`` (one row per period and dimensions, columns
    ``<kpi>__<part>``), ordered by period and dimensions (missing last), with what ``unpivot``
    needs to turn its rows into each KPI's. The reshaping is done on the few result rows in numpy:
    in SQL, one UNION branch of casts and divisions per KPI cost DuckDB more than the
    aggregation itself (7 of 11 ms on a rollup)."""
    keys = [exp.Ordered(this=exp.column(k), nulls_first=False) for k in ("period", *query.dimensions)]
    ids = tuple(k.id for k in kpis)
    outputs = tuple(Output(k.id, k.kind, k.scale, k.has_n) for k in kpis)
    return Compiled(ids[0], inner.order_by(*keys).sql(dialect=DIALECT, pretty=True),
                    tuple(sorted(bound.items())), ids, source=source, outputs=outputs)


def unpivot(frame: pd.DataFrame, outputs: tuple[Output, ...], dims: tuple[str, ...]
            ) -> pd.DataFrame:
    """A batch's wide rows (in the statement's order) as the runner's rows: kpi, period, <dims>,
    value, numerator, denominator, n, in the order the KPIs were asked, computed as ``_outputs``
    does in SQL: value = scale x numerator / denominator (none when the denominator is 0), n =
    the n part or the denominator, rounded half to even like DuckDB's cast to BIGINT."""
    keys = ["period", *dims]
    size = len(frame)

    def col(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype="float64", na_value=np.nan)
    nothing = np.full(size, np.nan)
    values: dict[str, list[np.ndarray]] = {c: [] for c in ("value", "numerator", "denominator", "n")}
    for out in outputs:
        if out.kind == "ratio":
            numerator, denominator = col(f"{out.kpi}__numerator"), col(f"{out.kpi}__denominator")
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.where(denominator == 0, np.nan, out.scale * numerator / denominator)
            n = col(f"{out.kpi}__n") if out.has_n else denominator
        else:
            value, numerator, denominator = col(f"{out.kpi}__value"), nothing, nothing
            n = col(f"{out.kpi}__n")
        for name, array in (("value", value), ("numerator", numerator),
                            ("denominator", denominator), ("n", np.round(n))):
            values[name].append(array)
    rows = np.tile(np.arange(size), len(outputs))  # each KPI's rows: the statement's, in order
    out = pd.DataFrame({"kpi": np.repeat([o.kpi for o in outputs], size)})
    for key in keys:  # taken, not converted: the column keeps DuckDB's dtype
        out[key] = frame[key].take(rows).reset_index(drop=True)
    for name, arrays in values.items():
        out[name] = np.concatenate(arrays) if arrays else np.empty(0)
    n = out["n"]
    out["n"] = n.astype("int64") if n.notna().all() else n.astype("Int64")
    return out


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
