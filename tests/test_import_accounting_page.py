"""The Data page shows every import's row accounting, its warnings and notes, and the skipped rows
(issue 10, items 2-4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.loader import load_file
from sql import warehouse
from tests.demo_warehouse import data_page
from tests.test_import_accounting import FRESHDESK, _qualtrics


@pytest.fixture
def db(tmp_path: Path) -> Path:
    previews = tmp_path / "previews.csv"
    previews.write_text(_qualtrics(["1"] * 10))
    tickets = tmp_path / "freshdesk.csv"
    tickets.write_text(FRESHDESK)
    path = tmp_path / "warehouse.duckdb"
    con = warehouse.connect(path)
    assert load_file(con, previews).status == "empty"
    assert load_file(con, tickets, format_name="freshdesk_csv").status == "loaded"
    con.close()
    return path


def test_the_import_log_accounts_for_every_row(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at, metrics, tables = data_page(monkeypatch, db)
    assert metrics["Skipped rows"] == "10" and metrics["Rejected rows"] == "0"
    log = next(t for t in tables if "sha256" in t.columns)
    got = log[["file_name", "status", "rows_read", "rows_loaded", "rows_rejected", "rows_merged",
               "rows_skipped", "rows_written"]].values.tolist()
    assert got == [["freshdesk.csv", "loaded", 3, 3, 0, 0, 0, 3],
                   ["previews.csv", "empty", 10, 0, 0, 0, 10, 0]]
    assert log["message"].iloc[1] == "nothing loaded: all 10 responses are survey previews"
    warnings = list(log["warnings"].iloc[0])
    assert len(warnings) == 3 and warnings[0].startswith("handle_seconds: all 3 values are 0")
    skipped = next(t for t in tables if "reason" in t.columns and "field" not in t.columns
                   and (t["reason"] == "survey preview").any())
    assert len(skipped) == 10
