"""The DuckDB fast paths (Connector.stage) load exactly what the careful Python readers load.

Every file is loaded twice into fresh warehouses: once as the loader does it (fast path where the
connector has one and takes the file) and once with the fast path switched off. Contacts, survey
responses, customers, rejects and the import log must be equal row for row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors import loader
from connectors.base import ReadOptions
from sql import warehouse

TABLES = {
    "contacts": "SELECT * EXCLUDE (import_id) FROM contacts ORDER BY contact_id",
    "survey_responses": "SELECT * EXCLUDE (import_id) FROM survey_responses ORDER BY response_id",
    "customers": "SELECT * FROM customers ORDER BY identity",
    "rejects": "SELECT line, reason, raw FROM rejects ORDER BY line, reason",
    "blanked_values": "SELECT file_name, record_id, line, field, reason, raw FROM blanked_values "
                      "ORDER BY file_name, line, field",
    "skipped_rows": "SELECT line, reason, raw FROM skipped_rows ORDER BY line, reason",
    "import_log": "SELECT format, rows_read, rows_loaded, rows_rejected, rows_merged, rows_skipped, "
                  "rows_written, status, message, warnings FROM import_log",
    "m_contacts": "SELECT * FROM m_contacts ORDER BY contact_id",
}


def spy_on_parse(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, per file the loader reads, whether the fast path took it."""
    staged: list[bool] = []
    parse = loader._parse

    def spy(con, connector, data, opts):  # type: ignore[no-untyped-def]
        parsed = parse(con, connector, data, opts)
        staged.append(parsed.staged)
        return parsed
    monkeypatch.setattr(loader, "_parse", spy)
    return staged


def load_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: list[Path], tz: str = "UTC"
              ) -> tuple[dict[str, list[tuple]], dict[str, list[tuple]], list[bool]]:
    parse = loader._parse
    staged = spy_on_parse(monkeypatch)
    spy = loader._parse
    monkeypatch.setattr(loader, "_parse", parse)

    def careful(con, connector, data, opts):  # type: ignore[no-untyped-def]
        return connector.read(data, opts)

    out = []
    for name, fn in (("fast", spy), ("careful", careful)):
        monkeypatch.setattr(loader, "_parse", fn)
        con = warehouse.connect(tmp_path / f"{name}.duckdb")
        for f in files:
            loader.load_file(con, f, options=ReadOptions(tz=tz))
        out.append({t: con.execute(sql).fetchall() for t, sql in TABLES.items()})
        con.close()
    return out[0], out[1], staged


ZENDESK_HEADER = ("Id,Requester,Requester id,Requester external id,Requester email,Group,Assignee,"
                  "Subject,Status,Via,Created at,Updated at,Solved at,Satisfaction Score,Reopens,"
                  "Replies,First reply time in minutes,Total time spent (sec),Contact reason [list]")
ZENDESK_ROWS = [
    # the hour clocks skip (Berlin, 30 March 2025) and the hour they repeat (26 October 2025)
    '2001,Ana,1,ACC-1,Ana@Example.com,Billing,Tom,"Invoice, wrong",Solved,Mail,2025-03-30 02:30:00,'
    '2025-03-30 03:10:00,2025-03-30 03:05:00,Good,0,2,45,"1,234.0",billing_error',
    '2002,Ben,2,,ben@example.org,Support,Kim,Parcel,Closed,Web Form,2025-10-26 02:30:00,'
    '2025-10-26 04:00:00,2025-10-26 03:30:00,Bad,1,3,20,"1.234,5",delivery_late',
    # same e-mail as 2001 with another account: the combinations share an identity
    '2003,Ana,1,ACC-2,ana@example.com,Billing,,"Re: ""Invoice""",Open,Closed Ticket,2025-03-06 08:00:00,'
    '2025-03-06 08:00:00,,Offered,0,0,,,billing_error',
    '2004,Cy,3,,cy@example.net,Support,Kim,Chat,Solved,Chat,2025-03-07 14:00:00,2025-03-07 14:20:00,'
    '2025-03-07 14:20:00,4,0,1,1,300,password_reset',
    '2005,Zendesk,4,,not-an-email,Support,Kim,Outbound,Solved,OutBound,2025-03-08 09:00:00,'
    '2025-03-08 09:05:00,2025-03-08 09:05:00,Not Offered,0,1,,,',
    # an older version of 2004 later in the file: the newer one wins
    '2004,Cy,3,,cy@example.net,Support,Kim,Chat,Open,Chat,2025-03-07 14:00:00,2025-03-07 14:10:00,'
    ',,0,0,,,password_reset',
    ',,,,,,,,,,,,,,,,,,',
    '2006,No time,5,,x@example.com,Support,Kim,Nothing,Open,Mail,,2025-03-09 10:00:00,,,,,,,',
    ',Nobody,6,,y@example.com,Support,Kim,No id,Open,Mail,2025-03-09 10:00:00,2025-03-09 10:00:00,,,,,,,',
    '2007,Dee,7,ACC-7,,Support,Kim,Sms,Open,SMS,2025-03-09 11:00:00,2025-03-09 11:00:00,,,,,,,',
]


