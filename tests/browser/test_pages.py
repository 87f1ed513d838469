"""The main paths in real headless Chromium: from a red tile to the Channels page, a shared link,
a click on a matrix cell and on a bar, and a screenshot of every page in both themes and widths
(``screenshots/<page>_<width>_<theme>.png``, git-ignored, for people to look at)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
RANGE = "from=2026-06-01&to=2026-11-21"
# (screenshot name, URL path, file); the default page (Scorecard) lives at the root URL.
PAGES = [("scorecard", "", "views/scorecard.py"), ("channels", "channels", "views/channels.py"),
         ("ownership", "ownership", "views/ownership.py"), ("voice", "voice", "views/voice.py"),
         ("editor", "editor", "views/editor.py"), ("data", "data", "views/data.py")]


def params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def wait_for_url(page: Any, pattern: str, helpers: Any) -> None:
    page.wait_for_url(re.compile(pattern), timeout=60_000)
    helpers.settle(page)


def test_a_row_opens_its_details_and_they_lead_to_channels_with_the_filters(
        app_url: str, new_page: Any, helpers: Any) -> None:
    page = helpers.open_page(new_page(), f"{app_url}/?{RANGE}&channel=phone")
    row = page.locator(".row[data-kpi='aht']")
    label = row.locator(".kl").inner_text()
    row.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(timeout=60_000)
    helpers.settle(page)
    assert label in dialog.inner_text() and "How is this calculated" in dialog.inner_text()
    assert dialog.locator(".js-plotly-plot .main-svg").count() >= 1  # the trend, drawn
    dialog.get_by_role("link", name=re.compile("Open in Channels")).click()
    wait_for_url(page, r"/channels\?", helpers)
    query = params(page)
    assert query["from"] == ["2026-06-01"] and query["to"] == ["2026-11-21"]
    assert query["channel"] == ["phone"] and query["kpi"] == ["aht"]
    assert page.locator("h1", has_text="Channels").count() == 1
    assert label in page.locator("[data-testid='stMain']").inner_text()


def test_attention_link_opens_the_drivers_drill_down(app_url: str, new_page: Any,
                                                     helpers: Any) -> None:
    page = helpers.open_page(new_page(), f"{app_url}/?{RANGE}")
    links = page.locator(".attn a[data-drill]")
    if links.count() == 0:
        pytest.skip("nothing needs attention in this demo's range")
    target = links.first.get_attribute("data-drill") or ""
    links.first.click()
    wait_for_url(page, r"/(channels|ownership)\?.*kpi=", helpers)
    assert urlsplit(page.url).path.strip("/") == target.split("?")[0]
    assert params(page)["from"] == ["2026-06-01"]


def test_shared_link_restores_the_same_filters(app_url: str, new_page: Any,
                                               helpers: Any) -> None:
    url = f"{app_url}/channels?from=2026-07-01&to=2026-09-30&channel=phone&kpi=aht&grain=week"
    page = helpers.open_page(new_page(), url)
    sidebar = page.locator("[data-testid='stSidebar']")
    dates = " ".join(i.input_value() for i in
                     sidebar.locator("[data-testid='stDateInput'] input").all())
    assert "2026-07-01" in dates and "2026-09-30" in dates, dates
    assert "phone" in sidebar.locator("[data-testid='stMultiSelect']").first.inner_text()
    assert sidebar.get_by_role("combobox", name="Grain").input_value() == "week"
    assert page.get_by_role("combobox", name="KPI").input_value().startswith("Average handle time")
    assert "Average handle time" in page.locator("[data-testid='stMain']").inner_text()
    query = params(page)
    assert query["from"] == ["2026-07-01"] and query["channel"] == ["phone"]
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Scorecard" in nav and "Customer voice" in nav  # app.py's navigation, not a folder listing


def test_matrix_cell_click_drills_down(app_url: str, new_page: Any, helpers: Any) -> None:
    page = helpers.open_page(new_page(height=1000), f"{app_url}/?{RANGE}")
    cell = page.locator(".mx td a").nth(3)
    cell.scroll_into_view_if_needed()
    cell.click()
    wait_for_url(page, r"/channels\?.*kpi=", helpers)
    query = params(page)
    assert query["channel"] and query["from"] == ["2026-06-01"]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [1400, 800])
def test_screenshot_every_page(app_url: str, new_page: Any, helpers: Any, width: int,
                               theme: str) -> None:
    page = new_page(width=width, theme=theme)
    shot = 0
    for name, url_path, file in PAGES:
        if not (ROOT / file).exists():
            continue
        helpers.open_page(page, f"{app_url}/{url_path}?{RANGE}")
        assert page.locator("[data-testid='stException']").count() == 0, name
        assert page.get_by_text("Page not found").count() == 0, name
        background = page.evaluate(
            "() => getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor")
        dark = sum(int(v) for v in re.findall(r"\d+", background)[:3]) < 3 * 128
        assert dark == (theme == "dark"), background
        assert helpers.shoot(page, f"{name}_{width}_{theme}").stat().st_size > 10_000
        page.set_viewport_size({"width": width, "height": 900})
        shot += 1
    assert shot >= 2


def test_the_whole_scorecard_fits_one_screen_at_1400_by_900(app_url: str, new_page: Any,
                                                            helpers: Any) -> None:
    # issue 11: scores, what needs attention and every KPI's row on the first screen
    page = helpers.open_page(new_page(width=1400, height=900), f"{app_url}/?{RANGE}")
    rows = page.locator(".row[data-kpi]")
    assert rows.count() >= 20
    last = rows.last.bounding_box()
    assert last is not None and last["y"] + last["height"] <= 900, last
    assert page.get_by_text("What needs attention").bounding_box()["y"] < 300
