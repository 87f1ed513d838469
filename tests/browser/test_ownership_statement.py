"""Ownership in real headless Chromium (issue 12 item 6): a reason bar, a bubble of the value/irritant
matrix and a department in the statement open the Channels page with those filters; the page draws
no Plotly chart (issue 11: its first chart alone costs a new session 1.2-1.5 s); on a phone (390 px)
the statement needs no sideways scrolling and its cost is on screen."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

RANGE = "from=2026-01-01&to=2026-06-30"


def params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_a_reason_bar_and_a_department_link_open_channels_filtered(
        app_url: str, new_page: Any, helpers: Any) -> None:
    page = helpers.open_page(new_page(height=1400), f"{app_url}/ownership?{RANGE}")
    assert page.locator(".js-plotly-plot").count() == 0
    chart = page.locator(".hc").filter(has=page.locator(".ht", has_text="Top reasons"))
    bar = chart.locator(".br[data-pick]").first  # the costliest reason, on top
    bar.scroll_into_view_if_needed()
    reason = json.loads(bar.get_attribute("data-pick"))[1]
    bar.click()
    page.wait_for_url("**/channels?**", timeout=60_000)
    helpers.settle(page)
    query = params(page)
    assert query["kpi"] == ["avoidable_cost"] and query["reason"] == [reason]
    assert query["from"] == ["2026-01-01"]

    # a reason customers value (not avoidable) opens on its contacts
    helpers.open_page(page, f"{app_url}/ownership?{RANGE}")
    bubble = page.locator(".o-q[data-quadrant='leverage'] [data-pick]").first
    bubble.scroll_into_view_if_needed()
    dimension, reason, kpi = json.loads(bubble.get_attribute("data-pick"))
    assert (dimension, kpi) == ("reason", "contacts")
    bubble.click()
    page.wait_for_url("**/channels?**", timeout=60_000)
    helpers.settle(page)
    assert params(page)["reason"] == [reason] and params(page)["kpi"] == ["contacts"]

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
    assert page.locator(".o-mx").count() == 1  # the matrix, in HTML: its text never shrinks
    matrix = page.locator(".o-mx").bounding_box()
    assert matrix is not None and matrix["x"] >= 0 and matrix["x"] + matrix["width"] <= 390
    cost = page.locator("table.stmt td[data-label='Cost (EUR)']").first
    cost.scroll_into_view_if_needed()
    box = cost.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert "," in cost.inner_text()  # thousands separators
