"""The warehouse file: open it, migrate it, and run the SQL that lives beside this module.

Both layers that touch DuckDB (connectors, metrics) go through here, so the schema version, the model
refresh and the audits are applied the same way whoever opens the file. Migrations are numbered SQL
files in ``sql/migrations``; each runs once, in its own transaction, and is recorded in
``schema_version``, so a later release upgrades an existing warehouse without losing data.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

SQL_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = SQL_DIR / "migrations"
MODELS_DIR = SQL_DIR / "models"
AUDITS_DIR = SQL_DIR / "audits"
DEFAULT_DB = Path("data") / "scorecard.duckdb"


def default_db_path() -> Path:
    """The database path: ``SCORECARD_DB`` if set, else ``data/scorecard.duckdb``."""
    return Path(os.environ.get("SCORECARD_DB") or DEFAULT_DB)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


MODELS_BEHIND = "models_behind"  # setting: a bulk load committed rows the models do not hold yet
MEMORY_LIMIT = "2.5GB"  # DuckDB's share of a process; beyond it, big sorts and joins spill to disk


def connect(path: str | Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, unless read-only, create and migrate) the warehouse.

    DuckDB may use ``SCORECARD_MEMORY_LIMIT`` (default 2.5GB) and spills to ``<db>.tmp`` beyond it,
    so importing a 3-million-row export (whose bytes the loader also holds) stays within 4 GB of
    memory in all: 3.6 GB measured, where DuckDB's own default (80 % of the machine) took 7.5 GB."""
    db = Path(path) if path is not None else default_db_path()
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": os.environ.get("SCORECARD_MEMORY_LIMIT", MEMORY_LIMIT)}
    if read_only:
        con = duckdb.connect(str(db), read_only=True, config=config)
    else:
        if str(db) != ":memory:":
            db.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(db), config=config)
        before = schema_version(con)
        after = migrate(con)
        con.execute("SET TimeZone = 'UTC'")
        if missing_models(con) or after != before or get_setting(con, MODELS_BEHIND):
            # a new (or pre-model) warehouse, one whose schema just changed (models built by an
            # older release lack the columns the KPIs read), or a bulk load that stopped before
            # its rebuild (loader.refresh_after): rebuild the models and rollups
            with transaction(con):
                refresh_models(con)
    con.execute("SET TimeZone = 'UTC'")
    return con


def model_tables() -> list[str]:
    """The tables the model files create: ``10_m_contacts.sql`` -> ``m_contacts``."""
    return [f.stem.split("_", 1)[1] for f in sorted(MODELS_DIR.glob("*.sql"))]


def missing_models(con: duckdb.DuckDBPyConnection) -> list[str]:
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}
    return [m for m in model_tables() if m not in tables]


def migrations() -> list[tuple[int, Path]]:
    found = []
    for f in sorted(MIGRATIONS_DIR.glob("*.sql")):
        found.append((int(f.name.split("_", 1)[0]), f))
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)"
    )
    row = one(con, "SELECT max(version) FROM schema_version")
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the warehouse's version; return the new version."""
    current = schema_version(con)
    for version, path in migrations():
        if version <= current:
            continue
        with transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, utcnow()])
        current = version
    return current


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT around the block, ROLLBACK when it raises: every write of the block
    happens, or none (DuckDB has no nested transactions: never open one inside another)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> tuple | None:
    """The first row of a query, or None. (DuckDB 2.0 keeps a result open after ``fetchone``, which blocks
    the next ``register``; ``fetchall`` drains it.)"""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def get_setting(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    row = one(con, "SELECT value FROM settings WHERE key = ?", [key])
    return row[0] if row else default


def set_setting(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("DELETE FROM settings WHERE key = ?", [key])
    con.execute("INSERT INTO settings VALUES (?, ?)", [key, value])


def model_files() -> list[Path]:
    return sorted(MODELS_DIR.glob("*.sql"))


INCREMENTAL = re.compile(r"^--\s*incremental:\s*key=(\w+)\s+(.+)$", re.MULTILINE)
CREATE = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+TABLE\s+(\w+)\s+AS\s", re.IGNORECASE | re.MULTILINE)


def refresh_models(con: duckdb.DuckDBPyConnection, import_ids: Iterable[int] | None = None) -> None:
    """Rebuild the derived tables of ``sql/models`` (file-name order is dependency order).

    With ``import_ids`` only what those imports touched is recomputed (``refresh_incremental``);
    without, every model is rebuilt from scratch (always correct: use it after reference data,
    settings or model SQL change, or after any write that did not go through an import), and so
    they are while a bulk load has left them behind (``MODELS_BEHIND``, which this clears). The
    caller holds the transaction that makes the refresh part of its write."""
    if import_ids is not None and not get_setting(con, MODELS_BEHIND):
        refresh_incremental(con, list(import_ids))
        return
    for path in model_files():
        con.execute(path.read_text(encoding="utf-8"))
    refresh_rollups(con)
    con.execute("DELETE FROM settings WHERE key = ?", [MODELS_BEHIND])


def rollup_defs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str, str]]:
    """(model, table, full SQL, days SQL, grain) of every rollup the metrics layer installed
    (grain: "day", or "month" for a model's histograms)."""
    if "rollup_defs" not in _model_tables(con):
        return []
    rows = con.execute("SELECT model, table_name, full_sql, days_sql, fingerprints FROM rollup_defs "
                       "ORDER BY model").fetchall()
    return [(m, t, f, d, str(json.loads(meta).get("grain", "day"))) for m, t, f, d, meta in rows]


