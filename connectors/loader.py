"""The shared loader: sniff, parse, validate and load one file in one transaction.

Guarantees (DESIGN.md, "Data flow"):
* all or nothing per file: rows, rejects, identities, import log and audit findings are written in one
  transaction; any failure rolls it back, so nothing already loaded is lost or changed;
* the same bytes imported twice change nothing (sha256 in ``import_log``);
* overlapping exports keep one row per source record, the newest version (``version_at``, then the later
  import); rows that are older than what the warehouse holds are counted as loaded but change nothing;
* rows that cannot be used go to ``rejects`` with their line and reason; a file that cannot be read at
  all is refused with a message naming the problem (``FormatError``), and the refusal is logged;
* impossible values (negative durations, an end before its start, scores off their scale) are never
  stored: the field is blanked and the value kept in ``blanked_values`` (``staging.blank_impossible``),
  counted in ``import_log.values_blanked``, the message and ``ImportResult.values_blanked``;
* ``ticket`` (kpis.md "ticket") left NULL by a connector comes from its kind: every row of a crm
  connector is a ticket, no row of a telephony connector is; a generic mapping says it or leaves NULL.
* every row of the file is accounted for: ``rows_read = rows_loaded + rows_rejected + rows_merged +
  rows_skipped``, all in rows of the file. ``rows_loaded`` = file rows of which at least one canonical
  row is kept (stored, or confirmed where the warehouse holds a newer version of the record);
  ``rows_merged`` = rows folded into another row of the same record (an older version in the file, a
  CDR leg or child call of one call); ``rows_skipped`` = rows deliberately not loaded, each kept in
  ``skipped_rows`` with its reason (a survey preview); ``rows_written`` = canonical rows the loaded
  rows gave (a ticket with a rating gives a contact and a survey response);
* a file of which no row could be used ends ``empty`` (not ``loaded``), with the reason;
* ``warnings`` name what the KPIs will miss (a field no contact has, a duration column of zeros read as
  not recorded), ``notes`` what the reader decided or assumed; both travel with the result.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from connectors import staging
from connectors.base import Connector, FormatError, Parsed, ReadOptions, Reject
from connectors.registry import by_name, forced, sniff
from sql import warehouse

MAX_FILE_BYTES = 4 * 1024**3
# Named, so a later migration that appends a column cannot shift the values.
LOG_COLUMNS = ("import_id, file_name, sha256, format, kind, rows_read, rows_loaded, rows_rejected, status, "
               "message, started_at, finished_at, seconds, values_blanked, rows_merged, rows_skipped, "
               "rows_written, warnings, notes")
# kpis.md "ticket": a row from a ticketing / case system is a ticket whatever its channel; a telephony
# record is not. Applied where the connector leaves ``ticket`` NULL; other kinds keep what they say.
TICKET_BY_KIND = {"crm": True, "telephony": False}
Progress = Callable[[float, str], None]


@dataclass
class ImportResult:
    file: str
    format: str | None
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    status: str  # loaded | empty (no row could be used) | skipped (imported before) | failed
    message: str
    import_id: int | None = None
    values_blanked: int = 0  # impossible values blanked (see the blanked_values table)
    rows_merged: int = 0
    rows_skipped: int = 0
    rows_written: int = 0  # canonical rows (contacts + survey responses) of the loaded rows
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The command line's JSON line: the keys the README documents (the blanked count is in the
        message, and in ``import_log.values_blanked``)."""
        d = asdict(self)
        return {k: d[k] for k in JSON_KEYS}


