"""Ownership in real headless Chromium (issue 12 item 6): a reason bar and a department in the
statement open the Channels page with those filters; on a phone (390 px) the statement needs no
sideways scrolling and its cost is on screen."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

RANGE = "from=2026-01-01&to=2026-06-30"


def params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_a_reason_bar_and_a_department_link_open_channels_filtered(
        app_url: str, new_page: Any, helpers: Any) -> None:
    page = helpers.open_page(new_page(height=1400), f"{app_url}/ownership?{RANGE}")
    plot = page.locator(".js-plotly-plot").filter(
        has=page.locator(".gtitle").filter(has_text="Top reasons")).first
    plot.scroll_into_view_if_needed()
    box = plot.locator("g.point path").last.bounding_box()  # the costliest reason, drawn on top
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/channels?**", timeout=60_000)
    helpers.settle(page)
    query = params(page)
    assert query["kpi"] == ["avoidable_cost"] and query["reason"] and query["from"] == ["2026-01-01"]

    helpers.open_page(page, f"{app_url}/ownership?{RANGE}")
    link = page.locator("table.stmt tbody td.head a").first
    department = link.inner_text()
    link.click()
    page.wait_for_url("**/channels?**", timeout=60_000)
    helpers.settle(page)
    assert params(page)["dept"] == [department] and params(page)["kpi"] == ["avoidable_cost"]
    assert page.locator("[data-testid='stException']").count() == 0


def test_the_statement_fits_a_phone(app_url: str, new_page: Any, helpers: Any) -> None:
    page = helpers.open_page(new_page(width=390, height=3000),
                             f"{app_url}/ownership?{RANGE}&dept=Finance")
    main = page.locator("[data-testid='stMain']")
    assert main.evaluate("m => m.scrollWidth <= m.clientWidth")  # no sideways scrolling
    cost = page.locator("table.stmt td[data-label='Cost (EUR)']").first
    cost.scroll_into_view_if_needed()
    box = cost.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert "," in cost.inner_text()  # thousands separators
