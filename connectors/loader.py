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
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from connectors import registry, results, staging, writes
from connectors.base import Connector, FormatError, Parsed, ReadOptions
from connectors.registry import by_name, forced, sniff
from connectors.results import ImportResult
from sql import warehouse

MAX_FILE_BYTES = 4 * 1024**3
log = logging.getLogger(__name__)
# Named, so a later migration that appends a column cannot shift the values.
LOG_COLUMNS = ("import_id, file_name, sha256, format, kind, rows_read, rows_loaded, rows_rejected, status, "
               "message, started_at, finished_at, seconds, values_blanked, rows_merged, rows_skipped, "
               "rows_written, warnings, notes")
# kpis.md "ticket": a row from a ticketing / case system is a ticket whatever its channel; a telephony
# record is not. Applied where the connector leaves ``ticket`` NULL; other kinds keep what they say.
TICKET_BY_KIND = {"crm": True, "telephony": False}
Progress = Callable[[float, str], None]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def choose_connector(data: bytes, file_name: str, format_name: str | None) -> Connector:
    """The named format (refused when the file cannot be of it: registry.forced), else the sniffed one."""
    if format_name:
        return forced(by_name(format_name), data[:65536], file_name)
    return sniff(data[:65536], file_name)


def why_chosen(connector: Connector, data: bytes, file_name: str, format_name: str | None) -> str:
    """In words, why ``connector`` reads this file (for a dry run)."""
    if format_name:
        return f"named with --format {format_name}"
    head = data[:65536]
    others = sorted(((c.sniff(head, file_name), c.name) for c in registry.connectors()
                     if c.name != connector.name), reverse=True)
    text = f"sniffed: {connector.name} is {connector.sniff(head, file_name):.0%} sure"
    header = [str(c) for c in connector.columns if isinstance(c, str)]
    if header:
        text += f" (its header columns {', '.join(header[:6])} are present)"
    if others and others[0][0] > 0:
        text += f"; next best {others[0][1]} at {others[0][0]:.0%}"
    return text


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    format_name: str | None = None,
    options: ReadOptions | None = None,
    refresh: bool = True,
    data: bytes | None = None,
    again: bool = False,
    dry_run: bool = False,
    audit: bool = True,
) -> ImportResult:
    """Load one file (``data`` may be given for uploads; ``path`` then is only its name) and, in
    the same transaction, refresh the models and rollups for what it touched, so a crash at any
    point leaves the raw tables, the models and the rollups agreeing (the file is in all of them or
    in none). ``refresh=False`` is for bulk builds that rebuild everything at their end
    (``refresh_after``): the load then marks the models behind (``warehouse.MODELS_BEHIND``, in
    its transaction) and a crash before that rebuild is repaired when the warehouse is next opened
    for writing. ``audit=False`` leaves the audits to the batch (``audit_after``). A file
    imported before is skipped unless ``again``: then it is read anew (each record replaces its
    stored version of the same age), e.g. to fill fields a newer release records. A ``dry_run`` does
    everything an import does inside the transaction, then rolls it back: the result says what would
    happen (counts, warnings, notes), why the format was chosen and shows the first rows."""
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
        return _refused(con, name, "", None, started, t0, str(exc), dry_run)
    digest = sha256_of(data)  # of the file as it is, before any normalising
    data, lone_cr = _line_breaks(data)
    from_disk = from_disk and not lone_cr  # a fast path must read the normalised bytes
    prior = warehouse.one(
        con,
        "SELECT import_id, finished_at FROM import_log WHERE sha256 = ? AND status = 'loaded' "
        "ORDER BY import_id LIMIT 1",
        [digest],
    )
    if prior and not again and not dry_run:
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
        if lone_cr:
            parsed.notes.insert(0, "line breaks are lone carriage returns (a classic Mac / old Excel "
                                   "export): read as line breaks")
    except FormatError as exc:
        staging.drop(con)
        fmt = connector.name if connector else None
        return _refused(con, name, digest, fmt, started, t0, str(exc), dry_run)
    except Exception as exc:  # a connector bug or a file shape nobody foresaw: refuse, never crash
        staging.drop(con)
        fmt = connector.name if connector else None
        return _refused(con, name, digest, fmt, started, t0,
                        f"{fmt}: the file could not be read ({type(exc).__name__}: {exc})", dry_run)
    progress(0.6, f"{name}: validating {parsed.rows_read} records")
    region = warehouse.get_setting(con, "default_phone_region", "DE") or "DE"
    con.execute("BEGIN TRANSACTION")
    try:
        if not parsed.staged:
            staging.from_frames(con, parsed.contacts, parsed.surveys)
        import_id = _next_import_id(con)
        writes.write_rejects(con, parsed.rejects, import_id, name)
        writes.write_rejects(con, parsed.skipped, import_id, name, "skipped_rows")
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
        writes.stage(con, "contacts", "_stage_contacts")
        writes.stage(con, "surveys", "_stage_surveys")
        loaded = staging.file_rows(con, ["_stage_contacts", "_stage_surveys"])
        preview = _preview(con) if dry_run else []
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
        n_contacts = writes.upsert_contacts(con, parsed.source, import_id, TICKET_BY_KIND.get(connector.kind))
        n_surveys = writes.upsert_surveys(con, parsed.source, import_id)
        written = n_contacts + n_surveys
        writes.link_surveys(con, import_id, n_surveys > 0)
        status = "loaded" if loaded else "empty"
        if dry_run:
            con.execute("ROLLBACK")
            message = (results.summary(n_contacts, n_surveys, rejected, blanked, merged, skipped)
                       if loaded else results.nothing_loaded(connector.kind, parsed, rejected))
            if prior:
                message += f"; imported before (import {prior[0]}): a real import skips it"
            return ImportResult(name, connector.name, parsed.rows_read, loaded, rejected, status,
                                "dry run, nothing written: " + message, None, blanked, merged,
                                skipped, written, warnings, list(parsed.notes), True,
                                why_chosen(connector, data, name, format_name), preview)
        if loaded and refresh:
            progress(0.85, f"{name}: refreshing models")
            warehouse.refresh_models(con, [import_id])  # only the customers this file touched
        elif loaded:
            warehouse.set_setting(con, warehouse.MODELS_BEHIND, str(import_id))
        if loaded:
            message = results.summary(n_contacts, n_surveys, rejected, blanked, merged, skipped)
        else:
            message = results.nothing_loaded(connector.kind, parsed, rejected)
        con.execute(
            f"INSERT INTO import_log ({LOG_COLUMNS}) VALUES ({', '.join('?' * 19)})",
            [import_id, name, digest, connector.name, connector.kind, parsed.rows_read, loaded,
             rejected, status, message, started, warehouse.utcnow(), time.perf_counter() - t0,
             blanked, merged, skipped, written, warnings, list(parsed.notes)],
        )
        if loaded and refresh and audit:  # a batch audits once, in audit_after / refresh_after
            progress(0.95, f"{name}: running audits")
            warehouse.run_audits(con, import_id)
        con.execute("COMMIT")
    except Exception as exc:  # roll back everything this file did, then log the refusal
        con.execute("ROLLBACK")
        return _refused(con, name, digest, connector.name, started, t0,
                        f"{connector.name}: load failed and was rolled back: {exc}", dry_run)
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
        except Exception as exc:  # noqa: BLE001 - DuckDB could not read it exactly: the careful reader decides
            first = next((line for line in str(exc).splitlines() if line.strip()), "")
            # DuckDB refuses shapes the careful reader handles (quoted line breaks...): expected,
            # so info; a fast path that always fails shows as every file going the careful way
            log.info("%s: %s fast path could not read it (%s: %s); reading it the careful way",
                        opts.file_name, connector.name, type(exc).__name__, first)
            staged = None
        if staged is not None:
            return staged
        log.info("%s: %s fast path declined the file; reading it the careful way", opts.file_name,
                 connector.name)
        staging.drop(con)
    return connector.read(data, opts)


