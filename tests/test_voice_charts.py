"""The Customer voice page's chart builders (views/ui/voice_charts.py): dots with 95 % intervals on
a fixed scale, hollow grey under min_n, the trend with its band broken at a gap. Frames are built
by hand; every position in a comment is counted from them."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from views.ui import voice_charts as vc
from views.ui.charts import NEUTRAL

COLORS = {"phone": "#4c78a8", "chat": "#9d6ccf", "<b>x</b>": "#1b9aaa"}
# CSAT by channel: phone 80 (70-90, n 100), chat 60 (40-75, n 12: below min_n), a channel whose
# name is markup 90 (85-95, n 200); NPS of phone 20 (-10 to 50).
BY_CHANNEL = pd.DataFrame([
    {"kpi": "csat", "channel": "phone", "value": 80.0, "low": 70.0, "high": 90.0, "n": 100,
     "reliable": True},
    {"kpi": "csat", "channel": "chat", "value": 60.0, "low": 40.0, "high": 75.0, "n": 12,
     "reliable": False},
    {"kpi": "csat", "channel": "<b>x</b>", "value": 90.0, "low": 85.0, "high": 95.0, "n": 200,
     "reliable": True},
    {"kpi": "nps", "channel": "phone", "value": 20.0, "low": -10.0, "high": 50.0, "n": 100,
     "reliable": True},
    {"kpi": "csat", "channel": "web", "value": None, "low": None, "high": None, "n": 0,
     "reliable": False},
])


def test_dots_sit_on_the_fixed_scale_highest_first_hollow_grey_under_min_n() -> None:
    html = vc.interval_dots(BY_CHANNEL, "csat", "channel", "CSAT", COLORS, min_n=30)
    # highest first; web has no value and no row
    labels = re.findall(r'<span class="bl">([^<]*)</span>', html)
    assert labels == ["&lt;b&gt;x&lt;/b&gt; (n=200)", "phone (n=100)", "chat (n=12)"]
    # 0-100 scale: a value's left is the value itself; whisker from low, as wide as high - low
    assert f'class="wh" style="left:70.00%;width:20.00%;background:{COLORS["phone"]}"' in html
    assert f'class="dt" style="left:80.00%;border-color:{COLORS["phone"]};background:' \
           f'{COLORS["phone"]}"' in html
    # chat: n 12 < 30, grey and hollow, whisker 40 to 75
    assert f'class="wh" style="left:40.00%;width:35.00%;background:{vc.GREY}"' in html
    assert f'class="dt" style="left:60.00%;border-color:{vc.GREY};background:transparent"' in html
    assert "n = 12 (below min_n 30: an anecdote, not a difference)" in html
    assert "95 % CI 70.0 to 90.0 %" in html
    # the name written by a customer's system is text, never markup
    assert "<b>x</b>" not in html
    # the axis under it: 0, 50 and 100 at the start, middle and end of the bar zone
    assert re.findall(r'<i style="left:([\d.]+)%">([-\d]+)</i>', html) == [
        ("0", "0"), ("50", "50"), ("100", "100")]


def test_nps_dots_run_from_minus_100_to_100() -> None:
    html = vc.interval_dots(BY_CHANNEL, "nps", "channel", "NPS", COLORS)
    # (20 + 100) / 200 = 60 %; whisker (-10 + 100) / 200 = 45 % to (50 + 100) / 200 = 75 %
    assert 'class="dt" style="left:60.00%' in html
    assert 'class="wh" style="left:45.00%;width:30.00%' in html
    assert ">20.0 pts</b>" in html
    assert re.findall(r'<i style="left:[\d.]+%">([-\d]+)</i>', html) == ["-100", "0", "100"]


def test_the_panel_keys_hollow_dots_only_when_there_are_some() -> None:
    both = vc.dot_panel(BY_CHANNEL, {"csat": "CSAT", "nps": "NPS"}, "channel", COLORS,
                        {"csat": 30, "nps": 30})
    assert both.count('<div class="vd">') == 2 and "n below the KPI's min_n" in both
    reliable = vc.dot_panel(BY_CHANNEL[BY_CHANNEL["kpi"] == "nps"], {"nps": "NPS"}, "channel",
                            COLORS)
    assert "n below the KPI's min_n" not in reliable
    assert "No answers." in vc.interval_dots(BY_CHANNEL, "ces", "channel", "CES")


# CSAT by month: Jan 80 (70-90, n 100), Feb 70 (55-85, n 12 < min_n), no answers in March,
# Apr 90 (80-100, n 50); the range's periods are January to April.
TREND = pd.DataFrame([
    {"kpi": "csat", "period": date(2026, 1, 1), "value": 80.0, "low": 70.0, "high": 90.0,
     "n": 100, "reliable": True},
    {"kpi": "csat", "period": date(2026, 2, 1), "value": 70.0, "low": 55.0, "high": 85.0,
     "n": 12, "reliable": False},
    {"kpi": "csat", "period": date(2026, 4, 1), "value": 90.0, "low": 80.0, "high": 100.0,
     "n": 50, "reliable": True},
])
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]


def test_the_trend_keeps_the_calendar_and_breaks_line_and_band_at_a_gap() -> None:
    html = vc.interval_trend(TREND, "csat", "CSAT", "month", min_n=30, periods=MONTHS)
    # four periods: x = 3 + 94 * i / 3 -> 3, 34.33, 65.67, 97; the 0-100 scale: top = 100 - value
    assert f'left:3.00%;top:20.00%;border-color:{NEUTRAL};background:{NEUTRAL}' in html
    assert f'left:34.33%;top:30.00%;border-color:{NEUTRAL};background:transparent' in html  # n 12
    assert f'left:97.00%;top:10.00%;border-color:{NEUTRAL};background:{NEUTRAL}' in html
    assert "left:65.67%;top:" not in html  # March: no point
    # January-February is one run (a line and a band); April stands alone (a point only)
    assert html.count("<polyline") == 1 and html.count("<polygon") == 1
    assert "CSAT (n = 12, below min_n 30): 70 % [55 % to 85 %]" in html
    assert [m for m in re.findall(r">([A-Z][a-z]{2} \d\d)<", html)] == [
        "Jan 26", "Feb 26", "Mar 26", "Apr 26"]
    # one legend entry, however many runs
    assert "<style>.vt .lg .li ~ .li" in html


def test_runs_of_values() -> None:
    assert vc._runs([1.0, None, 2.0, 3.0]) == [range(0, 1), range(2, 4)]
    assert vc._runs([None, None]) == []
