"""The HTML/SVG chart builders (views/ui/htmlcharts.py, views/ui/timecharts.py) and the Channels
Pareto built on them: where a bar, point, tick and target land (counted by hand below), gaps,
hovers, escaping, and that a click carries the member's own code."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pandas as pd

from views.ui import htmlcharts as hc
from views.ui import timecharts as tc
from views.ui.state import Filters


class Attributes(HTMLParser):
    """Every element's attributes, unescaped as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def attributes(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Attributes()
    parser.feed(markup)
    return parser.found


def styles(markup: str, css_class: str) -> list[str]:
    return [str(a.get("style")) for _, a in attributes(markup)
            if css_class in str(a.get("class", "")).split()]


def test_bars_share_one_scale_from_zero_with_the_target_through_every_row() -> None:
    # values 25, 50, 100 and target 80: scale 0-100, so widths 25 %, 50 %, 100 % of the bar zone
    markup = hc.bars([hc.Bar("a", 25, "#111111"), hc.Bar("b", 50, "#111111"),
                      hc.Bar("c", 100, "#111111")], target=80, target_text="target 80")
    assert styles(markup, "bb") == [f"left:0.00%;width:{w}.00%;background:#111111"
                                    for w in (25, 50, 100)]
    assert styles(markup, "tl") == ["left:80.00%"] * 3
    assert "target 80" in markup


def test_negative_bars_grow_left_of_zero() -> None:
    # -50 and 50: scale -50..50, zero in the middle; -50 spans 0-50 %, 50 spans 50-100 %
    markup = hc.bars([hc.Bar("loss", -50, "#111111"), hc.Bar("gain", 50, "#111111")])
    assert styles(markup, "bb") == ["left:0.00%;width:50.00%;background:#111111",
                                    "left:50.00%;width:50.00%;background:#111111"]


def test_an_interval_is_a_whisker_and_a_dot_hollow_when_too_few() -> None:
    # 40 in [30, 50] on a fixed 0-100 scale: whisker 30 % wide 20 %, dot at 40 %
    markup = hc.bars([hc.Bar("phone", 40, "#222222", low=30, high=50, hollow=True)],
                     domain=(0, 100))
    assert styles(markup, "wh") == ["left:30.00%;width:20.00%;background:#222222"]
    assert styles(markup, "dt") == ["left:40.00%;border-color:#222222;background:transparent"]


def test_names_from_data_are_escaped_and_a_click_sends_the_raw_member() -> None:
    hostile = '<b>x</b>" onclick="alert(1)'
    markup = hc.bars([hc.Bar(hostile, 1, "#111111", pick=hostile, tip=hostile)])
    assert "<b>x</b>" not in markup and 'onclick="alert' not in markup
    picked = [a for _, a in attributes(markup) if "data-pick" in a]
    assert [a["data-pick"] for a in picked] == [hostile]  # what the browser hands back
    assert picked[0]["data-tip"] == hostile and picked[0]["role"] == "button"
    table = hc.heat(["<i>Jan</i>"], [hc.Row(hostile, [(0.5, "<u>3</u>", hostile)], pick=hostile)],
                    "#4c78a8")
    assert "<i>Jan" not in table and "<u>3" not in table
    assert [a["data-pick"] for _, a in attributes(table) if "data-pick" in a] == [hostile]


def test_nice_ticks_are_round_and_cover_the_data() -> None:
    assert hc.nice_ticks(0, 23) == [0, 10, 20, 30]  # (23 - 0) / 4 = 5.75 -> step 10
    assert hc.nice_ticks(3.2, 21.7) == [0, 5, 10, 15, 20, 25]  # 18.5 / 4 = 4.6 -> step 5
    assert hc.nice_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1]  # 0.25 -> step 0.25
    assert hc.nice_ticks(float("nan"), 1) == []


def test_lines_break_at_gaps_and_place_points_by_period_and_value() -> None:
    # 5 periods at x 3, 26.5, 50, 73.5, 97 %; values 0-10 -> ticks 0, 2.5, ..., 10; 5 sits at 50 %
    series = tc.Series("phone", "#4c78a8", [0, 5, None, 10, 5], pick="phone")
    markup = tc.lines(["J", "F", "M", "A", "M2"], [series])
    assert markup.count("<polyline") == 2  # J-F and A-M2: the missing March is a gap
    points = styles(markup, "pt")
    assert [re.findall(r"(left|top):([\d.]+)%", p) for p in points] == [
        [("left", "3.00"), ("top", "100.00")], [("left", "26.50"), ("top", "50.00")],
        [("left", "73.50"), ("top", "0.00")], [("left", "97.00"), ("top", "50.00")]]
    tips = [a["data-tip"] for _, a in attributes(markup) if "hv" in str(a.get("class"))]
    assert tips[1] == "F\nphone: 5" and tips[2] == "M"  # March lists no value
    assert [a["data-pick"] for _, a in attributes(markup) if "data-pick" in a] == ["phone"]


