from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from connectors.base import ReadOptions
from connectors.loader import load_file
from connectors.registry import by_name
from tests.conftest import SHARED, counts

TEL = Path(__file__).parent / "fixtures" / "telephony"
ROOT = Path(__file__).resolve().parents[1]
BERLIN = ReadOptions(tz="Europe/Berlin")


def _q(*cells: str) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells)


def _base(src: str, dst: str, ctx: str, chan: str, dchan: str, app: str, start: str, answer: str,
          end: str, dur: int, bill: int, disp: str) -> str:
    """The 16 cdr_csv base columns: strings quoted, duration and billsec bare."""
    return (_q("", src, dst, ctx, f'"" <{src}>', chan, dchan, app, "", start, answer, end)
            + f",{dur},{bill}," + _q(disp, "DOCUMENTATION"))


def _contacts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT source_record_id, direction, outcome, queued, abandoned, transferred, self_service, "
        "agent_requested, ticket FROM contacts WHERE source = 'asterisk'").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_cdr_csv_legs_become_one_contact_per_call(con):
    result = load_file(con, TEL / "asterisk_master_21col.csv", options=BERLIN)
    assert result.status == "loaded", result.message
    assert (result.format, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "asterisk_csv", 10, 6, 0)
    assert _contacts(con) == {
        # direction, outcome, queued, abandoned, transferred, self_service, agent_requested, ticket
        # (agent_requested: the call rang a queue or a person; NULL where the CDR cannot say)
        "1741000000.1": ("inbound", "answered", True, False, True, False, True, False),  # IVR, queue,
        # transfer: 3 legs
        "1741003600.7": ("inbound", "abandoned", True, True, False, False, True, False),  # Queue, no agent
        "1741006800.10": ("inbound", "no_answer", False, False, False, False, True, False),  # Dial fork
        "1741010400.20": ("outbound", "answered", False, False, False, False, None, False),  # twice
        "1741035600.30": ("inbound", "ivr", False, False, False, True, None, False),  # Playback only
        "1741039200.40": ("outbound", "failed", False, False, False, False, None, False),  # CONGESTION
    }
    # Call A: local Berlin time (UTC+1) -> UTC; answered by the queue's agent 201 after 30 s in the
    # queue leg; talk = 180 + 120 s of the two bridged legs (the IVR leg's 19 s are not talk).
    row = con.execute(
        "SELECT opened_at, answered_at, closed_at, wait_seconds, talk_seconds, handle_seconds, queue, "
        "agent, case_id FROM contacts WHERE source_record_id = '1741000000.1'").fetchall()[0]
    assert [str(x) for x in row] == ["2025-03-03 09:00:00", "2025-03-03 09:00:50",
                                     "2025-03-03 09:06:00", "30.0", "300.0", "300.0", "support",
                                     "201", "1741000000.1"]
    # Abandoned: the queue leg's 90 s are the wait; no handle time, never zero.
    assert con.execute("SELECT wait_seconds, talk_seconds, handle_seconds, answered_at FROM contacts "
                       "WHERE source_record_id = '1741003600.7'").fetchall() == [(90.0, None, None, None)]
    # The outbound call written twice counts once (300 s, not 600); the agent is the calling channel
    # and the customer is the dialled number (00 prefix -> E.164).
    assert con.execute("SELECT talk_seconds, agent FROM contacts WHERE source_record_id = "
                       "'1741010400.20'").fetchall() == [(300.0, "201")]
    identities = {r[0] for r in con.execute("SELECT identity FROM customers").fetchall()}
    assert identities == {"phone:+4930123456", "phone:+4940555666", "phone:+4915112345678",
                          "phone:+4989123456", "phone:+4930999888"}
    # The raw 0xA5 byte (not UTF-8) in call B's caller name did not stop the file.
    assert b"CAF\xa5 <" in (TEL / "asterisk_master_21col.csv").read_bytes()


