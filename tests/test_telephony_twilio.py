from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb

from connectors.loader import load_file
from connectors.registry import by_name
from tests.conftest import counts

TEL = Path(__file__).parent / "fixtures" / "telephony"


def sid(n: int) -> str:
    return "CA" + f"{n:032x}"


def _outcomes(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute("SELECT source_record_id, direction, outcome, queued, abandoned, transferred, "
                       "self_service, agent_requested FROM contacts").fetchall()
    return {r[0][-2:]: r[1:] for r in rows}


def test_api_pages_parent_and_children_are_one_call(con):
    result = load_file(con, TEL / "twilio_calls_pages.json")
    assert result.status == "loaded", result.message
    # 2 pages, 14 records (call 07 on both pages), 13 calls records -> 8 contacts (parents).
    assert (result.format, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "twilio_json", 14, 8, 0)
    assert _outcomes(con) == {
        # direction, outcome, queued, abandoned, transferred, self_service, agent_requested
        # (agent_requested: an inbound call that dialled a person; NULL where the log cannot say)
        "01": ("inbound", "answered", True, False, False, False, True),
        "03": ("inbound", "abandoned", True, True, False, False, True),  # child canceled while ringing
        "05": ("inbound", "ivr", False, False, False, True, None),  # no <Dial>: TwiML app only
        "06": ("outbound", "answered", False, False, False, False, None),
        "07": ("outbound", "busy", False, False, False, False, None),
        "08": ("inbound", "answered", True, False, True, False, True),  # alice, then bob
        "0b": ("inbound", None, False, False, False, False, None),  # still in progress
        "0c": ("inbound", "no_answer", True, False, False, False, True),  # Dial timed out
    }
    # Call 1: RFC 2822 GMT dates; the child connected 150 s and ended 09:03:05 -> answered 09:00:35.
    row = con.execute(
        "SELECT opened_at, answered_at, closed_at, wait_seconds, talk_seconds, handle_seconds, agent, "
        "case_id, version_at FROM contacts WHERE source_record_id = ?", [sid(1)]).fetchall()[0]
    assert [str(x) for x in row] == ["2025-03-03 09:00:00", "2025-03-03 09:00:35", "2025-03-03 09:03:05",
                                     "35.0", "150.0", "150.0", "alice", sid(1), "2025-03-03 09:03:10"]
    rows = con.execute("SELECT right(source_record_id, 2), wait_seconds, talk_seconds, handle_seconds, "
                       "agent FROM contacts WHERE source_record_id IN (?, ?, ?, ?) ORDER BY 1",
                       [sid(3), sid(5), sid(6), sid(8)]).fetchall()
    assert rows == [("03", 40.0, None, None, None), ("05", None, None, None, None),
                    ("06", None, 120.0, 120.0, None), ("08", 10.0, 150.0, 150.0, "alice")]
    # The customer is `from` inbound and `to` outbound.
    identities = {r[0] for r in con.execute("SELECT identity FROM customers").fetchall()}
    assert {"phone:+4930123456", "phone:+4940123123", "phone:+4940777666"} <= identities
    assert "phone:+498001234567" not in identities  # our own number is nobody's identity


def test_bulkexport_ndjson_gzip_and_a_later_version(con, tmp_path):
    result = load_file(con, TEL / "twilio_bulkexport.ndjson")
    assert (result.status, result.format, result.rows_read, result.rows_loaded) == (
        "loaded", "twilio_json", 4, 2)
    before = counts(con)
    packed = tmp_path / "2025-03-03.json.gz"
    packed.write_bytes(gzip.compress((TEL / "twilio_bulkexport.ndjson").read_bytes()))
    again = load_file(con, packed)
    assert (again.status, again.format, again.rows_loaded) == ("loaded", "twilio_json", 2)
    assert counts(con) == before
    # A call in progress at the first export, completed in the next: the newer version replaces it.
    live = json.loads(json.dumps({"sid": sid(99), "parent_call_sid": None, "direction": "inbound",
                                  "status": "in-progress", "from": "+4930777888", "to": "+498001234567",
                                  "start_time": "Tue, 04 Mar 2025 10:00:00 +0000", "end_time": None,
                                  "date_created": "Tue, 04 Mar 2025 10:00:00 +0000",
                                  "date_updated": "Tue, 04 Mar 2025 10:00:01 +0000", "duration": None}))
    done = dict(live, status="completed", end_time="Tue, 04 Mar 2025 10:01:00 +0000", duration="60",
                date_updated="Tue, 04 Mar 2025 10:01:02 +0000")
    (tmp_path / "a.ndjson").write_text(json.dumps(live) + "\n")
    (tmp_path / "b.ndjson").write_text(json.dumps(done) + "\n")
    load_file(con, tmp_path / "a.ndjson")
    load_file(con, tmp_path / "b.ndjson")
    assert con.execute("SELECT outcome, closed_at, self_service FROM contacts WHERE source_record_id = ?",
                       [sid(99)]).fetchall()[0][0] == "ivr"
    assert con.execute("SELECT count(*) FROM contacts").fetchall() == [(3,)]


def test_calls_csv_matches_the_json(con):
    result = load_file(con, TEL / "twilio_calls.csv")
    assert (result.status, result.format, result.rows_read, result.rows_loaded) == (
        "loaded", "twilio_csv", 6, 4)
    assert _outcomes(con) == {
        "01": ("inbound", "answered", True, False, False, False, True),
        "03": ("inbound", "abandoned", True, True, False, False, True),
        "05": ("inbound", "ivr", False, False, False, True, None),
        "06": ("outbound", "answered", False, False, False, False, None),
    }
    assert con.execute("SELECT answered_at, talk_seconds, agent FROM contacts WHERE source_record_id = ?",
                       [sid(1)]).fetchall()[0][1:] == (150.0, "alice")
    # The JSON pages hold the same calls: overlapping exports keep one row per call.
    load_file(con, TEL / "twilio_calls_pages.json")
    assert con.execute("SELECT count(*), count(DISTINCT contact_id) FROM contacts").fetchall() == [(8, 8)]


def test_truncated_csv_is_refused_and_short_rows_rejected(con, tmp_path):
    load_file(con, TEL / "twilio_calls.csv")
    before = counts(con)
    broken = load_file(con, TEL / "twilio_calls_truncated.csv")
    assert broken.status == "failed" and "truncated" in broken.message
    assert load_file(con, TEL / "twilio_calls.csv").status == "skipped"
    assert counts(con) == before
    lines = (TEL / "twilio_calls.csv").read_text().splitlines()
    f = tmp_path / "short.csv"
    cut = lines[6][:lines[6].index('",,') + 1]  # call 6 cut after its third column
    f.write_text("\n".join(lines[:6] + [cut]) + "\n")
    result = load_file(con, f)
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 3, 1)
    assert con.execute("SELECT line, reason FROM rejects").fetchall() == [
        (7, "twilio_csv: the line has 3 of 24 columns (cut off?)")]


def test_sniff_claims_twilio_only():
    js, csv_ = by_name("twilio_json"), by_name("twilio_csv")
    assert js.sniff((TEL / "twilio_calls_pages.json").read_bytes(), "x") == 0.95
    assert csv_.sniff((TEL / "twilio_calls.csv").read_bytes(), "x") == 0.95
    for other in ["connect_ctr.json", "connect_firehose.json", "asterisk_master_21col.csv",
                  "twilio_calls.csv"]:
        assert js.sniff((TEL / other).read_bytes(), other) == 0.0
    for other in ["twilio_calls_pages.json", "asterisk_custom_19col.csv"]:
        assert csv_.sniff((TEL / other).read_bytes(), other) == 0.0
