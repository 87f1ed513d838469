"""Medians from monthly histograms: a mergeable summary for the KPIs a sum cannot roll up.

A median of days' medians is not the median, so ``metrics.rollups`` cannot hold
``first_response_time`` or ``resolution_time``; read from the contacts, their cost grows with the
history (at 10M contacts they were half of the Scorecard's query time). Here each such KPI's values
are counted per month x channel x owning department in logarithmic buckets (DDSketch's mapping):
bucket ``i`` holds the values in (GAMMA^(i-1), GAMMA^i], 0 has a bucket of its own and negative
values mirror the positive ones. Counts of buckets add up across months, channels and departments,
so any whole-month range at month, quarter, year or overall grain, split or filtered by channel
and department, is answered from the histogram: the quantile's rank (DuckDB's ``median`` is
``quantile_cont(0.5)``: the two middle values interpolated) is found in the cumulative counts and
the bucket read as 2 GAMMA^i / (1 + GAMMA). That estimate is within ``BOUND`` = (GAMMA - 1) /
(GAMMA + 1), 0.99 %, of the exact value for values of one sign (every time KPI), and so is an
interpolation between two of them; n is exact. ``tests/test_rollups.py`` checks the bound against
the exact median for every grain, split and filter the pages ask.

Anything else (a range that does not start and end with a month, a day or week grain, a split by
reason, queue, team or source, a changed parameter) reads the model and is exact. The definition
is generated from the KPI file (its ``value`` is ``median(col)`` or ``quantile_cont(col, p)`` and
its ``n`` is ``count(col)``, both with the same FILTER) and stored in ``rollup_defs`` beside the
sums (``metrics.rollups.install``), maintained by ``sql/warehouse.py`` for the months an import
touched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlglot import exp

from metrics import compiler, periods
from metrics.catalog import DIALECT, KPI, ParamValue
from metrics.compiler import Compiled
from metrics.query import Query

GAMMA = 1.02
OFFSET = 10_000  # bucket numbers of positive values start far above 0 (0's own bucket)
BOUND = (GAMMA - 1) / (GAMMA + 1)
DIMENSIONS = ("channel", "department")
GRAINS = ("month", "quarter", "year", "all")
GRAIN = "month"
SUFFIX = ":quantiles"  # rollup_defs.model of a model's histograms
NOTE = (f"read from monthly histograms (buckets {(GAMMA - 1) * 100:.0f} % wide): within "
        f"{BOUND * 100:.2f} % of the exact value; periods that are not whole months and splits by "
        "reason, queue, team or source compute it exactly from the contacts")


@dataclass(frozen=True)
class Quantile:
    """What a histogram stores for a KPI: the value's expression and FILTER condition (parameter
    defaults written in) and the quantile."""
    column: str
    condition: str | None
    p: float


def table_name(model: str) -> str:
    return f"q_{model}"


def _unfilter(expression: exp.Expression) -> tuple[exp.Expression, str | None]:
    if isinstance(expression, exp.Filter):
        return expression.this, expression.expression.this.sql(dialect=DIALECT)
    return expression, None


@lru_cache(maxsize=512)
def quantile_of(kpi: KPI) -> Quantile | None:
    """The histogram's definition for a median or quantile KPI; None for any other KPI."""
    if kpi.kind != "value" or not compiler.plain(kpi, holistic=True):
        return None
    parts = {p.alias: p.this for p in compiler.body(kpi).expressions}
    if set(parts) != {"value", "n"}:
        return None
    (value, condition), (count, counted) = _unfilter(parts["value"]), _unfilter(parts["n"])
    if isinstance(value, exp.Median):
        p = 0.5
    elif isinstance(value, exp.PercentileCont) and isinstance(value.expression, exp.Literal):
        p = float(value.expression.this)
    else:
        return None
    if not isinstance(count, exp.Count) or count.this != value.this or condition != counted:
        return None
    column = compiler.written_in(value.this, kpi.defaults)
    where = None if condition is None else compiler.written_in(parts["value"].expression.this,
                                                               kpi.defaults)
    if column is None or (condition is not None and where is None):
        return None
    return Quantile(column.sql(dialect=DIALECT), None if where is None else where.sql(dialect=DIALECT),
                    p)


