"""The Ownership page in AppTest: smoke, URL-driven department filter, empty warehouse.

The statement is HTML (``st.html``, readable at 390 px); its figures are read back from the markup.
The charts are HTML too (``views.ui.figure``, no Plotly on the page: issue 11), read back from the
component's data.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import facade
from tests.demo_warehouse import demo_db, page
from views.ui.ownership_charts import read_pick

URL = {"from": "2026-01-01", "to": "2026-06-30", "grain": "month"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db(tmp_path_factory)


def _tables(at: AppTest) -> list[str]:
    """The statement's HTML tables (department rows, line items, months), in page order."""
    return [h.proto.body for h in at.get("html") if '<table class="stmt ' in h.proto.body]


def _charts(at: AppTest) -> dict[str, str]:
    """The markup of each chart the figure component draws, by its key."""
    found = [e.proto for e in at.main if type(e).__name__ == "UnknownElement"
             and getattr(e.proto, "component_name", "") == "html_chart"]
    return {p.id.rsplit("-", 1)[-1]: str(json.loads(p.json)) for p in found}


def _picks(markup: str) -> set[tuple[str, str, str] | None]:
    return {read_pick(html.unescape(v)) for v in re.findall(r'data-pick="([^"]*)"', markup)}


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
    assert not at.get("plotly_chart")  # the 4.7 MB Plotly script would break the 2 s budget
    charts = _charts(at)
    assert list(charts) == ["cost_trend", "top", "split", "matrix", "cpx"]
    # a department's part of the cost trend and a top reason open Channels on avoidable cost
    departments = {member for dim, member, kpi in filter(None, _picks(charts["cost_trend"]))
                   if dim == "department" and kpi == "avoidable_cost"}
    assert "Finance" in departments and None not in _picks(charts["cost_trend"])
    top = facade.top_reasons(facade.Query.of("avoidable_cost", start="2026-01-01",
                                             end="2026-06-30"), limit=10, db=db)
    assert _picks(charts["top"]) == {("reason", r, "avoidable_cost") for r in top["reason"]}
    # a bubble of a reason that is not avoidable opens its contacts instead
    matrix = _picks(charts["matrix"])
    assert {kpi for _, _, kpi in filter(None, matrix)} == {"avoidable_cost", "contacts"}
    assert "data-pick" not in charts["split"] and "data-pick" not in charts["cpx"]
    assert "Caused by Customer Service" in charts["split"]
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
