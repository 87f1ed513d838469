"""The shared loader: sniff, parse, validate and load one file in one transaction.

Guarantees (DESIGN.md, "Data flow"):
* all or nothing per file: rows, rejects, identities, import log and audit findings are written in one
  transaction; any failure rolls it back, so nothing already loaded is lost or changed;
* the same bytes imported twice change nothing (sha256 in ``import_log``);
* overlapping exports keep one row per source record, the newest version (``version_at``, then the later
  import); rows that are older than what the warehouse holds are counted as loaded but change nothing;
* rows that cannot be used go to ``rejects`` with their line and reason; a file that cannot be read at
  all is refused with a message naming the problem (``FormatError``), and the refusal is logged.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from connectors import identity
from connectors.base import (
    CHANNELS,
    CONTACT_COLUMNS,
    DIRECTIONS,
    SURVEY_COLUMNS,
    Connector,
    FormatError,
    ReadOptions,
    Reject,
)
from connectors.registry import by_name, sniff
from sql import warehouse

MAX_FILE_BYTES = 4 * 1024**3
Progress = Callable[[float, str], None]


@dataclass
class ImportResult:
    file: str
    format: str | None
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    status: str  # loaded | skipped | failed
    message: str
    import_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("import_id")
        return d


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def choose_connector(data: bytes, file_name: str, format_name: str | None) -> Connector:
    if format_name:
        return by_name(format_name)
    return sniff(data[:65536], file_name)


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    format_name: str | None = None,
    options: ReadOptions | None = None,
    refresh: bool = True,
    data: bytes | None = None,
) -> ImportResult:
    """Load one file (``data`` may be given for uploads; ``path`` then is only its name)."""
    path = Path(path)
    name = path.name
    started = warehouse.utcnow()
    t0 = time.perf_counter()
    opts = options or ReadOptions()
    progress = opts.progress or (lambda _f, _m: None)
    try:
        if data is None:
            if not path.exists():
                raise FormatError(f"file not found: {path}")
            if path.stat().st_size > MAX_FILE_BYTES:
                raise FormatError(f"the file is larger than {MAX_FILE_BYTES // 1024**3} GiB")
            data = path.read_bytes()
    except (FormatError, OSError) as exc:
        return _refused(con, name, "", None, started, t0, str(exc))
    digest = sha256_of(data)
    prior = warehouse.one(
        con,
        "SELECT import_id, finished_at FROM import_log WHERE sha256 = ? AND status = 'loaded' "
        "ORDER BY import_id LIMIT 1",
        [digest],
    )
    if prior:
        return ImportResult(name, None, 0, 0, 0, "skipped",
                            f"already imported (import {prior[0]} at {prior[1]:%Y-%m-%d %H:%M}); nothing changed")
    connector: Connector | None = None
    try:
        connector = choose_connector(data, name, format_name)
        progress(0.05, f"{name}: reading as {connector.name}")
        if opts.tz == "UTC" and not opts.file_name:
            tz = warehouse.get_setting(con, "import_timezone", "UTC") or "UTC"
            opts = ReadOptions(name, tz, opts.mapping, opts.dayfirst, opts.progress)
        elif not opts.file_name:
            opts = ReadOptions(name, opts.tz, opts.mapping, opts.dayfirst, opts.progress)
        parsed = connector.read(data, opts)
    except FormatError as exc:
        fmt = connector.name if connector else None
        return _refused(con, name, digest, fmt, started, t0, str(exc))
    except Exception as exc:  # a connector bug or a file shape nobody foresaw: refuse, never crash
        fmt = connector.name if connector else None
        return _refused(con, name, digest, fmt, started, t0,
                        f"{fmt}: the file could not be read ({type(exc).__name__}: {exc})")
    progress(0.6, f"{name}: validating {parsed.rows_read} records")
    contacts, c_rejects = validate_contacts(parsed.contacts)
    surveys, s_rejects = validate_surveys(parsed.surveys)
    rejects = parsed.rejects + c_rejects + s_rejects
    progress(0.7, f"{name}: loading {len(contacts) + len(surveys)} rows")
    region = warehouse.get_setting(con, "default_phone_region", "DE") or "DE"
    con.execute("BEGIN TRANSACTION")
    try:
        import_id = _next_import_id(con)
        _assign_customers(con, contacts, region, import_id)
        _assign_customers(con, surveys, region, import_id)
        n_contacts = _upsert_contacts(con, contacts, parsed.source, import_id)
        n_surveys = _upsert_surveys(con, surveys, parsed.source, import_id)
        loaded = n_contacts + n_surveys
        _link_surveys(con)
        _write_rejects(con, rejects, import_id, name)
        if refresh:
            progress(0.85, f"{name}: refreshing models")
            warehouse.refresh_models(con, [import_id])  # only the customers this file touched
        status = "loaded"
        message = _summary(n_contacts, n_surveys, len(rejects))
        con.execute(
            "INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [import_id, name, digest, connector.name, connector.kind, parsed.rows_read, loaded,
             len(rejects), status, message, started, warehouse.utcnow(), time.perf_counter() - t0],
        )
        progress(0.95, f"{name}: running audits")
        warehouse.run_audits(con, import_id)
        con.execute("COMMIT")
    except Exception as exc:  # roll back everything this file did, then log the refusal
        con.execute("ROLLBACK")
        return _refused(con, name, digest, connector.name, started, t0,
                        f"{connector.name}: load failed and was rolled back: {exc}")
    progress(1.0, f"{name}: done")
    return ImportResult(name, connector.name, parsed.rows_read, loaded, len(rejects), status,
                        message, import_id)


def load_files(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    format_name: str | None = None,
    options: ReadOptions | None = None,
) -> list[ImportResult]:
    """Load several files, each in its own transaction; refresh the models once at the end."""
    results = [load_file(con, p, format_name, options, refresh=False) for p in paths]
    refresh_after(con, results)
    return results


def refresh_after(con: duckdb.DuckDBPyConnection, results: Iterable[ImportResult]) -> None:
    """Refresh the models for what a batch of imports loaded (incrementally: their customers)."""
    ids = [r.import_id for r in results if r.status == "loaded" and r.import_id is not None]
    if ids:
        warehouse.refresh_models(con, ids)


def _summary(contacts: int, surveys: int, rejects: int) -> str:
    parts = []
    if contacts:
        parts.append(f"{contacts} contacts")
    if surveys:
        parts.append(f"{surveys} survey responses")
    text = ", ".join(parts) if parts else "no rows"
    if rejects:
        text += f"; {rejects} rows rejected (see rejects)"
    return text


def _refused(con: duckdb.DuckDBPyConnection, name: str, digest: str, fmt: str | None,
             started: Any, t0: float, message: str) -> ImportResult:
    import_id = _next_import_id(con)
    con.execute(
        "INSERT INTO import_log VALUES (?, ?, ?, ?, NULL, 0, 0, 0, 'failed', ?, ?, ?, ?)",
        [import_id, name, digest, fmt, message, started, warehouse.utcnow(), time.perf_counter() - t0],
    )
    return ImportResult(name, fmt, 0, 0, 0, "failed", message, import_id)


def _next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    row = warehouse.one(con, "SELECT coalesce(max(import_id), 0) + 1 FROM import_log")
    return int(row[0]) if row else 1


def _conform(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    frame = frame.copy()
    for col in columns:
        if col not in frame.columns:
            frame[col] = None
    return frame[list(columns)].reset_index(drop=True)


def _reject_rows(frame: pd.DataFrame, bad: pd.Series, reason: str) -> list[Reject]:
    rows = frame[bad]
    return [Reject(int(line) if pd.notna(line) else None, reason, str(rid) if pd.notna(rid) else "")
            for line, rid in zip(rows["line"], rows["source_record_id"], strict=False)]


def validate_contacts(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Reject]]:
    """Shared row checks: an id, an open time, a known channel and direction."""
    frame = _conform(frame, CONTACT_COLUMNS)
    rejects: list[Reject] = []
    checks = [
        (frame["source_record_id"].isna() | (frame["source_record_id"].astype("string") == ""),
         "no record id"),
        (frame["opened_at"].isna(), "no readable open time"),
        (~frame["channel"].isin(CHANNELS), "unknown channel"),
        (~frame["direction"].isin(DIRECTIONS), "unknown direction"),
    ]
    keep = pd.Series(True, index=frame.index)
    for bad, reason in checks:
        bad = bad.fillna(True).astype(bool) & keep
        if bad.any():
            rejects += _reject_rows(frame, bad, reason)
            keep &= ~bad
    return frame[keep].reset_index(drop=True), rejects


def validate_surveys(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Reject]]:
    frame = _conform(frame, SURVEY_COLUMNS)
    rejects: list[Reject] = []
    keep = pd.Series(True, index=frame.index)
    no_id = frame["source_record_id"].isna()
    no_time = frame["responded_at"].isna() & ~no_id
    no_score = (frame[["csat", "nps", "ces", "resolved"]].isna().all(axis=1)
                & frame["comment"].isna() & ~no_id & ~no_time)
    for bad, reason in [(no_id, "no response id"), (no_time, "no readable response time"),
                        (no_score, "no score and no comment")]:
        bad = bad.fillna(True).astype(bool)
        if bad.any():
            rejects += _reject_rows(frame, bad, reason)
            keep &= ~bad
    return frame[keep].reset_index(drop=True), rejects


def _assign_customers(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, region: str,
                      import_id: int) -> None:
    if frame.empty:
        frame["customer_key"] = pd.Series(dtype="string")
        return
    per_row: list[list[str]] = []
    cache: dict[tuple[Any, Any, Any], list[str]] = {}
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist()
               for c in ("email", "phone", "account")]
    for email, phone, account in zip(*columns, strict=True):
        key = (email, phone, account)
        found = cache.get(key)
        if found is None:
            found = identity.identities(email, phone, account, region=region)
            cache[key] = found
        per_row.append(found)
    wanted = pd.DataFrame({"identity": sorted({i for ids in per_row for i in ids})}, dtype="string")
    known: dict[str, str] = {}
    if len(wanted):
        con.register("_wanted_ids", wanted)
        known = dict(con.execute(
            "SELECT c.identity, c.customer_key FROM customers c JOIN _wanted_ids w USING (identity)"
        ).fetchall())
        con.unregister("_wanted_ids")
    keys, added = identity.assign(per_row, known)
    frame["customer_key"] = pd.Series(keys, index=frame.index, dtype="string")
    if added:
        new = pd.DataFrame({"identity": list(added), "customer_key": list(added.values())})
        new["identity_type"] = new["identity"].str.split(":", n=1).str[0]
        new["first_import"] = import_id
        con.register("_new_ids", new)
        con.execute("INSERT INTO customers SELECT identity, identity_type, customer_key, first_import "
                    "FROM _new_ids")
        con.unregister("_new_ids")


def _stage(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, columns: dict[str, str],
           name: str) -> None:
    """Register the frame and cast it into a typed temp table, one row per record (newest wins)."""
    con.register("_frame", frame)
    casts = ", ".join(f"TRY_CAST({c} AS {t}) AS {c}" for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {casts}, "
                f"CAST(customer_key AS TEXT) AS customer_key FROM _frame "
                f"QUALIFY row_number() OVER (PARTITION BY source_record_id "
                f"ORDER BY version_at DESC NULLS LAST, line DESC) = 1")
    con.unregister("_frame")


def _upsert_contacts(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, source: str,
                     import_id: int) -> int:
    if frame.empty:
        return 0
    _stage(con, frame, CONTACT_COLUMNS, "_stage_contacts")
    con.execute(
        "DELETE FROM contacts c USING _stage_contacts s "
        "WHERE c.contact_id = ? || ':' || s.source_record_id "
        "AND coalesce(s.version_at, TIMESTAMP '1900-01-01') >= coalesce(c.version_at, TIMESTAMP '1900-01-01')",
        [source],
    )
    con.execute(
        """
        INSERT INTO contacts
        SELECT ? || ':' || s.source_record_id, ?, s.source_record_id, s.case_id, s.customer_key,
               s.channel, s.direction, s.opened_at, s.answered_at, s.first_response_at, s.closed_at,
               s.queue, s.team, s.agent, s.wait_seconds, s.talk_seconds, s.hold_seconds,
               s.wrap_seconds, s.handle_seconds, s.queued, s.abandoned, s.transferred,
               s.self_service, s.reopened_count, s.status, s.outcome, s.reason, s.version_at, ?
        FROM _stage_contacts s
        WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.contact_id = ? || ':' || s.source_record_id)
        """,
        [source, source, import_id, source],
    )
    row = warehouse.one(con, "SELECT count(*) FROM _stage_contacts")
    con.execute("DROP TABLE _stage_contacts")
    return int(row[0]) if row else 0


def _upsert_surveys(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, source: str,
                    import_id: int) -> int:
    if frame.empty:
        return 0
    _stage(con, frame, SURVEY_COLUMNS, "_stage_surveys")
    con.execute(
        "DELETE FROM survey_responses r USING _stage_surveys s "
        "WHERE r.response_id = ? || ':' || s.source_record_id "
        "AND coalesce(s.version_at, TIMESTAMP '1900-01-01') >= coalesce(r.version_at, TIMESTAMP '1900-01-01')",
        [source],
    )
    con.execute(
        """
        INSERT INTO survey_responses
        SELECT ? || ':' || s.source_record_id, ?, s.source_record_id,
               CASE WHEN s.contact_record_id IS NOT NULL THEN ? || ':' || s.contact_record_id END,
               s.case_id, s.customer_key, s.channel, s.responded_at, s.csat, s.csat_scale, s.nps,
               s.ces, s.resolved, s.comment, s.version_at, ?
        FROM _stage_surveys s
        WHERE NOT EXISTS (SELECT 1 FROM survey_responses r
                          WHERE r.response_id = ? || ':' || s.source_record_id)
        """,
        [source, source, source, import_id, source],
    )
    row = warehouse.one(con, "SELECT count(*) FROM _stage_surveys")
    con.execute("DROP TABLE _stage_surveys")
    return int(row[0]) if row else 0


def _link_surveys(con: duckdb.DuckDBPyConnection) -> None:
    """Survey responses that name a case/ticket id get the contact of that case (any source).

    Only the case ids of still-unlinked responses are looked up, so the cost follows what is
    waiting to be linked, not the size of the warehouse."""
    con.execute(
        """
        UPDATE survey_responses r SET contact_id = m.contact_id,
               customer_key = coalesce(r.customer_key, m.customer_key)
        FROM (SELECT case_id, arg_max(contact_id, opened_at) AS contact_id,
                     arg_max(customer_key, opened_at) AS customer_key
              FROM contacts
              WHERE case_id IN (SELECT case_id FROM survey_responses
                                WHERE contact_id IS NULL AND case_id IS NOT NULL)
              GROUP BY case_id) m
        WHERE r.contact_id IS NULL AND r.case_id = m.case_id
        """
    )


def _write_rejects(con: duckdb.DuckDBPyConnection, rejects: list[Reject], import_id: int,
                   name: str) -> None:
    if not rejects:
        return
    frame = pd.DataFrame(
        {
            "import_id": import_id,
            "file_name": name,
            "line": pd.array([r.line for r in rejects], dtype="Int64"),
            "reason": [r.reason for r in rejects],
            "raw": [r.raw[:500] for r in rejects],
        }
    )
    con.register("_rejects", frame)
    con.execute("INSERT INTO rejects SELECT * FROM _rejects")
    con.unregister("_rejects")
