"""The drill-down's pure rules (views/ui/drill.py), the member palette (views/ui/palette.py) and the
member filters' URL form (views/ui/state.py): what a breakdown draws, which colour a member gets,
where a comparison period is drawn, and that a click filter survives the URL round trip."""

from __future__ import annotations

from datetime import date

import pandas as pd

from views.ui import charts, drill, palette
from views.ui.state import MEMBER_FILTERS, Filters, decode, encode, scope_parts, scope_words

F = Filters(start=date(2026, 6, 1), end=date(2026, 11, 30))


def test_a_pareto_ranks_what_the_kpi_adds_up() -> None:
    assert drill.amount_column("value", "count") == "value"  # inbound contacts
    assert drill.amount_column("value", "currency") == "value"  # avoidable cost
    assert drill.amount_column("ratio", "percent") == "numerator"  # failed attempts, repeats
    assert drill.amount_column("ratio", "seconds") is None  # AHT does not add up per reason
    assert drill.amount_column("value", "seconds") is None  # a median neither
    assert "numerator" in drill.amount_title("Repeat rate", "ratio", "percent")


def test_a_split_that_cannot_vary_is_named() -> None:
    only_one = pd.DataFrame({"value": [12.5]})
    assert drill.cannot_vary(only_one, "percent") == "all of it falls in one member"
    # "(none)" team at 100 %, every real team 0 %: the member decides whether a contact counts
    decided = pd.DataFrame({"value": [100.0, 0.0, 0.0]})
    assert "0 % or 100 %" in str(drill.cannot_vary(decided, "percent"))
    assert drill.cannot_vary(decided, "count") is None  # counts of 0 and 100 are real counts
    assert drill.cannot_vary(pd.DataFrame({"value": [100.0, 14.4, 11.9]}), "percent") is None
    # no abandoned call in any queue this week: a real 0 %, drawn
    assert drill.cannot_vary(pd.DataFrame({"value": [0.0, 0.0, 0.0]}), "percent") is None


def test_a_previous_period_of_whole_months_is_drawn_under_its_counterpart_months() -> None:
    # June-November 2026 against December 2025-May 2026: December's peak is drawn under June,
    # not 183 days later; the hover keeps the month it really is.
    earlier = pd.DataFrame({"period": [date(2025, 12, 1), date(2026, 1, 1), date(2026, 5, 1)],
                            "value": [30.0, 10.0, 12.0]})
    moved = drill.aligned_comparison(earlier, (date(2026, 6, 1), date(2026, 11, 30)),
                                     (date(2025, 12, 1), date(2026, 5, 31)), "month")
    assert list(moved["period"]) == [date(2026, 6, 1), date(2026, 7, 1), date(2026, 11, 1)]
    assert list(moved["counterpart"]) == ["2025-12-01", "2026-01-01", "2026-05-01"]


def test_a_range_of_days_pairs_period_with_period_at_every_grain() -> None:
    # 2026-06-15..07-14 against 2026-05-16..06-14 at month grain: the comparison's May (its 1st
    # period) is drawn under June (the current 1st), its June under July; shifting by 30 days drew
    # May at 05-31, left of the first current point.
    months = pd.DataFrame({"period": [date(2026, 5, 1), date(2026, 6, 1)], "value": [4.0, 5.0]})
    moved = drill.aligned_comparison(months, (date(2026, 6, 15), date(2026, 7, 14)),
                                     (date(2026, 5, 16), date(2026, 6, 14)), "month")
    assert list(moved["period"]) == [date(2026, 6, 1), date(2026, 7, 1)]
    # days across six months: 12-30 and 12-31 no longer land on the same day (06-30)
    days = pd.DataFrame({"period": [date(2025, 12, 30), date(2025, 12, 31)], "value": [1.0, 2.0]})
    moved = drill.aligned_comparison(days, (date(2026, 6, 1), date(2026, 11, 30)),
                                     (date(2025, 12, 1), date(2026, 5, 31)), "day")
    assert list(moved["period"]) == [date(2026, 6, 30), date(2026, 7, 1)]
    # weeks: a Monday under a Monday
    weeks = pd.DataFrame({"period": [date(2025, 12, 1)], "value": [1.0]})
    moved = drill.aligned_comparison(weeks, (date(2026, 6, 1), date(2026, 11, 30)),
                                     (date(2025, 12, 1), date(2026, 5, 31)), "week")
    assert moved["period"].iloc[0].weekday() == 0
    assert drill.buckets(date(2026, 2, 27), date(2026, 4, 2), "quarter") == [
        date(2026, 1, 1), date(2026, 4, 1)]


