"""Ten browser sessions read the Scorecard while an eleventh imports a file on the Data page (issue
13 item 4): none of them shows an error, and once the import has committed a page opened in any of
them shows the new rows. Reads wait while the file commits (``metrics.connection``'s gate) instead
of losing their connection."""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

from connectors.demo import writers
from connectors.demo.simulate import simulate
from tests.browser.conftest import contacts_in as _contacts
from tests.browser.conftest import open_page, settle, streamlit_server

READERS = 10
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


def test_ten_sessions_read_while_a_file_is_imported(browser: Any, browser_db: Path,
                                                    tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(browser_db, db)
    before = _contacts(db)
    (tmp_path / "upload").mkdir()
    sim = simulate(4000, date(2026, 5, 1), date(2026, 6, 30), seed=33)
    written = writers.write_zendesk(sim, tmp_path / "upload", sim.customers)[0]
    upload = written.rename(written.with_name("more.csv"))  # a short name of its own
    with streamlit_server({"SCORECARD_DB": str(db)}, tmp_path) as url:
        readers = [browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                   for _ in range(READERS)]
        for page in readers:
            open_page(page, f"{url}/")
        importer = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
        open_page(importer, f"{url}/data")
        importer.get_by_text("Import files", exact=True).click()  # folded when there is data
        importer.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
            str(upload))
        importer.get_by_text(upload.name).first.wait_for(timeout=30_000)
        settle(importer)
        importer.get_by_role("button", name="Check files").click()
        importer.get_by_text("nothing has been written yet").wait_for(timeout=120_000)
        settle(importer)
        importer.get_by_role("button", name="Import these files").click()
        # every reader asks the server again while the import runs: another channel each
        started = time.monotonic()
        for i, page in enumerate(readers):
            page.goto(f"{url}/?channel={('phone', 'email', 'chat')[i % 3]}")
        importer.get_by_text("1 loaded").wait_for(timeout=180_000)
        imported = time.monotonic() - started
        for page in readers:
            settle(page, timeout=180)
            assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
            assert page.locator("[data-testid='stMain'] h1").count()  # the page was drawn
        after = _contacts(db)
        assert after > before
        # the new rows are visible to the sessions once the file has committed
        for page in readers[:3]:
            open_page(page, f"{url}/data")
            assert f"{after:,}" in page.locator("[data-testid='stMain']").inner_text()
        assert imported > 0