def refresh_rollups(con: duckdb.DuckDBPyConnection, days: bool = False) -> None:
    """Rebuild every rollup from its model: in full, or (``days``) only the days listed in the
    temp table ``_rollup_days`` (a rollup row depends only on its own day's model rows; a monthly
    one on its month's, so the months of those days are rebuilt)."""
    defs = rollup_defs(con)
    for _model, table, full_sql, days_sql, grain in defs:
        if days and table in _model_tables(con):
            touched = ("SELECT day FROM _rollup_days" if grain == "day" else
                       f"SELECT DISTINCT CAST(date_trunc('{grain}', day) AS DATE) FROM _rollup_days")
            con.execute(f"DELETE FROM {table} WHERE day IN ({touched})")
            con.execute(f"INSERT INTO {table} BY NAME {days_sql}")
        else:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {full_sql}")
    if defs:
        con.execute("UPDATE rollup_defs SET built_at = ?", [utcnow()])


def _model_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                       "AND NOT temporary").fetchall()
    return {r[0] for r in rows}


def refresh_incremental(con: duckdb.DuckDBPyConnection, import_ids: list[int]) -> None:
    """Recompute the model rows of the contacts and survey responses that ``import_ids`` brought.

    The journey windows (previous / next contact of the same customer) make a contact's model row
    depend on the customer's other contacts, so the unit of work is the CUSTOMER: every contact of
    a customer that appears in the imports (with the customer key it has now or had in the models
    before) is recomputed, plus the imports' contacts without a customer and every survey response
    of the imports or linked to a recomputed contact. Each model declares how in its header::

        -- incremental: key=<column> <table>=<delta table> ...

        the model's own SQL runs with those tables swapped for the delta tables below, its rows
        whose key is in the first delta table are deleted and the new rows inserted.

    A model without that header, or missing models, fall back to a full rebuild (reference data
    never changes here: editing it goes through ``refresh_models`` without import ids)."""
    models = {CREATE.search(p.read_text(encoding="utf-8")) for p in model_files()}
    existing = _model_tables(con)
    if not import_ids or any(m is None or m.group(1) not in existing for m in models):
        refresh_models(con)
        return
    ids = ", ".join(str(int(i)) for i in import_ids)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _delta_keys AS
        SELECT customer_key FROM contacts
        WHERE import_id IN ({ids}) AND customer_key IS NOT NULL
        UNION
        SELECT m.customer_key FROM m_contacts m JOIN contacts c USING (contact_id)
        WHERE c.import_id IN ({ids}) AND m.customer_key IS NOT NULL""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _delta_contacts AS
        SELECT * FROM contacts
        WHERE import_id IN ({ids}) OR customer_key IN (SELECT customer_key FROM _delta_keys)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _delta_survey_responses AS
        SELECT * FROM survey_responses
        WHERE import_id IN ({ids}) OR contact_id IN (SELECT contact_id FROM _delta_contacts)""")
    con.execute("""
        CREATE OR REPLACE TEMP VIEW _delta_m_contacts AS
        SELECT * FROM m_contacts WHERE contact_id IN (SELECT contact_id FROM _delta_contacts)""")
    con.execute("CREATE OR REPLACE TEMP VIEW _delta_none_demand AS SELECT * FROM demand WHERE false")
    try:
        _delta_rows(con, "old")  # the model rows about to be replaced
        for path in model_files():
            _refresh_model(con, path.read_text(encoding="utf-8"))
        _delta_rows(con, "new")  # and the rows that replace them
        _changed_days(con)
        refresh_rollups(con, days=True)
    finally:
        for name in ("_delta_keys", "_delta_contacts", "_delta_survey_responses", "_delta_new",
                     "_rollup_days", *(f"_{age}_{model}" for age in ("old", "new")
                                       for model in DELTA_ROWS)):
            con.execute(f"DROP TABLE IF EXISTS temp.{name}")
        for name in ("_delta_m_contacts", "_delta_none_demand"):
            con.execute(f"DROP VIEW IF EXISTS temp.{name}")


DELTA_ROWS = {"m_contacts": ("contact_id", "_delta_contacts"),
              "m_surveys": ("response_id", "_delta_survey_responses")}


def _delta_rows(con: duckdb.DuckDBPyConnection, age: str) -> None:
    """The model rows of the contacts and responses an incremental refresh recomputes, before
    (``old``) or after (``new``) it, kept in ``_<age>_<model>``."""
    for model, (key, delta) in DELTA_ROWS.items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE _{age}_{model} AS SELECT * FROM {model} "
                    f"WHERE {key} IN (SELECT {key} FROM {delta})")


def _changed_days(con: duckdb.DuckDBPyConnection) -> None:
    """``_rollup_days``: the business days of the model rows the refresh changed (in either
    version), the only days whose rollup rows can change. A customer's older contacts are
    recomputed with the new ones (journey windows) but mostly come out the same: their days are
    not rebuilt, so a day's import costs what it changed, not the customer's whole history."""
    changed = " UNION ".join(
        f"SELECT DISTINCT CAST(local_at AS DATE) AS day FROM "
        f"(SELECT * FROM _old_{m} EXCEPT ALL SELECT * FROM _new_{m} UNION ALL "
        f"(SELECT * FROM _new_{m} EXCEPT ALL SELECT * FROM _old_{m})) WHERE local_at IS NOT NULL"
        for m in DELTA_ROWS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _rollup_days AS {changed}")


def swap_tables(select: str, swaps: dict[str, str]) -> str:
    """``select`` reading each table of ``swaps`` from its replacement (the delta tables of an
    incremental refresh), rewritten through sqlglot's AST: every table reference, wherever it is
    (FROM, JOIN, a subquery, a CTE), and nothing else (a column or a string with the same name)."""
    tree = sqlglot.parse_one(select, read="duckdb")
    return exp.replace_tables(tree, swaps).sql(dialect="duckdb")


def _refresh_model(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    header = INCREMENTAL.search(sql)
    create = CREATE.search(sql)
    if header is None or create is None:
        con.execute(sql)
        return
    table, key = create.group(1), header.group(1)
    swaps = [pair.split("=", 1) for pair in header.group(2).split()]
    select = swap_tables(sql[create.end():].strip().rstrip(";"), dict(swaps))
    driver = swaps[0][1]
    con.execute(f"CREATE OR REPLACE TEMP TABLE _delta_new AS {select}")
    con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {driver})")
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _delta_new")
    con.execute("DROP TABLE temp._delta_new")


@dataclass(frozen=True)
class AuditResult:
    audit: str
    rows_found: int
    sample: str


def run_audits(con: duckdb.DuckDBPyConnection, import_id: int | None = None) -> list[AuditResult]:
    """Run every audit (a query selecting bad rows) and record what each found."""
    results = []
    now = utcnow()
    for path in sorted(AUDITS_DIR.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        count = one(con, f"SELECT count(*) FROM ({sql}) AS bad")
        rows_found = int(count[0]) if count else 0
        sample = ""
        if rows_found:
            frame = con.execute(f"SELECT * FROM ({sql}) AS bad LIMIT 3").fetchdf()
            sample = frame.to_json(orient="records", date_format="iso")
        results.append(AuditResult(path.stem, rows_found, sample))
        con.execute(
            "INSERT INTO audit_findings VALUES (?, ?, ?, ?, ?)",
            [import_id, path.stem, rows_found, sample, now],
        )
    return results
