"""The shared loader's promises, independent of any one format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.loader import load_file
from sql import warehouse
from tests.conftest import counts

HEADER = "Id,Requester email,Via,Status,Created at,Updated at,Contact reason [list]\n"


def _export(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_overlapping_exports_keep_the_newest_version(con, tmp_path):
    old = _export(tmp_path / "a.csv", [
        "1,a@x.com,Mail,Open,2025-01-01 10:00:00,2025-01-01 10:00:00,billing_error",
        "2,b@x.com,Mail,Open,2025-01-02 10:00:00,2025-01-02 10:00:00,delivery_status",
    ])
    new = _export(tmp_path / "b.csv", [
        "2,b@x.com,Mail,Solved,2025-01-02 10:00:00,2025-01-05 10:00:00,delivery_status",
        "3,c@x.com,Mail,Open,2025-01-03 10:00:00,2025-01-03 10:00:00,wrong_item",
    ])
    assert load_file(con, new).status == "loaded"
    assert load_file(con, old).status == "loaded"  # older export arrives later: must not win
    rows = dict(con.execute("SELECT source_record_id, status FROM contacts").fetchall())
    assert rows == {"1": "open", "2": "solved", "3": "open"}
    assert con.execute("SELECT count(*) FROM contacts").fetchall()[0][0] == 3


def test_duplicate_rows_in_one_file_collapse_to_the_newest(con, tmp_path):
    f = _export(tmp_path / "dups.csv", [
        "7,a@x.com,Mail,Open,2025-01-01 10:00:00,2025-01-01 10:00:00,",
        "7,a@x.com,Mail,Solved,2025-01-01 10:00:00,2025-01-02 10:00:00,",
        "7,a@x.com,Mail,Pending,2025-01-01 10:00:00,2025-01-01 12:00:00,",
    ])
    load_file(con, f)
    assert con.execute("SELECT status FROM contacts").fetchall() == [("solved",)]


def test_a_crash_mid_import_rolls_back_everything_of_that_file(con, tmp_path, monkeypatch):
    good = _export(tmp_path / "good.csv", ["1,a@x.com,Mail,Open,2025-01-01 10:00:00,2025-01-01 10:00:00,"])
    load_file(con, good)
    before = counts(con)

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(warehouse, "run_audits", boom)
    second = _export(tmp_path / "second.csv", [
        "2,b@x.com,Mail,Open,2025-01-02 10:00:00,2025-01-02 10:00:00,",
        "3,c@x.com,Mail,Open,2025-01-03 10:00:00,2025-01-03 10:00:00,"])
    result = load_file(con, second)
    assert result.status == "failed"
    assert "rolled back" in result.message and "disk full" in result.message
    assert counts(con) == before
    monkeypatch.undo()
    # The refused file can be imported once the problem is gone: a failure is not a "seen" file.
    assert load_file(con, second).status == "loaded"
    assert counts(con)["contacts"] == 3


@pytest.mark.parametrize("content, expected", [
    (b"", "no connector recognises"),
    (b"\x00\x01\x02binary", "no connector recognises"),
    (b"just,some,columns\n1,2,3\n", "no connector recognises"),
])
def test_unknown_files_are_refused_with_a_clear_message(con, tmp_path, content, expected):
    f = tmp_path / "mystery.csv"
    f.write_bytes(content)
    result = load_file(con, f)
    assert result.status == "failed"
    assert expected in result.message
    assert counts(con)["contacts"] == 0


def test_audits_run_after_each_import_and_are_recorded(con, tmp_path):
    f = _export(tmp_path / "a.csv", ["1,a@x.com,Mail,Open,2025-01-01 10:00:00,2025-01-01 10:00:00,nope"])
    result = load_file(con, f)
    found = dict(con.execute(
        "SELECT audit, rows_found FROM audit_findings WHERE import_id = ?", [result.import_id]
    ).fetchall())
    assert found["contacts_unmapped_reasons"] == 1
    assert found["contacts_duplicate_ids"] == 0


def test_schema_version_is_recorded_and_migration_is_idempotent(tmp_path):
    db = tmp_path / "w.duckdb"
    con = warehouse.connect(db)
    version = warehouse.schema_version(con)
    assert version == len(warehouse.migrations())
    con.close()
    con = warehouse.connect(db)  # reopening applies nothing twice
    assert con.execute("SELECT count(*) FROM schema_version").fetchall()[0][0] == version
    assert con.execute("SELECT count(*) FROM settings WHERE key = 'business_timezone'"
                       ).fetchall()[0][0] == 1
    con.close()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "connectors", *args], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[1])


def test_cli_load_prints_one_json_object_per_file_and_exit_codes(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    good = _export(tmp_path / "good.csv", ["1,a@x.com,Mail,Open,2025-01-01 10:00:00,2025-01-01 10:00:00,"])
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing,we,know\n1,2,3\n")
    run = _cli("load", str(good), str(bad), "--db", db)
    assert run.returncode == 1, run.stderr
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert [o["status"] for o in out] == ["loaded", "failed"]
    assert set(out[0]) == {"file", "format", "rows_read", "rows_loaded", "rows_rejected",
                           "rows_merged", "rows_skipped", "rows_written", "status", "message",
                           "warnings", "notes"}
    again = _cli("load", str(good), "--db", db)
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "skipped"
    assert _cli("load", "--db", db).returncode == 2  # no file: bad usage
    assert _cli("load", str(good), "--format", "nope", "--db", db).returncode == 2
    formats = _cli("formats")
    assert formats.returncode == 0 and "zendesk_csv" in formats.stdout


def test_a_connector_crash_is_a_refusal_not_a_traceback(con, tmp_path, monkeypatch):
    from connectors import registry

    target = registry.by_name("zendesk_csv")

    def broken(_data, _opts):
        raise KeyError("a column nobody expected")

    monkeypatch.setattr(registry, "by_name", lambda name: type(target)(
        target.name, target.kind, target.source, target.description, target.sniff, broken))
    f = _export(tmp_path / "x.csv", ["1,a@x.com,Mail,Open,2025-01-01 10:00:00,2025-01-01 10:00:00,"])
    from connectors import loader

    monkeypatch.setattr(loader, "by_name", registry.by_name)
    result = load_file(con, f, format_name="zendesk_csv")
    assert result.status == "failed"
    assert "could not be read" in result.message and "KeyError" in result.message
    assert counts(con)["contacts"] == 0


def test_a_new_warehouse_has_its_model_tables_so_pages_can_query_it(tmp_path):
    con = warehouse.connect(tmp_path / "new.duckdb")
    assert warehouse.missing_models(con) == []
    assert con.execute("SELECT count(*) FROM m_contacts").fetchall()[0][0] == 0
    con.close()


def test_demo_if_empty_leaves_a_warehouse_with_contacts_alone(tmp_path, fixtures):
    from connectors.__main__ import main

    db = tmp_path / "mine.duckdb"
    con = warehouse.connect(db)
    load_file(con, fixtures / "crm" / "zendesk_tickets.csv")
    con.close()
    assert main(["demo", "--if-empty", "--db", str(db), "--out", str(tmp_path / "out")]) == 0
    assert not (tmp_path / "out").exists()  # nothing generated
    con = warehouse.connect(db)
    assert con.execute("SELECT count(*) FROM contacts").fetchall()[0][0] == 5
    con.close()
