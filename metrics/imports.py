"""What the Data page needs about imports: the log, rejects, skipped rows, blanked values, audit
findings, uploads.

Uploads go through the same loader as the command line (``connectors.loader``), one transaction per file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from connectors.base import ReadOptions
from connectors.loader import ImportResult, audit_after, load_file
from connectors.registry import connectors
from metrics import connection
from sql import warehouse

MAX_UPLOAD_BYTES = 500 * 1024 * 1024


def _frame(sql: str, params: list[object] | None = None, db: str | Path | None = None) -> pd.DataFrame:
    with connection.reading(db) as cursor:
        return cursor.execute(sql, params or []).fetchdf()


def formats() -> pd.DataFrame:
    return pd.DataFrame([{"format": c.name, "kind": c.kind, "system": c.source,
                          "description": c.description} for c in connectors()])


_summaries: dict[str, dict[str, object]] = {}
_summaries_lock = threading.Lock()


def forget_summaries() -> None:
    with _summaries_lock:
        _summaries.clear()


connection.on_change(forget_summaries)  # every write (an import, an edit) forgets them


def warehouse_summary(db: str | Path | None = None) -> dict[str, object]:
    """What the warehouse holds (counts, first and last contact), read once until the next write:
    app.py, the page and the sidebar all ask on every rerun."""
    key = str(connection.db_path(db).resolve())
    with _summaries_lock:
        if key in _summaries:
            return dict(_summaries[key])
    row = _frame("""
        SELECT (SELECT count(*) FROM contacts) AS contacts,
               (SELECT count(*) FROM survey_responses) AS surveys,
               (SELECT min(opened_at) FROM contacts) AS first_contact,
               (SELECT max(opened_at) FROM contacts) AS last_contact,
               (SELECT count(*) FROM import_log WHERE status = 'loaded') AS imports,
               (SELECT count(*) FROM rejects) AS rejects,
               (SELECT count(*) FROM skipped_rows) AS skipped,
               (SELECT count(*) FROM blanked_values) AS blanked
    """, db=db)
    summary = {str(k): v for k, v in row.iloc[0].to_dict().items()}
    with _summaries_lock:
        _summaries[key] = summary
    return dict(summary)


def customer_count(db: str | Path | None = None) -> int:
    """How many customers the warehouse knows (distinct keys of every identity linked): for the
    Data page only, as it reads every identity (0.4 s at 10M contacts), not the summary every page
    asks for; read once until the next write."""
    key = "customers:" + str(connection.db_path(db).resolve())
    with _summaries_lock:
        if key in _summaries:
            return int(_summaries[key]["customers"])  # type: ignore[call-overload]
    found = int(_frame("SELECT count(DISTINCT customer_key) AS n FROM customers", db=db)["n"].iloc[0])
    with _summaries_lock:
        _summaries[key] = {"customers": found}
    return found


def import_log(db: str | Path | None = None, limit: int = 500) -> pd.DataFrame:
    """One row per import, newest first. Every row of a file is accounted for: rows_read = rows_loaded
    + rows_rejected + rows_merged + rows_skipped (imports made before schema 4 have NULL where they
    did not count); rows_written = canonical rows (contacts + survey responses); warnings say what
    KPIs will miss, notes what the reader decided (lists, empty when none)."""
    return _frame("SELECT import_id, file_name, format, kind, status, rows_read, rows_loaded, "
                  "rows_rejected, rows_merged, rows_skipped, rows_written, message, "
                  "coalesce(warnings, []) AS warnings, coalesce(notes, []) AS notes, finished_at, "
                  "round(seconds, 2) AS seconds, sha256 "
                  "FROM import_log ORDER BY import_id DESC LIMIT ?", [limit], db)


def rejects(db: str | Path | None = None, import_id: int | None = None,
            limit: int = 1000) -> pd.DataFrame:
    where = "WHERE import_id = ?" if import_id is not None else ""
    params: list[object] = [import_id] if import_id is not None else []
    return _frame(f"SELECT import_id, file_name, line, reason, raw FROM rejects {where} "
                  f"ORDER BY import_id DESC, line LIMIT ?", [*params, limit], db)


def skipped_rows(db: str | Path | None = None, import_id: int | None = None,
                 limit: int = 1000) -> pd.DataFrame:
    """Rows an import deliberately did not load, with their reason (survey previews and tests, a
    supervisor's monitoring record): not errors, so not among the rejects."""
    where = "WHERE import_id = ?" if import_id is not None else ""
    params: list[object] = [import_id] if import_id is not None else []
    return _frame(f"SELECT import_id, file_name, line, reason, raw FROM skipped_rows {where} "
                  f"ORDER BY import_id DESC, line LIMIT ?", [*params, limit], db)


def blanked_values(import_id: int | None = None, limit: int = 1000,
                   db: str | Path | None = None) -> pd.DataFrame:
    """Values an import blanked as impossible (negative durations, ends before starts, scores off
    their scale), newest import first: beside rejects, the other half of "what did my file lose"."""
    where = "WHERE import_id = ?" if import_id is not None else ""
    params: list[object] = [import_id] if import_id is not None else []
    return _frame(f"SELECT import_id, file_name, line, kind, record_id, field, reason, raw "
                  f"FROM blanked_values {where} ORDER BY import_id DESC, line, field LIMIT ?",
                  [*params, limit], db)


def audit_findings(db: str | Path | None = None) -> pd.DataFrame:
    """The latest result of every audit."""
    return _frame("""
        SELECT audit, rows_found, sample, checked_at, import_id FROM audit_findings
        QUALIFY row_number() OVER (PARTITION BY audit ORDER BY checked_at DESC, import_id DESC) = 1
        ORDER BY rows_found DESC, audit
    """, db=db)


def import_uploads(
    files: Sequence[tuple[str, bytes]],
    db: str | Path | None = None,
    format_name: str | None = None,
    tz: str | None = None,
    dayfirst: bool = False,
    progress: Callable[[float, str], None] | None = None,
    date_order: str | None = None,
    dry_run: bool = False,
) -> list[ImportResult]:
    """Import uploaded files (name, bytes), each in its own transaction with its model and rollup
    refresh; audited once. A
    ``dry_run`` reads and checks every file the same way and writes nothing (the Data page shows it
    before the user confirms). ``date_order`` (dmy | mdy | ymd) is the upload's ``--dates``."""
    results: list[ImportResult] = []
    with connection.writer(db) as con:
        zone = tz or warehouse.get_setting(con, "import_timezone", "UTC") or "UTC"
        setting = warehouse.get_setting(con, "date_order", None) or None
        for name, data in files:
            if len(data) > MAX_UPLOAD_BYTES:
                results.append(ImportResult(name, format_name, 0, 0, 0, "failed",
                                            f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MiB",
                                            dry_run=dry_run))
                continue
            opts = ReadOptions(file_name=name, tz=zone, dayfirst=dayfirst, progress=progress,
                               date_order=date_order, date_order_setting=setting)
            results.append(load_file(con, Path(name), format_name, opts, data=data,
                                     dry_run=dry_run, audit=False))
        if not dry_run:
            audit_after(con, results)
    return results
