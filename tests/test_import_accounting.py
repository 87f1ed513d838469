"""Every row of a file accounted for, nothing-loaded files called empty, warnings that name what KPIs
will miss (issue 10, items 2-4). Every expected figure below is counted by hand from the file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from connectors.base import Parsed
from connectors.loader import ImportResult, load_file
from sql import warehouse
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[1]
ZENDESK = "Id,Requester email,Via,Status,Created at,Updated at,Contact reason [list]\n"


def figures(r: ImportResult) -> tuple[int, int, int, int, int, int]:
    assert r.rows_read == r.rows_loaded + r.rows_rejected + r.rows_merged + r.rows_skipped, r
    return (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_merged, r.rows_skipped, r.rows_written)


def logged(con: duckdb.DuckDBPyConnection, import_id: int | None) -> tuple:
    return con.execute(
        "SELECT status, rows_read, rows_loaded, rows_rejected, rows_merged, rows_skipped, rows_written, "
        "warnings, notes FROM import_log WHERE import_id = ?", [import_id]).fetchall()[0]


def test_older_versions_of_a_record_are_merged_and_a_bad_row_rejected(con, tmp_path):
    f = tmp_path / "tickets.csv"
    f.write_text(ZENDESK + "".join(r + "\n" for r in [
        "7,a@x.com,Mail,Open,2025-01-01 10:00:00,2025-01-01 10:00:00,billing_error",    # older
        "7,a@x.com,Mail,Solved,2025-01-01 10:00:00,2025-01-02 10:00:00,billing_error",  # newest: kept
        "8,b@x.com,Mail,Open,2025-01-03 10:00:00,2025-01-03 10:00:00,wrong_item",
        "7,a@x.com,Mail,Pending,2025-01-01 10:00:00,2025-01-01 12:00:00,billing_error",  # older
        "9,c@x.com,Mail,Open,,2025-01-04 10:00:00,wrong_item",                           # no open time
    ]))
    r = load_file(con, f)
    # 5 rows: 2 loaded (tickets 7 and 8), 1 rejected, 2 merged into ticket 7's newest version.
    assert (r.status, *figures(r)) == ("loaded", 5, 2, 1, 2, 0, 2)
    assert con.execute("SELECT source_record_id, status FROM contacts ORDER BY 1").fetchall() == [
        ("7", "solved"), ("8", "open")]
    assert con.execute("SELECT line, reason FROM rejects").fetchall() == [(6, "no readable open time")]
    assert r.warnings == ["no handle time: AHT and cost per contact leave these 2 contacts out",
                          "no first response time: first response time leaves these 2 tickets out"]
    assert logged(con, r.import_id)[:8] == ("loaded", 5, 2, 1, 2, 0, 2, r.warnings)
    assert "2 rows merged into another row of the same record" in r.message


CDR = [  # (uniqueid, linkedid, sequence, start, answer, end, duration, billsec, lastapp, dstchannel)
    ("1741000000.1", "1741000000.1", 1, "2025-03-03 10:00:00", "2025-03-03 10:00:01",
     "2025-03-03 10:00:20", 20, 19, "BackGround", ""),
    ("1741000000.1", "1741000000.1", 2, "2025-03-03 10:00:20", "2025-03-03 10:00:50",
     "2025-03-03 10:03:50", 210, 180, "Queue", "PJSIP/201-00000002"),
    ("1741000100.1", "1741000100.1", 1, "2025-03-03 11:00:00", "2025-03-03 11:00:05",
     "2025-03-03 11:02:00", 120, 115, "Dial", "PJSIP/202-00000005"),
]


def _cdr_line(uid: str, linked: str, seq: int, start: str, answer: str, end: str, duration: int,
              billsec: int, app: str, dst: str) -> str:
    cells = ["", "+4930123456", "600", "from-trunk", '"Hans" <+4930123456>', "PJSIP/trunk-00000001",
             dst, app, "support", start, answer, end, str(duration), str(billsec), "ANSWERED",
             "DOCUMENTATION", uid, "", "", linked, str(seq)]
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(cells)
    return out.getvalue()


def test_two_legs_of_one_call_are_one_contact_and_a_copied_leg_counts_once(con, tmp_path):
    f = tmp_path / "Master.csv"
    lines = [_cdr_line(*leg) for leg in CDR]
    f.write_text(lines[0] + lines[1] + lines[2] + lines[1])  # the queue leg twice (log copies)
    r = load_file(con, f)
    assert r.format == "asterisk_csv"
    # 4 rows: 2 calls loaded; the second leg of call 1 and the repeated copy of it are merged.
    assert (r.status, *figures(r)) == ("loaded", 4, 2, 0, 2, 0, 2)
    assert con.execute("SELECT count(*) FROM contacts").fetchall()[0][0] == 2
    # A CDR names no contact reason; the caller's number, the waits and the talk times are there.
    assert r.warnings == ["no contact reason: avoidable rate, service-caused share and the reason "
                          "breakdowns leave these 2 contacts out"]


def test_queued_contacts_without_a_wait_are_named(con, tmp_path):
    def record(i: int) -> dict[str, object]:
        return {"ContactId": f"c{i}", "Channel": "VOICE", "InitiationMethod": "INBOUND",
                "InitiationTimestamp": f"2025-03-03T10:0{i}:00Z",
                "DisconnectTimestamp": f"2025-03-03T10:0{i}:59Z",
                "LastUpdateTimestamp": f"2025-03-03T11:0{i}:00Z",
                "CustomerEndpoint": {"Address": f"+4930123456{i}", "Type": "TELEPHONE_NUMBER"},
                "Queue": {"Name": "Billing", "ARN": "arn:q"},  # queued, no Duration
                "Agent": {"Username": "anna", "ConnectedToAgentTimestamp": f"2025-03-03T10:0{i}:30Z",
                          "AgentInteractionDuration": 20},
                "Attributes": {"ContactReason": "billing_error"}}
    f = tmp_path / "ctr.json"
    f.write_text("\n".join(json.dumps(record(i)) for i in (1, 2)) + "\n")
    r = load_file(con, f)
    assert (r.status, *figures(r)) == ("loaded", 2, 2, 0, 0, 0, 2)
    assert r.warnings == ["no wait time: ASA and service level count the wait of these 2 queued "
                          "contacts as 0 s"]


def test_twilio_child_calls_are_merged_into_their_parent(con):
    r = load_file(con, FIXTURES / "telephony" / "twilio_calls.csv")
    # 6 call records: 4 calls, 2 child calls folded into their parent.
    assert (r.status, *figures(r)) == ("loaded", 6, 4, 0, 2, 0, 4)


def _qualtrics(statuses: list[str]) -> str:
    """The fixture's three header rows and one response per status (ids R_1.., scored)."""
    text = (FIXTURES / "survey" / "qualtrics_responses.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    head, template = rows[:3], rows[3]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerows(head)
    for i, status in enumerate(statuses, 1):
        row = list(template)
        row[2], row[8] = status, f"R_{i:015d}"
        w.writerow(row)
    return out.getvalue()


def test_survey_previews_and_tests_are_skipped_with_their_reason(con, tmp_path):
    f = tmp_path / "survey.csv"
    f.write_text(_qualtrics(["0", "1", "Survey Preview", "2", "0"]))
    r = load_file(con, f)
    # 5 rows: 2 responses loaded, 2 previews and 1 test skipped.
    assert (r.status, *figures(r)) == ("loaded", 5, 2, 0, 0, 3, 2)
    assert con.execute("SELECT line, reason, raw FROM skipped_rows ORDER BY line").fetchall() == [
        (5, "survey preview", "R_000000000000002"), (6, "survey preview", "R_000000000000003"),
        (7, "survey test", "R_000000000000004")]
    assert con.execute("SELECT count(*) FROM rejects").fetchall()[0][0] == 0
    assert "3 rows skipped" in r.message


def test_a_test_only_survey_file_is_empty_not_loaded(con, tmp_path):
    f = tmp_path / "previews.csv"
    f.write_text(_qualtrics(["1"] * 10))
    r = load_file(con, f)
    assert (r.status, *figures(r)) == ("empty", 10, 0, 0, 0, 10, 0)
    assert r.message == "nothing loaded: all 10 responses are survey previews"
    assert logged(con, r.import_id)[:7] == ("empty", 10, 0, 0, 0, 10, 0)
    assert con.execute("SELECT count(*) FROM skipped_rows").fetchall()[0][0] == 10
    assert con.execute("SELECT count(*) FROM survey_responses").fetchall()[0][0] == 0
    # An empty import is not a "seen" file: once fixed, the same bytes can be loaded (and are re-read).
    assert load_file(con, f).status == "empty"


def test_the_command_line_says_empty_and_exits_1(tmp_path):
    f = tmp_path / "previews.csv"
    f.write_text(_qualtrics(["1"] * 10))
    run = subprocess.run([sys.executable, "-m", "connectors", "load", str(f), "--db",
                          str(tmp_path / "w.duckdb")], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 1, run.stderr
    out = json.loads(run.stdout)
    assert (out["status"], out["rows_read"], out["rows_loaded"], out["rows_skipped"], out["message"]) == (
        "empty", 10, 0, 10, "nothing loaded: all 10 responses are survey previews")
    assert list(out) == ["file", "format", "rows_read", "rows_loaded", "rows_rejected", "rows_merged",
                         "rows_skipped", "rows_written", "status", "message", "warnings", "notes"]


def test_all_rows_rejected_is_empty_with_the_count(con, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(ZENDESK + "1,a@x.com,Mail,Open,,2025-01-01 10:00:00,\n"
                           "2,b@x.com,Mail,Open,,2025-01-01 10:00:00,\n")
    r = load_file(con, f)
    assert (r.status, *figures(r)) == ("empty", 2, 0, 2, 0, 0, 0)
    assert r.message == "nothing loaded: no row of 2 could be used (2 rejected, see rejects)"


FRESHDESK = ("Ticket ID,Status,Created time,Last update time,Time tracked,Agent,Group,Email,Contact reason\n"
             "1,Open,2025-03-03 10:00:00,2025-03-03 10:00:00,00:00,NULL,-,a@x.com,Billing\n"
             "2,Open,2025-03-03 11:00:00,2025-03-03 11:00:00,00:00,N/A,Support,b@x.com,Billing\n"
             "3,Open,2025-03-03 12:00:00,2025-03-03 12:00:00,00:00,Sam,n/a,c@x.com,Refund\n")


def test_zero_durations_are_not_recorded_and_missing_channel_is_said(con, tmp_path):
    f = tmp_path / "freshdesk.csv"
    f.write_text(FRESHDESK)
    r = load_file(con, f, format_name="freshdesk_csv")
    assert (r.status, *figures(r)) == ("loaded", 3, 3, 0, 0, 0, 3)
    assert r.warnings == [
        "handle_seconds: all 3 values are 0, read as not recorded (blanked): AHT and cost per contact "
        "leave these contacts out",
        "no channel: all 3 contacts get channel 'other' (the file names none the format knows; a "
        "generic mapping can set one under defaults: channel)",
        "no first response time: first response time leaves these 3 tickets out"]
    # Time tracked 0:00 on every ticket is no AHT of 0 s: handle time is unknown.
    assert con.execute("SELECT count(handle_seconds) FROM m_contacts").fetchall()[0][0] == 0
    # Literal NULL, N/A, n/a and - are empty cells.
    assert con.execute("SELECT source_record_id, agent, team FROM contacts ORDER BY 1").fetchall() == [
        ("1", None, None), ("2", None, "Support"), ("3", "Sam", None)]
    assert logged(con, r.import_id)[7] == r.warnings


def test_one_zero_among_real_durations_stays_zero(con, tmp_path):
    f = tmp_path / "freshdesk.csv"
    f.write_text(FRESHDESK.replace("00:00,NULL", "05:00,NULL"))
    r = load_file(con, f, format_name="freshdesk_csv")
    assert not [w for w in r.warnings if "handle" in w]
    assert con.execute("SELECT handle_seconds FROM contacts ORDER BY source_record_id").fetchall() == [
        (300.0,), (0.0,), (0.0,)]


def test_notes_and_warnings_of_the_reader_travel_with_the_result(con, tmp_path, monkeypatch):
    from connectors import loader, registry

    target = registry.by_name("twilio_csv")

    def read(data: bytes, opts):  # type: ignore[no-untyped-def]
        parsed: Parsed = target.read(data, opts)
        parsed.notes.append("StartTime: read as RFC 2822")
        parsed.warnings.append("a warning of the reader")
        return parsed

    monkeypatch.setattr(loader, "by_name", lambda _name: replace(target, read=read))
    r = load_file(con, FIXTURES / "telephony" / "twilio_calls.csv", format_name="twilio_csv")
    assert "StartTime: read as RFC 2822" in r.notes
    assert r.warnings[0] == "a warning of the reader"
    assert r.as_dict()["notes"] == r.notes and r.as_dict()["warnings"] == r.warnings
    log = logged(con, r.import_id)
    assert (log[7], log[8]) == (r.warnings, r.notes)


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.glob("*/*")
                                        if p.suffix != ".yaml" and p.parent.name != "detect"),
                         ids=lambda p: p.name)
def test_every_fixture_accounts_for_every_row(con, path):
    from connectors.base import ReadOptions
    from connectors.generic import load_mapping

    opts, fmt = ReadOptions(file_name=path.name), None
    if path.parent.name == "generic":
        opts, fmt = ReadOptions(file_name=path.name, mapping=load_mapping(path.with_suffix(".yaml"))), "generic"
    r = load_file(con, path, fmt, opts)
    if r.status != "failed":
        figures(r)
        assert r.rows_loaded <= r.rows_read
        assert not [w for w in r.warnings if "accounted" in w], r.warnings


def test_an_older_warehouse_gets_null_for_what_it_did_not_count(tmp_path):
    path = tmp_path / "old.duckdb"
    con = warehouse.connect(path)
    r = load_file(con, FIXTURES / "crm" / "zendesk_tickets.csv")
    assert (r.rows_loaded, r.rows_written) == (5, 8)
    # make it look like a schema-3 warehouse, whose rows_loaded counted canonical rows
    con.execute("DELETE FROM schema_version WHERE version > 3")
    for c in ("rows_merged", "rows_skipped", "rows_written", "warnings", "notes"):
        con.execute(f"ALTER TABLE import_log DROP COLUMN {c}")
    con.execute("UPDATE import_log SET rows_loaded = 8")
    con.execute("DROP TABLE skipped_rows")
    con.close()
    con = warehouse.connect(path)
    try:
        assert con.execute("SELECT rows_read, rows_loaded, rows_written, rows_merged, rows_skipped, "
                           "warnings, notes FROM import_log").fetchall() == [
            (5, None, 8, None, None, None, None)]
        assert con.execute("SELECT count(*) FROM skipped_rows").fetchall()[0][0] == 0
    finally:
        con.close()