def test_cdr_custom_profile(con, fixtures):
    result = load_file(con, TEL / "asterisk_custom_19col.csv")
    assert (result.status, result.format, result.rows_loaded) == ("loaded", "asterisk_custom", 3)
    rows = con.execute("SELECT source_record_id, direction, outcome, agent, opened_at, talk_seconds "
                       "FROM contacts ORDER BY opened_at").fetchall()
    assert [(r[0], r[1], r[2], r[3], str(r[4]), r[5]) for r in rows] == [
        ("1714982400.0", "outbound", "answered", "alice", "2024-05-06 08:00:00", 120.0),
        ("1714983000.2", "outbound", "no_answer", None, "2024-05-06 08:10:00", None),
        ("1714983600.4", "outbound", "busy", None, "2024-05-06 08:20:00", None),
    ]


def test_sniffers_tell_the_headerless_layouts_apart(fixtures):
    csv_, custom = by_name("asterisk_csv"), by_name("asterisk_custom")
    master = (TEL / "asterisk_master_21col.csv").read_bytes()
    cust = (TEL / "asterisk_custom_19col.csv").read_bytes()
    # cdr_csv with newcdrcolumns only: 19 columns too, but the start time sits in column 10.
    csv19 = (_base("+4930111", "600", "from-trunk", "PJSIP/t-01", "PJSIP/201-02", "Queue",
                   "2025-01-01 10:00:00", "2025-01-01 10:00:05", "2025-01-01 10:01:05", 65, 60,
                   "ANSWERED") + "," + _q("", "1735725600.1") + ",1\n").encode()
    # FreeSWITCH example template: 15 quoted columns, times in columns 5-7.
    freeswitch = (_q("Extension 1001", "1001", "1002", "default", "2023-10-10 23:44:11",
                     "2023-10-10 23:44:13", "2023-10-10 23:44:19", "8", "6", "NORMAL_CLEARING",
                     "515f34c7-35d4-4b65-99f2-edaad9411fa7", "", "1002", "PCMA", "PCMA") + "\n").encode()
    assert (csv_.sniff(master, "Master.csv"), custom.sniff(master, "Master.csv")) == (0.95, 0.0)
    assert (csv_.sniff(cust, "Master.csv"), custom.sniff(cust, "Master.csv")) == (0.0, 0.95)
    assert (csv_.sniff(csv19, "Master.csv"), custom.sniff(csv19, "Master.csv")) == (0.95, 0.0)
    assert (csv_.sniff(freeswitch, "Master.csv"), custom.sniff(freeswitch, "Master.csv")) == (0.0, 0.0)
    zendesk = (fixtures / "crm" / "zendesk_tickets.csv").read_bytes()
    assert (csv_.sniff(zendesk, "t.csv"), custom.sniff(zendesk, "t.csv")) == (0.0, 0.0)
    real = SHARED / "samples" / "telephony" / "freeswitch_example_template_ab_legs.csv"
    if real.exists():
        head = real.read_bytes()
        assert (csv_.sniff(head, real.name), custom.sniff(head, real.name)) == (0.0, 0.0)


def test_16_18_and_19_column_layouts(con, tmp_path):
    t = "2025-01-01 10:00:"
    # 16 columns: no uniqueid, so every row is its own call.
    f16 = tmp_path / "m16.csv"
    f16.write_text(_base("+4930111222", "600", "from-trunk", "SIP/t-1", "SIP/201-2", "Dial", t + "00",
                         t + "05", t + "35", 35, 30, "ANSWERED") + "\n"
                   + _base("+4930111333", "600", "from-trunk", "SIP/t-3", "SIP/202-4", "Dial", t + "10",
                           "", t + "20", 10, 0, "BUSY") + "\n")
    # 18 columns (loguniqueid + loguserfield): two legs of one uniqueid, both bridged = transfer.
    f18 = tmp_path / "m18.csv"
    f18.write_text(_base("+4930444555", "600", "from-pstn", "SIP/t-5", "SIP/201-6", "Dial", t + "00",
                         t + "04", t + "30", 30, 26, "ANSWERED") + "," + _q("1735725600.5", "") + "\n"
                   + _base("+4930444555", "600", "from-pstn", "SIP/t-5", "SIP/203-7", "Dial", t + "30",
                           t + "32", t + "50", 20, 18, "ANSWERED") + "," + _q("1735725600.5", "") + "\n")
    # 19 columns (newcdrcolumns only): legs grouped by linkedid.
    f19 = tmp_path / "m19.csv"
    f19.write_text(_base("017612345678", "6000", "default", "PJSIP/t-8", "PJSIP/204-9", "Queue",
                         t + "00", t + "09", t + "59", 59, 50, "ANSWERED") + ","
                   + _q("", "1735725600.8") + ",3\n")
    results = [load_file(con, f) for f in (f16, f18, f19)]
    assert [(r.format, r.rows_loaded) for r in results] == [("asterisk_csv", 2), ("asterisk_csv", 1),
                                                            ("asterisk_csv", 1)]
    rows = con.execute("SELECT source_record_id, outcome, transferred, talk_seconds, agent, direction "
                       "FROM contacts ORDER BY source_record_id").fetchall()
    assert rows == [
        ("1735725600.5", "answered", True, 44.0, "201", "inbound"),
        ("1735725600.8", "answered", False, 50.0, "204", "inbound"),  # long number -> short queue
        ("SIP/t-1@2025-01-01 10:00:00", "answered", False, 30.0, "201", "inbound"),
        ("SIP/t-3@2025-01-01 10:00:10", "busy", False, None, None, "inbound"),
    ]


