"""Pure tests of the shared chart builders and tile wording (no Streamlit, no browser)."""

from __future__ import annotations

from datetime import date

from metrics import facade
from views.ui import charts
from views.ui.state import Filters
from views.ui.tiles import (
    change_markdown,
    change_tone,
    drill_link,
    format_change,
    format_value,
    link_params,
    score_color,
    status_badge,
    target_text,
    value_markdown,
)

F = Filters(start=date(2026, 1, 1), end=date(2026, 3, 31), grain="week", cmp="yoy")


def test_status_colors_cover_every_status_and_unknown_is_grey() -> None:
    assert set(charts.STATUS_COLORS) == {"green", "amber", "red", "grey"}
    assert charts.status_color("nonsense") == charts.STATUS_COLORS["grey"]


def test_values_read_in_their_unit() -> None:
    assert format_value(11.339, "percent") == "11.3 %"
    assert format_value(45, "seconds") == "45 s"
    assert format_value(470.6, "seconds") == "7.8 min"
    assert format_value(45423.5, "seconds") == "12.6 h"
    assert format_value(3 * 86400, "seconds") == "3.0 d"
    assert format_value(7095, "count") == "7,095"
    assert format_value(30206.6, "currency") == "€30,207"
    assert format_value(7.098, "currency", "USD") == "$7.10"
    assert format_value(30.17, "points") == "30.2"
    assert format_value(0.33472, "ratio") == "0.335"
    assert format_value(None, "percent") == "–" and format_value(float("nan"), "count") == "–"


def test_changes_use_percentage_points_and_know_which_way_is_better() -> None:
    assert format_change(1.23, "percent") == "+1.2 pp"
    assert format_change(-90, "seconds") == "−90 s"
    assert format_change(0.01, "percent") == "±0.0 pp"
    assert change_tone(-2, "lower") == "better" and change_tone(-2, "higher") == "worse"
    assert change_tone(0.01, "higher", "percent") == "same"
    text = change_markdown(-2.0, "percent", "lower", "prev")
    assert text.startswith(":green[▼ −2.0 pp]") and "vs previous" in text
    assert change_markdown(None, "percent", "lower", "yoy").startswith(":gray[no same period")


def test_tile_texts() -> None:
    assert target_text(85, "higher", "percent") == "target ≥ 85.0 %"
    assert target_text(None, "lower", "count") == "no target"
    assert value_markdown(3, "count", "grey") == "### :gray[3]"
    assert value_markdown(3, "count", "red") == "### 3"
    assert status_badge("red").startswith(":red-badge[")
    assert [score_color(s) for s in (8, 5, 1, None)] == ["green", "orange", "red", "gray"]


def test_drill_links_keep_the_filters_and_narrow_to_the_cell() -> None:
    url = drill_link(F, "csat", channel="phone")
    assert url.startswith("/channels?")
    params = link_params(url)
    assert params == {"from": "2026-01-01", "to": "2026-03-31", "grain": "week", "cmp": "yoy",
                      "channel": "phone", "kpi": "csat"}
    dept = link_params(drill_link(F.with_(channels=("chat",)), "aht", department="Finance"))
    assert dept["dept"] == "Finance" and dept["channel"] == "chat"


def test_comparison_ranges() -> None:
    # a quarter of whole months -> the quarter before (was: the 90 days before, from 3 October)
    assert facade.comparison_range(date(2026, 1, 1), date(2026, 3, 31), "prev") == (
        date(2025, 10, 1), date(2025, 12, 31))
    assert facade.comparison_range(date(2024, 2, 29), date(2024, 3, 31), "yoy") == (
        date(2023, 2, 28), date(2023, 3, 31))
