"""The Ownership page in AppTest: smoke, URL-driven department filter, empty warehouse.

The statement is HTML (``st.html``, readable at 390 px); its figures are read back from the markup.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import facade
from tests.demo_warehouse import demo_db, page

URL = {"from": "2026-01-01", "to": "2026-06-30", "grain": "month"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db(tmp_path_factory)


def _tables(at: AppTest) -> list[str]:
    """The statement's HTML tables (department rows, line items, months), in page order."""
    return [h.proto.body for h in at.get("html") if '<table class="stmt ' in h.proto.body]


def _total_cost(table: str) -> str:
    """The Total row's cost cell of a statement table."""
    row = re.search(r'<tr class="total">(.*?)</tr>', table)
    assert row is not None
    return re.findall(r'data-label="Cost \(EUR\)" class="n">([^<]*)<', row.group(1))[0]


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
    expected = facade.chargeback_statement(
        facade.Query.of("contacts", start="2026-01-01", end="2026-06-30"), db=db)
    statement, lines, months = _tables(at)
    total = f"{expected['cost'].iloc[-1]:,.2f}"  # thousands separators, as in the PDF
    assert _total_cost(statement) == total
    assert "," in total and '<tr class="total">' in lines and "Jan 2026" in months
    assert 'href="channels?' in statement and "kpi=avoidable_cost" in statement
    assert 'href="ownership?' in statement  # each department's own statement
    assert "reason=" in lines  # a reason opens the Channels page filtered to it
    assert {b.label for b in at.get("download_button")} >= {"Download CSV", "Download PDF"}
    assert any("How cost is computed" in m.value for m in at.markdown)


def test_department_filter_from_the_url_scopes_the_statement(
        monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db, dept="Finance")
    assert not at.exception
    statement = _tables(at)[0]
    assert re.findall(r'class="head">(?:<a [^>]*>)?([^<]+)<', statement) == ["Finance", "Total"]
    assert any("department: Finance" in c.value.replace("\\", "") for c in at.caption)
    # the share is of every department's avoidable cost in the period, never 100 %
    query = facade.Query.of("contacts", start="2026-01-01", end="2026-06-30",
                            filters={"department": "Finance"})
    share = facade.department_share(query, db=db).set_index("measure")
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Share of all avoidable cost"] == f"{share.loc['avoidable_cost', 'share']:.1f} %"
    assert tiles["Share of all avoidable cost"] != "100.0 %"
    assert tiles["Share of all avoidable contacts"] != "100.0 %"


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
    # the demo's Finance owns avoidable reasons only: its avoidable rate could only read 100 %
    rate = [m for m in at.metric if m.label == "Avoidable contact rate"]
    assert rate and rate[0].value == "n/a"
    assert any(c.value.startswith("n/a") and "only read 100 %" in c.value for c in at.caption)


def test_empty_warehouse_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _run(monkeypatch, tmp_path / "empty.duckdb")
    assert not at.exception
    assert any("Data page" in i.value for i in at.info)
