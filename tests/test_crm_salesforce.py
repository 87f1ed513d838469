from __future__ import annotations

import datetime as dt
import json

import pytest

from connectors import __main__ as cli
from connectors import loader
from connectors.base import ReadOptions
from connectors.crm import salesforce
from tests.conftest import SHARED, counts

BERLIN = ReadOptions(tz="Europe/Berlin", dayfirst=True)
SNIFFERS = {c.name: c.sniff for c in salesforce.CONNECTORS}


def load_file(con, path, *args, **kwargs):
    """The loader without the model refresh (these tests read the base tables only)."""
    return loader.load_file(con, path, *args, refresh=False, **kwargs)


def rows(con, sql):
    return con.execute(sql).fetchall()


def ts(text):
    return dt.datetime.fromisoformat(text)


def test_id18_checksum():
    # Pairs taken from a real Bulk API export (15-char prefix + the suffix Salesforce computed).
    assert salesforce.id18("500jV000007lPn8") == "500jV000007lPn8QAE"
    assert salesforce.id18("001jV0000050DP4") == "001jV0000050DP4QAM"
    # Hand-computed: chunks 500Hs / 00001 / AbCdE -> H (bit 3) = I, none = A, A+C+E (1+4+16) = V.
    assert salesforce.id18("500Hs00001AbCdE") == "500Hs00001AbCdEIAV"
    assert salesforce.id18("00GHs000000Qu3u") == "00GHs000000Qu3uMAC"  # G+H = 12 -> M, Q = 2 -> C
    assert salesforce.id18("500Hs00001AbCdEIAV") == "500Hs00001AbCdEIAV"  # already 18: unchanged
    assert salesforce.id18("00001001") == "00001001"  # a case number is not an id


def test_bulk_api_export(con, fixtures):
    result = load_file(con, fixtures / "crm" / "salesforce_case_bulk.csv", options=BERLIN)
    assert result.status == "loaded", result.message
    assert result.format == "salesforce_bulk"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 4, 2)
    # Record 1 spans lines 2-3 (a newline in Description), so the deleted case is on line 6.
    assert sorted(rows(con, "SELECT line, reason FROM rejects")) == [
        (6, "deleted in Salesforce (IsDeleted)"), (7, "no readable open time")]
    got = {r[0]: r[1:] for r in rows(con, "SELECT source_record_id, case_id, channel, status, outcome, "
                                          "queue, agent, reason FROM contacts")}
    assert got == {
        "500Hs00001AbCdEIAV": ("00001001", "phone", "closed", "handled", None, "005Hs000002QwErIAK",
                               "Billing Error"),
        "500Hs00001AbCdFIAV": ("00001002", "web", "new", "unhandled", "00GHs000000Qu3uMAC", None,
                               "Delivery"),
        "500Hs00001AbCdGIAV": ("00001003", "email", "pending", "handled", None, "005Hs000002QwErIAK",
                               "Billing Error"),
        "500Hs00001AbCdJIAV": ("00001006", "chat", "hold", "handled", None, "005Hs000002QwErIAK",
                               "Product Defect"),
    }
    # ISO UTC with ms (never shifted by --tz); version = the later of LastModifiedDate / SystemModstamp.
    assert rows(con, "SELECT opened_at, closed_at, version_at FROM contacts "
                     "WHERE source_record_id = '500Hs00001AbCdEIAV'") == [
        (ts("2025-07-14 08:00"), ts("2025-07-14 18:59:51"), ts("2025-07-14 19:05"))]
    # IsClosed decides: a reopened case keeps an old ClosedDate but is not closed.
    assert rows(con, "SELECT closed_at FROM contacts WHERE source_record_id = '500Hs00001AbCdGIAV'") == [
        (None,)]
    # ContactEmail (case-insensitive) and the ContactId fallback tie cases 1001 and 1003 together.
    assert rows(con, "SELECT count(DISTINCT customer_key) FROM contacts WHERE case_id IN "
                     "('00001001', '00001003')") == [(1,)]
    assert {r[0] for r in rows(con, "SELECT identity FROM customers")} >= {
        "email:agreen@example.com", "email:web@example.org", "account:001Hs00000Acc01IAB",
        "account:001Hs00000Acc02IAB", "phone:+49301234567"}


def test_data_export_and_report_join_the_same_cases(con, fixtures):
    load_file(con, fixtures / "crm" / "salesforce_case_bulk.csv", options=BERLIN)
    export = load_file(con, fixtures / "crm" / "salesforce_case_export.csv", options=BERLIN)
    assert (export.status, export.format, export.rows_read) == ("loaded", "salesforce_export", 3)
    assert rows(con, "SELECT count(*) FROM contacts") == [(5,)]
    # Newer version of 1001 (reason Refund); the older version of 1002 changed nothing; the new case
    # 1007 is read as UTC although --tz is Berlin; 000000000000000AAA lookups are empty.
    assert rows(con, "SELECT case_id, status, reason, version_at FROM contacts "
                     "WHERE case_id IN ('00001001', '00001002') ORDER BY 1") == [
        ("00001001", "closed", "Refund", ts("2025-07-20 10:00")),
        ("00001002", "new", "Delivery", ts("2025-07-15 09:30"))]
    assert rows(con, "SELECT opened_at FROM contacts WHERE case_id = '00001007'") == [
        (ts("2025-07-16 12:00"),)]
    assert ("account:000000000000000AAA",) not in rows(con, "SELECT identity FROM customers")

    report = load_file(con, fixtures / "crm" / "salesforce_case_report.csv", options=BERLIN)
    assert (report.status, report.format, report.rows_read, report.rows_rejected) == (
        "loaded", "salesforce_report", 2, 0)
    # The report's 15-char Case ID joins the 18-char id: still one row for 1001, one new case 1008.
    assert rows(con, "SELECT count(*) FROM contacts") == [(6,)]
    assert rows(con, "SELECT source_record_id, opened_at, closed_at, agent, reason, version_at "
                     "FROM contacts WHERE case_id = '00001001'") == [
        ("500Hs00001AbCdEIAV", ts("2025-07-14 08:00"), ts("2025-07-14 18:59"), "Tom Jones",
         "Billing Error", ts("2025-07-21 07:00"))]  # dd/mm/yyyy in Berlin (UTC+2) -> UTC
    assert rows(con, "SELECT source_record_id, channel, status, opened_at FROM contacts "
                     "WHERE case_id = '00001008'") == [
        ("500Hs00001AbCdLIAV", "email", "new", ts("2025-08-02 06:15"))]


