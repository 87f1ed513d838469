from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import partial
from pathlib import Path

import duckdb
import pytest

from connectors.__main__ import main as cli
from connectors.base import FormatError, ReadOptions
from connectors.generic import load_mapping
from connectors.loader import load_file as _load_file
from tests.conftest import SHARED, counts

# Models are not asserted here: skip their refresh to keep the tests fast.
load_file = partial(_load_file, refresh=False)

ROOT = Path(__file__).resolve().parents[1]
GEN = Path(__file__).parent / "fixtures" / "generic"


def _load(con, csv: Path, yaml: Path, **kw):
    return load_file(con, csv, "generic", ReadOptions(mapping=load_mapping(yaml), **kw))


def test_worked_example_of_the_docs_is_the_fixture():
    doc = (ROOT / "docs" / "generic-mapping.md").read_text(encoding="utf-8")
    blocks = dict(re.findall(r"```(csv|yaml)\n(.*?)```", doc, re.S)[:2])
    assert blocks["csv"] == (GEN / "acme_helpdesk.csv").read_text(encoding="utf-8")
    assert blocks["yaml"] == (GEN / "acme_helpdesk.yaml").read_text(encoding="utf-8")


def test_acme_helpdesk_contacts(con):
    result = _load(con, GEN / "acme_helpdesk.csv", GEN / "acme_helpdesk.yaml")
    assert (result.status, result.format, result.rows_read, result.rows_loaded,
            result.rows_rejected) == ("loaded", "generic", 5, 3, 2)
    rows = con.execute(
        "SELECT contact_id, channel, direction, strftime(opened_at, '%Y-%m-%d %H:%M'), "
        "handle_seconds, transferred, reason, agent, case_id FROM contacts ORDER BY 1").fetchall()
    # dd/mm/yyyy Berlin time (UTC+1 in February) -> UTC; HH:MM:SS, plain seconds and MM:SS.
    assert rows == [
        ("acme_helpdesk:A-1001", "phone", "inbound", "2025-02-03 08:15", 750.0, False, "Billing",
         "Jana", "A-1001"),
        ("acme_helpdesk:A-1002", "email", "inbound", "2025-02-03 10:02", 540.0, True, "Delivery",
         "Omar", "A-1002"),
        ("acme_helpdesk:A-1003", "chat", "inbound", "2025-02-04 13:47", 245.0, False, "Delivery",
         "Jana", "A-1003"),
    ]
    assert con.execute("SELECT line, reason, raw FROM rejects ORDER BY line").fetchall() == [
        (5, "unknown channel 'Fax' (add it under values: channel)", "A-1004"),
        (6, "no readable open time", "A-1005")]
    assert con.execute("SELECT count(DISTINCT customer_key) FROM contacts "
                       "WHERE source_record_id IN ('A-1001', 'A-1003')").fetchall()[0][0] == 1
    assert con.execute("SELECT count(*) FROM customers WHERE identity = 'email:lee@example.com'"
                       ).fetchall()[0][0] == 1


def test_acme_reimport_truncated_and_missing_column_change_nothing(con, tmp_path):
    _load(con, GEN / "acme_helpdesk.csv", GEN / "acme_helpdesk.yaml")
    before = counts(con)
    assert _load(con, GEN / "acme_helpdesk.csv", GEN / "acme_helpdesk.yaml").status == "skipped"
    text = (GEN / "acme_helpdesk.csv").read_text()
    cut = tmp_path / "cut.csv"
    cut.write_text(text + 'A-1006;06/02/2025 10:00;;Chat;"Billing\n')
    broken = _load(con, cut, GEN / "acme_helpdesk.yaml")
    assert broken.status == "failed" and "truncated" in broken.message
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(text.replace("Ticket No", "Ticket"))
    missing = _load(con, renamed, GEN / "acme_helpdesk.yaml")
    assert missing.status == "failed"
    assert "column(s) not in the file: 'Ticket No' (for source_record_id)" in missing.message
    assert counts(con) == before