def write(path: Path, rows: list[str], header: str = ZENDESK_HEADER, newline: str = "\n") -> Path:
    path.write_bytes((newline.join([header, *rows]) + newline).encode("utf-8"))
    return path


def test_zendesk_fast_path_equals_careful_reader(tmp_path, monkeypatch):
    f = write(tmp_path / "tickets.csv", ZENDESK_ROWS)
    fast, careful, staged = load_both(tmp_path, monkeypatch, [f], tz="Europe/Berlin")
    assert staged == [True]
    assert fast == careful
    contacts = {r[0]: r for r in fast["contacts"]}
    assert len(contacts) == 6  # 2001-2005 and 2007; 2004 once; blank row skipped; 2 rejected
    assert fast["rejects"] == [(9, "no readable open time", "2006"), (10, "no record id", "")]
    # 02:30 in the skipped hour moves to the transition (01:00 UTC); the repeated 02:30 is CET.
    opened = {r[2]: str(r[7]) for r in fast["contacts"]}
    assert opened["2001"] == "2025-03-30 01:00:00"
    assert opened["2002"] == "2025-10-26 01:30:00"
    handle = {r[2]: r[18] for r in fast["contacts"]}
    assert handle["2001"] == 1234.0 and handle["2002"] == 1234.5
    keys = {r[2]: r[4] for r in fast["contacts"]}
    assert keys["2001"] == keys["2003"]  # linked through the shared e-mail


@pytest.mark.parametrize("variant", ["crlf", "tab_in_cell", "multiline", "offset", "dayfirst"])
def test_zendesk_files_the_fast_path_declines_load_the_same(tmp_path, monkeypatch, variant):
    rows = list(ZENDESK_ROWS)
    newline = "\n"
    if variant == "crlf":
        newline = "\r\n"  # still fast: CRLF line ends are plain
    elif variant == "tab_in_cell":
        rows[0] = rows[0].replace("Ana,1,", "Ana\t,1,")
    elif variant == "multiline":
        rows[0] = rows[0].replace('"Invoice, wrong"', '"Invoice,\nwrong"')
    elif variant == "offset":
        rows[3] = rows[3].replace("2025-03-07 14:00:00", "2025-03-07T14:00:00+01:00", 1)
    elif variant == "dayfirst":
        rows[3] = rows[3].replace("2025-03-07 14:00:00", "07.03.2025 14:00", 1)
    f = write(tmp_path / "tickets.csv", rows, newline=newline)
    fast, careful, staged = load_both(tmp_path, monkeypatch, [f], tz="Europe/Berlin")
    assert staged == [variant == "crlf"]
    assert fast == careful


def connect_record(i: int, **over: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "AWSContactTraceRecordFormatVersion": "2017-03-10", "ContactId": f"c{i}", "Channel": "VOICE",
        "InitiationMethod": "INBOUND", "InitiationTimestamp": f"2025-03-03T10:{i:02d}:00Z",
        "DisconnectTimestamp": f"2025-03-03T10:{i:02d}:59Z",
        "LastUpdateTimestamp": f"2025-03-03T11:{i:02d}:00Z",
        "CustomerEndpoint": {"Address": "+4930123456" + str(i % 3), "Type": "TELEPHONE_NUMBER"},
        "Queue": {"Name": "Billing", "ARN": "arn:q", "EnqueueTimestamp": "2025-03-03T10:00:05Z",
                  "Duration": 30},
        "Agent": {"Username": "anna", "ConnectedToAgentTimestamp": "2025-03-03T10:00:35Z",
                  "AgentInteractionDuration": 120, "CustomerHoldDuration": 10,
                  "AfterContactWorkDuration": 20, "RoutingProfile": {"Name": "Billing Profile"}},
        "Attributes": {"ContactReason": "billing_error", "Customer_ID": f"NW-{i % 4}"},
        "TransferCompletedTimestamp": None, "NextContactId": None,
    }
    rec.update(over)
    return rec