JSON_KEYS = ("file", "format", "rows_read", "rows_loaded", "rows_rejected", "rows_merged", "rows_skipped",
             "rows_written", "status", "message", "warnings", "notes")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def choose_connector(data: bytes, file_name: str, format_name: str | None) -> Connector:
    """The named format (refused when the file cannot be of it: registry.forced), else the sniffed one."""
    if format_name:
        return forced(by_name(format_name), data[:65536], file_name)
    return sniff(data[:65536], file_name)


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    format_name: str | None = None,
    options: ReadOptions | None = None,
    refresh: bool = True,
    data: bytes | None = None,
    again: bool = False,
) -> ImportResult:
    """Load one file (``data`` may be given for uploads; ``path`` then is only its name). A file
    imported before is skipped unless ``again``: then it is read anew (each record replaces its
    stored version of the same age), e.g. to fill fields a newer release records."""
    path = Path(path)
    name = path.name
    started = warehouse.utcnow()
    t0 = time.perf_counter()
    opts = options or ReadOptions()
    progress = opts.progress or (lambda _f, _m: None)
    from_disk = data is None
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
    if prior and not again:
        return ImportResult(name, None, 0, 0, 0, "skipped",
                            f"already imported (import {prior[0]} at {prior[1]:%Y-%m-%d %H:%M}); nothing changed")
    connector: Connector | None = None
    try:
        connector = choose_connector(data, name, format_name)
        progress(0.05, f"{name}: reading as {connector.name}")
        tz = opts.tz
        if opts.tz == "UTC" and not opts.file_name:
            tz = warehouse.get_setting(con, "import_timezone", "UTC") or "UTC"
        opts = replace(opts, file_name=opts.file_name or name, tz=tz,
                       path=opts.path or (str(path) if from_disk else ""))
        parsed = _parse(con, connector, data, opts)
    except FormatError as exc:
        staging.drop(con)
        fmt = connector.name if connector else None
        return _refused(con, name, digest, fmt, started, t0, str(exc))
    except Exception as exc:  # a connector bug or a file shape nobody foresaw: refuse, never crash
        staging.drop(con)
        fmt = connector.name if connector else None
        return _refused(con, name, digest, fmt, started, t0,
                        f"{fmt}: the file could not be read ({type(exc).__name__}: {exc})")
    progress(0.6, f"{name}: validating {parsed.rows_read} records")
    region = warehouse.get_setting(con, "default_phone_region", "DE") or "DE"
    con.execute("BEGIN TRANSACTION")
    try:
        if not parsed.staged:
            staging.from_frames(con, parsed.contacts, parsed.surveys)
        import_id = _next_import_id(con)
        _write_rejects(con, parsed.rejects, import_id, name)
        _write_rejects(con, parsed.skipped, import_id, name, "skipped_rows")
        rejects_written = len(parsed.rejects)
        blanked = 0
        warnings = list(parsed.warnings)
        typed = [staging.TABLES[kind][1] for kind in ("contacts", "surveys")]
        for kind in ("contacts", "surveys"):
            staging.typed(con, kind)
            warnings += staging.blank_not_recorded(con, kind)
            blanked += staging.blank_impossible(con, kind, import_id, name)
        staged_rows = staging.file_rows(con, typed)
        for kind in ("contacts", "surveys"):
            rejects_written += staging.reject_invalid(con, kind, import_id, name)
        checked_rows = staging.file_rows(con, typed)
        progress(0.7, f"{name}: linking customers")
        for kind in ("contacts", "surveys"):
            staging.assign_customers(con, kind, region, import_id)
        progress(0.75, f"{name}: loading rows")
        _stage(con, "contacts", "_stage_contacts")
        _stage(con, "surveys", "_stage_surveys")
        loaded = staging.file_rows(con, ["_stage_contacts", "_stage_surveys"])
        rejected = len(parsed.rejects) + staged_rows - checked_rows
        merged = parsed.rows_merged + checked_rows - loaded
        skipped = len(parsed.skipped)
        warnings += staging.coverage_warnings(con, "_stage_contacts", warnings,
                                              TICKET_BY_KIND.get(connector.kind))
        if rejects_written > rejected:
            warnings.append(f"{rejects_written - rejected} canonical rows of loaded rows were rejected "
                            "(see rejects): a survey response of a loaded ticket, for example")
        accounted = loaded + rejected + merged + skipped
        if accounted != parsed.rows_read:
            warnings.append(f"{connector.name} read {parsed.rows_read} rows but {accounted} are accounted "
                            "for (loaded + rejected + merged + skipped): a reader bug, please report it")
        n_contacts = _upsert_contacts(con, parsed.source, import_id, TICKET_BY_KIND.get(connector.kind))
        n_surveys = _upsert_surveys(con, parsed.source, import_id)
        written = n_contacts + n_surveys
        _link_surveys(con, import_id, n_surveys > 0)
        status = "loaded" if loaded else "empty"
        if loaded and refresh:
            progress(0.85, f"{name}: refreshing models")
            warehouse.refresh_models(con, [import_id])  # only the customers this file touched
        if loaded:
            message = _summary(n_contacts, n_surveys, rejected, blanked, merged, skipped)
        else:
            message = _nothing(connector.kind, parsed, rejected)
        con.execute(
            f"INSERT INTO import_log ({LOG_COLUMNS}) VALUES ({', '.join('?' * 19)})",
            [import_id, name, digest, connector.name, connector.kind, parsed.rows_read, loaded,
             rejected, status, message, started, warehouse.utcnow(), time.perf_counter() - t0,
             blanked, merged, skipped, written, warnings, list(parsed.notes)],
        )
        if loaded and refresh:  # a batch (refresh=False) audits once, in refresh_after
            progress(0.95, f"{name}: running audits")
            warehouse.run_audits(con, import_id)
        con.execute("COMMIT")
    except Exception as exc:  # roll back everything this file did, then log the refusal
        con.execute("ROLLBACK")
        return _refused(con, name, digest, connector.name, started, t0,
                        f"{connector.name}: load failed and was rolled back: {exc}")
    finally:
        staging.drop(con)
    progress(1.0, f"{name}: done")
    return ImportResult(name, connector.name, parsed.rows_read, loaded, rejected, status,
                        message, import_id, blanked, merged, skipped, written, warnings,
                        list(parsed.notes))


