"""Dates are decided per column, never per value (issue 10 item 1): connectors.dates and the connectors.

Every fixture here is written by hand; the comments count the expected answer."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from connectors import dates as d
from connectors import values as v
from connectors.base import FormatError, ReadOptions
from connectors.crm import freshdesk, salesforce, zendesk_csv
from connectors.survey import surveymonkey

FD_HEADER = "Ticket ID,Status,Source,Created time,Resolved time\n"


def fd_csv(rows: list[tuple[str, str]]) -> bytes:
    """A Freshdesk UI export: ticket i (from 1) on line i + 1, created and resolved as given."""
    body = "".join(f"{i},Closed,Email,{c},{r}\n" for i, (c, r) in enumerate(rows, 1))
    return (FD_HEADER + body).encode()


def day(n: int, month: int = 1, hour: int = 9) -> dt.datetime:
    return dt.datetime(2025, month, n, hour)


def test_the_issues_21_dates_day_first_column():
    # 21 tickets created on 1..21 January 2025, written dd/mm/yyyy: days 1-12 are ambiguous on their
    # own (08/01/2025 could be 1 August), days 13-21 can only be day-first. The first of those is
    # ticket 13 on line 14, so the whole column is day-first: 08/01/2025 is 8 January because
    # 14/01/2025 is in the same column. Resolved times (one hour later, days 1..12 only, so every one
    # ambiguous) follow the Created column of the same file.
    rows = [(f"{n:02d}/01/2025 09:00", f"{n:02d}/01/2025 10:00" if n <= 12 else "") for n in range(1, 22)]
    parsed = freshdesk.read_csv(fd_csv(rows), ReadOptions())
    opened = list(parsed.contacts["opened_at"])
    assert opened == [day(n) for n in range(1, 22)]  # 21 dates, none swapped
    assert opened[7] == day(8)  # ticket 8: '08/01/2025 09:00' -> 8 January, not 1 August
    closed = list(parsed.contacts["closed_at"])
    assert closed[:12] == [day(n, hour=10) for n in range(1, 13)] and pd.isna(closed[12])
    assert parsed.notes == [
        "Created time: day-first, decided by line 14 '13/01/2025 09:00'",
        "Resolved time: only ambiguous dates (e.g. line 3 '02/01/2025 10:00'); read day-first like "
        "Created time in the same file; set --dates mdy if wrong",
    ]


def test_a_month_first_column():
    # 3 tickets: 01/08 and 02/03 could be either; 01/14 (line 3) can only be month-first, so
    # 1 August -> 8 January, 2 March -> 3 February.
    parsed = freshdesk.read_csv(fd_csv([("01/08/2025 09:00", ""), ("01/14/2025 09:00", ""),
                                        ("02/03/2025 09:00", "")]), ReadOptions())
    assert list(parsed.contacts["opened_at"]) == [day(8), day(14), day(3, month=2)]
    assert parsed.notes == ["Created time: month-first, decided by line 3 '01/14/2025 09:00'"]


def test_a_column_with_both_orders_refuses_the_file_naming_a_line_of_each():
    # line 2: 14/01 can only be day-first; line 4: 01/14 can only be month-first (line 3 is ambiguous).
    data = fd_csv([("14/01/2025 09:00", ""), ("05/01/2025 09:00", ""), ("01/14/2025 09:00", "")])
    with pytest.raises(FormatError) as err:
        freshdesk.read_csv(data, ReadOptions())
    assert str(err.value) == (
        "Created time: dates in both orders in one column: line 2 '14/01/2025 09:00' can only be "
        "day-first, line 4 '01/14/2025 09:00' can only be month-first; the column cannot be read "
        "(fix the export or map the column with a date_format)")
    assert err.value.line == 2


ALL_AMBIGUOUS = [("03/04/2025 09:00", ""), ("05/06/2025 09:00", "")]  # 3 April or 4 March, ...


@pytest.mark.parametrize("opts, first, note", [
    # No --dates, no convention (Freshdesk documents none), no setting stored: the default month-first.
    (ReadOptions(), day(4, month=3),
     "assumed month-first (the date_order setting); set --dates dmy if wrong"),
    (ReadOptions(date_order_setting="dmy"), day(3, month=4),
     "assumed day-first (the date_order setting); set --dates mdy if wrong"),
    (ReadOptions(date_order="dmy", date_order_setting="mdy"), day(3, month=4),
     "read day-first as --dates dmy says"),
    (ReadOptions(dayfirst=True), day(3, month=4), "read day-first as --dayfirst says"),
])
def test_an_all_ambiguous_column_is_assumed_and_says_so(opts, first, note):
    parsed = freshdesk.read_csv(fd_csv(ALL_AMBIGUOUS), opts)
    assert parsed.contacts["opened_at"][0] == first
    assert parsed.notes == [f"Created time: only ambiguous dates (e.g. line 2 '03/04/2025 09:00'); {note}"]


def test_the_format_convention_decides_an_all_ambiguous_column_and_evidence_beats_it():
    head = ("Respondent ID,Collector ID,Start Date,End Date,How satisfied are you?\n"
            ",,,,Response\n")
    # SurveyMonkey writes MM/DD/YYYY: 02/03/2025 is 3 February.
    sm = (head + "1,9,02/03/2025 10:00:00 AM,02/03/2025 10:05:00 AM,Very satisfied\n").encode()
    parsed = surveymonkey.read(sm, ReadOptions())
    assert parsed.surveys["responded_at"][0] == dt.datetime(2025, 2, 3, 10, 5)
    assert "assumed month-first (SurveyMonkey exports MM/DD/YYYY); set --dates dmy if wrong" \
        in parsed.notes[0]
    # --dates beats the convention.
    assert surveymonkey.read(sm, ReadOptions(date_order="dmy")).surveys["responded_at"][0] == \
        dt.datetime(2025, 3, 2, 10, 5)
    # A re-saved file whose own values are day-first (25/03) beats the convention: 02/03 -> 2 March.
    resaved = (head + "1,9,02/03/2025 10:00,02/03/2025 10:05,Very satisfied\n"
                      "2,9,25/03/2025 11:00,25/03/2025 11:05,Satisfied\n").encode()
    parsed = surveymonkey.read(resaved, ReadOptions())
    assert list(parsed.surveys["responded_at"]) == [dt.datetime(2025, 3, 2, 10, 5),
                                                    dt.datetime(2025, 3, 25, 11, 5)]
    assert parsed.notes[0] == "End Date: day-first, decided by line 4 '25/03/2025 11:05'"


def test_iso_and_named_months_need_no_decision():
    s = pd.Series(["2025-01-08 09:00:00", "2025-01-14T09:00:00Z", "Sat, 07 Feb 2009 13:15:19 +0000",
                   "01-Aug-23", "18/jul/26 9:10 AM", "2020/2/10 22:41", "", "NULL"])
    dates = d.Dates()
    got = dates.column(s, "When")
    assert list(got[:6]) == [dt.datetime(2025, 1, 8, 9), dt.datetime(2025, 1, 14, 9),
                             dt.datetime(2009, 2, 7, 13, 15, 19), dt.datetime(2023, 8, 1),
                             dt.datetime(2026, 7, 18, 9, 10), dt.datetime(2020, 2, 10, 22, 41)]
    assert got[6:].isna().all() and dates.notes == []


def test_values_timestamps_no_longer_decides_per_value():
    # pandas' format="mixed" read 08/01 as 1 August and 14/01 as 14 January; per column both are January.
    got = v.timestamps(pd.Series(["08/01/2025", "14/01/2025"]))
    assert list(got) == [dt.datetime(2025, 1, 8), dt.datetime(2025, 1, 14)]
    assert v.timestamps(pd.Series(["03/04/2025"]), dayfirst=True)[0] == dt.datetime(2025, 4, 3)
    # ISO8601 is strict: a localised value is unreadable, not guessed.
    assert v.timestamps(pd.Series(["14/01/2025"]), fmt="ISO8601").isna().all()


def test_zendesk_fast_path_declines_what_the_careful_reader_decides():
    # Excel re-saved the export with dd/mm dates: the SQL reader only takes ISO, so it declines
    # (returns None) and the careful reader decides the column day-first from line 3.
    header = "Id,Created at,Updated at,Via,Status\n"
    data = (header + "1,08/01/2025 09:00,08/01/2025 09:00,Mail,Open\n"
                     "2,14/01/2025 09:00,14/01/2025 09:00,Mail,Open\n").encode()

    con = duckdb.connect()
    assert zendesk_csv.stage(con, data, ReadOptions(file_name="t.csv")) is None
    parsed = zendesk_csv.read(data, ReadOptions())
    assert list(parsed.contacts["opened_at"]) == [day(8), day(14)]
    assert parsed.notes[0] == "Created at: day-first, decided by line 3 '14/01/2025 09:00'"


def test_salesforce_report_notes_name_the_reports_labels():
    data = (b'"Case Number","Date/Time Opened","Case Origin","Status"\n'
            b'"00001","3/4/2025 9:00 AM","Web","New"\n')
    parsed = salesforce.read_report(data, ReadOptions(date_order_setting="dmy"))
    assert parsed.contacts["opened_at"][0] == dt.datetime(2025, 4, 3, 9)
    assert parsed.notes == ["Date/Time Opened: only ambiguous dates (e.g. line 2 '3/4/2025 9:00 AM'); "
                            "assumed day-first (the date_order setting); set --dates mdy if wrong"]


def test_dotted_dates_are_day_first_and_ymd_needs_a_year_first_value():
    dates = d.Dates()
    assert dates.column(pd.Series(["03.04.2025"]), "Datum")[0] == dt.datetime(2025, 4, 3)
    assert "assumed day-first (dotted dates dd.mm.yyyy are day-first)" in dates.notes[0]
    assert d.Dates(explicit="ymd").column(pd.Series(["25/01/02"]), "X")[0] == dt.datetime(2025, 1, 2)
    with pytest.raises(FormatError, match="--dates ymd cannot read it"):
        d.Dates(explicit="ymd").column(pd.Series(["03/04/2025"]), "X")


def test_a_value_that_is_no_date_is_counted_not_dropped_silently() -> None:
    import pandas as pd

    from connectors.dates import Dates

    dates = Dates()
    got = dates.column(pd.Series(["2025-01-08 10:00", "2025-01-08 10:05 CET", None]), "Closed",
                       pd.Series([2, 3, 4]))
    # line 3 holds something, but no date this reader knows: empty, and said
    assert got.isna().tolist() == [False, True, True]
    assert dates.warnings == ["Closed: 1 value(s) are no date this reader knows and were left empty "
                              "(first: line 3 '2025-01-08 10:05 CET'); map the column with a "
                              "date_format"]
