"""The Data page shows what an import blanked, beside what it rejected (issue 9, item 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.loader import load_file
from sql import warehouse
from tests.demo_warehouse import data_page
from tests.test_impossible_values import SALESFORCE


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A warehouse with one Salesforce export whose 3 closed cases close before they open."""
    f = tmp_path / "Case.csv"
    f.write_text(SALESFORCE)
    path = tmp_path / "warehouse.duckdb"
    con = warehouse.connect(path)
    assert load_file(con, f).values_blanked == 3
    con.close()
    return path


def test_blanked_values_are_counted_and_listed(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at, metrics, tables = data_page(monkeypatch, db)
    assert metrics["Blanked values"] == "3" and metrics["Rejected rows"] == "0"
    blanked = next(t for t in tables if "field" in t.columns and "reason" in t.columns)
    assert blanked["field"].tolist() == ["closed_at"] * 3
    assert blanked["record_id"].tolist() == ["500Hs00002Mig01IAB", "500Hs00002Mig02IAB",
                                             "500Hs00002Mig05IAB"]
    log = next(t for t in tables if "sha256" in t.columns)
    assert "3 impossible values blanked" in log["message"].iloc[0]
