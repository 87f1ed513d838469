"""A dry run reads and checks a file exactly as an import would, and writes nothing: not the rows,
not the import log, not a refusal (issue 10, "Preview before writing")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from metrics import imports
from sql import warehouse

ROOT = Path(__file__).resolve().parents[1]
TICKETS = ROOT / "tests" / "fixtures" / "crm" / "zendesk_tickets.csv"


def _counts(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT (SELECT count(*) FROM contacts), "
                          "(SELECT count(*) FROM import_log)").fetchall()[0]
        return int(row[0]), int(row[1])
    finally:
        con.close()


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "connectors", "load", "--db", str(db), *args],
                          cwd=ROOT, text=True, capture_output=True, timeout=120)


def test_the_cli_dry_run_says_what_would_happen_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    warehouse.connect(db).close()
    run = _cli(db, "--dry-run", str(TICKETS))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[0])
    # the fixture: 5 tickets (4 inbound, 1 outbound), 3 of them with a rating -> 8 canonical rows
    assert (result["dry_run"], result["status"], result["rows_read"], result["rows_loaded"],
            result["rows_written"]) == (True, "loaded", 5, 5, 8)
    assert result["chosen_because"].startswith("sniffed: zendesk_csv")
    assert result["message"].startswith("dry run, nothing written")
    first = result["preview"][0]
    assert (first["kind"], first["source_record_id"], first["channel"]) == ("contacts", "1001",
                                                                            "email")
    assert _counts(db) == (0, 0)
    # the real import afterwards loads the same numbers
    real = json.loads(_cli(db, str(TICKETS)).stdout.splitlines()[0])
    assert (real["rows_loaded"], real["rows_written"]) == (5, 8) and "dry_run" not in real
    assert _counts(db) == (5, 1)


def test_a_refused_file_in_a_dry_run_is_not_logged(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    warehouse.connect(db).close()
    junk = tmp_path / "notes.txt"
    junk.write_text("nothing a connector knows\n")
    run = _cli(db, "--dry-run", str(junk))
    assert run.returncode == 1
    assert json.loads(run.stdout.splitlines()[0])["status"] == "failed"
    assert _counts(db) == (0, 0)


def test_an_upload_check_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    warehouse.connect(db).close()
    checked = imports.import_uploads([(TICKETS.name, TICKETS.read_bytes())], db=db, dry_run=True)
    assert [(r.status, r.dry_run, r.rows_written) for r in checked] == [("loaded", True, 8)]
    assert _counts(db) == (0, 0)


def test_lone_carriage_returns_are_line_breaks(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.duckdb"
    cr = tmp_path / "cr.duckdb"
    mac = tmp_path / "tickets_mac.csv"  # the same export saved with classic Mac line ends
    mac.write_bytes(TICKETS.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    warehouse.connect(crlf).close()
    warehouse.connect(cr).close()
    first = json.loads(_cli(crlf, str(TICKETS)).stdout.splitlines()[0])
    second = json.loads(_cli(cr, str(mac)).stdout.splitlines()[0])
    # the same 5 rows and 8 canonical rows, and the note says what was assumed
    assert (second["status"], second["rows_read"], second["rows_written"]) == (
        "loaded", first["rows_read"], first["rows_written"])
    assert second["notes"][0].startswith("line breaks are lone carriage returns")
    rows = "SELECT source_record_id, channel, opened_at, status FROM contacts ORDER BY 1"
    a, b = duckdb.connect(str(crlf), read_only=True), duckdb.connect(str(cr), read_only=True)
    try:
        assert a.execute(rows).fetchall() == b.execute(rows).fetchall()
    finally:
        a.close()
        b.close()


def test_a_failure_inside_a_dry_run_is_not_logged(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from connectors import writes
    from connectors.base import ReadOptions
    from connectors.loader import load_file

    def broken(*_args: object, **_kw: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(writes, "upsert_contacts", broken)
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        result = load_file(con, TICKETS, None, ReadOptions(file_name=TICKETS.name), dry_run=True)
        assert (result.status, result.dry_run) == ("failed", True)
        assert con.execute("SELECT count(*) FROM import_log").fetchall()[0][0] == 0
    finally:
        con.close()


def test_a_mac_file_keeps_line_feeds_inside_quoted_cells(tmp_path: Path) -> None:
    from connectors.loader import _line_breaks

    mac = b'Id,Subject\r1,"two\nlines"\r2,plain\r'
    fixed, changed = _line_breaks(mac)
    # record ends (outside quotes) become LF; the LF inside the quoted cell stays
    assert changed and fixed == b'Id,Subject\n1,"two\nlines"\n2,plain\n'
    # CRLF files, with a CR inside a quoted cell, are left as they are
    crlf = b'Id,Subject\r\n1,"a\rb"\r\n'
    assert _line_breaks(crlf) == (crlf, False)
