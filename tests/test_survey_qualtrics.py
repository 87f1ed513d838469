from __future__ import annotations

import json
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from connectors.base import ReadOptions
from connectors.loader import load_file as _load_file
from tests.conftest import SHARED, counts

# Models are not asserted here: skip their refresh to keep the tests fast.
load_file = partial(_load_file, refresh=False)

ROOT = Path(__file__).resolve().parents[1]


def _surveys(con, source="qualtrics"):
    return {r[0]: r[1:] for r in con.execute(
        "SELECT source_record_id, csat, csat_scale, nps, ces, resolved, comment, channel, case_id, "
        "contact_id, strftime(responded_at, '%Y-%m-%d %H:%M') FROM survey_responses "
        "WHERE source = ? ORDER BY 1", [source]).fetchall()}


def test_qualtrics_three_header_rows_measures_links_and_non_responses(con, fixtures):
    load_file(con, fixtures / "crm" / "zendesk_tickets.csv", options=ReadOptions(tz="Europe/Berlin"))
    result = load_file(con, fixtures / "survey" / "qualtrics_responses.csv",
                       options=ReadOptions(tz="Europe/Berlin"))
    assert result.format == "qualtrics"
    # 8 rows: 4 responses loaded, 1 rejected, 3 skipped (not responses: kept in skipped_rows).
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected,
            result.rows_skipped, result.rows_merged) == ("loaded", 8, 4, 1, 3, 0)
    rows = _surveys(con)
    # Choice text -> scores; NPS = the column with a Q2_NPS_GROUP companion; comment = QID5_TEXT.
    # Dates in the ImportId row's zone (America/Denver, UTC-7 in February), not in --tz.
    assert rows["R_1aaaaaaaaaaaaaa"] == (5.0, 5, 10, 7, True, "Quick, friendly help", "email",
                                         "1001", "zendesk:1001", "2025-02-03 16:15")
    assert rows["R_2bbbbbbbbbbbbbb"] == (2.0, 5, 6, 2, False,
                                         "Had to call twice.\nStill waiting for the refund.",
                                         "phone", "1004", "zendesk:1004", "2025-02-03 17:00")
    # Unfinished (Finished = 0) but rated: kept; imported (Status 4): kept.
    assert rows["R_5eeeeeeeeeeeeee"][:3] == (3.0, 5, None)
    assert rows["R_8hhhhhhhhhhhhhh"][:5] == (4.0, 5, 9, 5, True)
    assert rows["R_8hhhhhhhhhhhhhh"][6:] == ("chat", None, None, "2025-02-06 23:30")
    assert con.execute("SELECT line, reason, raw FROM rejects ORDER BY line").fetchall() == [
        (10, "unfinished response without a score", "R_6ffffffffffffff")]
    assert con.execute("SELECT line, reason, raw FROM skipped_rows ORDER BY line").fetchall() == [
        (7, "survey preview", "R_3ccccccccccccccc"),
        (8, "spam", "R_4dddddddddddddd"),
        (11, "survey test", "R_7ggggggggggggggg"),
    ]


def test_qualtrics_overlap_reimport_and_truncated_export(con, fixtures):
    assert load_file(con, fixtures / "survey" / "qualtrics_responses.csv").status == "loaded"
    before = counts(con)
    assert load_file(con, fixtures / "survey" / "qualtrics_responses.csv").status == "skipped"
    broken = load_file(con, fixtures / "survey" / "qualtrics_truncated.csv")
    assert broken.status == "failed" and "truncated" in broken.message
    assert counts(con) == before
    # A later export repeats R_2 (recorded again, now satisfied and resolved) and R_8, adds R_9.
    later = load_file(con, fixtures / "survey" / "qualtrics_responses_overlap.csv")
    assert (later.status, later.rows_read, later.rows_loaded) == ("loaded", 3, 3)
    rows = _surveys(con)
    assert len(rows) == 5
    assert rows["R_2bbbbbbbbbbbbbb"][:5] == (4.0, 5, 6, 2, True)
    assert rows["R_9iiiiiiiiiiiiii"][0] == 5.0


