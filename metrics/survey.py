"""Survey statistics the Customer voice page needs beyond the KPI values: confidence intervals and
verbatims.

Intervals, 95 % by default:
* CSAT and CES are proportions (satisfied / rated, easy / answered): the **Wilson score interval**,
  which stays inside 0..100 % and behaves at small n and at 0 % or 100 % (the Wald interval does not).
* NPS is a difference of two proportions of the SAME answers (promoters p, detractors d):
  NPS = p - d, Var = (p + d - (p - d)^2) / n (multinomial), so SE = sqrt(that) and the interval is
  NPS +- z * SE, clipped to -100..100. It needs the promoter and detractor counts separately, which
  the NPS KPI folds into one numerator, so ``nps_split`` counts them over ``m_surveys`` with the same
  scope (range and filters) the compiler applies.
Verbatims are untrusted free text: returned as data, never formatted; the page shows them as text.
SQL is built with sqlglot (placeholders for every user value), as everywhere in metrics/.
"""

from __future__ import annotations

import math
from datetime import datetime

import duckdb
import pandas as pd
from sqlglot import exp

from metrics.catalog import DIALECT, ParamValue
from metrics.compiler import scoped
from metrics.query import Query

Z95 = 1.959963984540054
SCORE_FIELDS = {"csat": (0, 10), "nps": (0, 10), "ces": (1, 7)}
VERBATIM_COLUMNS = ["responded_at", "channel", "department", "reason", "csat", "csat_scale", "nps",
                    "ces", "comment", "response_id"]


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval of a proportion, as fractions 0..1; (None, None) when n is 0."""
    if not n or n <= 0:
        return None, None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def nps_interval(promoters: float, detractors: float, n: float,
                 z: float = Z95) -> tuple[float | None, float | None]:
    """NPS +- z * SE in points (-100..100), SE of the promoter-detractor difference."""
    if not n or n <= 0:
        return None, None
    p, d = promoters / n, detractors / n
    se = math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    nps = p - d
    return max(-100.0, 100 * (nps - z * se)), min(100.0, 100 * (nps + z * se))


def _period(grain: str) -> exp.Expression:
    if grain == "all":
        return exp.cast(exp.null(), "DATE")
    return exp.cast(exp.func("date_trunc", exp.Literal.string(grain), exp.column("local_at")), "DATE")


def nps_split(cursor: duckdb.DuckDBPyConnection, query: Query) -> pd.DataFrame:
    """Promoters, detractors and NPS answers per period and the query's dimensions."""
    count = lambda flag: exp.Filter(this=exp.Count(this=exp.Star()),  # noqa: E731
                                    expression=exp.Where(this=flag))
    select = exp.select(
        exp.alias_(_period(query.grain), "period"), *[exp.column(d) for d in query.dimensions],
        exp.alias_(count(exp.column("promoter")), "promoters"),
        exp.alias_(count(exp.column("detractor")), "detractors"),
        exp.alias_(count(exp.Not(this=exp.Is(this=exp.column("nps"), expression=exp.null()))),
                   "answers"),
    ).from_("m_surveys")
    bound: dict[str, ParamValue | datetime] = {}
    select = scoped(select, query, bound)
    group = ([] if query.grain == "all" else [_period(query.grain)]) + [
        exp.column(d) for d in query.dimensions]
    if group:
        select = select.group_by(*group)
    frame = cursor.execute(select.sql(dialect=DIALECT), bound).fetchdf()
    frame["period"] = None if query.grain == "all" else pd.to_datetime(frame["period"]).dt.date
    return frame


def with_intervals(values: pd.DataFrame, split: pd.DataFrame, min_n: dict[str, int],
                   dimensions: tuple[str, ...] = ()) -> pd.DataFrame:
    """``run`` rows of csat / ces / nps plus ``low``, ``high`` (same unit as value) and
    ``reliable`` (n >= the KPI's min_n). Pure: tested on hand-counted numbers."""
    out = values.copy()
    keys = ["period", *dimensions]
    lookup = {tuple(r[k] for k in keys): r for r in split.to_dict("records")} if len(split) else {}
    lows, highs = [], []
    for row in out.to_dict("records"):
        low: float | None
        high: float | None
        if row["kpi"] == "nps":
            s = lookup.get(tuple(row[k] for k in keys))
            low, high = (nps_interval(s["promoters"], s["detractors"], s["answers"])
                         if s is not None else (None, None))
        else:
            num, den = row.get("numerator"), row.get("denominator")
            ok = num is not None and den is not None and num == num and den == den
            low, high = wilson(float(num), float(den)) if ok else (None, None)  # type: ignore[arg-type]
            low, high = (None if low is None else 100 * low), (None if high is None else 100 * high)
        lows.append(low)
        highs.append(high)
    out["low"] = pd.Series(lows, index=out.index, dtype="float64")
    out["high"] = pd.Series(highs, index=out.index, dtype="float64")
    out["reliable"] = [int(n or 0) >= min_n.get(k, 30) for k, n in zip(out["kpi"], out["n"].fillna(0), strict=True)]
    return out


def verbatims(cursor: duckdb.DuckDBPyConnection, query: Query, reasons: tuple[str, ...] = (),
              score_field: str | None = None, low: float | None = None, high: float | None = None,
              limit: int = 200) -> pd.DataFrame:
    """Survey comments in the query's scope, newest first: optionally only some reasons and a
    score range on one field (csat | nps | ces). Identifiers are NOT masked here (the facade does)."""
    select = exp.select(
        exp.alias_(exp.column("local_at"), "responded_at"),
        *[exp.column(c) for c in VERBATIM_COLUMNS[1:]],
    ).from_("m_surveys").where("comment IS NOT NULL AND trim(comment) <> ''")
    bound: dict[str, ParamValue | datetime] = {}
    select = scoped(select, query, bound)
    if reasons:
        names = []
        for i, reason in enumerate(reasons, start=1):
            bound[f"reason_pick_{i}"] = reason
            names.append(exp.Placeholder(this=f"reason_pick_{i}"))
        select = select.where(exp.In(this=exp.column("reason"), expressions=names))
    if score_field is not None:
        if score_field not in SCORE_FIELDS:
            raise ValueError(f"score field must be one of {', '.join(SCORE_FIELDS)}")
        if low is not None:
            bound["score_low"] = float(low)
            select = select.where(exp.GTE(this=exp.column(score_field),
                                          expression=exp.Placeholder(this="score_low")))
        if high is not None:
            bound["score_high"] = float(high)
            select = select.where(exp.LTE(this=exp.column(score_field),
                                          expression=exp.Placeholder(this="score_high")))
    bound["row_limit"] = int(limit)
    select = select.order_by(exp.Ordered(this=exp.column("local_at"), desc=True)).limit(
        exp.Placeholder(this="row_limit"))
    return cursor.execute(select.sql(dialect=DIALECT), bound).fetchdf()
