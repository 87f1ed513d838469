from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from connectors import loader
from connectors.base import ReadOptions
from connectors.crm import zendesk_json
from tests.conftest import SHARED, counts

ROOT = Path(__file__).resolve().parents[1]


def load_file(con, path, *args, **kwargs):
    """The loader without the model refresh (these tests read the base tables only)."""
    return loader.load_file(con, path, *args, refresh=False, **kwargs)


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_cursor_pages_one_after_another(con, fixtures):
    result = load_file(con, fixtures / "crm" / "zendesk_incremental_cursor.json")
    assert result.status == "loaded", result.message
    assert result.format == "zendesk_json"
    # 8 ticket records in two pages; 2002 twice (the newer page-2 version wins); 2004 is deleted:
    # 6 tickets loaded (6 contacts + 2 ratings written), 1 merged, 1 rejected.
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.rows_merged,
            result.rows_written) == (8, 6, 1, 1, 8)
    assert rows(con, "SELECT line, reason, raw FROM rejects") == [
        (4, "deleted in Zendesk (not a contact)", "2004")]
    got = dict(rows(con, "SELECT source_record_id, channel || '/' || direction || '/' || status "
                         "|| '/' || outcome FROM contacts"))
    assert got == {"2001": "email/inbound/open/handled", "2002": "web/inbound/closed/handled",
                   "2003": "phone/inbound/solved/handled", "2005": "messaging/inbound/new/unhandled",
                   "2006": "social/inbound/pending/handled", "2007": "phone/outbound/solved/handled"}
    # Sideloaded metric_sets: first reply 30 / 20 calendar minutes, solved_at, reopens.
    # 2002's metrics came with page 1 and still apply to its page-2 version.
    assert rows(con, "SELECT source_record_id, first_response_at, closed_at, reopened_count, version_at "
                     "FROM contacts WHERE source_record_id IN ('2001', '2002') ORDER BY 1") == [
        ("2001", _ts("2025-03-03 08:45"), None, 0, _ts("2025-03-03 09:00")),
        ("2002", _ts("2025-03-03 10:20"), _ts("2025-03-03 12:00"), 1, _ts("2025-03-05 09:00"))]
    # Reason: the reason_ tag (the custom field 360001 is not named by a mapping, so it is not used).
    assert dict(rows(con, "SELECT source_record_id, reason FROM contacts WHERE reason IS NOT NULL")) == {
        "2001": "reason_billing_error", "2006": "reason_where_is_my_order"}
    assert rows(con, "SELECT count(*) FROM contacts WHERE handle_seconds IS NOT NULL") == [(0,)]
    # good/bad -> csat 1/0 on scale 2, linked to the ticket; the newest rating of 2002 (bad) wins.
    assert rows(con, "SELECT contact_id, csat, csat_scale, comment FROM survey_responses ORDER BY 1") == [
        ("zendesk:2002", 0.0, 2, "Parcel still missing"), ("zendesk:2003", 1.0, 2, None)]
    # Requester 9001 (e-mail ticket 2001, messaging ticket 2005 without e-mail) is one customer;
    # so is 9003 (inbound call 2003 from +49 30..., outbound call 2007 to the same number).
    assert rows(con, "SELECT count(DISTINCT customer_key) FROM contacts "
                     "WHERE source_record_id IN ('2001', '2005')") == [(1,)]
    assert rows(con, "SELECT count(DISTINCT customer_key) FROM contacts "
                     "WHERE source_record_id IN ('2003', '2007')") == [(1,)]
    assert ("email:ana.silva@example.com",) in rows(con, "SELECT identity FROM customers")
    assert ("phone:+49301234567",) in rows(con, "SELECT identity FROM customers")


def _ts(text):
    import datetime as dt
    return dt.datetime.fromisoformat(text)


