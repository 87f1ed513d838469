"""The warehouse file: open it, migrate it, and run the SQL that lives beside this module.

Both layers that touch DuckDB (connectors, metrics) go through here, so the schema version, the model
refresh and the audits are applied the same way whoever opens the file. Migrations are numbered SQL
files in ``sql/migrations``; each runs once, in its own transaction, and is recorded in
``schema_version``, so a later release upgrades an existing warehouse without losing data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

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


def connect(path: str | Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, unless read-only, create and migrate) the warehouse."""
    db = Path(path) if path is not None else default_db_path()
    if read_only:
        con = duckdb.connect(str(db), read_only=True)
    else:
        if str(db) != ":memory:":
            db.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(db))
        migrate(con)
    con.execute("SET TimeZone = 'UTC'")
    return con


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
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, utcnow()])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = version
    return current


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


def refresh_models(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables of ``sql/models`` (file-name order is dependency order)."""
    for path in model_files():
        con.execute(path.read_text(encoding="utf-8"))


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
