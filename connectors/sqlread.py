"""DuckDB-native reading for connectors' fast paths, and SQL twins of the converters in values.py.

A connector does not call these converters column by column: its column spec (``connectors.columns``)
names each source column's conversion kind once, and the spec picks the pandas converter for the careful
reader and the SQL twin here for the fast path.

A fast path reads a big export with DuckDB's own CSV / JSON reader instead of Python, then converts
the cells in SQL the way ``values.py`` converts them in pandas. It only takes files it reads exactly
like the Python reader; for anything else it answers None and the loader uses the connector's
``read``:

* CSV: valid UTF-8 (DuckDB refuses anything else), unique non-empty header names, one record per line
  (so a record's line is its row number + 1: a file with quoted line breaks or blank lines goes the
  careful way, which tracks physical lines), no rows longer than the header, an even number of quote
  characters (an odd one is a truncated export, which the careful reader refuses with its line);
* timestamps: every non-empty cell must be read by the SQL cast (``unread``) of an ISO shape that
  needs no day/month decision; a file with any other date shape goes the careful way, where
  ``connectors.dates`` decides the order once per column (and says so in the notes), so the two paths
  never decide differently. Local times move to UTC with the same rules as ``values.timestamps``
  (the repeated autumn hour is standard time, the skipped spring hour moves to the transition).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from connectors.base import ReadOptions
from connectors.textfile import BOM, first_line, header_fields, sniff_delimiter

# Whitespace Python's str.strip() removes but DuckDB's trim() does not (it trims spaces only): the other
# ASCII controls str.isspace() counts, and (UTF-8) U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
# U+202F, U+205F, U+3000. A file holding any of these goes the careful way, so trim() cuts exactly what
# strip() cuts; tabs count unless they are the delimiter, lone carriage returns always.
_CONTROLS = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")
_WIDE = {b"\xc2": (b"\xc2\x85", b"\xc2\xa0"), b"\xe1": (b"\xe1\x9a\x80",),
         b"\xe2": tuple(b"\xe2\x80" + bytes([c]) for c in [*range(0x80, 0x8B), 0xA8, 0xA9, 0xAF])
         + (b"\xe2\x81\x9f",),
         b"\xe3": (b"\xe3\x80\x80",)}


def plain_spaces(data: bytes, delimiter: str = ",") -> bool:
    """True when the only whitespace in ``data`` is spaces, line ends and (as delimiter) tabs.

    Byte searches only (C speed); a multi-byte space is looked for only where its lead byte occurs."""
    if delimiter != "\t" and b"\t" in data:
        return False
    if any(c in data for c in _CONTROLS) or data.count(b"\r") != data.count(b"\r\n"):
        return False
    if data.isascii():
        return True
    return not any(lead in data and any(seq in data for seq in seqs) for lead, seqs in _WIDE.items())


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def text(expr: str) -> str:
    """``values.text``: trimmed, empty is NULL (exact on files that pass ``plain_spaces``)."""
    return f"nullif(trim({expr}), '')"


def number(expr: str) -> str:
    """``values.numbers``: either decimal separator (``1.234,5`` and ``1,234.5``)."""
    t = text(expr)
    return (f"TRY_CAST(CASE WHEN regexp_full_match({t}, '-?[0-9.]*,[0-9]+') "
            f"THEN replace(replace({t}, '.', ''), ',', '.') ELSE replace({t}, ',', '') END AS DOUBLE)")


OFFSET = r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def local_timestamp(expr: str, formats: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S",)) -> str:
    """A timestamp in one of ``formats`` (no offset); anything else is NULL and, through ``unread``,
    sends the file the careful way."""
    return f"try_strptime({expr}, [{', '.join(literal(f) for f in formats)}])"


def utc_timestamp(expr: str) -> str:
    """A timestamp with an offset (``Z``, ``+02:00``) to naive UTC; one without is read as UTC."""
    return (f"CASE WHEN regexp_matches({expr}, '{OFFSET}') "
            f"THEN timezone('UTC', TRY_CAST({expr} AS TIMESTAMPTZ)) "
            f"ELSE TRY_CAST({expr} AS TIMESTAMP) END")


def unread(pairs: list[tuple[str, str]]) -> str:
    """SQL, true on a row where some cell (raw) has text but its parsed value is NULL."""
    return " OR ".join(f"({raw} IS NOT NULL AND {parsed} IS NULL)" for raw, parsed in pairs) or "false"


@contextmanager
def on_disk(data: bytes, opts: ReadOptions) -> Iterator[str]:
    """A path DuckDB can read the bytes from: the file itself, or a temporary copy of an upload."""
    path = Path(opts.path) if opts.path else None
    if path is not None and path.is_file() and path.stat().st_size == len(data):
        yield str(path)
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / (Path(opts.file_name).name or "upload")
        copy.write_bytes(data)
        yield str(copy)


def csv_rows(con: duckdb.DuckDBPyConnection, data: bytes, opts: ReadOptions) -> list[str] | None:
    """Read a CSV into the temp view ``_rows`` (``_line`` + one VARCHAR column per header name).

    Returns the header, or None when the file needs the careful reader (see the module doc)."""
    if not data or data.isspace() or b"\x00" in data[:4096] or data.count(b'"') % 2:
        return None
    head = data[:65536]
    line = first_line(head)
    if len(line.encode("utf-8")) >= len(head) - 4:
        return None
    if not plain_spaces(data, sniff_delimiter(line)):
        return None
    header = [h.strip() for h in header_fields(head)]
    if not header or any(not h for h in header) or len({h.lower() for h in header}) != len(header):
        return None
    columns = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in header) + "}"
    with on_disk(data, opts) as path:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM read_csv(?, header = true,
                auto_detect = false, columns = {columns}, delim = ?, quote = '"', escape = '"',
                null_padding = true, encoding = 'utf-8')""",
            [path, sniff_delimiter(line)])
    rows = con.execute("SELECT count(*) FROM _raw").fetchall()[0][0]
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if rows + 1 != lines:
        return None
    # Rows whose every cell is blank are skipped, as the careful reader skips them (an AND of
    # per-cell tests: DuckDB drops a row at its first non-blank cell, so this costs almost nothing).
    blank = " AND ".join(f"{text(ident(h))} IS NULL" for h in header)
    skip = con.execute(f"SELECT count(*) FROM _raw WHERE {blank}").fetchall()[0][0]
    where = f"WHERE NOT ({blank})" if skip else ""
    con.execute(f"CREATE OR REPLACE TEMP VIEW _rows AS SELECT rowid + 2 AS _line, * FROM _raw {where}")
    return header