def test_time_based_page_with_metric_set_updates_older_version(con, fixtures):
    load_file(con, fixtures / "crm" / "zendesk_incremental_cursor.json")
    result = load_file(con, fixtures / "crm" / "zendesk_incremental_time.json")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_written) == (
        "loaded", 2, 2, 3)
    assert rows(con, "SELECT count(*) FROM contacts") == [(7,)]
    assert rows(con, "SELECT status, closed_at, version_at FROM contacts WHERE source_record_id = '2001'") == [
        ("solved", _ts("2025-03-03 11:00"), _ts("2025-03-03 11:00"))]
    # Messaging-style metric: reply_time_in_seconds when the minutes are null (90 s).
    assert rows(con, "SELECT first_response_at FROM contacts WHERE source_record_id = '2010'") == [
        (_ts("2025-03-07 14:01:30"),)]
    # An older export of the same tickets changes nothing.
    before = rows(con, "SELECT * EXCLUDE (import_id) FROM contacts ORDER BY contact_id")
    f = (fixtures / "crm" / "zendesk_incremental_cursor.json").read_bytes() + b"\n"
    again = load_file(con, "older.json", data=f)
    assert again.status == "loaded"
    assert rows(con, "SELECT * EXCLUDE (import_id) FROM contacts ORDER BY contact_id") == before


def test_ndjson_bad_line_is_a_reject_and_reason_field_by_mapping(con, fixtures):
    path = fixtures / "crm" / "zendesk_tickets.ndjson"
    result = load_file(con, path)
    assert (result.status, result.rows_read, result.rows_rejected) == ("loaded", 4, 1)
    assert rows(con, "SELECT line, reason FROM rejects") == [
        (3, "not valid JSON: Invalid control character at")]
    assert dict(rows(con, "SELECT source_record_id, channel FROM contacts")) == {
        "3001": "email", "3002": "web", "3004": "social"}
    assert dict(rows(con, "SELECT source_record_id, reason FROM contacts")) == {
        "3001": None, "3002": None, "3004": "reason_other"}
    # With the field named in the mapping, its value is the reason (tags only when it is empty).
    parsed = zendesk_json.read(path.read_bytes(), ReadOptions(mapping={"reason_field_id": 360001}))
    assert dict(zip(parsed.contacts["source_record_id"], parsed.contacts["reason"].fillna("-"),
                    strict=True)) == {"3001": "-", "3002": "-", "3004": "wrong_item"}
    assert list(parsed.contacts["line"]) == [1, 2, 4]


def test_array_of_pages_bare_tickets_and_single_ticket(con, tmp_path):
    page = {"tickets": [{"id": 1, "created_at": "2025-01-01T10:00:00Z", "updated_at": "2025-01-01T10:00:00Z",
                         "via": {"channel": "chat"}, "requester_id": 5, "status": "open"}],
            "next_page": None, "end_time": 1, "count": 1, "end_of_stream": True}
    newer = {"tickets": [dict(page["tickets"][0], updated_at="2025-01-02T10:00:00Z", status="solved")],
             "next_page": None, "end_time": 2, "count": 1, "end_of_stream": True}
    parsed = zendesk_json.read(json.dumps([newer, page]).encode(), ReadOptions())
    assert parsed.rows_read == 2
    assert list(parsed.contacts["status"]) == ["solved"]  # newest updated_at, not the later record
    single = zendesk_json.read(json.dumps({"ticket": page["tickets"][0]}).encode(), ReadOptions())
    assert list(single.contacts["channel"]) == ["chat"]
    bare = zendesk_json.read(json.dumps(page["tickets"] * 2).encode(), ReadOptions())
    assert (bare.rows_read, len(bare.contacts)) == (2, 1)


def test_overlaps_with_the_csv_export(con, fixtures, tmp_path):
    load_file(con, fixtures / "crm" / "zendesk_tickets.csv", options=ReadOptions(tz="Europe/Berlin"))
    newer = {"id": 1001, "created_at": "2025-03-03T08:15:00Z", "updated_at": "2025-03-10T00:00:00Z",
             "status": "closed", "via": {"channel": "email"}, "requester_id": 9001,
             "satisfaction_rating": {"score": "bad", "comment": "changed my mind"}}
    older = dict(newer, updated_at="2025-03-01T00:00:00Z", status="open")
    f = tmp_path / "export.ndjson"
    f.write_text(json.dumps(newer) + "\n" + json.dumps(older) + "\n")
    assert load_file(con, f).status == "loaded"
    assert rows(con, "SELECT count(*) FROM contacts") == [(5,)]
    assert rows(con, "SELECT status FROM contacts WHERE contact_id = 'zendesk:1001'") == [("closed",)]
    assert rows(con, "SELECT csat, comment FROM survey_responses WHERE response_id = 'zendesk:csat-1001'"
                ) == [(0.0, "changed my mind")]


