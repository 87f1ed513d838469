"""The Channels drill-down in real headless Chromium (issue 12 items 1 and 2): a click on a chart is
the same filter as the sidebar (shown there, held in the URL, kept when another filter changes,
combined with the next click, undone by Back, cleared by Reset), and the breakdowns follow the
chosen KPI (its numerator per reason, no split that could only read 0 % or 100 %)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

RANGE = "from=2026-06-01&to=2026-11-21"


def params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def chart(page: Any, title: str) -> Any:
    """The HTML chart (``views.ui.figure``) whose title contains ``title``, scrolled into view."""
    found = page.locator(".hc").filter(has=page.locator(".ht").filter(has_text=title))
    found.first.scroll_into_view_if_needed()
    return found.first


def click_bar(page: Any, plot: Any, index: int, helpers: Any, param: str) -> None:
    before = params(page).get(param)
    plot.locator(".br.pk").nth(index).click()
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('{param}') !== "
                           f"{repr(before[0]) if before else 'null'}", timeout=60_000)
    helpers.settle(page)


def sidebar_filter(page: Any, label: str) -> str:
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']",
                       has=page.get_by_text(label, exact=True))
    return box.first.inner_text()


def test_a_chart_click_is_a_filter_that_holds(app_url: str, new_page: Any, helpers: Any) -> None:
    page = helpers.open_page(new_page(height=1400),
                             f"{app_url}/channels?{RANGE}&kpi=unreachable_rate")
    assert page.locator(".js-plotly-plot").count() == 0  # no 4.7 MB script for a drill-down
    bars = page.locator(".st-key-bars_channel .hc")  # the channel comparison
    bars.scroll_into_view_if_needed()
    click_bar(page, bars, 0, helpers, "channel")
    channel = params(page)["channel"][0]
    assert channel in sidebar_filter(page, "Channel")  # the sidebar shows the click
    assert channel in page.locator("[data-testid='stMain']").inner_text()  # so does the page

    # another filter changes: the click still holds
    page.get_by_role("combobox", name="Grain").click()
    page.get_by_role("option", name="week").click()
    helpers.settle(page)
    assert params(page)["grain"] == ["week"] and params(page)["channel"] == [channel]
    assert channel in sidebar_filter(page, "Channel")

    # a second click, on a reason, combines with the first
    pareto = chart(page, "by reason (Pareto)")
    click_bar(page, pareto, 0, helpers, "reason")
    reason = params(page)["reason"][0]
    assert params(page)["channel"] == [channel]
    assert page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").count() == 5
    assert page.locator("[data-testid='stDataFrame']").count() == 0  # rows on demand

    # Back undoes the reason click, the channel stays
    page.go_back()
    page.wait_for_function("() => !new URLSearchParams(location.search).get('reason')",
                           timeout=60_000)
    helpers.settle(page)
    assert params(page)["channel"] == [channel] and "reason" not in params(page)
    assert reason not in sidebar_filter(page, "Reason")

    # Reset clears every filter
    page.get_by_role("button", name="Reset filters").click()
    page.wait_for_function("() => !new URLSearchParams(location.search).get('channel')",
                           timeout=60_000)
    helpers.settle(page)
    assert "channel" not in params(page) and "reason" not in params(page)
    assert channel not in sidebar_filter(page, "Channel")


def test_breakdowns_follow_the_chosen_kpi(app_url: str, new_page: Any, helpers: Any) -> None:
    page = helpers.open_page(new_page(height=1400),
                             f"{app_url}/channels?{RANGE}&kpi=unreachable_rate")
    main = page.locator("[data-testid='stMain']")
    # (a long title wraps onto lines, which text_content() joins without a space)
    titles = " | ".join(str(t.text_content()).replace(" ", "").lower()
                        for t in main.locator(".ht").all())
    assert "contactscounted(numerator)byreason(pareto)" in titles, titles
    assert "inboundcontactsbyreason" not in titles
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", " ".join(  # labels, not codes such as delivery_status
        str(t.text_content()) for t in chart(page, "Pareto").locator(".bl").all()))
    # unreachable attempts never reach a team: no "(none)" at 100 %, a sentence says why
    assert "byteam" not in titles
    assert "is not read by team" in main.inner_text()
    # a percentage KPI with a numerator is ranked by it; AHT is shown per reason, worst first
    page = helpers.open_page(page, f"{app_url}/channels?{RANGE}&kpi=aht")
    for title in ("Average handle time by reason (worst first", "By team"):
        main.locator(".ht").filter(has_text=title).first.wait_for(state="attached",
                                                                      timeout=60_000)


def test_a_row_behind_the_number_opens_that_customers_journey(app_url: str, new_page: Any,
                                                              helpers: Any) -> None:
    page = helpers.open_page(new_page(height=1400),
                             f"{app_url}/channels?{RANGE}&kpi=repeat_rate&channel=phone")
    page.get_by_text("Show the contacts behind the number").click()
    helpers.settle(page)
    grid = page.locator("[data-testid='stDataFrame']").last
    grid.scroll_into_view_if_needed()
    helpers.settle(page)
    box = grid.bounding_box()
    # the row selector of the first data row (the header row is about 35 px high)
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)
    page.wait_for_url(re.compile(r"/journey\?"), timeout=60_000)
    helpers.settle(page)
    query = params(page)
    assert query["contact"][0].startswith("#")  # the masked id, never the raw one
    assert query["channel"] == ["phone"] and query["from"] == ["2026-06-01"]
    assert page.locator("h1", has_text="Customer journey").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0


def test_the_filters_travel_with_the_menu(app_url: str, new_page: Any, helpers: Any) -> None:
    page = helpers.open_page(new_page(), f"{app_url}/ownership?{RANGE}&grain=week&cmp=yoy"
                                         "&channel=chat")
    page.locator("[data-testid='stSidebarNav'] a", has_text="Channels").click()
    page.wait_for_url(re.compile(r"/channels\?"), timeout=60_000)
    helpers.settle(page)
    query = params(page)
    assert query["grain"] == ["week"] and query["cmp"] == ["yoy"], page.url
    assert query["from"] == ["2026-06-01"] and query["channel"] == ["chat"]
    assert page.get_by_role("combobox", name="Grain").input_value() == "week"
