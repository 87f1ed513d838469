"""The process's one connection to the warehouse, and the way to write past it.

DuckDB allows one database instance per file and process with one configuration, and a writing process
locks the file. So the app keeps ONE cached read-only connection (external access disabled: analysts'
SQL can read no files and no network) and gives every call its own cursor (a DuckDB connection is not
thread-safe, its cursors are). An import or an edit of reference data takes the lock, closes the reader,
writes through ``sql.warehouse.connect`` and lets the next read reopen it; callers then clear their result
caches (``on_change`` callbacks).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sql import warehouse

_lock = threading.RLock()
_reader: duckdb.DuckDBPyConnection | None = None
_reader_path: Path | None = None
_listeners: list[Callable[[], None]] = []

# No memory limit here: the scorecard's reads peak under 1 GB at 10M contacts, and a 2.5 GB buffer
# pool made the full scorecard 1.9x slower there (blocks evicted between its statements).
READ_CONFIG: dict[str, str | bool | int | float | list[str]] = {"enable_external_access": False}


def db_path(db: str | Path | None = None) -> Path:
    return Path(db) if db is not None else warehouse.default_db_path()


def cursor(db: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor on the cached read-only connection (created, migrated, then reopened read-only)."""
    global _reader, _reader_path
    path = db_path(db).resolve()
    with _lock:
        if _reader is None or _reader_path != path:
            _close_reader()
            if not path.exists() or _needs_migration(path):
                warehouse.connect(path).close()
            _reader = duckdb.connect(str(path), read_only=True, config=READ_CONFIG)
            _reader.execute("SET TimeZone = 'UTC'")
            _reader_path = path
        return _reader.cursor()


def _needs_migration(path: Path) -> bool:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "schema_version" not in tables or any(m not in tables for m in warehouse.model_tables()):
            return True
        row = con.execute("SELECT max(version) FROM schema_version").fetchall()
        return (row[0][0] or 0) < len(warehouse.migrations())
    finally:
        con.close()


def _close_reader() -> None:
    global _reader, _reader_path
    if _reader is not None:
        _reader.close()
    _reader, _reader_path = None, None


def on_change(callback: Callable[[], None]) -> None:
    """Register a cache to clear after every write."""
    if callback not in _listeners:
        _listeners.append(callback)


def changed() -> None:
    for callback in _listeners:
        callback()


@contextmanager
def writer(db: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for imports and edits; readers reopen afterwards, caches are cleared."""
    with _lock:
        _close_reader()
        con = warehouse.connect(db_path(db))
        try:
            yield con
        finally:
            con.close()
            changed()
