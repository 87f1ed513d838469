"""DuckDB errors a reader can act on: one headline line without a traceback, and the position in the
KPI FILE (DuckDB counts the lines of the statement that ran, which is not the file the analyst edits).

``runner`` puts ``describe`` into the ``error`` column of a KPI that failed; the metric editor shows
``where_in_file`` beside its problems.
"""

from __future__ import annotations

import logging
import re

import duckdb

from metrics.catalog import KPI
from metrics.compiler import kpi_params
from metrics.query import Query

MAX_ERROR_CHARS = 240
log = logging.getLogger(__name__)


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
