"""The KPI catalog: one ``sql/kpis/<id>.sql`` file per KPI, parsed by a pure function.

A KPI file is a header of ``-- key: value`` comment lines followed by ONE SELECT over ONE model
(``sql/models``) that yields ``value`` + ``n`` or ``numerator`` + ``denominator`` (+ ``n``), with the
conditions inside aggregate FILTERs and parameters as named placeholders (``$repeat_window_days``).
Comment lines keep the file runnable as-is in any SQL console and make every header value sit on a
line of its own, so a problem can name its line and column.

``parse_kpi`` never raises and never touches a database: it takes the text and the model schema
(``{model: {column: type}}``) and returns the KPI (or None) plus every problem found, so the editor,
``python -m metrics validate`` and the tests share it. Validation is MetricFlow-style (collect all,
never fail fast); the column check is sqlglot's ``qualify`` against the live schema plus our own walk,
which knows where each identifier sits in the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, TokenError
from sqlglot.optimizer.qualify import qualify

from sql import warehouse

DIALECT = "duckdb"
KPI_DIR = warehouse.SQL_DIR / "kpis"
PERSPECTIVES = ("experience", "operational", "avoidable", "cost")
UNITS = ("percent", "seconds", "count", "currency", "points", "ratio")
DIRECTIONS = ("higher", "lower")
DIMENSIONS = ("channel", "department", "reason", "queue", "team", "source")
# Time of week: computed from the model's local timestamp, split by only (never filtered). Every
# KPI over a model of timed rows can be read by them; demand (m_demand) is monthly and cannot.
TIME_OF_WEEK = ("weekday", "hour")
TIMED_MODELS = ("m_contacts", "m_surveys")
OUTPUTS = ("value", "numerator", "denominator", "n")
HEADER_KEYS = ("label", "perspective", "description", "unit", "direction", "params", "min_n",
               "target", "red_flag", "weight", "scale", "spread_over", "dimensions",
               "looks_forward")
# ``looks_forward``: how far a KPI looks past a contact (kpis.md "Provisional values"):
# "<param> days|hours" (a window that is one of its params) or "open tickets" (final once the
# period's tickets are solved).
WINDOW_UNITS = {"days": 86400, "hours": 3600}
REQUIRED_KEYS = ("label", "perspective", "unit", "direction")
# Table functions and functions that reach files, the network or the environment.
FORBIDDEN_FUNCTIONS = frozenset({
    "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "read_json", "read_json_auto",
    "read_ndjson", "read_ndjson_auto", "read_json_objects", "read_text", "read_blob", "glob",
    "sniff_csv", "parquet_metadata", "parquet_schema", "sqlite_scan", "sqlite_attach",
    "postgres_scan", "postgres_attach", "mysql_scan", "iceberg_scan", "delta_scan", "read_xlsx",
    "st_read", "query", "query_table", "getenv", "httpfs", "http_get", "load_aws_credentials",
    "duckdb_secrets", "read_csv_as_text",
})
FORBIDDEN_CLAUSES = {"group": "GROUP BY", "order": "ORDER BY", "limit": "LIMIT", "offset": "OFFSET",
                     "having": "HAVING", "qualify": "QUALIFY", "with_": "WITH", "with": "WITH",
                     "joins": "JOIN", "windows": "WINDOW"}
# Bound by the compiler, never declared: the date range, and whether the query groups or filters by
# owning department (cpx divides by each department's own driver then, by the company's otherwise).
RESERVED_PARAMS = ("period_start", "period_end", "department_scope")
_HEADER = re.compile(r"^--\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

ParamValue = int | float | str


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, where it is (1-based line and column) and what to do about it."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class KPI:
    """A parsed KPI file. ``kind`` is ratio (numerator/denominator), value (value + n) or spread
    (max - min of a ratio over ``spread_over``, recomputed at every grain)."""

    id: str
    label: str
    perspective: str
    unit: str
    direction: str
    model: str
    kind: str
    sql: str
    description: str = ""
    params: tuple[tuple[str, ParamValue], ...] = ()
    min_n: int = 30
    target: float | None = None
    red_flag: float | None = None
    weight: float = 1.0
    scale: float = 1.0
    spread_over: str | None = None
    has_n: bool = False
    file: str = ""
    # the dimensions it may be split and filtered by; any other makes it "not applicable"
    dimensions: tuple[str, ...] = DIMENSIONS
    # (param, unit) of a forward window, ("", "open") for "open tickets", None for a final KPI
    looks_forward: tuple[str, str] | None = None

    @property
    def defaults(self) -> dict[str, ParamValue]:
        return dict(self.params)

    def window_seconds(self, params: Mapping[str, ParamValue] | None = None) -> float | None:
        """The forward window in seconds with ``params`` (else the defaults), None if it has none."""
        if self.looks_forward is None or self.looks_forward[1] == "open":
            return None
        name, unit = self.looks_forward
        value = (params or {}).get(name, self.defaults.get(name))
        try:
            return float(value) * WINDOW_UNITS[unit]  # type: ignore[arg-type]
        except (TypeError, ValueError, KeyError):
            return None


@dataclass
class Catalog:
    """Every KPI that parsed, and every problem of every file (a broken file is left out)."""

    kpis: dict[str, KPI] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:max(0, offset)]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _number(raw: str) -> float | None:
    try:
        return float(raw)
    except ValueError:
        return None


def _param_value(raw: str) -> ParamValue:
    raw = raw.strip().strip("'\"")
    try:
        return int(raw)
    except ValueError:
        pass
    value = _number(raw)
    return value if value is not None else raw


class _Reader:
    """Collects problems for one file; knows how to turn offsets into line and column."""

    def __init__(self, file_name: str, text: str) -> None:
        self.file, self.text = file_name, text
        self.problems: list[Problem] = []

    def at(self, offset: int, message: str) -> None:
        line, col = _position(self.text, offset)
        self.problems.append(Problem(self.file, line, col, message))

    def at_line(self, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, col, message))

    def offset_of(self, node: exp.Expression | exp.Func | None, fallback: int) -> int:
        """The offset of the first token of ``node`` (sqlglot keeps it in ``meta`` of identifiers,
        functions and literals; the tokenizer's line numbers are not trusted after ``$`` names)."""
        if node is None:
            return fallback
        for sub in node.walk():
            start = sub.meta.get("start") if sub.meta else None
            if start is not None:
                return int(start)
        return fallback

    def keyword(self, pattern: str, start: int = 0) -> int | None:
        match = re.compile(pattern, re.IGNORECASE).search(_blank_comments(self.text), start)
        return match.start() if match else None


def _blank_comments(text: str) -> str:
    """The text with comments replaced by spaces (offsets unchanged), for keyword search."""
    return re.sub(r"--[^\n]*|/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text,
                  flags=re.DOTALL)


def _header(reader: _Reader) -> tuple[dict[str, tuple[str, int]], int]:
    """``key -> (value, line)`` from the leading comment lines, and the offset where SQL starts."""
    values: dict[str, tuple[str, int]] = {}
    offset = 0
    for number, line in enumerate(reader.text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("--"):
            break
        offset += len(line)
        match = _HEADER.match(stripped)
        if not match:
            continue
        key = match.group(1).lower()
        if key not in HEADER_KEYS:
            reader.at_line(number, 4, f"unknown header key '{key}' (known: {', '.join(HEADER_KEYS)})")
        elif key in values:
            reader.at_line(number, 4, f"header key '{key}' given twice")
        else:
            values[key] = (match.group(2), number)
    return values, offset


def _check_header(reader: _Reader, head: dict[str, tuple[str, int]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in REQUIRED_KEYS:
        if key not in head:
            reader.at_line(1, 1, f"header is missing '-- {key}: ...'")
    choices = {"perspective": PERSPECTIVES, "unit": UNITS, "direction": DIRECTIONS,
               "spread_over": DIMENSIONS}
    # looks_forward names a param: read it after the params, wherever it stands
    for key, (raw, line) in sorted(head.items(), key=lambda item: item[0] == "looks_forward"):
        col = reader.text.splitlines()[line - 1].find(raw) + 1 if raw else 1
        if key in choices:
            if raw not in choices[key]:
                reader.at_line(line, col, f"{key} '{raw}' is not one of {', '.join(choices[key])}")
            out[key] = raw
        elif key in ("min_n", "target", "red_flag", "weight", "scale"):
            number = _number(raw) if raw else None
            if raw and number is None:
                reader.at_line(line, col, f"{key} must be a number, not '{raw}'")
            out[key] = number
        elif key == "params":
            params: list[tuple[str, ParamValue]] = []
            for item in filter(None, (p.strip() for p in raw.split(","))):
                name, sep, value = item.partition("=")
                name = name.strip()
                if not sep or not _NAME.match(name) or name in RESERVED_PARAMS:
                    reader.at_line(line, col, f"param '{item}' must be name=default "
                                   "(lower-case name, not period_start/period_end)")
                    continue
                params.append((name, _param_value(value)))
            out[key] = tuple(params)
        elif key == "dimensions":
            dims = tuple(d.strip() for d in raw.split(",") if d.strip())
            for dim in dims:
                if dim not in DIMENSIONS:
                    reader.at_line(line, col, f"dimension '{dim}' is not one of {', '.join(DIMENSIONS)}")
            out[key] = dims
        elif key == "looks_forward":
            out[key] = _looks_forward(reader, raw, line, col, out.get("params", ()))
        else:
            out[key] = raw
    return out


def _looks_forward(reader: _Reader, raw: str, line: int, col: int,
                   params: object) -> tuple[str, str] | None:
    """``<param> days|hours`` naming a declared param, or ``open tickets``."""
    words = raw.split()
    if words == ["open", "tickets"]:
        return ("", "open")
    declared = {name for name, _ in params}  # type: ignore[attr-defined]
    if len(words) == 2 and words[1] in WINDOW_UNITS and words[0] in declared:
        return (words[0], words[1])
    reader.at_line(line, col, "looks_forward must be '<param> days', '<param> hours' (a param "
                   "declared above it) or 'open tickets'")
    return None


def parse_kpi(
    file_name: str, text: str, schema: Mapping[str, Mapping[str, str]]
) -> tuple[KPI | None, list[Problem]]:
    """Parse and validate one KPI file. Pure: returns the KPI (None if anything is wrong) and every
    problem found, each with its line and column."""
    reader = _Reader(file_name, text)
    kpi_id = Path(file_name).stem
    if not _NAME.match(kpi_id):
        reader.at_line(1, 1, f"file name '{kpi_id}' is not a KPI id (lower-case letters, digits, _)")
    head, sql_start = _header(reader)
    meta = _check_header(reader, head)
    try:
        statements = [s for s in sqlglot.parse(text, read=DIALECT) if s is not None]
    except ParseError as err:
        for e in err.errors or [{"description": str(err)}]:
            context = str(e.get("start_context") or "") + str(e.get("highlight") or "")
            found = text.find(context) if context else -1
            offset = found + len(str(e.get("start_context") or "")) if found >= 0 else sql_start
            reader.at(offset, f"syntax error: {e.get('description')}")
        return None, reader.problems
    except TokenError as err:
        reader.at(sql_start, f"syntax error: {err}")
        return None, reader.problems
    if not statements:
        reader.at(sql_start, "no SQL: a KPI file needs one SELECT after its header")
        return None, reader.problems
    if len(statements) > 1:
        second = re.compile(r";\s*(\S)").search(_blank_comments(text), sql_start)
        reader.at(second.start(1) if second else sql_start,
                  "only one statement is allowed (a single SELECT over one model)")
    stmt = statements[0]
    if not isinstance(stmt, exp.Select):
        word = stmt.this if isinstance(stmt, exp.Command) else stmt.key.upper()
        reader.at(reader.keyword(r"\S", sql_start) or sql_start,
                  f"only a single SELECT is allowed, not {str(word).upper()}")
        return None, reader.problems
    model, kind, has_n = _check_select(reader, stmt, sql_start, schema, meta)
    if model is None or kind is None or reader.problems:
        return None, reader.problems
    spread_over = meta.get("spread_over")
    if spread_over is not None:
        kind = "spread"
        if "min_n" not in {name for name, _ in meta.get("params", ())}:  # type: ignore[attr-defined]
            reader.at_line(head["spread_over"][1], 1,
                           "a spread KPI needs a param min_n=<channels below it are left out>")
            return None, reader.problems
    unit = str(meta["unit"])
    scale = meta.get("scale")
    if scale is None:
        scale = 100.0 if unit in ("percent", "points") and kind != "value" else 1.0
    kpi = KPI(
        id=kpi_id, label=str(meta["label"]), perspective=str(meta["perspective"]), unit=unit,
        direction=str(meta["direction"]), model=model, kind=kind, sql=text,
        description=str(meta.get("description", "")),
        params=meta.get("params", ()),  # type: ignore[arg-type]
        min_n=int(meta["min_n"]) if meta.get("min_n") is not None else 30,  # type: ignore[call-overload]
        target=meta.get("target"), red_flag=meta.get("red_flag"),  # type: ignore[arg-type]
        weight=float(meta["weight"]) if meta.get("weight") is not None else 1.0,  # type: ignore[arg-type]
        scale=float(scale), spread_over=str(spread_over) if spread_over else None,  # type: ignore[arg-type]
        has_n=has_n, file=file_name,
        dimensions=meta.get("dimensions", DIMENSIONS),  # type: ignore[arg-type]
        looks_forward=meta.get("looks_forward"),  # type: ignore[arg-type]
    )
    return kpi, reader.problems


def _check_select(
    reader: _Reader, stmt: exp.Select, sql_start: int, schema: Mapping[str, Mapping[str, str]],
    meta: Mapping[str, object],
) -> tuple[str | None, str | None, bool]:
    """Walk the SELECT: clauses, tables, functions, columns, placeholders, outputs."""
    for arg, word in FORBIDDEN_CLAUSES.items():
        if stmt.args.get(arg):
            where = reader.keyword(r"\b" + word.replace(" ", r"\s+") + r"\b", sql_start)
            reader.at(where if where is not None else sql_start,
                      f"{word} is not allowed: the compiler adds grain, dimensions and order")
    for node in stmt.walk():
        if node is not stmt and isinstance(node, (exp.Select, exp.Subquery, exp.Union)):
            reader.at(reader.offset_of(node, sql_start),
                      "subqueries are not allowed: put joins and derived columns in a model")
        elif isinstance(node, exp.Window):
            reader.at(reader.offset_of(node, sql_start), "window functions are not allowed in a KPI")
        elif isinstance(node, exp.Func):
            name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
            if name.lower() in FORBIDDEN_FUNCTIONS:
                reader.at(reader.offset_of(node, sql_start),
                          f"{name.lower()}() reads files or the network and is not allowed")
    tables = list(stmt.find_all(exp.Table))
    model: str | None = None
    if len(tables) != 1 or not isinstance(tables[0].this, exp.Identifier):
        reader.at(reader.offset_of(tables[0] if tables else None, sql_start),
                  f"a KPI reads exactly one model ({', '.join(sorted(schema)) or 'none built'})")
    elif tables[0].name not in schema or tables[0].args.get("db"):
        reader.at(reader.offset_of(tables[0], sql_start),
                  f"unknown model '{tables[0].sql(DIALECT)}' (known: {', '.join(sorted(schema))})")
    else:
        model = tables[0].name
    declared = {name for name, _ in meta.get("params", ())}  # type: ignore[attr-defined]
    for ph in stmt.find_all(exp.Placeholder):
        name = ph.name
        where = reader.keyword(r"\$" + re.escape(name) + r"\b", sql_start) if name else None
        if not name or name == "?":
            reader.at(reader.keyword(r"\?", sql_start) or sql_start,
                      "use named parameters ($name) declared in the header, not ?")
        elif name not in declared and name not in RESERVED_PARAMS:
            reader.at(where if where is not None else sql_start,
                      f"unknown param ${name}: declare it in the header as '-- params: {name}=...'")
    aliases: list[str] = []
    for projection in stmt.expressions:
        alias = projection.alias_or_name if isinstance(projection, exp.Alias) else ""
        if alias not in OUTPUTS or alias in aliases:
            reader.at(reader.offset_of(projection, sql_start),
                      f"each output must be aliased once AS one of {', '.join(OUTPUTS)}")
        aliases.append(alias)
    if model is not None:
        columns = {c.lower() for c in schema[model]}
        for column in stmt.find_all(exp.Column):
            table = column.table
            if table and table != model:
                reader.at(reader.offset_of(column, sql_start), f"unknown table '{table}'")
            elif column.name.lower() not in columns and column.name not in aliases:
                reader.at(reader.offset_of(column, sql_start),
                          f"unknown column '{column.name}' in model {model}")
        spread = meta.get("spread_over")
        if spread and str(spread) not in columns:
            reader.at(sql_start, f"model {model} has no column '{spread}' to spread over")
        if not reader.problems:
            try:
                qualify(stmt.copy(), schema={m: dict(c) for m, c in schema.items()},
                        dialect=DIALECT, validate_qualify_columns=True, quote_identifiers=False)
            except OptimizeError as err:
                reader.at(sql_start, f"does not resolve against the models: {err}")
    kind: str | None = None
    if "value" in aliases and ("numerator" in aliases or "denominator" in aliases):
        reader.at(sql_start, "yield either value + n or numerator + denominator, not both")
    elif "value" in aliases:
        kind = "value"
        if "n" not in aliases:
            reader.at(sql_start, "a value KPI must also yield n (its row count)")
    elif "numerator" in aliases and "denominator" in aliases:
        kind = "ratio"
    else:
        reader.at(sql_start, "yield value + n, or numerator + denominator")
    return model, kind, "n" in aliases


def kpi_files(directory: Path = KPI_DIR) -> list[Path]:
    return sorted(Path(directory).glob("*.sql"))


def load_catalog(directory: Path | str = KPI_DIR,
                 schema: Mapping[str, Mapping[str, str]] | None = None) -> Catalog:
    """Parse every KPI file of ``directory``; collect every problem, never stop at the first."""
    schema = model_schema() if schema is None else schema
    catalog = Catalog()
    for path in kpi_files(Path(directory)):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            catalog.problems.append(Problem(path.name, 1, 1, f"cannot read the file: {exc}"))
            continue
        kpi, problems = parse_kpi(path.name, text, schema)
        catalog.problems.extend(problems)
        if kpi is not None:
            catalog.kpis[kpi.id] = kpi
    return catalog


def model_names() -> list[str]:
    """The tables ``sql/models`` creates (the only ones a KPI may read)."""
    names = []
    for path in warehouse.model_files():
        names += re.findall(r"CREATE\s+OR\s+REPLACE\s+TABLE\s+(\w+)", path.read_text("utf-8"), re.I)
    return names


def schema_of(con: object) -> dict[str, dict[str, str]]:
    """``{model: {column: type}}`` of the model tables a warehouse holds."""
    names = model_names()
    rows = con.execute(  # type: ignore[attr-defined]
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_name IN (SELECT unnest(?)) ORDER BY table_name, ordinal_position", [names]
    ).fetchall()
    schema: dict[str, dict[str, str]] = {}
    for table, column, dtype in rows:
        schema.setdefault(table, {})[column] = dtype
    return schema


@lru_cache(maxsize=1)
def _built_schema() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    con = warehouse.connect(":memory:")
    try:
        warehouse.refresh_models(con)
        return tuple((t, tuple(cols.items())) for t, cols in schema_of(con).items())
    finally:
        con.close()


def model_schema() -> dict[str, dict[str, str]]:
    """The schema the shipped models produce, built once in an empty in-memory warehouse."""
    return {t: dict(cols) for t, cols in _built_schema()}
