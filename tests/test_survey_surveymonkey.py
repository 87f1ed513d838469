from __future__ import annotations

from functools import partial

from connectors.base import ReadOptions
from connectors.loader import load_file as _load_file
from tests.conftest import counts

# Models are not asserted here: skip their refresh to keep the tests fast.
load_file = partial(_load_file, refresh=False)

NY = ReadOptions(tz="America/New_York")


def _rows(con):
    return {r[0]: r[1:] for r in con.execute(
        "SELECT source_record_id, csat, nps, resolved, comment, case_id, "
        "strftime(responded_at, '%Y-%m-%d %H:%M:%S') FROM survey_responses "
        "WHERE source = 'surveymonkey' ORDER BY 1").fetchall()}


def test_surveymonkey_two_header_rows_with_multiline_question_texts(con, fixtures):
    result = load_file(con, fixtures / "survey" / "surveymonkey_responses.csv", options=NY)
    assert result.format == "surveymonkey"
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "loaded", 4, 3, 1)
    rows = _rows(con)
    # MM/DD/YYYY hh:mm:ss AM/PM in the account zone (New York, UTC-5 before 9 March).
    assert rows["114000000001"] == (5.0, 10, True, "Great, thanks!", "1001", "2025-03-03 19:15:30")
    assert rows["114000000002"] == (2.0, 3, False, 'They said "soon",\nand nothing happened.',
                                    "1004", "2025-03-04 14:01:00")
    assert rows["114000000003"] == (3.0, None, None, None, None, "2025-03-06 04:59:59")
    # The header spans lines 1-4 (question texts with line breaks); the empty response is line 9.
    assert con.execute("SELECT line, reason, raw FROM rejects").fetchall() == [
        (9, "no score and no comment", "114000000004")]
    # Email Address feeds the identity map, lower-cased.
    assert con.execute("SELECT identity FROM customers ORDER BY 1").fetchall() == [
        ("email:anna@example.com",), ("email:ben@example.com",)]


def test_surveymonkey_links_to_zendesk_tickets(con, fixtures):
    load_file(con, fixtures / "crm" / "zendesk_tickets.csv", options=ReadOptions(tz="Europe/Berlin"))
    load_file(con, fixtures / "survey" / "surveymonkey_responses.csv", options=NY)
    assert con.execute("SELECT source_record_id, contact_id FROM survey_responses "
                       "WHERE source = 'surveymonkey' AND contact_id IS NOT NULL ORDER BY 1"
                       ).fetchall() == [("114000000001", "zendesk:1001"),
                                        ("114000000002", "zendesk:1004")]


def test_surveymonkey_excel_cp1252_resave(con, fixtures):
    result = load_file(con, fixtures / "survey" / "surveymonkey_excel_cp1252.csv", options=NY)
    assert (result.status, result.rows_loaded) == ("loaded", 1)
    assert _rows(con)["114000000005"][:4] == (4.0, 9, True, "Café team – très bien")


def test_surveymonkey_reimport_truncated_missing_and_zip_change_nothing(con, fixtures, tmp_path):
    load_file(con, fixtures / "survey" / "surveymonkey_responses.csv", options=NY)
    before = counts(con)
    assert load_file(con, fixtures / "survey" / "surveymonkey_responses.csv").status == "skipped"
    broken = load_file(con, fixtures / "survey" / "surveymonkey_truncated.csv")
    assert broken.status == "failed" and "truncated" in broken.message
    missing = tmp_path / "m.csv"
    missing.write_text("Respondent ID,Collector ID,Start Date,How satisfied?\n,,,Response\n1,2,x,5\n")
    refused = load_file(con, missing)
    assert refused.format == "surveymonkey"
    assert "missing required column(s): End Date" in refused.message
    zipped = load_file(con, tmp_path / "s.zip", "surveymonkey", data=b"PK\x03\x04rest")
    assert "zip archive" in zipped.message
    assert counts(con) == before


def test_surveymonkey_custom_data_named_by_mapping(con, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("Respondent ID,Collector ID,Start Date,End Date,Custom Data 1,Rate the service\n"
                 ",,,,,Response\n"
                 "7,1,01/02/2025 10:00:00 AM,01/02/2025 10:01:00 AM,T-55,4\n")
    opts = ReadOptions(mapping={"kind": "questions", "columns": {"case_id": "Custom Data 1",
                                                                 "csat": "Rate the service"}})
    assert load_file(con, f, options=opts).rows_loaded == 1
    assert _rows(con)["7"] == (4.0, None, None, None, "T-55", "2025-01-02 10:01:00")