def test_qualtrics_legacy_two_rows_bom_trailing_comma(con, fixtures):
    result = load_file(con, fixtures / "survey" / "qualtrics_legacy.csv",
                       options=ReadOptions(tz="Europe/Berlin"))
    assert (result.format, result.rows_read, result.rows_loaded, result.rows_rejected,
            result.rows_skipped) == ("qualtrics", 3, 2, 0, 1)
    rows = _surveys(con)
    # ResponseID, EndDate (no RecordedDate) read in --tz (Berlin, UTC+2 in May), V-columns named by row 2.
    assert rows["R_0legacy0000001"][:4] == (4.0, 5, 8, None)
    assert rows["R_0legacy0000001"][-1] == "2016-05-02 12:05"
    assert rows["R_0legacy0000003"][5] == "Nothing works, please call me"
    assert con.execute("SELECT count(*) FROM customers WHERE identity = 'email:old@example.com'"
                       ).fetchall()[0][0] == 1
    assert con.execute("SELECT line, reason FROM skipped_rows").fetchall() == [(4, "survey preview")]


def test_qualtrics_tsv_utf16_german_labels(con, fixtures):
    result = load_file(con, fixtures / "survey" / "qualtrics_de.tsv", options=ReadOptions(tz="Europe/Berlin"))
    assert (result.format, result.rows_loaded, result.rows_rejected) == ("qualtrics", 2, 0)
    rows = _surveys(con)
    assert rows["R_de000000000001"][:7] == (5.0, 5, 9, None, True, "Alles prima – danke!", None)
    assert rows["R_de000000000002"][:5] == (2.0, 5, 4, None, False)
    assert rows["R_de000000000001"][7] == "00017"  # CaseId, leading zeros kept
    assert rows["R_de000000000001"][-1] == "2025-07-01 08:04"


def test_qualtrics_explicit_mapping_overrides_labels(con, tmp_path):
    f = tmp_path / "q.csv"
    f.write_text(
        "ResponseId,RecordedDate,Q1,Q2,Ref\n"
        "Response ID,Recorded Date,Rate us,Your words,Ref\n"
        '"{""ImportId"":""_recordId""}","{""ImportId"":""recordedDate""}",'
        '"{""ImportId"":""QID1""}","{""ImportId"":""QID2""}","{""ImportId"":""Ref""}"\n'
        "R_a,2025-01-02 10:00:00,4,ok,T-9\n")
    opts = ReadOptions(mapping={"csat": "QID1", "comment": "your words", "case_id": "Ref"})
    assert load_file(con, f, options=opts).rows_loaded == 1
    assert _surveys(con)["R_a"][:8] == (4.0, 5, None, None, None, "ok", None, "T-9")
    bad = load_file(con, f, "qualtrics", ReadOptions(mapping={"csat": "Q9"}), data=f.read_bytes() + b"\n")
    assert bad.status == "failed"
    assert "mapping names column 'Q9' for csat" in bad.message


def test_qualtrics_missing_required_column_is_refused(con, tmp_path):
    f = tmp_path / "q.csv"
    f.write_text("StartDate,EndDate,RecordedDate,Q1\nStart,End,Recorded,How satisfied?\n"
                 '"{""ImportId"":""startDate""}",x,y,z\n2025-01-01 10:00:00,,,5\n')
    result = load_file(con, f, format_name="qualtrics")
    assert result.status == "failed"
    assert "missing required column(s): ResponseId" in result.message


@pytest.mark.skipif(not (SHARED / "samples").exists(), reason="no shared samples")
def test_real_qualtrics_samples_through_the_command_line(tmp_path):
    db = tmp_path / "cli.duckdb"
    files = [SHARED / "samples" / "survey" / n for n in
             ("qualtrics_3row_header_de.csv", "qualtrics_legacy_2row_header.csv")]
    proc = subprocess.run([sys.executable, "-m", "connectors", "load", *map(str, files), "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["format"], r["rows_read"], r["rows_loaded"], r["rows_rejected"]) for r in out] == [
        ("qualtrics", 1, 1, 0), ("qualtrics", 1, 1, 0)]
    import duckdb

    with duckdb.connect(str(db), read_only=True) as c:
        # No CSAT/NPS question: the free text is the comment, so the response is kept; both files hold
        # the same ResponseId, so the warehouse has one row.
        assert c.execute("SELECT source_record_id, csat, nps, comment, responded_at::TEXT "
                         "FROM survey_responses").fetchall() == [
            ("R_2YPOQ602ER1jkf1", None, None, "Hello World!", "2017-07-18 08:28:48")]
