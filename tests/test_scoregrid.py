"""The Scorecard's landing view as HTML (views.ui.scoregrid, views.ui.statusmatrix) and its
sentences (views.ui.briefing_text): pure functions, no browser."""

from __future__ import annotations

from datetime import date

import pandas as pd

from views.ui import briefing_text, scoregrid, statusmatrix
from views.ui.state import Filters


def test_sparkline_scales_points_into_the_box_and_draws_the_target() -> None:
    # values 0, 5, 10 in a 84 x 20 box with 2 px margins: x = 2, 42, 82; y = 18, 10, 2
    svg = scoregrid.sparkline_svg([0.0, 5.0, 10.0], [5.0, 5.0, 5.0], width=84, height=20)
    assert 'points="2.0,18.0 42.0,10.0 82.0,2.0"' in svg
    assert 'y1="10.0"' in svg  # the target at 5 sits on the middle point
    # a target that changed (a new monthly budget) is drawn per period, not as one level
    moving = scoregrid.sparkline_svg([0.0, 5.0, 10.0], [10.0, 10.0, 0.0], width=84, height=20)
    assert '<polyline points="2.0,2.0 42.0,2.0 82.0,18.0" class="tg"' in moving
    assert scoregrid.sparkline_svg([1.0]) == ""  # one point is no trend
    assert 'points="2.0,18.0 82.0,2.0"' in scoregrid.sparkline_svg([0.0, float("nan"), 10.0])


def test_grey_statuses_say_why_in_one_word() -> None:
    assert scoregrid.status_word("grey", "provisional until 2026-12-08") == ("prov", "provisional")
    assert scoregrid.status_word("grey", "not applicable to this selection") == ("grey", "n/a")
    assert scoregrid.status_word("grey", "n below 30") == ("grey", "not judged")
    assert scoregrid.status_word("red", "") == ("red", "red flag")


def test_labels_and_members_from_files_are_escaped() -> None:
    kpis = pd.DataFrame([{"id": "x", "label": "<b>Bad</b>", "perspective": "cost", "unit": "count",
                          "direction": "lower", "target": 5.0, "min_n": 1,
                          "description": 'say "hi"'}])
    scored = pd.DataFrame([{"kpi": "x", "value": 3.0, "n": 3, "status": "green", "note": "",
                            "applicable": True, "target": 5.0, "change_prev": -1.0,
                            "provisional": False, "data_issues": ""}])
    rows = scoregrid.kpi_rows(kpis, scored, pd.DataFrame(), pd.DataFrame(), "prev", "EUR")
    markup = scoregrid.tables_html(rows, {"cost": "Cost"}, pd.DataFrame(), "vs previous", None)
    assert "<b>Bad</b>" not in markup and "&lt;b&gt;Bad&lt;/b&gt;" in markup
    assert 'title="say &quot;hi&quot;"' in markup
    # 3 against a target of <= 5, 1 fewer than before: green, better (down is good)
    assert '<span class="up">▼ −1</span>' in markup and "≤ 5" in markup


def test_attention_sentences_state_value_change_target_and_driver() -> None:
    row = {"kpi": "abandon_rate", "label": "Abandonment", "unit": "percent",
           "direction": "lower", "reason": "turned red", "status": "red", "value": 12.5,
           "change": 0.5, "target": 5.0, "dimension": "channel", "driver": "phone",
           "driver_value": 13.0, "driver_change": 0.6}
    assert briefing_text.attention_sentence(row, "EUR", "prev") == (
        "Abandonment turned red: 12.5 % (+0.5 pp vs previous period, target ≤ 5.0 %). "
        "Mostly phone: 13.0 % (+0.6 pp).")
    month = {**row, "reason": "turned red in the latest month", "month": date(2026, 11, 1),
             "month_value": 22.7, "month_change": 15.2, "month_target": 5.0,
             "dimension": "department", "driver": "Logistics"}
    assert briefing_text.attention_sentence(month, "EUR", "prev") == (
        "Abandonment beyond its red flag in Nov 2026: 22.7 % (+15.2 pp on Oct, target ≤ 5.0 %). "
        "Mostly Logistics (owning department): 13.0 % (+0.6 pp).")


def test_freshness_groups_sources_by_day_and_warns_when_a_source_ends_early() -> None:
    fresh = pd.DataFrame([
        {"kind": "contacts", "source": "zendesk", "records": 5, "first": None,
         "newest": pd.Timestamp("2026-11-30 22:00")},
        {"kind": "contacts", "source": "amazon_connect", "records": 3, "first": None,
         "newest": pd.Timestamp("2026-11-27 09:00")}])
    text, warnings = briefing_text.freshness_text(fresh, date(2026, 11, 30))
    assert text == "Data: contacts to 30 Nov 2026 (Zendesk), 27 Nov 2026 (Amazon Connect)"
    assert warnings == ["Amazon Connect contacts end on 27 Nov 2026, before the period does "
                        "(30 Nov 2026): the KPIs they feed miss the days after."]


def test_default_period_is_whole_months_ending_with_the_newest_complete_one() -> None:
    from views.ui.state import default_filters

    # data to 3 December: June to November, never three days of December
    assert default_filters(date(2026, 12, 3), date(2026, 12, 4)) == \
        Filters(start=date(2026, 6, 1), end=date(2026, 11, 30))
    # data to 30 November: November is complete
    assert default_filters(date(2026, 11, 30), date(2026, 12, 4), "last_3_months") == \
        Filters(start=date(2026, 9, 1), end=date(2026, 11, 30))
    assert default_filters(date(2026, 12, 3), date(2026, 12, 4), "last_12_months") == \
        Filters(start=date(2025, 12, 1), end=date(2026, 11, 30))
    assert default_filters(date(2026, 3, 15), date(2026, 3, 16), "year_to_date") == \
        Filters(start=date(2026, 1, 1), end=date(2026, 2, 28))


def test_a_matrix_row_that_can_only_read_0_or_100_percent_is_replaced_by_why() -> None:
    # avoidable rate: Finance owns only avoidable reasons (100 %), Sales none (0 %): the split
    # says which department owns the reason, not how well it does; csat varies (80 %, 90 %)
    frame = pd.DataFrame({
        "kpi": ["avoidable_rate"] * 2 + ["csat"] * 2,
        "department": ["Finance", "Sales"] * 2, "value": [100.0, 0.0, 80.0, 90.0],
        "n": [40, 35, 40, 35], "applicable": [True] * 4, "provisional": [False] * 4,
        "status": ["red", "green", "amber", "green"]})
    markup = statusmatrix.matrix_html(frame, "department", ["avoidable_rate", "csat"],
                                      {"avoidable_rate": "Avoidable", "csat": "CSAT"},
                                      {"avoidable_rate": "percent", "csat": "percent"}, "EUR",
                                      lambda kpi, member: f"channels?kpi={kpi}&dept={member}")
    avoidable, csat = markup.split("<tr>")[2:4]
    assert 'class="why" colspan="2"' in avoidable and "100.0 %" not in avoidable
    assert "0 % or 100 %" in avoidable
    assert "80.0 %" in csat and "90.0 %" in csat and 'title="CSAT · Sales: 90.0 %"' in csat