def test_a_comparison_period_before_the_data_starts_is_not_drawn_from_zero() -> None:
    # data starts on 2025-12-15: December 2025 is a partial month (it would start the line near 0)
    earlier = pd.DataFrame({"period": [date(2025, 12, 1), date(2026, 1, 1)], "value": [3.0, 40.0]})
    moved = drill.aligned_comparison(earlier, (date(2026, 6, 1), date(2026, 11, 30)),
                                     (date(2025, 12, 1), date(2026, 5, 31)), "month",
                                     first_day=date(2025, 12, 15))
    assert list(moved["period"]) == [date(2026, 7, 1)] and list(moved["value"]) == [40.0]


def test_members_keep_their_colour_and_none_is_a_status_colour() -> None:
    statuses = {c.lower() for c in charts.STATUS_COLORS.values()}
    assert not statuses & {c.lower() for c in palette.MEMBER_PALETTE}
    # phone is the same colour whatever channels a chart happens to show
    assert palette.channel_colors(["phone"])["phone"] == palette.channel_colors([])["phone"]
    everyone = palette.department_colors(["Sales", "Finance", "Logistics"])
    only_finance = palette.department_colors(["Finance", "Logistics", "Sales"])
    assert everyone["Finance"] == only_finance["Finance"]  # order of arrival does not matter
    assert everyone["Unmapped"] == palette.UNMAPPED


def test_click_filters_round_trip_through_the_url_and_combine() -> None:
    clicked = F.with_member("channel", ["chat"]).with_member("reason", ["delivery_status"])
    url = encode(clicked)
    assert url["channel"] == "chat" and url["reason"] == "delivery_status"
    back, notices = decode(url, F, {"channel": ["chat", "phone"], "reason": ["delivery_status"]})
    assert back == clicked and notices == []
    assert clicked.as_filter_map() == {"channel": ("chat",), "reason": ("delivery_status",)}
    # a breakdown by reason is asked without the reason filter (every reason, the chosen one lit)
    assert clicked.as_filter_map(without=("reason",)) == {"channel": ("chat",)}
    assert scope_words(clicked) == "chat; reason delivery_status"
    assert scope_words(F) == "all channels and departments"
    assert {m.key for m in MEMBER_FILTERS} == {"channel", "dept", "reason", "queue", "team"}


def test_unknown_members_in_a_url_are_dropped_with_a_notice() -> None:
    got, notices = decode({"channel": "chat,fax", "team": "x"}, F, {"channel": ["chat"],
                                                                   "team": []})
    assert got.channels == ("chat",) and got.teams == ()
    assert notices == ["ignored unknown channel: fax", "ignored unknown team: x"]


def test_reason_months_shade_each_row_between_its_low_and_its_peak() -> None:
    from views.ui import breakdowns

    # big: 100, 100, 200 -> floor min(100, 200 / 2) = 100, span 100: shades 0, 0, 1
    # small: 2, 10, 2 -> floor min(2, 10 / 2) = 2, span 8: shades 0, 1, 0
    # flat: 90, 100, 95 hardly varies -> floor min(90, 50) = 50, span 50: 0.8, 1, 0.9
    frame = pd.DataFrame({"reason": ["big"] * 3 + ["small"] * 3 + ["flat"] * 3,
                          "period": [date(2026, m, 1) for m in (1, 2, 3)] * 3,
                          "value": [100, 100, 200, 2, 10, 2, 90, 100, 95]})
    months, rows = breakdowns.month_rows(frame, "value", "{:,.0f}", {"small": "Small one"},
                                         chosen=("small",))
    assert months == ["Jan 26", "Feb 26", "Mar 26"]
    assert [r.label for r in rows] == ["big", "flat", "Small one"]  # biggest total first
    assert [[round(c[0], 2) for c in r.cells] for r in rows] == [[0, 0, 1], [0.8, 1, 0.9],
                                                                  [0, 1, 0]]
    assert rows[2].pick == "small" and rows[2].chosen and rows[0].faded  # the code, not the label
    assert rows[2].cells[1][1:] == ("10", "Small one · Feb 26: 10")


def test_names_from_urls_and_data_are_shown_as_written() -> None:
    from views.ui import boardpack, tiles

    hostile = "**Session expired** [sign in](https://evil.example) ![](x) :red[a] $x$"
    shown = tiles.plain(hostile)
    assert "[sign in](" not in shown and "![](" not in shown and ":red[" not in shown
    assert shown.replace("\\", "") == hostile  # every character still there, only escaped
    # every member filter is part of the stated scope and of the board pack's file name
    teamed = F.with_member("team", ["Backoffice"]).with_member("channel", ["chat"])
    assert " · ".join(scope_parts(teamed)) == "chat · all departments · team Backoffice"
    assert "team-backoffice" in boardpack.file_name(teamed).lower()