def fingerprint(kpi: KPI) -> str:
    found = quantile_of(kpi)
    return "" if found is None else hashlib.sha256(repr(found).encode()).hexdigest()[:16]


def bucket(value: str) -> str:
    """The SQL of a value's bucket number (see the module docstring)."""
    step = f"ln({GAMMA})"
    return (f"CASE WHEN {value} > 0 THEN CAST(ceil(ln({value}) / {step}) AS INTEGER) + {OFFSET} "
            f"WHEN {value} < 0 THEN -(CAST(ceil(ln(-({value})) / {step}) AS INTEGER) + {OFFSET}) "
            "ELSE 0 END")


def definition(model: str, kpis: Iterable[KPI]) -> tuple[str, str]:
    """(full SQL, SQL for the months of the days in ``_rollup_days``) of ``model``'s histograms:
    one row per month x channel x department x KPI x bucket with its count."""
    month = f"CAST(date_trunc('{GRAIN}', {compiler.TIME_COLUMN}) AS DATE)"
    branches = []
    for kpi in kpis:
        found = quantile_of(kpi)
        assert found is not None
        counted = f"({found.column}) IS NOT NULL" + (f" AND ({found.condition})"
                                                     if found.condition else "")
        # every month x channel x department with model rows has a row, a NULL bucket counting
        # 0 where none of its rows counts: the model's answer has that group too (n = 0)
        branches.append(
            f"SELECT {month} AS day, {', '.join(DIMENSIONS)}, '{kpi.id}' AS kpi, "
            f"CASE WHEN {counted} THEN {bucket('(' + found.column + ')')} END AS bucket, "
            f"count(*) FILTER (WHERE {counted}) AS n FROM {model} "
            f"WHERE {compiler.TIME_COLUMN} IS NOT NULL GROUP BY ALL")
    full = " UNION ALL ".join(branches)
    touched = (f"SELECT DISTINCT CAST(date_trunc('{GRAIN}', day) AS DATE) FROM _rollup_days")
    days = " UNION ALL ".join(f"{b.replace(' GROUP BY ALL', '')} AND {month} IN ({touched}) "
                              "GROUP BY ALL" for b in branches)
    return full, days


def covers(kpi: KPI, query: Query, dimensions: Iterable[str], held: str | None) -> bool:
    """Whether the histograms (holding ``held`` as the KPI's fingerprint) answer ``kpi`` for
    ``query`` within the bound: whole months, a grain of a month or more, channel and department
    only, the KPI's parameters at their defaults."""
    if held is None or held != fingerprint(kpi) or query.grain not in GRAINS:
        return False
    if query.start is None or query.end is None or query.start.day != 1 \
            or periods.last_day(query.end) != query.end:
        return False
    if not (set(query.dimensions) | {d for d, _ in query.filters}) <= set(dimensions):
        return False
    params = compiler.kpi_params(kpi, query)
    params.pop("department_scope", None)
    return params == kpi.defaults


def compile_quantiles(kpis: list[KPI], query: Query, table: str) -> Compiled:
    """ONE statement answering ``kpis`` (a model's quantile KPIs) for ``query`` from the
    histograms in ``table``, in the order asked."""
    return compiler.rebind(_compile(tuple(kpis), compiler.shape(query), table), query)