def test_reimport_truncated_and_metrics_file_change_nothing(con, fixtures, tmp_path):
    load_file(con, fixtures / "crm" / "zendesk_incremental_cursor.json")
    before = counts(con)
    assert load_file(con, fixtures / "crm" / "zendesk_incremental_cursor.json").status == "skipped"
    broken = load_file(con, fixtures / "crm" / "zendesk_incremental_truncated.json")
    assert broken.status == "failed"
    assert broken.format == "zendesk_json"
    assert "invalid JSON at line 65" in broken.message and "truncated" in broken.message
    metrics = tmp_path / "ticket_metrics.json"
    metrics.write_text(json.dumps({"ticket_metric": {"id": 7, "ticket_id": 2001, "reopens": 0,
                                                     "reply_time_in_minutes": {"calendar": 5}}}))
    refused = load_file(con, metrics)
    assert refused.status == "failed"
    assert "Ticket Metrics export" in refused.message
    not_tickets = tmp_path / "users.json"
    not_tickets.write_text('[1, 2]')
    assert "holds no tickets" in load_file(con, not_tickets, format_name="zendesk_json").message
    assert counts(con) == before
    # The last page of an incremental sync may be empty: a valid file with nothing in it.
    empty = tmp_path / "empty.json"
    empty.write_text('{"tickets": [], "after_cursor": null, "end_of_stream": true}')
    nothing = load_file(con, empty)
    assert (nothing.status, nothing.rows_read, nothing.message) == (
        "empty", 0, "nothing loaded: the file holds no rows")
    assert counts(con) == before


@pytest.mark.parametrize("name", ["zendesk_tickets.csv", "zendesk_tickets_truncated.csv"])
def test_sniff_leaves_other_formats_alone(fixtures, name):
    head = (fixtures / "crm" / name).read_bytes()[:65536]
    assert zendesk_json.sniff(head, name) == 0.0


def test_sniff_claims_its_shapes(fixtures):
    for name in ("zendesk_incremental_cursor.json", "zendesk_incremental_time.json",
                 "zendesk_tickets.ndjson"):
        assert zendesk_json.sniff((fixtures / "crm" / name).read_bytes(), name) >= 0.9


@pytest.mark.skipif(not (SHARED / "samples").exists(), reason="no shared samples")
def test_real_samples_through_the_command_line(tmp_path):
    crm = SHARED / "samples" / "crm"
    out = subprocess.run(
        [sys.executable, "-m", "connectors", "load", str(crm / "zendesk_incremental_tickets_cursor.json"),
         str(crm / "zendesk_ticket_metrics.json"), "--db", str(tmp_path / "s.duckdb")],
        capture_output=True, text=True, cwd=ROOT, timeout=60)
    results = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.returncode == 1  # the metrics file is refused
    assert results[0] | {"message": ""} == {
        "file": "zendesk_incremental_tickets_cursor.json", "format": "zendesk_json", "rows_read": 1,
        "rows_loaded": 1, "rows_rejected": 0, "rows_merged": 0, "rows_skipped": 0, "rows_written": 2,
        "status": "loaded", "message": "", "warnings": results[0]["warnings"], "notes": []}
    assert results[0]["message"] == "1 contact, 1 survey response"
    assert results[1]["status"] == "failed"
    assert "Ticket Metrics export" in results[1]["message"]
    for other in ("jira_sm_export_es.csv", "ecommerce_support_csat_sample.csv"):
        assert zendesk_json.sniff((crm / other).read_bytes()[:65536], other) < 0.5
