from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from connectors.loader import load_file
from connectors.registry import by_name
from tests.conftest import SHARED, counts

TEL = Path(__file__).parent / "fixtures" / "telephony"
ROOT = Path(__file__).resolve().parents[1]


def _outcomes(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT source_record_id, channel, direction, outcome, queued, abandoned, self_service, "
        "transferred FROM contacts").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_contact_records_latest_version_wins_and_outcomes(con):
    result = load_file(con, TEL / "connect_ctr.json")
    assert result.status == "loaded", result.message
    # 9 records: c1 three times (two versions, one exact duplicate), one MONITOR contact skipped.
    assert (result.format, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "amazon_connect", 9, 6, 0)
    assert _outcomes(con) == {
        # channel, direction, outcome, queued, abandoned, self_service, transferred
        "c1-answered": ("phone", "inbound", "answered", True, False, False, True),
        "c2-abandoned": ("phone", "inbound", "abandoned", True, True, False, False),
        "c3-ivr": ("phone", "inbound", "ivr", False, False, True, False),
        "c4-bot": ("chat", "inbound", "bot", False, False, True, False),
        "c5-outbound": ("phone", "outbound", "answered", False, False, False, False),
        "c7-transfer": ("phone", "inbound", "answered", True, False, False, False),
    }
    # The later version carries the after-contact work (30 s): handle = 300 talk + 40 hold + 30 wrap.
    row = con.execute(
        "SELECT opened_at, answered_at, closed_at, version_at, wait_seconds, talk_seconds, hold_seconds, "
        "wrap_seconds, handle_seconds, queue, team, agent, reason, case_id FROM contacts "
        "WHERE source_record_id = 'c1-answered'").fetchall()[0]
    assert [str(x) for x in row] == [
        "2025-03-03 09:00:00", "2025-03-03 09:01:40", "2025-03-03 09:08:00", "2025-03-03 09:09:30",
        "60.0", "300.0", "40.0", "30.0", "370.0", "Billing", "Billing Profile", "anna.agent", "billing",
        "c1-answered"]
    # Abandoned: queue wait only, no handle time; self-service: no wait, no handle.
    assert con.execute("SELECT source_record_id, wait_seconds, handle_seconds, agent FROM contacts "
                       "WHERE outcome <> 'answered' ORDER BY 1").fetchall() == [
        ("c2-abandoned", 45.0, None, None), ("c3-ivr", None, None, None), ("c4-bot", None, None, None)]
    # Transfer leg: hold is null in the record, so handle = 400 talk + 0 wrap.
    assert con.execute("SELECT hold_seconds, handle_seconds FROM contacts WHERE source_record_id = "
                       "'c7-transfer'").fetchall() == [(None, 400.0)]
    # Attributes: CustomerId, customerEmail and the phone number are one customer, shared by c1 and c7.
    keys = con.execute("SELECT identity, customer_key FROM customers").fetchall()
    by_identity = dict(keys)
    assert by_identity["account:K-1001"] == by_identity["email:anna@example.com"] == \
        by_identity["phone:+4930111222"]
    assert "email:bob@example.com" in by_identity
    assert con.execute("SELECT count(DISTINCT customer_key) FROM contacts WHERE source_record_id IN "
                       "('c1-answered', 'c7-transfer')").fetchall() == [(1,)]


def test_firehose_ndjson_and_gzip_deliveries(con, tmp_path):
    result = load_file(con, TEL / "connect_firehose.json")  # records glued with no separator
    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", 3, 2)
    assert con.execute("SELECT source_record_id, channel, outcome, handle_seconds, version_at FROM contacts "
                       "ORDER BY 1").fetchall()[0][:4] == ("f1-email", "email", "answered", 560.0)
    assert con.execute("SELECT channel, outcome, self_service FROM contacts WHERE source_record_id = "
                       "'f2-task'").fetchall() == [("other", "unhandled", False)]
    before = counts(con)
    packed = tmp_path / "firehose.gz"
    packed.write_bytes(gzip.compress((TEL / "connect_firehose.json").read_bytes()))
    result = load_file(con, packed)
    assert (result.status, result.format, result.rows_loaded) == ("loaded", "amazon_connect", 2)
    assert counts(con) == before
    ndjson = tmp_path / "ctr.ndjson"
    records = json.loads((TEL / "connect_ctr.json").read_text())
    ndjson.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = load_file(con, ndjson)
    assert (result.status, result.format, result.rows_read, result.rows_loaded) == (
        "loaded", "amazon_connect", 9, 6)
    assert con.execute("SELECT count(*) FROM contacts").fetchall() == [(8,)]


