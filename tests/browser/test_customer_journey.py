"""One customer's journey in real headless Chromium: opened by URL for a contact the Channels
page's "contacts behind the number" lists (``facade.contacts_behind`` on the browser demo, masked
as the page shows it), the timeline drawn as HTML (a dot's hover; a dot and a repeat's link
jumping to their card), and the way back to Channels with the same filters.

The Channels table does not carry the journey link yet; when it does, this test should start
from a click in that table instead of the URL it builds here (``views.ui.state.link``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from metrics import facade
from views.ui.state import default_filters, link


def repeat_behind(db: Path) -> tuple[str, Any]:
    """A masked contact of the rows behind repeat_rate's numerator (every one is a repeat) whose
    journey shows the contact it repeats, and that journey."""
    behind = facade.contacts_behind(facade.Query.of("repeat_rate", grain="all"), "repeat_rate",
                                    part="numerator", limit=50, db=db)
    for mask in behind["contact_id"]:
        journey = facade.journey(str(mask), db=db)
        opened = journey.contacts[journey.contacts["opened"]].iloc[0]
        if opened["repeat"] and opened["repeat_of_position"] is not None:
            return str(mask), journey
    pytest.skip("no repeat in the browser demo shows the contact it repeats")


def test_a_contact_opens_its_customers_journey_and_a_repeat_links_back(
        app_url: str, browser_db: Path, new_page: Any, helpers: Any) -> None:
    mask, journey = repeat_behind(browser_db)
    opened = journey.contacts[journey.contacts["opened"]].iloc[0]
    earlier = str(opened["repeat_of"])
    filters = default_filters(None, journey.contacts["local_at"].max().date())
    page = helpers.open_page(new_page(), app_url + link("journey", filters, contact=mask,
                                                        kpi="repeat_rate"))
    assert page.locator("h1", has_text="Customer journey").count() == 1
    main = page.locator("[data-testid='stMain']")
    assert f"{len(journey.contacts)} contact" in main.inner_text()
    # the timeline (HTML, no Plotly): one lane per channel, a dot per contact, the opened one
    # ringed, its hover in words
    assert page.locator(".js-plotly-plot").count() == 0
    chart = page.locator(".jt")
    assert chart.count() == 1
    lanes = chart.locator(".jm span").all_text_contents()
    assert sorted(lanes) == sorted(set(journey.contacts["channel"]))
    assert chart.locator("a.jd").count() == len(journey.contacts)
    assert "the contact opened" in chart.locator(".jk").inner_text()
    dot = chart.locator("a.jd.op")
    dot.hover()
    tip = page.locator(".tip").first
    assert f"no. {int(opened['position'])} · {mask}" in tip.inner_text()
    card = page.locator(f"#c-{mask[1:]}")
    assert card.count() == 1 and "opened" in (card.get_attribute("class") or "")
    # the repeat names the contact it repeats and jumps to its card, which lights up
    repeat_link = card.locator(".tag.repeat a").first
    assert earlier in repeat_link.inner_text()
    repeat_link.click()
    page.wait_for_url(re.compile(rf"#c-{earlier[1:]}$"), timeout=10_000)
    target = page.locator(f"#c-{earlier[1:]}")
    page.wait_for_timeout(500)
    box, height = target.bounding_box(), page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height
    assert "157, 108, 207" in target.evaluate("e => getComputedStyle(e).boxShadow")
    helpers.shoot(page, "journey_1400_light")
    # a dot of the timeline goes to its contact's card too
    chart.locator(f"a.jd[href='#c-{mask[1:]}']").click()
    page.wait_for_url(re.compile(rf"#c-{mask[1:]}$"), timeout=10_000)
    page.wait_for_timeout(500)
    box = card.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
    # and back to the contacts behind the number with the same filters
    page.get_by_role("link", name=re.compile("Back to the contacts behind")).click()
    page.wait_for_url(re.compile(r"/channels\?"), timeout=60_000)
    helpers.settle(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query["from"] == [filters.start.isoformat()] and query["kpi"] == ["repeat_rate"]
    assert "contact" not in query


def test_a_wrong_contact_in_the_url_is_a_message_not_a_traceback(
        app_url: str, new_page: Any, helpers: Any) -> None:
    page = helpers.open_page(new_page(width=390), f"{app_url}/journey?contact="
                             "%3Cimg%20src%3Dx%3E%5Bclick%5D(https%3A%2F%2Fexample.com)")
    main = page.locator("[data-testid='stMain']")
    assert "is not a masked contact id" in main.inner_text()
    assert "<img src=x>[click](https://example.com)" in main.inner_text()  # shown as text
    assert main.locator("img").count() == 0 and main.locator("a[href*='example.com']").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