def drop_raw(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP VIEW IF EXISTS temp._rows")
    con.execute("DROP TABLE IF EXISTS temp._raw")


def hours_sql(table: str, columns: list[str]) -> str:
    """SQL of the distinct hours of text timestamps (``YYYY-MM-DD HH...``) in ``columns``: the
    13-character prefixes are made distinct first, so only those few are parsed."""
    union = " UNION ".join(f"SELECT left({c}, 13) AS p FROM {table}" for c in columns)
    return (f"SELECT DISTINCT try_strptime(p, '%Y-%m-%d %H') AS h FROM ({union}) "
            f"WHERE h IS NOT NULL ORDER BY h")


def to_utc(con: duckdb.DuckDBPyConnection, tz: str, hours: str) -> Callable[[str], str] | None:
    """A builder of SQL that moves local timestamps of ``tz`` to UTC, as ``values.timestamps`` does.

    ``hours`` is a query of the distinct hours the timestamps fall in (``hours_sql``). The offset is
    worked out with pandas once per hour; the SQL is a CASE over the runs of hours that share an
    offset. None when some hour has an offset change inside it other than a whole skipped hour
    (zones with half-hour shifts): the caller then takes the careful way."""
    if not tz or tz.upper() == "UTC":
        return lambda expr: expr
    found = pd.Series([r[0] for r in con.execute(hours).fetchall()], dtype="datetime64[us]")
    if found.empty:
        return lambda expr: expr

    def utc(s: pd.Series) -> pd.Series:
        local = s.dt.tz_localize(tz, ambiguous=np.zeros(len(s), dtype=bool), nonexistent="shift_forward")
        return local.dt.tz_convert("UTC").dt.tz_localize(None)
    last = pd.Timedelta(hours=1) - pd.Timedelta(microseconds=1)
    start, end = utc(found), utc(found + last)
    runs: list[tuple[pd.Timestamp, str]] = []  # (first hour after the run, SQL of the run)
    for h, s, e in zip(found, start, end, strict=True):
        if e - s == last:
            sql = f"{{x}} + to_microseconds({int((s - h) / pd.Timedelta(microseconds=1))})"
        elif e == s:  # a skipped hour: every time in it moves to the transition
            sql = f"TIMESTAMP '{s.isoformat()}'"
        else:
            return None
        nxt = h + pd.Timedelta(hours=1)
        if runs and runs[-1][1] == sql and "TIMESTAMP" not in sql:
            runs[-1] = (nxt, sql)
        else:
            runs.append((nxt, sql))

    def build(expr: str) -> str:
        if len(runs) == 1:
            return runs[0][1].format(x=expr)
        whens = " ".join(f"WHEN {expr} < TIMESTAMP '{until.isoformat()}' THEN {sql.format(x=expr)}"
                         for until, sql in runs[:-1])
        return f"CASE {whens} ELSE {runs[-1][1].format(x=expr)} END"
    return build


def json_rows(con: duckdb.DuckDBPyConnection, data: bytes, opts: ReadOptions, columns: str) -> bool:
    """Read a JSON record stream (array, NDJSON or glued objects) into the temp table ``_raw``.

    ``columns`` is DuckDB's struct of the keys to read (others are ignored). False for shapes the
    careful reader handles (gzip, several arrays, anything that does not start like records)."""
    start = data[len(BOM):len(BOM) + 4096].lstrip()[:1] if data.startswith(BOM) else data[:4096].lstrip()[:1]
    if start not in (b"{", b"["):
        return False
    fmt = "array" if start == b"[" else "unstructured"
    with on_disk(data, opts) as path:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM read_json(?, format = '{fmt}', "
                    f"records = true, columns = {columns}, maximum_object_size = 16777216)", [path])
    return True
