from __future__ import annotations

import datetime as dt
import json

import pytest

from connectors import __main__ as cli
from connectors import loader
from connectors.base import ReadOptions
from connectors.crm import freshdesk
from tests.conftest import SHARED, counts

BERLIN = ReadOptions(tz="Europe/Berlin")
SNIFFERS = {c.name: c.sniff for c in freshdesk.CONNECTORS}


def load_file(con, path, *args, **kwargs):
    """The loader without the model refresh (these tests read the base tables only)."""
    return loader.load_file(con, path, *args, refresh=False, **kwargs)


def rows(con, sql):
    return con.execute(sql).fetchall()


def ts(text):
    return dt.datetime.fromisoformat(text)


def test_csv_export(con, fixtures):
    result = load_file(con, fixtures / "crm" / "freshdesk_tickets.csv", options=BERLIN)
    assert result.status == "loaded", result.message
    assert result.format == "freshdesk_csv"
    # 6 tickets (one with a line break in its subject) -> 5 loaded (5 contacts + 4 survey responses
    # written), 1 reject.
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.rows_written) == (
        6, 5, 1, 9)
    assert rows(con, "SELECT line, reason, raw FROM rejects") == [(7, "no readable open time", "105")]
    got = {r[0]: r[1:] for r in rows(con, "SELECT source_record_id, channel, direction, status, outcome, "
                                          "reason, handle_seconds FROM contacts")}
    assert got == {
        "101": ("email", "inbound", "closed", "handled", "Billing error", 1500.0),  # 00:25:00
        "102": ("phone", "inbound", "solved", "handled", "Question", 5400.0),  # 1.5 h, Type as reason
        "103": ("chat", "inbound", "open", "unhandled", None, None),  # no time tracked: NULL
        "104": ("email", "outbound", "pending", "handled", "Question", None),
        "106": ("web", "inbound", "solved", "handled", "Question", None),
    }
    # Account time zone (Berlin, UTC+1): opened, initial response, resolved (not closed) time, update.
    assert rows(con, "SELECT opened_at, first_response_at, closed_at, version_at, team, agent "
                     "FROM contacts WHERE source_record_id = '101'") == [
        (ts("2025-03-03 09:15"), ts("2025-03-03 09:45"), ts("2025-03-03 11:00"), ts("2025-03-05 11:00"),
         "Billing", "Sam Agent")]
    # Happiness labels on the 1-5 scale, linked to their tickets.
    assert rows(con, "SELECT contact_id, csat, csat_scale FROM survey_responses ORDER BY 1") == [
        ("freshdesk:101", 5.0, 5), ("freshdesk:102", 2.0, 5), ("freshdesk:104", 3.0, 5),
        ("freshdesk:106", 4.0, 5)]
    # Contact 5001 (mixed-case e-mail, one ticket without e-mail) is one customer.
    assert rows(con, "SELECT count(DISTINCT customer_key) FROM contacts "
                     "WHERE source_record_id IN ('101', '104', '106')") == [(1,)]
    assert ("account:freshdesk-contact:5001",) in rows(con, "SELECT identity FROM customers")


def test_api_search_result(con, fixtures):
    result = load_file(con, fixtures / "crm" / "freshdesk_search.json")
    assert result.status == "loaded", result.message
    assert result.format == "freshdesk_json"
    # 6 records: 202 twice (the newer one wins although it comes first), 203 is spam.
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 4, 1)
    assert rows(con, "SELECT line, reason, raw FROM rejects") == [
        (4, "spam or deleted in Freshdesk (not a contact)", "203")]
    got = {r[0]: r[1:] for r in rows(con, "SELECT source_record_id, channel, direction, status, outcome, "
                                          "reason, team, agent FROM contacts")}
    assert got == {
        "201": ("email", "inbound", "closed", "handled", "billing_error", "3001", "7001"),
        "202": ("phone", "inbound", "open", "unhandled", "Question", None, None),
        "204": ("email", "outbound", "pending", "handled", "Question", "3001", "7002"),
        "205": ("web", "inbound", "pending", "handled", None, "3002", "7001"),  # custom status 6
    }
    # +11:00 before and +10:00 after the end of Sydney's DST, in one file; stats give the times.
    assert rows(con, "SELECT opened_at, first_response_at, closed_at, version_at FROM contacts "
                     "WHERE source_record_id = '201'") == [
        (ts("2025-03-28 23:00"), ts("2025-03-29 00:00"), ts("2025-03-31 22:00"), ts("2025-04-06 23:00"))]
    assert rows(con, "SELECT version_at FROM contacts WHERE source_record_id = '202'") == [
        (ts("2025-04-07 23:00"),)]
    assert {"email:ben@example.org", "phone:+61299990000"} <= {
        r[0] for r in rows(con, "SELECT identity FROM customers")}


