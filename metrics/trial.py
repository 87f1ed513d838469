"""Trying an unsaved KPI before it is saved: small queries over the newest data that it must answer,
so the editor refuses a KPI that validates but does not run (``facade.save_kpi``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
from sqlglot import exp

from metrics.catalog import DIALECT, DIMENSIONS, KPI
from metrics.compiler import TIME_COLUMN, compile_kpi
from metrics.kpi_errors import headline, where_in_file
from metrics.query import Query, period_start, shift
from metrics.runner import execute

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """A trial query the KPI failed: what was asked, DuckDB's headline, the file position."""

    query: Query
    message: str
    line: int
    column: int

    @property
    def scope(self) -> str:
        dims = ", ".join(self.query.dimensions) or "no dimensions"
        span = f"{self.query.start} to {self.query.end}" if self.query.start else "all data"
        return f"by {self.query.grain}, {span}, {dims}"


def last_day(cursor: duckdb.DuckDBPyConnection, model: str) -> date | None:
    """The local date of the model's newest row (None when it is empty)."""
    sql = exp.select(exp.func("max", exp.column(TIME_COLUMN))).from_(exp.to_table(model))
    newest = cursor.execute(sql.sql(dialect=DIALECT)).fetchone()
    value = newest[0] if newest else None
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value  # type: ignore[no-any-return]


def trial_queries(cursor: duckdb.DuckDBPyConnection, kpi: KPI,
                  model_columns: Iterable[str]) -> list[Query]:
    """Small queries a KPI must answer before it is saved: by month over the newest data's month
    and the one before (so there are rows to convert and divide), once without dimensions and once split by channel (or the first dimension its model has), so the
    grouped and the total shape are both bound and run on real rows."""
    newest = last_day(cursor, kpi.model)  # its month may have begun yesterday: take two
    start = shift(period_start(newest, "month"), "month", -1) if newest else None
    base = Query((kpi.id,), "month", start, newest)
    available = [d for d in ("channel", *DIMENSIONS) if d in set(model_columns)]
    return [base, base.with_(dimensions=(available[0],))] if available else [base]


def trial(cursor: duckdb.DuckDBPyConnection, kpi: KPI,
          model_columns: Iterable[str]) -> list[Failure]:
    """Run ``kpi`` (parsed, not saved) on ``trial_queries``: every failure with its position in
    the KPI file. Read-only: the statements are the ones ``run`` would execute."""
    failures = []
    for query in trial_queries(cursor, kpi, model_columns):
        compiled = compile_kpi(kpi, query)
        try:
            execute(cursor, compiled)
        except duckdb.Error as error:
            log.info("trial of %s failed (%s)", kpi.id, headline(error))
            line, column = where_in_file(cursor, kpi, error, compiled.sql)
            failures.append(Failure(query, headline(error), line, column))
    return failures
