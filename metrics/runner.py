"""The runner: execute compiled KPI statements on a cursor and stack the answers into one frame.

KPIs that are plain aggregates over the same model share ONE statement (one scan of the model, each
KPI keeping its own FILTERs: ``compiler.compile_batch``); the others (spread KPIs, bodies with their own
WHERE or joins, a model asked for by one KPI only) get one statement each. ``explain`` lists, per KPI, the
statement that answers it (batched KPIs list the same shared statement), and ``run`` executes each
distinct statement once, so "how is this calculated" shows exactly what ran. Frames always carry the same
columns in the same order, whatever the KPI kind: kpi, period, <dimensions>, value, numerator,
denominator, n, error.

Failures are isolated per KPI, because one analyst's broken edit must not blank 23 other numbers: when a
batch fails, its KPIs are run one by one, and a KPI whose own statement fails gets rows whose value,
numerator, denominator and n are missing and whose ``error`` says, in one line and without a traceback,
what failed and where in its file (the full exception goes to the log). ``error`` is None on every row
that computed. ``trial`` runs an unsaved KPI on small queries, so the editor refuses to save a KPI that
validates but does not run, and ``locate`` maps a DuckDB error (which counts lines of the statement
that ran) back to the KPI file's line and column.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd
from sqlglot import exp

from metrics.catalog import DIALECT, DIMENSIONS, KPI, Catalog
from metrics.compiler import (
    TIME_COLUMN,
    Compiled,
    batchable,
    compile_batch,
    compile_kpi,
    kpi_params,
)
from metrics.query import Query, QueryError, period_start, shift

VALUE_COLUMNS = ["value", "numerator", "denominator", "n"]
ERROR_COLUMN = "error"
MAX_ERROR_CHARS = 240
log = logging.getLogger(__name__)


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
    return ["kpi", "period", *query.dimensions, *VALUE_COLUMNS, ERROR_COLUMN]


def execute(cursor: duckdb.DuckDBPyConnection, compiled: Compiled) -> pd.DataFrame:
    """The rows of one statement (raises the DuckDB error; ``run`` isolates it per KPI)."""
    frame = cursor.execute(compiled.sql, compiled.param_map).fetchdf()
    if "kpi" not in frame.columns:
        frame.insert(0, "kpi", compiled.kpi)
    return frame


# --- errors a reader can act on ----------------------------------------------------------------

_CARET = re.compile(r"^LINE (\d+): (.*)\n( *)(\^+)", re.MULTILINE)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def headline(error: Exception) -> str:
    """The first line of a DuckDB error ("Binder Error: ..."), without candidate lists, the
    statement excerpt or a traceback, at most MAX_ERROR_CHARS long."""
    first = next((line.strip() for line in str(error).splitlines() if line.strip()),
                 type(error).__name__)
    return first if len(first) <= MAX_ERROR_CHARS else first[:MAX_ERROR_CHARS - 3] + "..."


def caret(message: str, sql: str) -> tuple[int, int, str] | None:
    """Where DuckDB's ``LINE n:`` excerpt and caret point in ``sql`` (1-based line and column)
    and the text the carets underline; None when the message has no position. DuckDB shows a
    window of long lines ("...middle..."): the window is found in the real line."""
    match = _CARET.search(message)
    if not match:
        return None
    number, shown = int(match.group(1)), match.group(2)
    column0 = len(match.group(3)) - len(f"LINE {number}: ")
    lines = sql.splitlines()
    if not 1 <= number <= len(lines):
        return None
    real = lines[number - 1]
    if shown.startswith("..."):
        window = shown[3:].removesuffix("...")
        found = real.find(window[:40])
        column0 = (found if found >= 0 else 0) + column0 - 3
    column0 = min(max(column0, 0), len(real))
    return number, column0 + 1, real[column0:column0 + len(match.group(4))]


def _blank_comments(text: str) -> str:
    """``text`` with -- comments blanked (same offsets), so a search never lands in the header."""
    return re.sub(r"--[^\n]*", lambda m: " " * len(m.group(0)), text)


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _loose(candidate: str) -> str:
    """A regex for ``candidate`` that ignores spacing around tokens (matched without case): sqlglot
    prints ``FILTER(WHERE`` where the analyst wrote ``FILTER (WHERE``."""
    tokens = re.findall(r"\w+|[^\w\s]", candidate)
    pattern = r"\s*".join(re.escape(t) for t in tokens)
    return (r"\b" if tokens and re.match(r"\w", tokens[0]) else "") + pattern


def locate(message: str, compiled_sql: str, kpi_text: str) -> tuple[int, int]:
    """The KPI file's line and column for an error DuckDB raised on ``compiled_sql``. sqlglot
    re-prints the body, so the compiled line numbers never match the file's: the underlined
    text is searched in the file's SQL (outside comments), then its first call ``f(...)``, then
    each of its words in turn (``CAST(status AS INT)`` finds ``status::INTEGER``); else the
    file's SELECT."""
    body = _blank_comments(kpi_text)
    select = re.search(r"\bselect\b", body, re.IGNORECASE)
    start = select.start() if select else 0
    where = caret(message, compiled_sql)
    if where is None:
        return _position(kpi_text, start)
    underlined = where[2].strip()
    call = re.match(r"[^()]*\([^()]*\)", underlined)
    candidates = [underlined, *([call.group(0)] if call else []), *_WORD.findall(underlined)]
    for candidate in filter(None, candidates):
        found = re.search(_loose(candidate), body[start:], re.IGNORECASE)
        if found:
            return _position(kpi_text, start + found.start())
    return _position(kpi_text, start)


def own_error(cursor: duckdb.DuckDBPyConnection, kpi: KPI) -> str | None:
    """The error of the KPI file's OWN SELECT when DuckDB plans it (EXPLAIN reads no data), or
    None when it plans. Its ``LINE n`` is the file's line n: the header is comment lines, so the
    file is the statement. Errors that only show on data (conversions) plan fine here."""
    params = {k: v for k, v in kpi_params(kpi, Query((kpi.id,))).items()
              if re.search(r"\$" + re.escape(k) + r"\b", kpi.sql)}
    try:
        cursor.execute("EXPLAIN " + kpi.sql, params).fetchall()
    except duckdb.Error as error:
        return str(error)
    return None


def where_in_file(cursor: duckdb.DuckDBPyConnection, kpi: KPI, error: Exception,
                  compiled_sql: str) -> tuple[int, int]:
    """Line and column in the KPI file of an error its compiled statement raised: exact when the
    file's own SELECT fails the same way, else found by the underlined text (``locate``)."""
    own = own_error(cursor, kpi)
    if own is not None:
        exact = caret(own, "EXPLAIN " + kpi.sql)
        if exact is not None:
            line, column, _ = exact
            return line, column - (len("EXPLAIN ") if line == 1 else 0)
    return locate(str(error), compiled_sql, kpi.sql)


def describe(cursor: duckdb.DuckDBPyConnection, kpi: KPI, error: Exception,
             compiled_sql: str) -> str:
    """The ``error`` cell: DuckDB's headline and the place in the KPI file it points at."""
    try:
        line, column = where_in_file(cursor, kpi, error, compiled_sql)
    except Exception:  # locating is a courtesy: never let it hide the error itself
        log.exception("could not locate the error of %s in its file", kpi.id)
        return headline(error)
    return f"{headline(error)} ({kpi.file or kpi.id + '.sql'}:{line}:{column})"


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


def run(cursor: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query) -> pd.DataFrame:
    """Every KPI of ``query`` at its grain and dimensions, one row per KPI x period x dimensions;
    a KPI that does not run has rows with missing values and its ``error``."""
    frames = [f for c in statements(catalog, query) for f in answer(cursor, catalog, query, c)]
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


# --- trying an unsaved KPI ---------------------------------------------------------------------

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
