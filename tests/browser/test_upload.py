"""An upload on the Data page is checked first (a dry run: the format and why, counts, warnings,
the first rows; nothing written), and imported only when the user confirms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import contacts_in as _contacts
from tests.browser.conftest import open_page, settle, shoot, streamlit_server

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "crm" / "zendesk_tickets.csv"


def test_check_then_confirm(browser: Any, tmp_path: Path) -> None:
    db = tmp_path / "upload.duckdb"
    with streamlit_server({"SCORECARD_DB": str(db)}, tmp_path) as url:
        page = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
        open_page(page, f"{url}/data")
        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(FIXTURE))
        page.get_by_text(FIXTURE.name).first.wait_for(timeout=30_000)  # uploaded
        settle(page)
        page.get_by_role("button", name="Check files").click()
        page.get_by_text("nothing has been written yet").wait_for(timeout=60_000)
        settle(page)
        text = page.locator("[data-testid='stMain']").inner_text()
        assert "1 would load" in text and "sniffed: zendesk_csv" in text
        assert "no handle time" in text  # the warning travels with the check
        assert _contacts(db) == 0  # checked, not written
        shoot(page, "data_upload_check_1400_light")
        page.get_by_role("button", name="Import these files").click()
        page.get_by_text("1 loaded").wait_for(timeout=60_000)
        settle(page)
        assert _contacts(db) == 5  # the fixture's five tickets
        page.context.close()
