"""Wrong-kind files say what they are (issue 10, item 5): forced formats, unrecognised files."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import detect, registry
from connectors.base import FormatError
from connectors.loader import choose_connector, load_file
from tests.conftest import FIXTURES, counts

D = FIXTURES / "detect"
SAVE = 'save it as CSV UTF-8 (Excel: File > Save As > "CSV UTF-8 (Comma delimited)") and load that file'
MAPPING = "describe it with a --mapping file (docs/generic-mapping.md)"
JSON_FORMATS = "zendesk_json, freshdesk_json, amazon_connect, twilio_json"


def refusal(path: Path, fmt: str | None) -> str:
    with pytest.raises(FormatError) as err:
        choose_connector(path.read_bytes(), path.name, fmt)
    return str(err.value)


@pytest.mark.parametrize("path, fmt, message", [
    (D / "tickets_excel2003.xml", "freshdesk_csv",
     f"freshdesk_csv: this is an XML spreadsheet (Excel 2003 XML), not a CSV: {SAVE}"),
    (D / "tickets.xlsx", "freshdesk_csv",
     f"freshdesk_csv: this is an Excel workbook (.xlsx), not a CSV: {SAVE}"),
    (D / "tickets_html.xls", "zendesk_csv",
     'zendesk_csv: this is an HTML table (a web page; "Export to Excel" often saves one as .xls), not a '
     "CSV: open it in Excel and save it as CSV UTF-8, or export CSV from the system"),
    (D / "export.zip", "typeform",
     "typeform: this is a zip archive holding tickets.csv, not a CSV: unzip it and load the files inside"),
    (FIXTURES / "crm" / "freshdesk_search.json", "freshdesk_csv",
     "freshdesk_csv: this is JSON, not a CSV; it looks like freshdesk_json: "
     "load it with --format freshdesk_json, or without --format"),
    (D / "unknown.json", "generic",
     f"generic: this is JSON, not a CSV, and no JSON format recognises it (JSON formats: {JSON_FORMATS})"),
    (FIXTURES / "crm" / "freshdesk_tickets.csv", "zendesk_json",
     "zendesk_json: this is a CSV (header: Ticket ID, Subject, Status, Priority, ...), not JSON; it looks "
     "like freshdesk_csv: load it with --format freshdesk_csv, or without --format"),
    (D / "tickets_excel2003.xml", "amazon_connect",
     f"amazon_connect: this is an XML spreadsheet (Excel 2003 XML), not JSON: {SAVE}"),
    (FIXTURES / "crm" / "zendesk_tickets.csv", "freshdesk_csv",
     "freshdesk_csv: the header matches zendesk_csv (Id, Via, Created at, Status), not freshdesk_csv "
     "(which needs Ticket ID, Created time): load it with --format zendesk_csv, or without --format"),
    (FIXTURES / "telephony" / "asterisk_master_21col.csv", "twilio_csv",
     "twilio_csv: the file matches asterisk_csv, not twilio_csv (which needs Sid, ParentCallSid, Status, "
     "Direction, StartTime): load it with --format asterisk_csv, or without --format"),
    (FIXTURES / "crm" / "zendesk_tickets.csv", "asterisk_csv",
     "asterisk_csv: the header matches zendesk_csv (Id, Via, Created at, Status), not asterisk_csv: "
     "load it with --format zendesk_csv, or without --format"),
    (D / "incident_list.csv", "freshdesk_csv",
     "freshdesk_csv: the header looks like a ServiceNow incident list (number, opened_at, "
     "short_description), not freshdesk_csv (which needs Ticket ID, Created time); no connector reads it "
     f"yet: {MAPPING}"),
])
def test_a_forced_format_that_cannot_fit_says_what_the_file_is(path, fmt, message):
    assert refusal(path, fmt) == message


@pytest.mark.parametrize("path, fmt", [
    (FIXTURES / "crm" / "salesforce_case_export.csv", "salesforce_bulk"),  # same columns: read as asked
    (D / "tickets_partial.csv", "freshdesk_csv"),  # a CSV nobody else claims: the reader names the gap
    (FIXTURES / "crm" / "zendesk_tickets.csv", "generic"),  # the mapping describes the columns
    (FIXTURES / "telephony" / "twilio_bulkexport.ndjson", "twilio_json"),
    (FIXTURES / "crm" / "freshdesk_tickets.csv", "freshdesk_csv"),
])
def test_a_forced_format_that_can_fit_is_used(path, fmt):
    assert choose_connector(path.read_bytes(), path.name, fmt).name == fmt


def test_a_gzip_json_goes_to_a_format_that_unpacks_it_and_is_refused_by_a_csv_one(tmp_path):
    import gzip

    f = tmp_path / "calls.json.gz"
    f.write_bytes(gzip.compress((FIXTURES / "telephony" / "twilio_bulkexport.ndjson").read_bytes()))
    assert choose_connector(f.read_bytes(), f.name, "twilio_json").name == "twilio_json"
    assert refusal(f, "twilio_csv") == (
        "twilio_csv: this is a gzip-compressed file (JSON), not a CSV; it looks like twilio_json: "
        "load it with --format twilio_json, or without --format")


def test_the_reader_still_names_missing_columns_of_a_csv_no_format_claims(con):
    result = load_file(con, D / "tickets_partial.csv", format_name="freshdesk_csv")
    assert (result.status, result.message) == (
        "failed", "freshdesk_csv: missing required column(s): Created time")


def test_a_forced_wrong_kind_is_refused_by_the_loader_and_changes_nothing(con):
    before = counts(con)
    result = load_file(con, D / "tickets_excel2003.xml", format_name="freshdesk_csv")
    assert result.status == "failed" and result.format is None
    assert result.message.startswith("freshdesk_csv: this is an XML spreadsheet (Excel 2003 XML), not a CSV")
    assert counts(con) == before


def _usage() -> str:
    return f"name it with --format (known formats: {', '.join(registry.names())}) or {MAPPING}"


@pytest.mark.parametrize("path, message", [
    (D / "tickets_excel2003.xml", "no connector recognises tickets_excel2003.xml: this is an XML "
     f"spreadsheet (Excel 2003 XML), not a CSV or JSON export: {SAVE}"),
    (D / "tickets.xlsx", f"no connector recognises tickets.xlsx: this is an Excel workbook (.xlsx), not a "
     f"CSV or JSON export: {SAVE}"),
    (D / "export.zip", "no connector recognises export.zip: this is a zip archive holding tickets.csv, "
     "not a CSV or JSON export: unzip it and load the files inside"),
    (D / "unknown.json", "no connector recognises unknown.json: it is JSON (keys: report, rows), but none "
     f"of the JSON formats ({JSON_FORMATS}) knows its keys; name it with --format if it is one of them"),
    (D / "incident_list.csv", "no connector recognises incident_list.csv: the header looks like a "
     "ServiceNow incident list (number, opened_at, short_description), which no connector reads yet; "
     f"{MAPPING}"),
])
def test_an_unrecognised_file_says_what_it_is(path, message):
    assert refusal(path, None) == message


def test_an_unrecognised_csv_lists_the_closest_formats_and_what_they_need():
    assert refusal(D / "tickets_partial.csv", None) == (
        "no connector recognises tickets_partial.csv; closest: freshdesk_csv (has Ticket ID; needs "
        "Created time), zendesk_csv (has Status; needs Id, Via, Created at), twilio_csv (has Status; "
        f"needs Sid, ParentCallSid, Direction, StartTime); {_usage()}")


def test_a_column_in_another_case_is_named_with_what_the_file_has():
    message = refusal(D / "zendesk_lowercase.csv", None)
    assert message.startswith(
        'no connector recognises zendesk_lowercase.csv; closest: zendesk_csv (needs Id (the file has "id"), '
        'Via (the file has "via"), Created at (the file has "created at"), Status (the file has "status"))')


def test_unknown_columns_name_no_closest_format(tmp_path):
    f = tmp_path / "mystery.csv"
    f.write_text("just,some,columns\n1,2,3\n")
    assert refusal(f, None) == f"no connector recognises mystery.csv; {_usage()}"


def test_an_alternative_column_is_shown_as_one_of():
    report = registry.by_name("salesforce_report")
    assert detect.match(report.columns, ["Case Number", "Subject"]) == (
        ["Case Number"], ["one of Date/Time Opened / Case Owner / Case Origin / Case Reason / Case ID"])


def test_every_header_format_declares_the_columns_its_sniff_accepts():
    """Connector.columns is the sniff's own definition: a header of exactly those columns (the first
    of each alternative) is recognised as that format, so the messages never drift from the sniffs."""
    for c in registry.connectors():
        if not c.columns:
            continue
        cells = [col if isinstance(col, str) else col[0] for col in c.columns]
        head = (",".join(cells) + "\n").encode()
        assert c.sniff(head, "x.csv") >= registry.SNIFF_THRESHOLD, c.name
    declared = {c.name for c in registry.connectors() if c.columns}
    assert declared == {"zendesk_csv", "salesforce_bulk", "salesforce_export", "salesforce_report",
                        "freshdesk_csv", "twilio_csv", "qualtrics", "surveymonkey", "typeform"}


@pytest.mark.parametrize("head, kind", [
    (b"\xef\xbb\xbfId,Subject\n", "csv"),
    (b'  [{"a": 1}]', "json"),
    (b'{"a": 1}\n{"a": 2}\n', "json"),
    (b"<!DOCTYPE html><html><table>", "html"),
    (b'<?xml version="1.0"?><root/>', "xml"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "xls"),
    (b"%PDF-1.7", "pdf"),
    (b"", "empty"),
    (b"hello\n", "text"),
    ("Ticket ID\tCreated time\n".encode("utf-16"), "csv"),
])
def test_file_kind(head, kind):
    assert detect.file_kind(head).name == kind


def test_a_sniffed_format_without_its_named_columns_is_named_alone():
    legacy = FIXTURES / "survey" / "qualtrics_legacy.csv"
    assert refusal(legacy, "freshdesk_csv") == (
        "freshdesk_csv: the file matches qualtrics, not freshdesk_csv (which needs Ticket ID, Created "
        "time): load it with --format qualtrics, or without --format")


def test_the_keys_of_a_json_longer_than_the_sniffed_head_are_named(tmp_path):
    f = tmp_path / "conversations.json"
    rows = ",".join(f'{{"conversationId": "c{i}", "participants": [{{"id": "p"}}]}}' for i in range(3000))
    f.write_text('{"conversations": [' + rows + '], "totalHits": 3000}')
    assert len(f.read_bytes()) > 65536
    assert refusal(f, None).startswith(
        "no connector recognises conversations.json: it is JSON (keys: conversations), but none")
    assert detect._scan_keys('{"a": {"x": 1}, "b\\"c": [1, {"y": 2}], "d": "e:"') == ["a", 'b\\"c', "d"]