def test_wrong_column_count_is_refused_and_changes_nothing(con):
    load_file(con, TEL / "asterisk_master_21col.csv", options=BERLIN)
    before = counts(con)
    bad = load_file(con, TEL / "asterisk_master_wrong_columns.csv", options=BERLIN)
    assert bad.status == "failed"
    assert "asterisk: expected 16-21 columns, line 3 has 9" in bad.message
    again = load_file(con, TEL / "asterisk_master_21col.csv", options=BERLIN)
    assert again.status == "skipped"
    assert counts(con) == before == {"contacts": 6, "survey_responses": 0, "customers": 5, "rejects": 0}


def test_truncated_last_line_and_odd_rows_are_rejected_by_line(con, tmp_path):
    result = load_file(con, TEL / "asterisk_master_truncated.csv", options=BERLIN)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "loaded", 5, 2, 1)
    assert con.execute("SELECT line, reason FROM rejects").fetchall() == [
        (5, "asterisk_csv: truncated last line")]
    # The complete export later: the two calls are replaced, not duplicated.
    load_file(con, TEL / "asterisk_master_21col.csv", options=BERLIN)
    assert con.execute("SELECT count(*), count(DISTINCT contact_id) FROM contacts").fetchall() == [(6, 6)]
    # One short line among ten good ones is rejected alone (<= 10 %); the others load.
    lines = [_base(f"+49301112{i:02}", "600", "from-trunk", f"SIP/t-{i}", "", "Playback",
                   "2025-01-02 10:00:00", "2025-01-02 10:00:01", "2025-01-02 10:00:11", 11, 10,
                   "ANSWERED") for i in range(10)]
    lines.insert(4, _q("a", "b", "c"))
    f = tmp_path / "short.csv"
    f.write_text("\n".join(lines) + "\n")
    short = load_file(con, f)
    assert (short.status, short.rows_loaded, short.rows_rejected) == ("loaded", 10, 1)
    assert con.execute("SELECT line, reason FROM rejects WHERE file_name = 'short.csv'").fetchall() == [
        (5, "asterisk_csv: expected 16 columns, the line has 3")]


@pytest.mark.skipif(not (SHARED / "samples").exists(), reason="no shared samples")
def test_real_cdr_custom_sample_through_the_command_line(tmp_path):
    sample = SHARED / "samples" / "telephony" / "asterisk_cdr_custom_19col.csv"
    db = tmp_path / "cli.duckdb"
    out = subprocess.run([sys.executable, "-m", "connectors", "load", str(sample), "--db", str(db)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert (result["format"], result["status"], result["rows_read"], result["rows_loaded"]) == (
        "asterisk_custom", "loaded", 14, 14)
    con = duckdb.connect(str(db))
    try:
        assert dict(con.execute("SELECT outcome, count(*) FROM contacts GROUP BY ALL").fetchall()) == {
            "answered": 11, "no_answer": 3}
        assert con.execute("SELECT sum(talk_seconds) FROM contacts").fetchall() == [(78.0,)]
    finally:
        con.close()