def test_the_command_line_takes_the_mapping(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    code = cli(["load", str(GEN / "acme_helpdesk.csv"), "--mapping", str(GEN / "acme_helpdesk.yaml"),
                "--db", str(db)])
    out = json.loads(capsys.readouterr().out)
    assert (code, out["format"], out["rows_loaded"], out["rows_rejected"]) == (0, "generic", 3, 2)
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: contacts\ncolumns:\n  ticket_no: Ticket No\n")
    assert cli(["load", str(GEN / "acme_helpdesk.csv"), "--mapping", str(bad), "--db", str(db)]) == 2
    assert "unknown canonical field(s) under columns: ticket_no" in capsys.readouterr().err


@pytest.mark.parametrize("text, message", [
    ("columns: [a, b", "not valid YAML (line 1)"),
    ("- a\n- b\n", "must be a mapping"),
    ("kind: tickets\ncolumns: {source_record_id: Id}", "kind 'tickets' must be one of"),
    ("colums: {source_record_id: Id}", "unknown key(s) colums"),
    ("columns: {source_record_id: Id, opened_at: At}", "needs channel, direction"),
    ("kind: surveys\ncolumns: {source_record_id: Id, responded_at: At, opened_at: X}",
     "unknown canonical field(s) under columns: opened_at"),
    ("timezone: Mars/Olympus\ncolumns: {source_record_id: Id, opened_at: At}\n"
     "defaults: {channel: email, direction: inbound}", "unknown timezone 'Mars/Olympus'"),
    ("columns: {source_record_id: Id, opened_at: At, channel: C}\n"
     "defaults: {direction: inbound}\nvalues: {channle: {a: b}}", "under values: channle"),
])
def test_bad_mappings_are_refused_with_what_to_fix(tmp_path, text, message):
    f = tmp_path / "m.yaml"
    f.write_text(text)
    with pytest.raises(FormatError, match=re.escape(message)):
        load_mapping(f)


def test_kind_both_stores_contacts_and_linked_ratings(con):
    result = _load(con, GEN / "ecommerce_support.csv", GEN / "ecommerce_support.yaml")
    # 3 rows loaded: 3 contacts and 2 ratings written.
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected,
            result.rows_written) == ("loaded", 3, 3, 0, 5)
    assert con.execute(
        "SELECT source_record_id, channel, direction, strftime(opened_at, '%Y-%m-%d %H:%M'), team "
        "FROM contacts ORDER BY 1").fetchall() == [
        ("0b9c5a10-0001-4000-8000-000000000001", "phone", "outbound", "2023-08-01 05:43",
         "Vikram Shah"),
        ("0b9c5a10-0002-4000-8000-000000000002", "phone", "inbound", "2023-08-02 15:26",
         "Vikram Shah"),
        ("0b9c5a10-0003-4000-8000-000000000003", "email", "inbound", "2023-08-13 05:00",
         "Neha Das")]
    # Row 3 has neither a score nor a remark: no survey response. Responded at = opened at.
    assert con.execute(
        "SELECT contact_id, csat, csat_scale, comment, strftime(responded_at, '%Y-%m-%d %H:%M') "
        "FROM survey_responses ORDER BY 1").fetchall() == [
        ("ecommerce_support:0b9c5a10-0001-4000-8000-000000000001", 5.0, 5, None, "2023-08-01 05:43"),
        ("ecommerce_support:0b9c5a10-0002-4000-8000-000000000002", 1.0, 5,
         "Very bad, nobody called back", "2023-08-02 15:26")]
    assert con.execute("SELECT count(*) FROM contacts WHERE handle_seconds IS NOT NULL"
                       ).fetchall()[0][0] == 0


def test_kind_surveys_and_generic_without_mapping(con, tmp_path):
    f = tmp_path / "nps.csv"
    f.write_text("id,when,score,why,ticket\n1,2025-03-01T10:00:00Z,9,,T1\n2,2025-03-02T10:00:00Z,,,T2\n")
    m = tmp_path / "nps_tool.yaml"
    m.write_text("kind: surveys\ncolumns: {source_record_id: id, responded_at: when, nps: score, "
                 "comment: why, case_id: ticket}\n")
    result = _load(con, f, m)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert con.execute("SELECT response_id, nps, case_id, responded_at::TEXT FROM survey_responses"
                       ).fetchall() == [("nps_tool:1", 9, "T1", "2025-03-01 10:00:00")]
    refused = load_file(con, f, "generic", data=f.read_bytes() + b"\n")
    assert refused.status == "failed" and "--mapping" in refused.message


def test_survey_question_override_from_the_command_line(tmp_path, capsys, fixtures):
    m = tmp_path / "questions.yaml"
    m.write_text("kind: questions\ncolumns:\n  ces: How easy was it to get your problem solved?\n"
                 "  csat: Did we resolve your issue?\n")
    db = tmp_path / "q.duckdb"
    code = cli(["load", str(fixtures / "survey" / "typeform_responses.csv"), "--format", "typeform",
                "--mapping", str(m), "--db", str(db)])
    assert code == 0, capsys.readouterr()
    with duckdb.connect(str(db), read_only=True) as c:
        # The override wins over the labels: "Yes"/"No" are no CSAT, so only the partial is rated.
        assert c.execute("SELECT source_record_id, csat, ces FROM survey_responses ORDER BY 1"
                         ).fetchall() == [("a1b2c3d4e5", None, 6), ("f6g7h8i9j0", None, 2)]


@pytest.mark.skipif(not (SHARED / "samples").exists(), reason="no shared samples")
def test_real_ecommerce_sample_through_the_command_line(tmp_path):
    db = tmp_path / "cli.duckdb"
    sample = SHARED / "samples" / "crm" / "ecommerce_support_csat_sample.csv"
    proc = subprocess.run([sys.executable, "-m", "connectors", "load", str(sample), "--mapping",
                           str(GEN / "ecommerce_support.yaml"), "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["status"], out["rows_read"], out["rows_loaded"], out["rows_rejected"],
            out["rows_written"]) == ("loaded", 30, 30, 0, 60)
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT channel, direction, count(*) FROM contacts GROUP BY ALL ORDER BY ALL"
                         ).fetchall() == [("email", "inbound", 1), ("phone", "inbound", 24),
                                          ("phone", "outbound", 5)]
        assert c.execute("SELECT csat, count(*) FROM survey_responses GROUP BY 1 ORDER BY 1"
                         ).fetchall() == [(1.0, 3), (3.0, 1), (4.0, 5), (5.0, 21)]
        assert c.execute("SELECT count(*), count(contact_id), count(comment) FROM survey_responses"
                         ).fetchall() == [(30, 30, 9)]


def test_header_only_file_loads_nothing(con, tmp_path):
    f = tmp_path / "empty.csv"
    f.write_text((GEN / "acme_helpdesk.csv").read_text().splitlines()[0] + "\n")
    result = _load(con, f, GEN / "acme_helpdesk.yaml")
    assert (result.status, result.rows_read, result.rows_loaded) == ("empty", 0, 0)
    assert result.message == "nothing loaded: the file holds no rows"