CONNECT = [
    connect_record(1),
    connect_record(2, Agent=None),  # abandoned in queue
    connect_record(3, Agent=None, Queue=None, Attributes={"reason": " ", "Email": "Bob@Example.com"}),
    connect_record(4, Channel="CHAT", Agent=None, Queue=None, CustomerEndpoint=None),  # bot
    connect_record(5, InitiationMethod="MONITOR"),  # skipped
    connect_record(6, InitiationMethod="TELEPATHY"),  # unknown: rejected
    connect_record(7, NextContactId="c8", Attributes={"account-no": "NW-9"}),  # transferred
    connect_record(8, InitiationMethod="TRANSFER", CustomerEndpoint={"Address": "0301234567",
                                                                     "Type": "TELEPHONE_NUMBER"}),
    connect_record(1, LastUpdateTimestamp="2025-03-03T09:00:00Z", Channel="CHAT"),  # older re-send
    connect_record(9, Channel="TASK", Agent=None, Queue=None),  # unhandled
    # agent_requested from what the flow wrote (docs/recorded-fields.md):
    connect_record(10, Agent=None, Queue=None, Attributes={"AgentRequested": " TRUE"}),  # IVR: asked
    connect_record(11, Channel="CHAT", Agent=None, Queue=None, CustomerEndpoint=None,
                   Attributes={"Lex_Intent-Name": "Speak To Agent"}),  # bot: asked, by intent
    connect_record(12, Channel="CHAT", Agent=None, Queue=None, CustomerEndpoint=None,
                   Attributes={"IntentName": "TrackOrder"}),  # bot: another intent, nobody asked
    connect_record(13, Channel="CHAT", Agent=None, Queue=None, CustomerEndpoint=None,
                   Attributes={"escalate": "No", "IntentName": "TransferToAgent"}),  # the flag wins
    connect_record(14, Agent=None, Queue=None, AgentConnectionAttempts=1),  # offered to an agent
    connect_record(15, InitiationMethod="OUTBOUND"),  # outbound: not an attempt to reach anyone
    connect_record(16, Queue=None, Agent={}, Attributes={"handoff": "maybe"}),  # an empty Agent object
]


@pytest.mark.parametrize("shape", ["ndjson", "glued", "array"])
def test_amazon_connect_fast_path_equals_careful_reader(tmp_path, monkeypatch, shape):
    lines = [json.dumps(r) for r in CONNECT]
    body = {"ndjson": "\n".join(lines) + "\n", "glued": "".join(lines),
            "array": "[\n" + ",\n".join(lines) + "\n]\n"}[shape]
    f = tmp_path / "ctr.json"
    f.write_text(body)
    fast, careful, staged = load_both(tmp_path, monkeypatch, [f])
    assert staged == [True]
    assert fast == careful
    outcomes = {r[2]: r[25] for r in fast["contacts"]}
    assert outcomes == {"c1": "answered", "c2": "abandoned", "c3": "ivr", "c4": "bot",
                        "c7": "answered", "c8": "answered", "c9": "unhandled", "c10": "ivr",
                        "c11": "bot", "c12": "bot", "c13": "bot", "c14": "ivr", "c15": "answered",
                        "c16": "ivr"}
    assert fast["rejects"] == [(6, "unknown direction", "c6")]
    # 17 records: 14 loaded, 1 rejected (c6), 1 merged (c1's older re-send), 1 skipped (MONITOR)
    assert fast["import_log"][0][1:7] == (17, 14, 1, 1, 1, 14)
    assert fast["skipped_rows"] == [(5, "MONITOR contact record, not a customer contact", "c5")]
    asked = {r[2]: r[-2] for r in fast["contacts"]}
    # queued (c1, c2, c7, c8), offered (c14, c16), asked (c10, c11); said no (c12, c13); recorded
    # nothing (c3, c4: reason and e-mail attributes only; c9: a task); outbound (c15)
    assert asked == {"c1": True, "c2": True, "c3": None, "c4": None, "c7": True, "c8": True,
                     "c9": None, "c10": True, "c11": True, "c12": False, "c13": False,
                     "c14": True, "c15": None, "c16": True}
    assert {r[-1] for r in fast["contacts"]} == {False}  # telephony records are not tickets


@pytest.mark.parametrize("fixture", ["connect_ctr.json", "connect_firehose.json"])
def test_amazon_connect_fixtures_load_the_same_either_way(tmp_path, monkeypatch, fixtures, fixture):
    fast, careful, _staged = load_both(tmp_path, monkeypatch, [fixtures / "telephony" / fixture])
    assert fast == careful
    assert fast["contacts"]


