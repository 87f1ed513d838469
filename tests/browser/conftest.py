"""Browser-test fixtures: a small demo warehouse, the app served by Streamlit on a free port, and a
headless Debian Chromium driven by Playwright.

Every test here is marked ``browser`` and skipped cleanly when ``/usr/bin/chromium`` (Debian's
``chromium`` package) is missing; Playwright's own browser download is never used. Set
``SCORECARD_BROWSER_DB`` to serve an existing warehouse instead of building the 3,000-contact demo.
Helpers for tests: ``open_page(page, url)`` waits until Streamlit has finished running the script,
``shoot(page, name)`` saves a full-page screenshot under ``screenshots/``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# One definition of the server and the browser, shared with bench/browser.py (re-exported here).
from bench.server import CHROMIUM, LAUNCH_ARGS, free_port, streamlit_server  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
WIDTHS = (1400, 800)
THEMES = ("light", "dark")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason="needs Debian chromium at /usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("SCORECARD_BROWSER_DB")
    if given:
        return Path(given)
    from connectors.demo import build

    root = tmp_path_factory.mktemp("browser_demo")
    db = root / "demo.duckdb"
    build(root / "exports", db, contacts=3000, seed=1, log=lambda *_: None)
    return db


@pytest.fixture(scope="session")
def app_url(browser_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the browser tests' demo warehouse, for the whole session."""
    with streamlit_server({"SCORECARD_DB": str(browser_db)},
                          tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    yield chromium
    chromium.close()
    driver.stop()


@pytest.fixture
def new_page(browser: Any, app_url: str) -> Iterator[Callable[..., Any]]:
    """``new_page(width=1400, theme="light")`` -> a Playwright page in a fresh context. No warm-up
    visit: the pages live in ``views/`` (not ``pages/``), so a deep link is right on a fresh server."""
    contexts: list[Any] = []

    def make(width: int = 1400, theme: str = "light", height: int = 900) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      color_scheme=theme)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


def settle(page: Any, timeout: float = 90.0, quiet: float = 2.0) -> None:
    """Wait until a page has drawn its title (or a notice) and the script has stopped running (no
    status widget, skeleton or spinner) for ``quiet`` seconds."""
    page.wait_for_selector("[data-testid='stMain'] h1, [data-testid='stMain'] [data-testid='stAlert']",
                           timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    calm_since: float | None = None
    busy = ("[data-testid='stStatusWidget'], [data-testid='stSkeleton'], "
            "[data-testid='stSpinner']")
    while time.monotonic() < deadline:
        if page.locator(busy).count() == 0 and page.locator("[data-testid='stMain']").count():
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet:
                return
        else:
            calm_since = None
        page.wait_for_timeout(200)
    raise AssertionError(f"the app kept running for {timeout} s at {page.url}")


def contacts_in(db: Path) -> int:
    """The contacts a warehouse holds, read beside the server (a read-only connection)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM contacts").fetchall()[0][0])
    finally:
        con.close()


def open_page(page: Any, url: str) -> Any:
    page.goto(url)
    settle(page)
    return page


def shoot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Streamlit scrolls inside its main section, so a full-page shot needs a viewport that tall.
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stSidebarContent]')]"
                           ".map(e => e.scrollHeight), 600)")
    width = page.viewport_size["width"] if page.viewport_size else 1400
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 16000)})
    settle(page)  # charts re-layout (and fade while stale) after the resize
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def helpers() -> Any:
    """The module's helpers as a fixture (``helpers.open_page``, ``helpers.shoot``...), for tests
    that prefer fixtures to imports."""
    return sys.modules[__name__]
