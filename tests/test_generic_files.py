"""What real files need from the generic mapping (issue 10 item 6): files without a header, a date and a
time column, ids from several columns or the row number, good/bad ratings with their scale stated, and
rating values that map to nothing. Small hand-made fixtures; the comments count the answer."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from connectors import generic
from connectors.base import FormatError, ReadOptions
from connectors.generic import load_mapping, validate

GEN = Path(__file__).parent / "fixtures" / "generic"
DOC = Path(__file__).resolve().parents[1] / "docs" / "generic-mapping.md"


def read(csv: Path | bytes, mapping: dict | Path, **kw) -> generic.Parsed:  # type: ignore[name-defined]
    mp = load_mapping(mapping) if isinstance(mapping, Path) else validate(mapping)
    data = csv.read_bytes() if isinstance(csv, Path) else csv
    return generic.read(data, ReadOptions(mapping=mp, **kw))


def test_the_docs_quote_the_fixtures():
    doc = DOC.read_text(encoding="utf-8")
    for name in ("uk_pbx_calls.csv", "uk_pbx_calls.yaml", "thumbs_survey.csv", "thumbs_survey.yaml"):
        text = (GEN / name).read_text(encoding="utf-8")
        lang = name.rsplit(".", 1)[1]
        assert f"```{lang}\n{text}```" in doc, name


def test_headerless_file_by_position_with_a_date_and_a_time_column():
    # 3 calls, no header: column 1 id, 2 extension, 3 date (dd/mm/yyyy), 4 time, 5 talk time, 6 in/out.
    # 14/01/2025 (line 2) decides the date column day-first, so 08/01 is 8 January and 09/01 is
    # 9 January; C-103 has no time, so it opens at midnight. 00:04:10 = 250 s.
    parsed = read(GEN / "uk_pbx_calls.csv", GEN / "uk_pbx_calls.yaml")
    c = parsed.contacts
    assert parsed.rows_read == 3 and not parsed.rejects
    assert list(c["source_record_id"]) == ["C-101", "C-102", "C-103"]
    assert list(c["opened_at"]) == [dt.datetime(2025, 1, 8, 9, 15), dt.datetime(2025, 1, 14, 17, 2, 30),
                                    dt.datetime(2025, 1, 9)]
    assert list(c["talk_seconds"]) == [250.0, 95.0, 62.0]
    assert list(c["direction"]) == ["inbound", "outbound", "inbound"]
    assert list(c["agent"]) == ["201", "202", "201"]
    assert list(c["line"]) == [1, 2, 3]  # no header: the first record is line 1
    assert parsed.notes == ["column 3 + column 4: day-first, decided by line 2 '14/01/2025 17:02:30'"]


def test_positions_are_checked_against_the_file_and_names_need_a_header():
    with pytest.raises(FormatError, match=re.escape("position 9 (for agent; the file has 6 columns)")):
        read(GEN / "uk_pbx_calls.csv", {"header": False, "columns": {
            "source_record_id": 1, "opened_at": 3, "agent": 9}, "defaults": {
            "channel": "phone", "direction": "inbound"}})
    with pytest.raises(FormatError, match="is a name, but header is false"):
        validate({"header": False, "columns": {"source_record_id": "Id", "opened_at": 3},
                  "defaults": {"channel": "phone", "direction": "inbound"}})


def test_an_id_from_several_columns():
    # A CDR with one row per leg: call C1 has legs 1 and 2, so the id is call|leg (3 distinct ids).
    data = b"Call,Leg,Start\nC1,1,2025-03-03 10:00\nC1,2,2025-03-03 10:01\nC2,1,2025-03-03 11:00\n"
    parsed = read(data, {"columns": {"source_record_id": ["Call", "Leg"], "case_id": "Call",
                                     "opened_at": "Start"},
                         "defaults": {"channel": "phone", "direction": "inbound"}})
    assert list(parsed.contacts["source_record_id"]) == ["C1|1", "C1|2", "C2|1"]
    assert parsed.warnings == [] and parsed.notes == []


def test_good_bad_survey_without_ids():
    # 5 responses, no id column: ids are the lines 2..6. Good/Bad are mapped onto 2/1 and the scale is
    # stated as 2, so Good = 1 (satisfied), Bad = 0: 2 good, 1 bad. "meh" (line 5) maps to nothing:
    # counted in a warning, its csat left empty. Line 6 has no rating at all (not counted).
    parsed = read(GEN / "thumbs_survey.csv", GEN / "thumbs_survey.yaml")
    s = parsed.surveys
    assert list(s["source_record_id"]) == ["2", "3", "4", "5", "6"]
    assert list(s["csat"].fillna(-1)) == [1.0, 0.0, 1.0, -1, -1]
    assert list(s["csat_scale"].fillna(-1)) == [2, 2, 2, -1, -1]
    assert s["responded_at"][0] == dt.datetime(2025, 3, 3, 10, 0)
    assert parsed.warnings == [
        "csat (Rating): 1 value(s) map to no csat and were left empty: 'meh' x1 (first on line 5); "
        "add them under values: csat",
        "no record id: each row's id is its line number (#row), so rows could not be de-duplicated "
        "(a row exported twice, or the same file edited and loaded again, gives contacts twice)",
    ]


def test_two_point_scale_must_be_stated_and_consistent():
    base = {"kind": "surveys", "columns": {"source_record_id": "#row", "responded_at": "When",
                                           "csat": "Rating"}}
    # Good=2, Bad=1 without a scale: read as 1-5 both would be dissatisfied; as 2-point "Bad" (1) was
    # satisfied. Neither is guessed: the mapping is refused until the scale is stated.
    with pytest.raises(FormatError, match=re.escape(
            "values: csat maps onto two values (Good=2, Bad=1): state the scale under defaults, "
            "csat_scale: 2 for good/bad (1 good, 0 bad), or 5 / 10")):
        validate({**base, "values": {"csat": {"Good": 2, "Bad": 1}}})
    with pytest.raises(FormatError, match="must map good to 1 and bad to 0"):
        validate({**base, "values": {"csat": {"Good": 5, "Bad": 1}}, "defaults": {"csat_scale": 2}})
    with pytest.raises(FormatError, match="csat_scale '3' must be 2"):
        validate({**base, "defaults": {"csat_scale": 3}})
    # Without a value map, good/bad words are read on the stated 2-point scale: 2 rows, 1 good.
    data = b"When,Rating\n2025-03-03 10:00,good\n2025-03-03 11:00,BAD\n"
    parsed = read(data, {**base, "defaults": {"csat_scale": 2}})
    assert list(parsed.surveys["csat"]) == [1.0, 0.0]
    # A 0/1/2 column on a 2-point scale is refused, not read.
    with pytest.raises(FormatError, match="holds 0, 1 and 2"):
        read(b"When,Rating\n2025-03-03 10:00,0\n2025-03-03 11:00,2\n",
             {**base, "defaults": {"csat_scale": 2}})


def test_unmapped_nps_values_are_counted_and_literal_empties_are_not():
    # 4 rows: 9 and 10 are scores, "ten" maps to nothing (counted: 1), "N/A" is an empty cell.
    data = b"Id,When,Score\n1,2025-03-03,9\n2,2025-03-03,ten\n3,2025-03-03,N/A\n4,2025-03-03,10\n"
    parsed = read(data, {"kind": "surveys", "columns": {"source_record_id": "Id", "responded_at": "When",
                                                        "nps": "Score"}})
    assert list(parsed.surveys["nps"].astype("Float64").fillna(-1)) == [9, -1, -1, 10]
    assert parsed.warnings == ["nps (Score): 1 value(s) map to no nps and were left empty: 'ten' x1 "
                               "(first on line 3); add them under values: nps"]


def test_mapping_dates_key_reads_an_all_ambiguous_column():
    data = b"Id,When,Score\n1,03/04/2025,9\n"
    mp = {"kind": "surveys", "dates": "dmy",
          "columns": {"source_record_id": "Id", "responded_at": "When", "nps": "Score"}}
    parsed = read(data, mp, date_order="mdy")  # the mapping describes the source: it wins
    assert parsed.surveys["responded_at"][0] == pd.Timestamp("2025-04-03")
    assert parsed.notes == ["When: only ambiguous dates (e.g. line 2 '03/04/2025'); read day-first as "
                            "the mapping (dates: dmy) says"]
    with pytest.raises(FormatError, match="dates must be one of dmy, mdy, ymd"):
        validate({**mp, "dates": "dm"})