def test_report_without_case_id_and_damaged_footer(con, tmp_path):
    f = tmp_path / "report.csv"
    f.write_text('"Case Number","Case Owner","Date/Time Opened","Case Origin","Status","Closed"\n'
                 '"00002001","SupportQueueEU1","7/14/2025 6:59 PM","Web","Working","0"\n\n'
                 '"Grand Totals (1 record)"\n\n'
                 '"Confidential Information - Do Not Distribute"\n')
    result = load_file(con, f, options=ReadOptions(tz="America/New_York"))
    assert (result.status, result.format, result.rows_read) == ("loaded", "salesforce_report", 1)
    # A 15-character owner *name* is not an id: no checksum suffix is added to it.
    assert rows(con, "SELECT source_record_id, case_id, opened_at, status, outcome, agent FROM contacts") == [
        ("00002001", "00002001", ts("2025-07-14 22:59"), "open", "handled", "SupportQueueEU1")]
    before = counts(con)
    damaged = tmp_path / "damaged.csv"
    damaged.write_text(f.read_text().replace("(1 record)", "(3 records)"))
    refused = load_file(con, damaged)
    assert refused.status == "failed"
    assert "footer counts 3 records but the file holds 1" in refused.message
    assert counts(con) == before


def test_reimport_truncated_and_missing_columns_change_nothing(con, fixtures, tmp_path):
    load_file(con, fixtures / "crm" / "salesforce_case_bulk.csv")
    before = counts(con)
    assert load_file(con, fixtures / "crm" / "salesforce_case_bulk.csv").status == "skipped"
    broken = load_file(con, fixtures / "crm" / "salesforce_case_bulk_truncated.csv")
    assert broken.status == "failed"
    assert "truncated" in broken.message
    missing = tmp_path / "cases.csv"
    missing.write_text('"Id","CaseNumber","Origin"\n"500Hs00001AbCdEIAV","00001001","Phone"\n')
    refused = load_file(con, missing, format_name="salesforce_export")
    assert refused.status == "failed"
    assert refused.message == "salesforce_export: missing required column(s): CreatedDate"
    no_opened = tmp_path / "report.csv"
    no_opened.write_text('"Case Number","Case Owner"\n"00001001","Tom"\n')
    assert "missing required column(s): Date/Time Opened" in load_file(con, no_opened).message
    assert counts(con) == before


def test_sniffers_tell_the_three_apart(fixtures):
    def best(name):
        head = (fixtures / "crm" / name).read_bytes()[:65536]
        scores = {n: s(head, name) for n, s in SNIFFERS.items()}
        return max(scores, key=lambda n: scores[n]), scores
    assert best("salesforce_case_bulk.csv")[0] == "salesforce_bulk"
    assert best("salesforce_case_export.csv")[0] == "salesforce_export"
    assert best("salesforce_case_report.csv")[0] == "salesforce_report"
    for other in ("zendesk_tickets.csv", "zendesk_incremental_cursor.json", "zendesk_tickets.ndjson"):
        assert max(best(other)[1].values()) == 0.0


@pytest.mark.skipif(not (SHARED / "samples").exists(), reason="no shared samples")
def test_real_sample_through_the_command_line(tmp_path, capsys):
    crm = SHARED / "samples" / "crm"
    # In-process (the subprocess form is tested in test_crm_zendesk_json): same argv, no startup.
    code = cli.main(["load", str(crm / "salesforce_case_bulkapi.csv"),
                     "--db", str(tmp_path / "s.duckdb")])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out) == {
        "file": "salesforce_case_bulkapi.csv", "format": "salesforce_bulk", "rows_read": 8,
        "rows_loaded": 8, "rows_rejected": 0, "rows_merged": 0, "rows_skipped": 0, "rows_written": 8,
        "status": "loaded", "warnings": json.loads(out.out)["warnings"], "notes": [],
        # the 6 closed cases were "created" (migrated) after they closed: their close dates are blanked
        "message": "8 contacts; 6 impossible values blanked (see blanked_values)"}
    for other in ("jira_sm_export_es.csv", "ecommerce_support_csat_sample.csv",
                  "freshdesk_api_search_tickets.json", "zendesk_incremental_tickets_cursor.json"):
        head = (crm / other).read_bytes()[:65536]
        assert all(s(head, other) < 0.5 for s in SNIFFERS.values()), other