def _parse(con: duckdb.DuckDBPyConnection, connector: Connector, data: bytes,
           opts: ReadOptions) -> Parsed:
    """The connector's fast path where it has one and takes the file, else its ``read``."""
    if connector.stage is not None:
        try:
            staged = connector.stage(con, data, opts)
        except FormatError:
            raise
        except Exception:  # noqa: BLE001 - DuckDB could not read it exactly: the careful reader decides
            staged = None
        if staged is not None:
            return staged
        staging.drop(con)
    return connector.read(data, opts)


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


def refresh_after(con: duckdb.DuckDBPyConnection, results: Iterable[ImportResult],
                  full: bool = False) -> None:
    """Finish a batch of imports loaded with ``refresh=False``: refresh the models for what they
    loaded (incrementally, their customers; ``full`` rebuilds) and run the audits once, recorded
    against the batch's last import. The audits check the whole warehouse, so once per batch says
    the same as once per file at a fraction of the cost."""
    ids = [r.import_id for r in results if r.status == "loaded" and r.import_id is not None]
    if ids:
        warehouse.refresh_models(con, None if full else ids)
        warehouse.run_audits(con, max(ids))


def _summary(contacts: int, surveys: int, rejects: int, blanked: int = 0, merged: int = 0,
             skipped: int = 0) -> str:
    parts = []
    if contacts:
        parts.append(f"{contacts} contacts")
    if surveys:
        parts.append(f"{surveys} survey responses")
    text = ", ".join(parts) if parts else "no rows"
    if rejects:
        text += f"; {rejects} rows rejected (see rejects)"
    if merged:
        text += f"; {merged} rows merged into another row of the same record"
    if skipped:
        text += f"; {skipped} rows skipped (see skipped rows)"
    if blanked:
        text += f"; {blanked} impossible values blanked (see blanked_values)"
    return text


def _plural(reason: str, n: int) -> str:
    return reason if n == 1 or reason.endswith(("spam", "s")) else reason + "s"


def _nothing(kind: str, parsed: Parsed, rejected: int) -> str:
    """Why no row of the file could be used ("all 10 responses are survey previews")."""
    noun = "responses" if kind == "survey" else "rows"
    if not parsed.rows_read:
        return "nothing loaded: the file holds no rows"
    reasons: dict[str, int] = {}
    for r in parsed.skipped:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    if len(reasons) == 1 and not rejected:
        reason, n = next(iter(reasons.items()))
        return f"nothing loaded: all {n} {noun} are {_plural(reason, n)}"
    parts = [f"{n} {_plural(reason, n)}" for reason, n in reasons.items()]
    if rejected:
        parts.append(f"{rejected} rejected, see rejects")
    return f"nothing loaded: no row of {parsed.rows_read} could be used ({', '.join(parts)})"


def _refused(con: duckdb.DuckDBPyConnection, name: str, digest: str, fmt: str | None,
             started: Any, t0: float, message: str) -> ImportResult:
    import_id = _next_import_id(con)
    con.execute(
        f"INSERT INTO import_log ({LOG_COLUMNS}) "
        "VALUES (?, ?, ?, ?, NULL, 0, 0, 0, 'failed', ?, ?, ?, ?, 0, 0, 0, 0, [], [])",
        [import_id, name, digest, fmt, message, started, warehouse.utcnow(), time.perf_counter() - t0],
    )
    return ImportResult(name, fmt, 0, 0, 0, "failed", message, import_id)


def _next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    row = warehouse.one(con, "SELECT coalesce(max(import_id), 0) + 1 FROM import_log")
    return int(row[0]) if row else 1


def _stage(con: duckdb.DuckDBPyConnection, kind: str, name: str) -> None:
    """One row per record of the checked, keyed rows (the newest version wins)."""
    row = warehouse.one(con, f"SELECT count(*) - count(DISTINCT source_record_id) FROM {staging.TABLES[kind][1]}")
    newest = ("QUALIFY row_number() OVER (PARTITION BY source_record_id "
              "ORDER BY version_at DESC NULLS LAST, line DESC) = 1") if row and row[0] else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {staging.keyed(kind)} {newest}")


