"""Impossible values are never stored as they are (issue 9, item 14): a negative duration, an end before
its start and a score off its scale are blanked at import, the row is kept, and every blanked value is
recorded in ``blanked_values`` and counted in the import's message and log.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from pathlib import Path

import pytest

from connectors import __main__ as cli
from connectors.base import ReadOptions
from connectors.generic import validate
from connectors.loader import load_file as _load_file
from sql import warehouse
from tests.conftest import SHARED
from tests.test_fast_paths import connect_record, load_both, write

load_file = partial(_load_file, refresh=False)  # the models are not asserted here


def blanked(con) -> list[tuple]:
    return con.execute("SELECT line, kind, record_id, field, reason, raw FROM blanked_values "
                       "ORDER BY line, field").fetchall()


# A Salesforce Bulk API export of cases migrated from an older system: CreatedDate is the day of the
# migration, ClosedDate the real close, so closed cases "close" before they open (as in the real
# sample, where matrices showed a resolution time of -415 days).
SALESFORCE = """"Id","IsDeleted","CaseNumber","Status","Origin","IsClosed","ClosedDate","CreatedDate","LastModifiedDate"
"500Hs00002Mig01IAB","false","00002001","Closed","Email","true","2025-07-14T18:59:51.000Z","2026-09-02T22:07:23.000Z","2026-09-02T22:07:23.000Z"
"500Hs00002Mig02IAB","false","00002002","Closed","Phone","true","2025-07-15T09:00:00.000Z","2026-09-02T22:07:23.000Z","2026-09-02T22:07:23.000Z"
"500Hs00002Mig03IAB","false","00002003","New","Web","false","","2026-09-02T22:07:23.000Z","2026-09-02T22:07:23.000Z"
"500Hs00002Mig04IAB","false","00002004","Closed","Web","true","2026-09-03T08:00:00.000Z","2026-09-02T22:07:23.000Z","2026-09-03T08:00:00.000Z"
"500Hs00002Mig05IAB","false","00002005","Closed","Email","true","2024-12-01T10:00:00.000Z","2026-09-02T22:07:23.000Z","2026-09-02T22:07:23.000Z"
"""


def test_salesforce_close_dates_before_open_dates_are_blanked_and_counted(con, tmp_path):
    f = tmp_path / "Case.csv"
    f.write_text(SALESFORCE)
    result = load_file(con, f)
    # 5 cases, all loaded, none rejected; closed before opened: 00002001, 00002002, 00002005 = 3
    # (00002003 is open, 00002004 closed after it opened).
    assert (result.status, result.rows_loaded, result.rows_rejected, result.values_blanked) == (
        "loaded", 5, 0, 3)
    assert result.message == "5 contacts; 3 impossible values blanked (see blanked_values)"
    assert con.execute("SELECT values_blanked, message FROM import_log").fetchall() == [
        (3, result.message)]
    reason = "before opened_at (an end before its start)"
    assert blanked(con) == [
        (2, "contacts", "500Hs00002Mig01IAB", "closed_at", reason, "2025-07-14 18:59:51"),
        (3, "contacts", "500Hs00002Mig02IAB", "closed_at", reason, "2025-07-15 09:00:00"),
        (6, "contacts", "500Hs00002Mig05IAB", "closed_at", reason, "2024-12-01 10:00:00")]
    closed = dict(con.execute("SELECT case_id, closed_at FROM contacts").fetchall())
    assert closed == {"00002001": None, "00002002": None, "00002003": None,
                      "00002004": dt.datetime(2026, 9, 3, 8), "00002005": None}
    # the audit that used to find them finds nothing in the warehouse; the blanked ones are found,
    # so the KPIs their header names (resolution_time, first_response_time) can say so
    findings = {a.audit: a.rows_found for a in warehouse.run_audits(con)}
    assert findings["contacts_end_before_start"] == 0
    assert findings["contacts_blanked_end_times"] == 3
    assert findings["contacts_blanked_durations"] == findings["surveys_blanked_scores"] == 0


@pytest.mark.skipif(not (SHARED / "samples").exists(), reason="no shared samples")
def test_real_salesforce_sample_loads_with_its_close_dates_blanked(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert cli.main(["load", str(SHARED / "samples" / "crm" / "salesforce_case_bulkapi.csv"),
                     "--db", str(db)]) == 0
    out = json.loads(capsys.readouterr().out)
    # 8 cases; the 6 with IsClosed true were closed 2025-07-14, "created" 2026-09-02 (a migration)
    assert (out["rows_loaded"], out["rows_rejected"]) == (8, 0)
    assert out["message"] == "8 contacts; 6 impossible values blanked (see blanked_values)"
    con = warehouse.connect(db)
    assert con.execute("SELECT count(*), count(DISTINCT record_id) FROM blanked_values "
                       "WHERE field = 'closed_at'").fetchall() == [(6, 6)]
    assert con.execute("SELECT count(*) FROM contacts WHERE closed_at < opened_at").fetchall() == [(0,)]
    con.close()


CONTACTS = {"name": "log", "columns": {
    "source_record_id": "Id", "opened_at": "Opened", "answered_at": "Answered",
    "first_response_at": "First reply", "closed_at": "Closed", "wait_seconds": "Wait",
    "talk_seconds": "Talk", "hold_seconds": "Hold", "wrap_seconds": "Wrap", "handle_seconds": "Handle"},
    "defaults": {"channel": "phone", "direction": "inbound"}}
CONTACT_ROWS = """Id,Opened,Answered,First reply,Closed,Wait,Talk,Hold,Wrap,Handle
1,2025-03-03 10:00,2025-03-03 10:01,2025-03-03 10:01,2025-03-03 10:10,60,300,0,30,330
2,2025-03-03 11:00,2025-03-03 11:01,,2025-03-03 11:10,-5,-0:10,,,
3,2025-03-03 12:00,,2025-03-03 11:59,2025-03-02 12:00,,,,,
4,2025-03-03 13:00,2025-03-03 12:59,,,,,,,-30
5,2025-03-03 14:00,2025-03-03 14:00,,2025-03-03 14:00,0,0,-0.5,0,0
"""


def test_negative_durations_and_ends_before_starts_are_blanked_field_by_field(con, tmp_path):
    f = tmp_path / "log.csv"
    f.write_text(CONTACT_ROWS)
    result = load_file(con, f, "generic", ReadOptions(mapping=validate(CONTACTS)))
    # line 3 (id 2): wait -5, talk -10 (-0:10) = 2; line 4 (id 3): first reply and close before the
    # open = 2; line 5 (id 4): answered before the open, handle -30 = 2; line 6 (id 5): hold -0.5 = 1
    # (zeros and "at the same second" are possible). 7 values, 5 contacts kept, none rejected.
    assert (result.rows_loaded, result.rows_rejected, result.values_blanked) == (5, 0, 7)
    end = "before opened_at (an end before its start)"
    assert blanked(con) == [
        (3, "contacts", "2", "talk_seconds", "negative duration", "-10.0"),
        (3, "contacts", "2", "wait_seconds", "negative duration", "-5.0"),
        (4, "contacts", "3", "closed_at", end, "2025-03-02 12:00:00"),
        (4, "contacts", "3", "first_response_at", end, "2025-03-03 11:59:00"),
        (5, "contacts", "4", "answered_at", end, "2025-03-03 12:59:00"),
        (5, "contacts", "4", "handle_seconds", "negative duration", "-30.0"),
        (6, "contacts", "5", "hold_seconds", "negative duration", "-0.5")]
    rows = con.execute("SELECT source_record_id, wait_seconds, talk_seconds, hold_seconds, "
                       "handle_seconds, answered_at IS NULL, first_response_at IS NULL, "
                       "closed_at IS NULL FROM contacts ORDER BY 1").fetchall()
    assert rows == [("1", 60.0, 300.0, 0.0, 330.0, False, False, False),
                    ("2", None, None, None, None, False, True, False),
                    ("3", None, None, None, None, True, True, True),
                    ("4", None, None, None, None, True, True, True),
                    ("5", 0.0, 0.0, None, 0.0, False, True, False)]
    findings = {a.audit: a.rows_found for a in warehouse.run_audits(con)}
    # 4 durations (wait, talk, handle, hold) and 3 times (close, first reply, answer) from above
    assert (findings["contacts_blanked_durations"], findings["contacts_blanked_end_times"]) == (4, 3)


SURVEYS = {"name": "pulse", "kind": "surveys", "columns": {
    "source_record_id": "Id", "responded_at": "At", "csat": "CSAT", "nps": "NPS", "ces": "CES",
    "comment": "Comment"}, "defaults": {"csat_scale": "5"}}
SURVEY_ROWS = """Id,At,CSAT,NPS,CES,Comment
r1,2025-03-03 10:00,4,9,6,
r2,2025-03-03 11:00,6,11,7,
r3,2025-03-03 12:00,5,10,0,fine
r4,2025-03-03 13:00,0,,,
"""


def test_scores_off_their_scale_are_blanked_and_an_empty_response_is_rejected(con, tmp_path):
    f = tmp_path / "pulse.csv"
    f.write_text(SURVEY_ROWS)
    result = load_file(con, f, "generic", ReadOptions(mapping=validate(SURVEYS)))
    # r2: csat 6 on 1-5 and nps 11 = 2; r3: ces 0 = 1; r4: csat 0 on 1-5 = 1 -> 4 values blanked.
    # r4 has nothing left (no other score, no comment): rejected. 3 responses loaded.
    assert (result.rows_loaded, result.rows_rejected, result.values_blanked) == (3, 1, 4)
    assert result.message == ("3 survey responses; 1 row rejected (see rejects); "
                              "4 impossible values blanked (see blanked_values)")
    assert blanked(con) == [
        (3, "surveys", "r2", "csat", "csat off its 1-5 scale", "6.0"),
        (3, "surveys", "r2", "nps", "nps off its 0-10 scale", "11"),
        (4, "surveys", "r3", "ces", "ces off its 1-7 scale", "0"),
        (5, "surveys", "r4", "csat", "csat off its 1-5 scale", "0.0")]
    assert con.execute("SELECT line, reason FROM rejects").fetchall() == [(5, "no score and no comment")]
    assert con.execute("SELECT source_record_id, csat, nps, ces FROM survey_responses ORDER BY 1"
                       ).fetchall() == [("r1", 4.0, 9, 6), ("r2", None, None, 7), ("r3", 5.0, 10, None)]
    findings = {a.audit: a.rows_found for a in warehouse.run_audits(con)}
    assert findings["surveys_blanked_scores"] == 3  # r4's blank went with the rejected row


def test_a_file_without_impossible_values_blanks_nothing(con, fixtures):
    result = load_file(con, fixtures / "crm" / "zendesk_tickets.csv",
                       options=ReadOptions(tz="Europe/Berlin"))
    assert result.values_blanked == 0 and "blanked" not in result.message
    assert blanked(con) == []
    assert con.execute("SELECT values_blanked FROM import_log").fetchall() == [(0,)]


def test_fast_paths_blank_what_the_careful_readers_blank(tmp_path: Path, monkeypatch):
    """Zendesk CSV and Amazon Connect through DuckDB and through pandas: the same blanks."""
    zendesk = write(tmp_path / "t.csv", [
        # first reply -5 minutes (before the open), time spent -60 s: 2 blanks
        "1,Ana,1,,ana@example.com,Billing,Tom,Hi,Solved,Mail,2025-03-03 10:00:00,2025-03-03 11:00:00,"
        "2025-03-03 10:30:00,Good,0,1,-5,-60,billing_error",
        # solved before created: 1 blank
        "2,Ben,2,,ben@example.com,Billing,Tom,Hi,Solved,Mail,2025-03-03 10:00:00,2025-03-03 11:00:00,"
        "2025-03-03 09:00:00,,0,1,5,60,billing_error"])
    ctr = tmp_path / "ctr.json"
    ctr.write_text("\n".join(json.dumps(r) for r in [
        # queue duration -3 and a disconnect before the initiation (10:01): 2 blanks, and the
        # record's agent connected at 10:00:35, before the initiation too: 3
        connect_record(1, Queue={"Name": "Billing", "Duration": -3},
                       DisconnectTimestamp="2025-03-03T09:00:00Z"),
        connect_record(2)]) + "\n")  # agent at 10:00:35, initiated 10:02: 1
    fast, careful, staged = load_both(tmp_path, monkeypatch, [zendesk, ctr])
    assert staged == [True, True] and fast == careful
    assert [(r[0], r[1], r[3]) for r in fast["blanked_values"]] == [
        ("ctr.json", "c1", "answered_at"), ("ctr.json", "c1", "closed_at"),
        ("ctr.json", "c1", "wait_seconds"), ("ctr.json", "c2", "answered_at"),
        ("t.csv", "1", "first_response_at"), ("t.csv", "1", "handle_seconds"),
        ("t.csv", "2", "closed_at")]


def test_every_audit_names_the_kpis_its_finding_touches():
    """The metrics layer badges KPIs from the first line of each audit (``-- kpis: id, id``)."""
    kpis = {p.stem for p in warehouse.SQL_DIR.joinpath("kpis").glob("*.sql")}
    for audit in sorted(warehouse.AUDITS_DIR.glob("*.sql")):
        first = audit.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("-- kpis: "), audit.name
        named = [k.strip() for k in first.removeprefix("-- kpis: ").split(",")]
        assert named and set(named) <= kpis, (audit.name, set(named) - kpis)