def test_amazon_connect_record_without_contact_id_goes_the_careful_way(tmp_path, monkeypatch):
    f = tmp_path / "ctr.json"
    f.write_text("\n".join(json.dumps(r) for r in [connect_record(1), {"ContactId": None}]) + "\n")
    fast, careful, staged = load_both(tmp_path, monkeypatch, [f])
    assert staged == [False]
    assert fast == careful
    assert len(fast["rejects"]) == 1


def test_fast_path_file_loaded_over_careful_one_keeps_newest(tmp_path, monkeypatch):
    """An overlapping second export through the fast path updates what the first one loaded."""
    first = write(tmp_path / "a.csv", ZENDESK_ROWS[:3])
    newer = ZENDESK_ROWS[2].replace("Open,Closed Ticket", "Solved,Closed Ticket").replace(
        "2025-03-06 08:00:00,,", "2025-03-07 08:00:00,2025-03-07 08:00:00,")
    second = write(tmp_path / "b.csv", [newer, ZENDESK_ROWS[3]])
    fast, careful, staged = load_both(tmp_path, monkeypatch, [first, second], tz="Europe/Berlin")
    assert staged == [True, True]
    assert fast == careful
    status = {r[2]: r[24] for r in fast["contacts"]}
    assert status["2003"] == "solved"


def test_identities_of_one_file_are_seen_by_the_next(tmp_path):
    """Regression (duckdb 2.0.0): new identities inserted into ``customers`` straight from a temp
    table were invisible to the next file until a checkpoint, so it added them again with
    duplicate rows. It shows only at scale (two files of 200k tickets each)."""
    header = ("Id,Requester external id,Requester email,Group,Status,Via,Created at,Updated at,"
              "Solved at,Satisfaction Score")

    def tickets(path: Path, first: int, n: int, account: str) -> Path:
        rows = (f"{first + i},{account}-{i},p{account}{i}@example.de,Support,Open,Mail,"
                f"2025-03-03 10:00:00,2025-03-03 10:00:00,2025-03-03 11:00:00,"
                f"{'Good' if i % 16 == 0 else 'Offered'}" for i in range(n))
        path.write_text("\n".join([header, *rows]) + "\n")
        return path
    con = warehouse.connect(tmp_path / "w.duckdb")
    files = [tickets(tmp_path / "a.csv", 1, 200_000, "A"),
             tickets(tmp_path / "b.csv", 10_000_000, 200_000, "B"),
             tickets(tmp_path / "c.csv", 20_000_000, 10, "B")]
    for f in files:
        assert loader.load_file(con, f, refresh=False).status == "loaded"
    ids, distinct = con.execute("SELECT count(*), count(DISTINCT identity) FROM customers").fetchall()[0]
    assert (ids, distinct) == (800_000, 800_000)
    assert con.execute("SELECT count(*) FROM contacts").fetchall()[0][0] == 400_010
    # the last file's customers are the ones the second file created
    same = con.execute("""SELECT count(*) FROM contacts c JOIN contacts d
                          ON c.source_record_id::BIGINT - 20000000 = d.source_record_id::BIGINT - 10000000
                          WHERE c.source_record_id::BIGINT >= 20000000
                            AND c.customer_key = d.customer_key""").fetchall()[0][0]
    assert same == 10
    con.close()


def test_an_upload_takes_the_fast_path_from_its_bytes(tmp_path, monkeypatch):
    """The Data page hands the loader bytes, not a path: the fast path reads a temporary copy."""
    from metrics import imports

    f = write(tmp_path / "tickets.csv", ZENDESK_ROWS)
    staged = spy_on_parse(monkeypatch)
    db = tmp_path / "uploaded.duckdb"
    results = imports.import_uploads([("tickets.csv", f.read_bytes())], db=db, tz="Europe/Berlin")
    assert [r.status for r in results] == ["loaded"] and staged == [True]
    con = warehouse.connect(tmp_path / "from_disk.duckdb")
    loader.load_file(con, f, options=ReadOptions(tz="Europe/Berlin"))
    from_disk = {t: con.execute(sql).fetchall() for t, sql in TABLES.items()}
    con.close()
    con = warehouse.connect(db)
    uploaded = {t: con.execute(sql).fetchall() for t, sql in TABLES.items()}
    # a batch audits once, after its model refresh, against its last import
    audits = con.execute("SELECT DISTINCT import_id FROM audit_findings").fetchall()
    con.close()
    assert uploaded == from_disk
    assert audits == [(results[0].import_id,)]
