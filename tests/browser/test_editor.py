"""The metric editor in real Chromium: break a KPI, see the problem at its line, break it so that it
validates but does not run and see that problem at the file's line (Save disabled), fix it, preview
the fixed text against the saved one, save, and find the old text in the history.

The editor writes files, so this test serves the app from its own Streamlit process whose
``SCORECARD_KPI_DIR`` points at a temporary copy of ``sql/kpis`` (the shipped files are never
touched) and whose role is analyst.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metrics import catalog as catalog_module
from tests.browser.conftest import streamlit_server

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "WHERE satisfiedx)"
FIXED = "WHERE csat >= 5)"
NOT_RUNNING = "sum(channel) FILTER (WHERE satisfied)"


@pytest.fixture(scope="module")
def editor_app(browser_db: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("editor_app")
    kpis = root / "kpis"
    shutil.copytree(catalog_module.KPI_DIR, kpis, ignore=shutil.ignore_patterns(".history"))
    env = {"SCORECARD_DB": str(browser_db), "SCORECARD_KPI_DIR": str(kpis),
           "SCORECARD_ROLE": "analyst"}
    with streamlit_server(env, root) as url:
        yield url, kpis


def _type(page: Any, helpers: Any, text: str) -> None:
    """Replace the editor's text and commit it (Ctrl+Enter), then wait for the rerun."""
    area = page.locator("[class*='st-key-editor_text_csat'] textarea")
    area.fill(text)
    area.press("Control+Enter")
    page.wait_for_timeout(300)
    helpers.settle(page)


@pytest.mark.parametrize(("width", "theme"), [(1400, "light"), (800, "dark")])
def test_break_fix_preview_save(editor_app: tuple[str, Path], new_page: Any, helpers: Any,
                                width: int, theme: str) -> None:
    url, kpis = editor_app
    original = (catalog_module.KPI_DIR / "csat.sql").read_text()
    (kpis / "csat.sql").write_text(original)  # each run starts from the shipped text
    page = new_page(width=width, theme=theme)
    helpers.open_page(page, f"{url}/editor?kpi=csat")
    area = page.locator("[class*='st-key-editor_text_csat'] textarea")
    assert area.input_value() == original

    _type(page, helpers, original.replace("WHERE satisfied)", BROKEN))
    problem = page.get_by_text("csat.sql:11:28: unknown column 'satisfiedx'", exact=False)
    problem.first.wait_for(timeout=30000)
    assert page.get_by_text("11 |     count(*) FILTER (WHERE satisfiedx)", exact=False).count()
    assert page.get_by_role("button", name="Save").is_disabled()
    helpers.shoot(page, f"browser_editor_broken_{width}_{theme}")
    assert (kpis / "csat.sql").read_text() == original

    # validates (known column) but DuckDB has no sum(VARCHAR): a problem at the FILE's line 11
    _type(page, helpers, original.replace("count(*) FILTER (WHERE satisfied)", NOT_RUNNING))
    page.get_by_text("csat.sql:11:5: does not run", exact=False).first.wait_for(timeout=30000)
    assert not page.get_by_text("Valid:", exact=False).count()
    assert page.get_by_role("button", name="Save").is_disabled()
    helpers.shoot(page, f"browser_editor_does_not_run_{width}_{theme}")
    assert (kpis / "csat.sql").read_text() == original

    fixed = original.replace("WHERE satisfied)", FIXED)
    _type(page, helpers, fixed)
    page.get_by_text("Valid: ratio KPI over m_surveys; it runs", exact=False).first.wait_for(
        timeout=30000)
    page.get_by_text("CSAT: saved vs edited", exact=False).first.wait_for(timeout=30000)
    helpers.shoot(page, f"browser_editor_preview_{width}_{theme}")

    page.get_by_role("button", name="Save").click()
    page.get_by_text("previous version kept", exact=False).first.wait_for(timeout=30000)
    helpers.settle(page)
    assert (kpis / "csat.sql").read_text() == fixed
    history = sorted((kpis / ".history" / "csat").glob("*.sql"))
    assert history and history[-1].read_text() == original
    helpers.shoot(page, f"browser_editor_saved_{width}_{theme}")