@lru_cache(maxsize=256)
def _compile(kpis: tuple[KPI, ...], query: Query, table: str) -> Compiled:
    """The histogram rows of ``kpis`` summed per period, dimensions and bucket, in the order the
    KPIs were asked, then by period, dimensions and bucket (missing last); ``finish`` reads the
    quantile off each group's cumulative counts (a window function per KPI in SQL cost more than
    the statement)."""
    bound: dict[str, ParamValue | datetime] = {}
    dims = [exp.column(d) for d in query.dimensions]
    period = compiler.period(query.grain, "day")
    ids = [exp.Literal.string(k.id) for k in kpis]
    inner = exp.select(exp.column("kpi"), exp.alias_(period, "period"), *dims,
                       exp.column("bucket"), exp.alias_(exp.func("sum", exp.column("n")), "n")
                       ).from_(table).where(exp.column("kpi").isin(*ids))
    inner = compiler.scoped(inner, query, bound, time_column="day").group_by(
        exp.column("kpi"), period.copy(), *[d.copy() for d in dims], exp.column("bucket"))
    order = exp.func("list_position", exp.Array(expressions=[i.copy() for i in ids]),
                     exp.column("kpi"))
    inner = inner.order_by(order, *[exp.Ordered(this=exp.column(k), nulls_first=False)
                                    for k in ("period", *query.dimensions, "bucket")])
    sql = f"-- {NOTE}\n" + inner.sql(dialect=DIALECT, pretty=True)
    spec = tuple((k.id, (quantile_of(k) or Quantile("", None, 0.5)).p) for k in kpis)
    return Compiled(kpis[0].id, sql, tuple(sorted(bound.items())),
                    tuple(k.id for k in kpis) if len(kpis) > 1 else (), source=table,
                    quantiles=spec, whole=query.grain == "all" and not query.dimensions)


def _value(number: float) -> float:
    """A bucket's value: 2 GAMMA^i / (1 + GAMMA), signed; 0 for 0's bucket."""
    if number == 0:
        return 0.0
    size = 2 * GAMMA ** (abs(number) - OFFSET) / (1 + GAMMA)
    return size if number > 0 else -size


def finish(frame: pd.DataFrame, spec: tuple[tuple[str, float], ...], dims: tuple[str, ...],
           whole: bool) -> pd.DataFrame:
    """The runner's rows (kpi, period, <dims>, value, numerator, denominator, n) from a
    histogram statement's rows (ordered by KPI, period, dimensions, bucket): per KPI and group,
    n = the counts' sum and the quantile read from the cumulative counts as ``quantile_cont``
    does (the two ranks around (n - 1) p, interpolated); no value where n is 0. ``whole`` (grain
    "all", no split): one row per KPI even when nothing matched, as the model's aggregate gives."""
    keys = ["period", *dims]
    size = len(frame)
    columns = [frame[c].to_numpy(dtype=object) for c in ("kpi", *keys)]
    change = np.zeros(size, dtype=bool)
    if size:
        change[0] = True
        for values in columns:  # a group starts where the KPI, period or a dimension changes
            missing = pd.isna(values)
            same = (values[1:] == values[:-1]) | (missing[1:] & missing[:-1])
            change[1:] |= ~same.astype(bool)
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], size) if size else starts
    counts = frame["n"].to_numpy(dtype="float64", na_value=0.0) if size else np.empty(0)
    buckets = frame["bucket"].to_numpy(dtype="float64", na_value=np.nan) if size else np.empty(0)
    p_of = dict(spec)
    found: dict[str, list[tuple[int, float, int]]] = {kpi: [] for kpi, _ in spec}
    for start, end in zip(starts, ends, strict=True):
        kpi = str(columns[0][start])
        n, valid = counts[start:end], ~np.isnan(buckets[start:end])
        total = int(n.sum())
        value = float("nan")
        if total > 0:
            numbers, upto = buckets[start:end][valid], np.cumsum(n[valid])
            h = (total - 1) * p_of[kpi]
            low = _value(numbers[np.searchsorted(upto, np.floor(h) + 1)])
            high = _value(numbers[np.searchsorted(upto, np.ceil(h) + 1)])
            value = low + (h - np.floor(h)) * (high - low)
        found[kpi].append((int(start), value, total))
    rows: list[dict[str, object]] = []
    for kpi, _p in spec:  # in the order asked
        if whole and not found[kpi]:
            rows.append({"kpi": kpi, "period": None, "value": float("nan"), "n": 0})
        for at, value, total in found[kpi]:
            rows.append({"kpi": kpi, **{k: columns[i + 1][at] for i, k in enumerate(keys)},
                         "value": value, "n": total})
    out = pd.DataFrame(rows, columns=["kpi", *keys, "value", "n"])
    out.insert(len(keys) + 2, "numerator", float("nan"))
    out.insert(len(keys) + 3, "denominator", float("nan"))
    out["value"] = out["value"].astype("float64")
    out["n"] = out["n"].astype("int64")
    return out