def test_a_comparison_line_says_its_own_dates_and_a_band_its_interval() -> None:
    now = tc.Series("csat", "#111111", [80, 90], band=([70, 85], [88, 95]))
    before = tc.Series("last year", "#888888", [75, None], style="dotted",
                       tips=["2025-01", ""])
    markup = tc.lines(["Jan", "Feb"], [now, before], axis=tc.Axis(fmt=lambda v: f"{v:.0f} %"))
    tips = [a["data-tip"] for _, a in attributes(markup) if "hv" in str(a.get("class"))]
    assert tips == ["Jan\ncsat: 80 % [70 % to 88 %]\nlast year (2025-01): 75 %",
                    "Feb\ncsat: 90 % [85 % to 95 %]"]
    assert markup.count("<polygon") == 1 and 'stroke-dasharray="3 4"' not in markup  # one point
    assert len(styles(markup, "pt")) == 2  # a dotted comparison has no points of its own


def test_stacked_columns_share_the_tallest_tick() -> None:
    # totals 10 and 20 -> ticks 0, 5, ..., 20: a part of 10 is half the height, of 5 a quarter
    stacks = [[tc.Part("Finance", 10, "#111111")],
              [tc.Part("Finance", 5, "#111111"), tc.Part("Logistics", 15, "#222222", pick="L")]]
    markup = tc.columns(["Jan", "Feb"], stacks)
    heights = re.findall(r'<i class="[a-z]*" style="height:([\d.]+)%', markup)
    assert heights == ["50.00", "25.00", "75.00"]
    assert [a["data-pick"] for _, a in attributes(markup) if "data-pick" in a] == ["L"]


def test_heat_cells_darken_with_their_share() -> None:
    assert hc.shade("#4c78a8", 1.0) == "rgba(76,120,168,0.95)"
    assert hc.shade("#4c78a8", 0.0) == "rgba(76,120,168,0.08)"
    markup = hc.heat(["00", "01"], [hc.Row("Mon", [(None, "", "Mon 00: none"),
                                                   (1.0, "7", "Mon 01: 7")])], "#4c78a8",
                     compact=True)
    assert '<td class="e"' in markup and ">7<" not in markup  # compact: the number is in the hover


def test_period_labels_and_values_by_period() -> None:
    assert tc.period_label(date(2026, 11, 1), "month") == "Nov 26"
    assert tc.period_label(date(2026, 10, 1), "quarter") == "Q4 26"
    assert tc.period_label(date(2026, 11, 3), "day") == "03 Nov"
    periods = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    rows = [(date(2026, 3, 1), 3.0), (date(2026, 1, 1), float("nan"))]
    assert tc.values_at(periods, rows) == [None, None, 3.0]


def test_the_pareto_counts_what_makes_80_percent_and_folds_the_tail() -> None:
    from views.ui import breakdowns

    meta = pd.Series({"label": "Abandonment", "unit": "percent", "kind": "ratio",
                      "direction": "lower"})
    d = breakdowns.Drill("abandon_rate", meta,
                         Filters(start=date(2026, 1, 1), end=date(2026, 1, 31), reasons=("b",)),
                         "EUR")
    # numerators 50, 30, 15, 5 (total 100): before each 0, 50, 80, 95 % -> the first two make 80 %
    frame = pd.DataFrame({"reason": ["a", "b", "c", "d"], "numerator": [50, 30, 15, 5],
                          "value": [10.0, 20.0, 30.0, 40.0], "denominator": [500, 150, 50, 12.5],
                          "n": [500, 150, 50, 12]})
    items, note = breakdowns.pareto_bars(d, frame, "numerator", {"a": "Where is my order"})
    assert note.startswith("2 of 4 reasons make 80 % of the total (100)")
    assert [b.text for b in items] == ["50 · 50 % cum.", "30 · 80 % cum.", "15 · 95 % cum.",
                                       "5 · 100 % cum."]
    assert items[0].label == "Where is my order" and items[0].pick == "a"
    assert items[1].chosen and items[0].faded and not items[1].faded
    assert "10.0 % of 500" in items[0].tip