def test_truncated_file_is_refused_and_older_versions_change_nothing(con, tmp_path):
    load_file(con, TEL / "connect_ctr.json")
    before = counts(con)
    broken = load_file(con, TEL / "connect_ctr_truncated.json")
    assert broken.status == "failed"
    assert "truncated export?" in broken.message and "line" in broken.message
    assert load_file(con, TEL / "connect_ctr.json").status == "skipped"
    # A later file that re-sends the first (older) version of c1: loaded, but c1 keeps its newer version.
    records = json.loads((TEL / "connect_ctr.json").read_text())
    old = [r for r in records if r["ContactId"] == "c1-answered" and
           r["LastUpdateTimestamp"] == "2025-03-03T09:08:05Z"]
    resend = tmp_path / "resend.json"
    resend.write_text(json.dumps(old))
    assert load_file(con, resend).status == "loaded"
    assert con.execute("SELECT wrap_seconds, handle_seconds FROM contacts WHERE source_record_id = "
                       "'c1-answered'").fetchall() == [(30.0, 370.0)]
    assert counts(con) == before


def test_records_that_are_no_contacts_are_rejected(con, tmp_path):
    f = tmp_path / "odd.json"
    f.write_text(json.dumps([
        {"ContactId": "x1", "Channel": "VOICE", "InitiationMethod": "INBOUND",
         "InitiationTimestamp": "2025-01-01T10:00:00Z", "AWSContactTraceRecordFormatVersion": "2017-03-10",
         "Queue": None, "Agent": None},
        {"note": "no contact id"},
        {"ContactId": "x3", "Channel": "VOICE", "InitiationMethod": "SOMETHING_NEW",
         "InitiationTimestamp": "2025-01-01T11:00:00Z"},
    ]))
    result = load_file(con, f, format_name="amazon_connect")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "loaded", 3, 1, 2)
    assert con.execute("SELECT line, reason FROM rejects ORDER BY line").fetchall() == [
        (2, "amazon_connect: record 2 is not a contact record (no ContactId)"), (3, "unknown direction")]


def test_sniff_claims_contact_records_only(fixtures):
    connect = by_name("amazon_connect")
    assert connect.sniff((TEL / "connect_firehose.json").read_bytes(), "x") >= 0.9
    for other in ["twilio_calls_pages.json", "twilio_bulkexport.ndjson", "asterisk_master_21col.csv"]:
        assert connect.sniff((TEL / other).read_bytes(), other) == 0.0
    genesys = SHARED / "samples" / "telephony" / "genesys_conversation_details.json"
    if genesys.exists():
        assert connect.sniff(genesys.read_bytes()[:65536], genesys.name) == 0.0


@pytest.mark.skipif(not (SHARED / "samples").exists(), reason="no shared samples")
def test_real_ctr_sample_through_the_command_line(tmp_path):
    sample = SHARED / "samples" / "telephony" / "amazon_connect_ctr_duplicates.json"
    db = tmp_path / "cli.duckdb"
    out = subprocess.run([sys.executable, "-m", "connectors", "load", str(sample), "--db", str(db)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert (result["format"], result["status"], result["rows_read"], result["rows_loaded"]) == (
        "amazon_connect", "loaded", 6, 1)
    con = duckdb.connect(str(db))
    try:
        row = con.execute("SELECT agent, queue, wait_seconds, handle_seconds, transferred, outcome, "
                          "version_at FROM contacts").fetchall()
        assert [tuple(str(x) for x in r) for r in row] == [
            ("Steve.Lusk", "TCC Refrig AC LLA", "346.0", "465.0", "True", "answered",
             "2022-01-11 04:09:47")]
    finally:
        con.close()
