"""Reference data: the reason map, channel costs, demand and targets, as CSV and as frames.

These four tables are what the business edits (who owns which reason, what a minute costs, how
many orders shipped, what the targets are), so they are importable from CSV and editable as frames.
The CSV columns are exactly the table columns (``docs/reference-data.md``); every row is validated
first and every problem reported with its CSV line, then the table is replaced or appended to in
one transaction, and the models are rebuilt so the KPIs see the change at once. Nothing is written
when any row is bad.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from connectors.base import FormatError
from connectors.dates import Dates
from sql import warehouse

# table -> (column -> (type, required)); defaults are the schema's (001_initial.sql)
TABLES: dict[str, dict[str, tuple[str, bool]]] = {
    "reason_map": {"reason": ("text", True), "label": ("text", False),
                   "department": ("text", True), "avoidable": ("bool", True),
                   "quadrant": ("text", False), "valid_from": ("date", False),
                   "valid_to": ("date", False)},
    "channel_costs": {"channel": ("text", True), "cost_per_minute": ("number", False),
                      "cost_per_contact": ("number", False), "valid_from": ("date", False),
                      "currency": ("text", False)},
    "demand": {"period": ("date", True), "department": ("text", False),
               "driver": ("text", True), "value": ("number", True)},
    "targets": {"kpi": ("text", True), "channel": ("text", False), "department": ("text", False),
                "valid_from": ("date", False), "valid_to": ("date", False),
                "target": ("number", False), "red_flag": ("number", False),
                "weight": ("number", False)},
}
DEFAULTS: dict[str, object] = {"valid_from": "1900-01-01", "valid_to": "9999-12-31",
                               "cost_per_minute": 0.0, "cost_per_contact": 0.0, "currency": "EUR",
                               "department": "*", "channel": "*", "weight": 1.0}
QUADRANTS = ("eliminate", "simplify", "automate", "leverage")
TRUE, FALSE = {"true", "yes", "y", "1", "t"}, {"false", "no", "n", "0", "f"}
MAX_CSV_BYTES = 20 * 1024 * 1024


class ReferenceError(ValueError):
    """Rows that cannot be imported; ``problems`` lists each as 'line N: message'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:10]) + (" ..." if len(problems) > 10 else ""))
        self.problems = problems


@dataclass(frozen=True)
class ImportSummary:
    table: str
    rows: int
    mode: str


def _check_table(table: str) -> dict[str, tuple[str, bool]]:
    if table not in TABLES:
        raise ReferenceError([f"unknown reference table '{table}' (use {', '.join(TABLES)})"])
    return TABLES[table]


def validate(table: str, frame: pd.DataFrame, first_line: int = 2) -> tuple[pd.DataFrame, list[str]]:
    """Typed rows with defaults filled in, and the problems ('line N: ...'; header is line 1)."""
    spec = _check_table(table)
    problems: list[str] = []
    unknown = [c for c in frame.columns if c not in spec]
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(map(str, unknown))} "
                        f"(columns: {', '.join(spec)})")
    missing = [c for c, (_, required) in spec.items() if required and c not in frame.columns]
    if missing:
        problems.append(f"line 1: missing required column(s) {', '.join(missing)}")
    if problems:
        return pd.DataFrame(columns=list(spec)), problems
    # Dates are decided per column (connectors.dates): 14/01/2025 makes the column day-first; a column
    # of only ambiguous dates (08/01/2025) or of both orders is refused, never guessed per value.
    lines = pd.Series(range(first_line, first_line + len(frame)), index=frame.index)
    dates: dict[str, list[str | None]] = {}
    for column, (kind, _) in spec.items():
        if kind != "date" or column not in frame.columns:
            continue
        cells = frame[column].map(lambda x: "" if x is None or (isinstance(x, float) and x != x)
                                  else str(x).strip()).astype("string")
        try:
            parsed = Dates(tz="UTC", refuse_ambiguous=True).column(cells, column, lines)
        except FormatError as exc:
            problems.append(f"line {exc.line}: {exc}" if exc.line else str(exc))
            continue
        dates[column] = [None if pd.isna(x) else x.date().isoformat() for x in parsed]
    if problems:
        return pd.DataFrame(columns=list(spec)), problems
    out: dict[str, list[object]] = {c: [] for c in spec}
    for i, row in enumerate(frame.to_dict("records")):
        line = first_line + i
        for column, (kind, required) in spec.items():
            raw = row.get(column)
            text = "" if raw is None or (isinstance(raw, float) and raw != raw) else str(raw).strip()
            if not text:
                if required:
                    problems.append(f"line {line}: {column} is empty")
                out[column].append(DEFAULTS.get(column))
                continue
            try:
                if kind == "date":
                    day = dates[column][i]
                    if day is None:
                        raise ValueError(text)
                    out[column].append(day)
                else:
                    out[column].append(_convert(kind, text))
            except ValueError:
                problems.append(f"line {line}: {column} '{text}' is not a {kind}")
                out[column].append(None)
        if table == "reason_map" and out["quadrant"][-1] not in (None, *QUADRANTS):
            problems.append(f"line {line}: quadrant must be one of {', '.join(QUADRANTS)}")
    return pd.DataFrame(out, columns=list(spec)), problems  # dates stay ISO text; DuckDB casts


def _convert(kind: str, text: str) -> object:
    if kind == "number":
        return float(text)
    if kind == "bool":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError(text)
    return text


def write(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
          replace: bool = True, refresh: bool = True) -> ImportSummary:
    """Validate ``frame`` and replace (or append to) ``table`` and rebuild the models and rollups,
    in one transaction (``refresh=False``, for a bulk load that rebuilds once at its end, marks
    the models behind instead: ``warehouse.MODELS_BEHIND``).
    Raises ReferenceError (nothing written) when any row is bad."""
    typed, problems = validate(table, frame)
    if problems:
        raise ReferenceError(problems)
    columns = ", ".join(TABLES[table])
    with warehouse.transaction(con):
        if replace:
            con.execute(f"DELETE FROM {table}")
        con.register("_reference_rows", typed)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _reference_rows")
        con.unregister("_reference_rows")
        if refresh:
            warehouse.refresh_models(con)
        else:  # rebuilt by the bulk load's end, or when the warehouse is next opened
            warehouse.set_setting(con, warehouse.MODELS_BEHIND, table)
    return ImportSummary(table, len(typed), "replace" if replace else "append")


def import_csv(con: duckdb.DuckDBPyConnection, table: str, source: str | Path | bytes,
               replace: bool = True, refresh: bool = True) -> ImportSummary:
    """Import a CSV (path or bytes) whose header names the table's columns."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if len(data) > MAX_CSV_BYTES:
        raise ReferenceError([f"the file is larger than {MAX_CSV_BYTES // 1024 // 1024} MiB"])
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReferenceError([f"line 1: cannot read the CSV: {exc}"]) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return write(con, table, frame, replace, refresh)


def read(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """The table as a frame with its documented columns, for the editors."""
    spec = _check_table(table)
    return con.execute(f"SELECT {', '.join(spec)} FROM {table}").fetchdf()


def export_csv(con: duckdb.DuckDBPyConnection, table: str) -> bytes:
    """The table as CSV bytes that ``import_csv`` reads back unchanged."""
    return read(con, table).to_csv(index=False).encode("utf-8")
