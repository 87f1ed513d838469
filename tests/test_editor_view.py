"""The Metric editor's pure helpers: the target in force and where it comes from (the same rule
as the scorecard's), the KPI file split into header and SQL body, the parameter table, saved vs
edited values and their chart (HTML lines)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from metrics import catalog as catalog_module
from metrics import targets
from views.ui.charts import COMPARISON, NEUTRAL
from views.ui.editor_view import (
    compare,
    compare_chart,
    header_and_body,
    parameter_rows,
    target_in_force,
    target_sentence,
)

# aht's file says 360 s / red flag 600 s. The targets table (valid_to 9999-12-31 = open end):
#   1  *      *        2024-01-01 ..            420 / 600   company-wide from 2024
#   2  *      *        2025-01-01 ..            400 / 560   company-wide from 2025 (later: wins)
#   3  phone  *        2024-01-01 ..            480 / 660   phone (more specific: wins for phone)
#   4  phone  Finance  2024-01-01 .. 2024-06-30 500 / 700   most specific, only H1 2024
TARGETS = pd.DataFrame([
    ("aht", "*", "*", "2024-01-01", "9999-12-31", 420.0, 600.0, 1.0),
    ("aht", "*", "*", "2025-01-01", "9999-12-31", 400.0, 560.0, 1.0),
    ("aht", "phone", "*", "2024-01-01", "9999-12-31", 480.0, 660.0, 1.0),
    ("aht", "phone", "Finance", "2024-01-01", "2024-06-30", 500.0, 700.0, 1.0),
    ("csat", "*", "*", "2024-01-01", "9999-12-31", 85.0, 75.0, 1.0),
], columns=["kpi", "channel", "department", "valid_from", "valid_to", "target", "red_flag",
            "weight"])
CASES = [  # channel, department, day -> the row that wins (None: the file's header)
    ("*", "*", date(2023, 6, 1), None),           # before every row
    ("*", "*", date(2024, 6, 1), 0),              # row 1
    ("*", "*", date(2025, 6, 1), 1),              # rows 1 and 2 apply: the later valid_from
    ("phone", "*", date(2025, 6, 1), 2),          # the channel row beats the later '*' row
    ("phone", "Finance", date(2024, 3, 1), 3),    # channel + department beats channel only
    ("phone", "Finance", date(2024, 9, 1), 2),    # row 4 has ended
    ("email", "Finance", date(2024, 9, 1), 0),    # '*' rows apply to any channel
]


@pytest.fixture(scope="module")
def aht() -> catalog_module.KPI:
    text = "\n".join(["-- label: Average handle time", "-- perspective: operational",
                      "-- unit: seconds", "-- direction: lower", "-- target: 360",
                      "-- red_flag: 600", "SELECT sum(handle_seconds) AS numerator,",
                      "    count(*) AS denominator", "FROM m_contacts", ""])
    kpi, problems = catalog_module.parse_kpi("aht.sql", text, catalog_module.model_schema())
    assert kpi is not None and not problems
    return kpi


@pytest.mark.parametrize(("channel", "department", "day", "row"), CASES)
def test_the_target_rule_is_the_scorecards(aht: catalog_module.KPI, channel: str,
                                           department: str, day: date, row: int | None) -> None:
    force = target_in_force(TARGETS, "aht", aht.target, aht.red_flag, channel, department, day)
    expected = TARGETS.iloc[row] if row is not None else None
    assert force.target == (expected["target"] if expected is not None else 360.0)
    assert (force.row is None) == (expected is None)
    scored = targets.match_target(TARGETS, aht, channel, department, day)
    assert (scored.target, scored.red_flag) == (force.target, force.red_flag)


def test_the_sentence_says_where_the_target_comes_from(aht: catalog_module.KPI) -> None:
    force = target_in_force(TARGETS.iloc[[0]], "aht", 360.0, 600.0, day=date(2024, 6, 1))
    assert target_sentence(force, "seconds") == (
        "Target in force: 420 s, red flag 600 s (targets table, all channels, all departments, "
        "from 2024-01-01); the file's default 360 s is overridden.")
    force = target_in_force(TARGETS, "aht", 360.0, 600.0, "phone", "Finance", date(2024, 3, 1))
    assert target_sentence(force, "seconds") == (
        "Target in force: 500 s, red flag 700 s (targets table, phone, Finance, from 2024-01-01 "
        "to 2024-06-30); the file's default 360 s and red flag 600 s are overridden.")
    force = target_in_force(TARGETS, "aht", 360.0, 600.0, day=date(2023, 1, 1))
    assert target_sentence(force, "seconds") == (
        "Target in force: 360 s, red flag 600 s (the file's header: no row of the targets table "
        "applies to all channels, all departments on 2023-01-01).")
    force = target_in_force(TARGETS.iloc[0:0], "new_kpi", None, None, day=date(2023, 1, 1))
    assert "not scored" in target_sentence(force, "percent")
    force = target_in_force(TARGETS, "csat", 85.0, 75.0, day=date(2024, 6, 1))
    assert target_sentence(force, "percent").endswith("the file's header says the same.")
    monthly = target_sentence(force, "count", per_month=True)
    assert monthly.endswith("Targets of sums and counts are per month; other periods are prorated.")


def test_header_and_body() -> None:
    header, body = header_and_body("-- label: x\n-- unit: count\n\nSELECT count(*) AS value,\n"
                                   "  count(*) AS n\nFROM m_contacts\n")
    assert header == "-- label: x\n-- unit: count\n\n"
    assert body == "SELECT count(*) AS value,\n  count(*) AS n\nFROM m_contacts\n"


def test_parameter_rows() -> None:
    rows = parameter_rows({"repeat_window_days": 7},
                          {"repeat_window_days": 30, "period_start": "2024-01-01",
                           "channel_1": "email"})
    assert rows.to_dict("records") == [
        {"parameter": "$repeat_window_days", "value": "30", "from": "this page (default 7)"},
        {"parameter": "$period_start", "value": "2024-01-01", "from": "date range"},
        {"parameter": "$channel_1", "value": "email", "from": "filter"}]
    assert parameter_rows({"repeat_window_days": 7}, {})["from"].tolist() == [
        "KPI header (default)"]


# Saved: January 80 % (n 100), February 90 % (n 50). Edited: January 80 %, February 60 %, and
# March 70 % (a period the saved version has no row for).
SAVED = pd.DataFrame({"period": [date(2026, 1, 1), date(2026, 2, 1)], "value": [80.0, 90.0],
                      "n": [100, 50]})
EDITED = pd.DataFrame({"period": [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
                       "value": [80.0, 60.0, 70.0], "n": [100, 50, 20]})


def test_saved_and_edited_side_by_side() -> None:
    both = compare(SAVED, EDITED)
    assert list(both["period"]) == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert list(both["difference"].fillna(-1)) == [0.0, -30.0, -1]  # March: nothing saved


def test_the_comparison_chart_draws_both_versions_as_html_lines() -> None:
    html = compare_chart(compare(SAVED, EDITED), "<b>CSAT</b>", "percent", "month")
    assert "&lt;b&gt;CSAT&lt;/b&gt;: saved vs edited" in html and "<b>CSAT" not in html
    # values 60-90 -> ticks 60, 70, 80, 90 (a step of 10), top = 100 - (v - 60) / 30 * 100;
    # three periods at left 3, 50 and 97 %
    saved = re.findall(rf'left:([\d.]+)%;top:([\d.]+)%;border-color:{COMPARISON}', html)
    edited = re.findall(rf'left:([\d.]+)%;top:([\d.]+)%;border-color:{NEUTRAL}', html)
    assert saved == [("3.00", "33.33"), ("50.00", "0.00")]  # 80, 90; none in March
    assert edited == [("3.00", "33.33"), ("50.00", "100.00"), ("97.00", "66.67")]  # 80, 60, 70
    assert re.findall(r'<span style="top:[\d.]+%">([^<]+)</span>', html) == [
        "60.0 %", "70.0 %", "80.0 %", "90.0 %"]
    assert "Feb 26\nsaved version: 90.0 %\nedited text: 60.0 %" in html  # February's hover
    assert "The edited text changes 2 of 3 periods." in html  # February and March
    same = compare_chart(compare(SAVED, SAVED), "CSAT", "percent", "month")
    assert "the blue line lies on the grey one" in same
