"""The Ownership page in AppTest: smoke, URL-driven department filter, empty warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import facade
from tests.demo_warehouse import demo_db, page

URL = {"from": "2026-01-01", "to": "2026-06-30", "grain": "month"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db(tmp_path_factory)


def _run(monkeypatch: pytest.MonkeyPatch, db: Path, **params: str) -> AppTest:
    monkeypatch.setenv("SCORECARD_DB", str(db))
    at = AppTest.from_file(page("ownership"), default_timeout=60)
    for key, value in {**URL, **params}.items():
        at.query_params[key] = value
    return at.run()


def test_ownership_page_draws_everything(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db)
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Avoidable cost (EUR)", "Avoidable contacts", "Avoidable contact rate"]
    assert len(at.get("plotly_chart")) >= 5  # cost trend, top reasons, split, matrix, cpx
    statement = at.dataframe[0].value
    assert statement["department"].iloc[-1] == "Total"
    assert statement["cost"].iloc[:-1].sum() == pytest.approx(statement["cost"].iloc[-1])
    assert {b.label for b in at.get("download_button")} >= {"Download CSV", "Download PDF"}
    expected = facade.chargeback_statement(
        facade.Query.of("contacts", start="2026-01-01", end="2026-06-30"), db=db)
    assert statement["cost"].tolist() == pytest.approx(expected["cost"].tolist())


def test_department_filter_from_the_url_scopes_the_statement(
        monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db, dept="Finance")
    assert not at.exception
    assert at.dataframe[0].value["department"].tolist() == ["Finance", "Total"]
    assert any("department: Finance" in c.value for c in at.caption)


def test_cpx_driver_can_be_switched(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db)
    driver = at.selectbox(key="cpx_driver")
    assert "shipments" in driver.options
    driver.set_value("shipments").run()
    assert not at.exception
    assert any("The company line divides all contacts by its shipments" in c.value
               for c in at.caption)
    # each department is measured per its own driver, whatever the company's (demo demand table:
    # invoices under Finance, shipments under Logistics and Fulfilment)
    assert facade.cpx_drivers("orders", db) == {"Finance": "invoices", "Fulfilment": "shipments",
                                                "Logistics": "shipments"}


def test_a_share_across_departments_reads_na_under_a_department_filter(
        monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db, dept="Finance")
    assert not at.exception
    shared = [m for m in at.metric if m.label.startswith("Caused by")]
    assert shared and shared[0].value == "n/a"


def test_empty_warehouse_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _run(monkeypatch, tmp_path / "empty.duckdb")
    assert not at.exception
    assert any("Data page" in i.value for i in at.info)
