from __future__ import annotations

from connectors.base import ReadOptions
from connectors.loader import load_file
from tests.conftest import counts


def test_zendesk_csv_loads_tickets_and_satisfaction(con, fixtures):
    result = load_file(con, fixtures / "crm" / "zendesk_tickets.csv",
                       options=ReadOptions(tz="Europe/Berlin"))
    assert result.status == "loaded", result.message
    assert result.format == "zendesk_csv"
    assert result.rows_read == 5
    rows = dict(con.execute(
        "SELECT source_record_id, channel || '/' || direction FROM contacts").fetchall())
    assert rows == {"1001": "email/inbound", "1002": "web/inbound", "1003": "other/inbound",
                    "1004": "chat/inbound", "1005": "email/outbound"}
    # Account time zone (Berlin, UTC+1 in March) -> UTC; first reply = created + 45 minutes.
    opened, first = con.execute(
        "SELECT opened_at, first_response_at FROM contacts WHERE source_record_id = '1001'"
    ).fetchall()[0]
    assert str(opened) == "2025-03-03 08:15:00"
    assert str(first) == "2025-03-03 09:00:00"
    # Good/Bad and 1-5 become survey responses linked to their ticket; Offered / Not Offered do not.
    surveys = con.execute(
        "SELECT contact_id, csat, csat_scale FROM survey_responses ORDER BY contact_id").fetchall()
    assert surveys == [("zendesk:1001", 1.0, 2), ("zendesk:1002", 0.0, 2), ("zendesk:1004", 4.0, 5)]
    # The same person (mixed-case e-mail, account id) is one customer across tickets.
    keys = con.execute("SELECT count(DISTINCT customer_key) FROM contacts "
                       "WHERE source_record_id IN ('1001', '1003')").fetchall()[0][0]
    assert keys == 1
    # No time-tracking column: handle time unknown, never zero.
    assert con.execute("SELECT count(*) FROM contacts WHERE handle_seconds IS NOT NULL"
                       ).fetchall()[0][0] == 0


def test_zendesk_csv_reimport_and_truncated_file_change_nothing(con, fixtures):
    load_file(con, fixtures / "crm" / "zendesk_tickets.csv")
    before = counts(con)
    again = load_file(con, fixtures / "crm" / "zendesk_tickets.csv")
    assert again.status == "skipped"
    broken = load_file(con, fixtures / "crm" / "zendesk_tickets_truncated.csv")
    assert broken.status == "failed"
    assert "truncated" in broken.message
    assert counts(con) == before


def test_zendesk_csv_bad_row_is_rejected_with_its_line(con, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("Id,Via,Status,Created at,Updated at\n"
                 "1,Mail,Open,2025-01-01 10:00:00,2025-01-01 10:00:00\n"
                 "2,Mail,Open,yesterday,2025-01-01 10:00:00\n")
    result = load_file(con, f)
    assert (result.status, result.rows_rejected) == ("loaded", 1)
    assert con.execute("SELECT line, reason FROM rejects").fetchall() == [
        (3, "no readable open time")]


def test_missing_required_column_is_refused_by_name(con, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("Id,Via,Status,Updated at\n1,Mail,Open,2025-01-01 10:00:00\n")
    result = load_file(con, f, format_name="zendesk_csv")
    assert result.status == "failed"
    assert "missing required column(s): Created at" in result.message