def load_files(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    format_name: str | None = None,
    options: ReadOptions | None = None,
) -> list[ImportResult]:
    """Load several files, each in its own transaction with its model refresh; audit once."""
    results = [load_file(con, p, format_name, options, audit=False) for p in paths]
    audit_after(con, results)
    return results


def _loaded_ids(results: Iterable[ImportResult]) -> list[int]:
    return [r.import_id for r in results if r.status == "loaded" and r.import_id is not None]


def audit_after(con: duckdb.DuckDBPyConnection, results: Iterable[ImportResult]) -> None:
    """Run the audits once for a batch of imports loaded with ``audit=False``, recorded against
    its last import. The audits check the whole warehouse, so once per batch says the same as once
    per file at a fraction of the cost."""
    ids = _loaded_ids(results)
    if ids:
        warehouse.run_audits(con, max(ids))


def refresh_after(con: duckdb.DuckDBPyConnection, results: Iterable[ImportResult],
                  full: bool = False) -> None:
    """Finish a bulk build loaded with ``refresh=False``: refresh the models and rollups for what
    it loaded (incrementally, their customers; ``full`` rebuilds), in one transaction that also
    clears the mark the loads left, then audit once."""
    ids = _loaded_ids(results)
    if ids:
        with warehouse.transaction(con):
            warehouse.refresh_models(con, None if full else ids)
        audit_after(con, results)


def _line_breaks(data: bytes) -> tuple[bytes, bool]:
    """A text file whose records end in lone CR (classic Mac, Excel's "CSV (Macintosh)") with LF
    record ends instead; True when it had to be changed. Only line ends outside quotes count: Excel
    for Mac writes a line break inside a cell as LF, and that stays. Files with CRLF or LF record
    ends, gzip and other binary files are left alone."""
    if (data[:2] == b"\x1f\x8b" or b"\r" not in data or b"\r\n" in data
            or b"\x00" in data[:4096]):
        return data, False
    parts = data.split(b'"')  # even parts are outside quotes ("" toggles twice: still right)
    outside = parts[0::2]
    if any(b"\n" in part for part in outside) or not any(b"\r" in part for part in outside):
        return data, False
    parts[0::2] = [part.replace(b"\r", b"\n") for part in outside]
    return b'"'.join(parts), True


def _preview(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The first rows of what would be loaded, as canonical fields (JSON-ready values)."""
    rows: list[dict[str, Any]] = []
    for kind, table in (("contacts", "_stage_contacts"), ("surveys", "_stage_surveys")):
        fields = ", ".join(results.PREVIEW_FIELDS[kind])
        frame = con.execute(f"SELECT {fields} FROM {table} ORDER BY line LIMIT "
                            f"{results.PREVIEW_ROWS}").fetchdf()
        for record in frame.astype(object).where(frame.notna(), None).to_dict("records"):
            rows.append({"kind": kind, **{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                          for k, v in record.items()}})
    return rows


def _refused(con: duckdb.DuckDBPyConnection, name: str, digest: str, fmt: str | None,
             started: Any, t0: float, message: str, dry_run: bool = False) -> ImportResult:
    if dry_run:  # a dry run writes nothing, not even the refusal
        return ImportResult(name, fmt, 0, 0, 0, "failed", message, dry_run=True)
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