def test_csv_and_api_share_customers(con, fixtures):
    load_file(con, fixtures / "crm" / "freshdesk_tickets.csv", options=BERLIN)
    load_file(con, fixtures / "crm" / "freshdesk_search.json")
    assert rows(con, "SELECT count(DISTINCT customer_key) FROM contacts "
                     "WHERE source_record_id IN ('101', '201', '204')") == [(1,)]


def test_bare_array_and_single_ticket(tmp_path):
    ticket = {"id": 9, "status": 4, "source": 7, "created_at": "2025-01-01T10:00:00Z",
              "updated_at": "2025-01-01T11:00:00Z", "requester_id": 1, "due_by": None}
    parsed = freshdesk.read_json(json.dumps([ticket, 42]).encode(), ReadOptions())
    assert parsed.rows_read == 2
    assert [(r.line, r.reason) for r in parsed.rejects] == [(2, "not a Freshdesk ticket (no id)")]
    assert list(parsed.contacts[["channel", "status", "outcome"]].itertuples(index=False, name=None)) == [
        ("chat", "solved", "handled")]
    single = freshdesk.read_json(json.dumps(ticket).encode(), ReadOptions())
    assert single.rows_read == 1


def test_reimport_truncated_and_missing_columns_change_nothing(con, fixtures, tmp_path):
    load_file(con, fixtures / "crm" / "freshdesk_tickets.csv", options=BERLIN)
    load_file(con, fixtures / "crm" / "freshdesk_search.json")
    before = counts(con)
    assert load_file(con, fixtures / "crm" / "freshdesk_search.json").status == "skipped"
    assert load_file(con, fixtures / "crm" / "freshdesk_tickets.csv").status == "skipped"
    broken = load_file(con, fixtures / "crm" / "freshdesk_search_truncated.json")
    assert (broken.status, broken.format) == ("failed", "freshdesk_json")
    assert "invalid JSON at line 24" in broken.message and "truncated" in broken.message
    missing = tmp_path / "tickets.csv"
    missing.write_text("Ticket ID,Subject,Status\n1,Hello,Open\n")
    refused = load_file(con, missing, format_name="freshdesk_csv")
    assert refused.status == "failed"
    assert refused.message == "freshdesk_csv: missing required column(s): Created time"
    wrong = tmp_path / "other.json"
    wrong.write_text('{"ticket_count": 3}')
    assert "expected a list of tickets" in load_file(con, wrong, format_name="freshdesk_json").message
    assert counts(con) == before


def test_sniffers_claim_only_their_own(fixtures):
    def scores(name):
        head = (fixtures / "crm" / name).read_bytes()[:65536]
        return {n: s(head, name) for n, s in SNIFFERS.items()}
    assert scores("freshdesk_tickets.csv")["freshdesk_csv"] >= 0.9
    assert scores("freshdesk_search.json")["freshdesk_json"] >= 0.9
    for other in ("zendesk_tickets.csv", "zendesk_incremental_cursor.json", "zendesk_tickets.ndjson",
                  "salesforce_case_bulk.csv", "salesforce_case_report.csv"):
        assert max(scores(other).values()) == 0.0, other


@pytest.mark.skipif(not (SHARED / "samples").exists(), reason="no shared samples")
def test_real_sample_through_the_command_line(tmp_path, capsys):
    crm = SHARED / "samples" / "crm"
    # In-process (the subprocess form is tested in test_crm_zendesk_json): same argv, no startup.
    code = cli.main(["load", str(crm / "freshdesk_api_search_tickets.json"),
                     "--db", str(tmp_path / "s.duckdb")])
    out = capsys.readouterr()
    assert code == 0, out.err
    # Two versions of ticket 1: the newer (2020) one is kept.
    assert json.loads(out.out) == {
        "file": "freshdesk_api_search_tickets.json", "format": "freshdesk_json", "rows_read": 2,
        "rows_loaded": 1, "rows_rejected": 0, "rows_merged": 1, "rows_skipped": 0, "rows_written": 1,
        "status": "loaded", "message": "1 contact; 1 row merged into another row of the same record",
        "warnings": json.loads(out.out)["warnings"], "notes": []}
    for other in ("jira_sm_export_es.csv", "ecommerce_support_csat_sample.csv",
                  "salesforce_case_bulkapi.csv", "zendesk_incremental_tickets_cursor.json",
                  "zendesk_ticket_metrics.json"):
        head = (crm / other).read_bytes()[:65536]
        assert all(s(head, other) < 0.5 for s in SNIFFERS.values()), other