def _upsert_contacts(con: duckdb.DuckDBPyConnection, source: str, import_id: int,
                     ticket: bool | None = None) -> int:
    con.execute(
        "DELETE FROM contacts c USING _stage_contacts s "
        "WHERE c.contact_id = ? || ':' || s.source_record_id "
        "AND coalesce(s.version_at, TIMESTAMP '1900-01-01') >= coalesce(c.version_at, TIMESTAMP '1900-01-01')",
        [source],
    )
    inserted = con.execute(
        """
        INSERT INTO contacts (contact_id, source, source_record_id, case_id, customer_key, channel,
            direction, opened_at, answered_at, first_response_at, closed_at, queue, team, agent,
            wait_seconds, talk_seconds, hold_seconds, wrap_seconds, handle_seconds, queued, abandoned,
            transferred, self_service, reopened_count, status, outcome, reason, version_at, import_id,
            agent_requested, ticket)
        SELECT ? || ':' || s.source_record_id, ?, s.source_record_id, s.case_id, s.customer_key,
               s.channel, s.direction, s.opened_at, s.answered_at, s.first_response_at, s.closed_at,
               s.queue, s.team, s.agent, s.wait_seconds, s.talk_seconds, s.hold_seconds,
               s.wrap_seconds, s.handle_seconds, s.queued, s.abandoned, s.transferred,
               s.self_service, s.reopened_count, s.status, s.outcome, s.reason, s.version_at, ?,
               s.agent_requested, coalesce(s.ticket, CAST(? AS BOOLEAN))
        FROM _stage_contacts s
        WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.contact_id = ? || ':' || s.source_record_id)
        """,
        [source, source, import_id, ticket, source],
    ).fetchall()[0][0]
    _check_kept(con, "contacts", import_id, int(inserted))
    row = warehouse.one(con, "SELECT count(*) FROM _stage_contacts")
    con.execute("DROP TABLE _stage_contacts")
    return int(row[0]) if row else 0


def _upsert_surveys(con: duckdb.DuckDBPyConnection, source: str, import_id: int) -> int:
    con.execute(
        "DELETE FROM survey_responses r USING _stage_surveys s "
        "WHERE r.response_id = ? || ':' || s.source_record_id "
        "AND coalesce(s.version_at, TIMESTAMP '1900-01-01') >= coalesce(r.version_at, TIMESTAMP '1900-01-01')",
        [source],
    )
    inserted = con.execute(
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
    ).fetchall()[0][0]
    _check_kept(con, "survey_responses", import_id, int(inserted))
    row = warehouse.one(con, "SELECT count(*) FROM _stage_surveys")
    con.execute("DROP TABLE _stage_surveys")
    return int(row[0]) if row else 0


def _check_kept(con: duckdb.DuckDBPyConnection, table: str, import_id: int, inserted: int) -> None:
    """The rows an import wrote must read back (a cheap scan: import ids are stored in order).

    A safety net, not a formality: duckdb 2.0.0 once left a large insert invisible to the same
    connection until the next checkpoint (see staging.assign_customers). Raising here rolls the file
    back with a message instead of leaving numbers that silently miss rows."""
    row = warehouse.one(con, f"SELECT count(*) FROM {table} WHERE import_id = ?", [import_id])
    if not row or int(row[0]) != inserted:
        raise RuntimeError(f"{table}: {inserted} rows were written but {row[0] if row else 0} read back; "
                           "nothing of this file was kept, import it again")


def _link_surveys(con: duckdb.DuckDBPyConnection, import_id: int, brought_surveys: bool) -> None:
    """Survey responses that name a case/ticket id get the contact of that case (any source).

    Only the case ids of still-unlinked responses are looked up. A response waiting from an
    earlier import can only be linked by a contact this import brought (had its case been loaded
    before, it would be linked already), so without new responses only this import's contacts are
    searched: the cost follows the import, not the size of the warehouse."""
    scope = "" if brought_surveys else f"AND import_id = {int(import_id)}"
    con.execute(
        f"""
        UPDATE survey_responses r SET contact_id = m.contact_id,
               customer_key = coalesce(r.customer_key, m.customer_key)
        FROM (SELECT case_id, arg_max(contact_id, opened_at) AS contact_id,
                     arg_max(customer_key, opened_at) AS customer_key
              FROM contacts
              WHERE case_id IN (SELECT case_id FROM survey_responses
                                WHERE contact_id IS NULL AND case_id IS NOT NULL) {scope}
              GROUP BY case_id) m
        WHERE r.contact_id IS NULL AND r.case_id = m.case_id
        """
    )


def _write_rejects(con: duckdb.DuckDBPyConnection, rejects: list[Reject], import_id: int,
                   name: str, table: str = "rejects") -> None:
    """Rows a connector rejected (``rejects``) or skipped on purpose (``skipped_rows``)."""
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
    con.execute(f"INSERT INTO {table} (import_id, file_name, line, reason, raw) SELECT * FROM _rejects")
    con.unregister("_rejects")
