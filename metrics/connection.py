"""The process's one connection to the warehouse, and the way to write past it.

DuckDB allows one database instance per file and process with one configuration, and a writing process
locks the file. So the app keeps ONE cached read-only connection (external access disabled: analysts'
SQL can read no files and no network) and gives every read its own cursor (a DuckDB connection is not
thread-safe, its cursors are). An import or an edit of reference data closes the reader, writes through
``sql.warehouse.connect`` and lets the next read reopen it; callers then clear their result caches
(``on_change`` callbacks).

Reads and writes pass one gate (``_Gate``): any number of reads at once, or one write. A write waits
for the reads under way to finish and holds new ones back until it has committed, so no read ever
has its connection closed under it (a read during an upload waits, then sees the new data), and a
stream of reads cannot starve a write. A thread already reading may read again (the scorecard asks
for its channel split inside its own computation) without waiting behind a writer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sql import warehouse


class _Gate:
    """Many readers or one writer; a writer that waits holds new readers back (see the module
    docstring). Reads nest within a thread; a thread that reads cannot write."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting = 0
        self._writer: int | None = None
        self._mine = threading.local()

    def reading(self) -> bool:
        return getattr(self._mine, "depth", 0) > 0

    @contextmanager
    def read(self) -> Iterator[None]:
        if self._writer == threading.get_ident():
            raise RuntimeError("a thread that is writing the warehouse reads through its writer")
        nested = self.reading()
        if not nested:
            with self._cond:
                while self._writing or self._waiting:
                    self._cond.wait()
                self._readers += 1
        self._mine.depth = getattr(self._mine, "depth", 0) + 1
        try:
            yield
        finally:
            self._mine.depth -= 1
            if not nested:
                with self._cond:
                    self._readers -= 1
                    if not self._readers:
                        self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        if self.reading():
            raise RuntimeError("a thread that is reading the warehouse cannot write to it")
        with self._cond:
            self._waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting -= 1
            self._writing = True
            self._writer = threading.get_ident()
        try:
            yield
        finally:
            with self._cond:
                self._writing, self._writer = False, None
                self._cond.notify_all()


_gate = _Gate()
_lock = threading.RLock()
_reader: duckdb.DuckDBPyConnection | None = None
_reader_path: Path | None = None
_listeners: list[Callable[[], None]] = []

# No memory limit here: the scorecard's reads peak under 1 GB at 10M contacts, and a 2.5 GB buffer
# pool made the full scorecard 1.9x slower there (blocks evicted between its statements).
READ_CONFIG: dict[str, str | bool | int | float | list[str]] = {"enable_external_access": False}


def db_path(db: str | Path | None = None) -> Path:
    return Path(db) if db is not None else warehouse.default_db_path()


@contextmanager
def reading(db: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor to read with, through the gate (no write can close its connection meanwhile);
    closed afterwards."""
    with _gate.read():
        found = cursor(db)
        try:
            yield found
        finally:
            found.close()


def busy_reading() -> bool:
    """Whether this thread is inside ``reading`` (it must not ask for ``writer`` then)."""
    return _gate.reading()


def cursor(db: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor on the cached read-only connection (created, migrated, then reopened read-only).
    Outside ``reading`` nothing keeps a write from closing it: for one-off reads in tools."""
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
    """A read-write connection for imports and edits, once the reads under way have finished
    (new ones wait for it); readers reopen afterwards, caches are cleared."""
    with _gate.write(), _lock:
        _close_reader()
        con = warehouse.connect(db_path(db))
        try:
            yield con
        finally:
            con.close()
            changed()
