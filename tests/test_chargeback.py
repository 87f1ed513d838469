"""The charge-back statement: hand-counted numbers, totals that add up, CSV and PDF documents.

Hand count over tests/metrics_data.py (UTC, whole range), avoidable inbound contacts only:
  Finance           c1 phone 300 s on 01-01 (1.00/min + 0.50 = 5.50), c2 email 600 s (3.00)
                    -> 2 contacts, 15 min, 8.50
  Customer Service  c5 chat 200 s (0.60/min = 2.00), c9 email 300 s (3.00) -> 2, 8.33 min, 5.00
  Logistics         c4 self-service bot, no handle time (0.10) -> 1, 0 min, 0.10
  Total             5 contacts, 23.33 min, 13.60
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from metrics import facade, ownership
from tests import metrics_data
from tests.pdf_text import pdf_text
from views.ui.chargeback import (
    Details,
    change_text,
    file_stem,
    format_row,
    money,
    statement_csv,
    statement_pdf,
)

START, END = date(2024, 1, 1), date(2024, 2, 29)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return metrics_data.build(tmp_path_factory.mktemp("chargeback") / "hand.duckdb")


@pytest.fixture(scope="module")
def statement(db: Path) -> pd.DataFrame:
    return facade.chargeback_statement(facade.Query.of("contacts", start=START, end=END), db=db)


def test_statement_known_answer(statement: pd.DataFrame) -> None:
    rows = statement.set_index("department")
    assert list(rows.index) == ["Finance", "Customer Service", "Logistics", "Total"]
    assert rows.loc["Finance", "avoidable_contacts"] == 2
    assert rows.loc["Finance", "handle_minutes"] == pytest.approx(15.0)
    assert rows.loc["Finance", "cost"] == pytest.approx(8.5)
    assert rows.loc["Customer Service", "cost"] == pytest.approx(5.0)
    assert rows.loc["Logistics", "cost"] == pytest.approx(0.1)
    assert rows.loc["Finance", "top_reasons"] == "Billing error"
    assert rows.loc["Total", "cost"] == pytest.approx(13.6)


def test_totals_add_up(statement: pd.DataFrame) -> None:
    body, total = statement.iloc[:-1], statement.iloc[-1]
    for column in ("avoidable_contacts", "handle_minutes", "cost", "share"):
        assert body[column].sum() == pytest.approx(total[column])
    assert total["share"] == pytest.approx(100.0)


def test_department_filter_and_period_scope_the_statement(db: Path) -> None:
    finance = facade.chargeback_statement(
        facade.Query.of("contacts", start=START, end=END, filters={"department": "Finance"}), db=db)
    assert list(finance["department"]) == ["Finance", "Total"]
    february = facade.chargeback_statement(
        facade.Query.of("contacts", start="2024-02-01", end="2024-02-29"), db=db)
    assert list(february["department"]) == ["Customer Service", "Total"]  # only c9
    assert february["cost"].iloc[-1] == pytest.approx(3.0)


def test_empty_period_gives_an_empty_statement(db: Path) -> None:
    empty = facade.chargeback_statement(facade.Query.of("contacts", start="2030-01-01",
                                                        end="2030-01-31"), db=db)
    assert empty.empty and list(empty.columns) == ownership.STATEMENT_COLUMNS
    assert statement_pdf(empty, START, END, "EUR").startswith(b"%PDF")


def test_top_reasons_and_matrix(db: Path) -> None:
    query = facade.Query.of("contacts", start=START, end=END)
    top = facade.top_reasons(query, db=db)
    assert top["reason"].tolist()[:2] == ["bill", "pwd"]
    matrix = facade.reason_matrix(query, db=db).set_index("reason")
    assert matrix.loc["where", "contacts"] == 2  # c4 (Logistics, to 01-15) + c3 (Marketing)
    assert set(matrix["quadrant"].dropna()) <= {"eliminate", "simplify", "automate", "leverage"}


def test_csv_has_period_currency_and_is_formula_safe(statement: pd.DataFrame) -> None:
    hostile = statement.copy()
    hostile.loc[0, "top_reasons"] = "=HYPERLINK(\"http://x\")"
    frame = pd.read_csv(io.BytesIO(statement_csv(hostile, START, END, "EUR")), encoding="utf-8-sig")
    assert frame["period_start"].iloc[0] == "2024-01-01" and frame["currency"].iloc[0] == "EUR"
    assert frame["top_reasons"].iloc[0].startswith("'=")
    assert frame["cost"].iloc[-1] == pytest.approx(13.6)
    assert set(frame["section"]) == {"department"}


def test_pdf_has_title_period_currency_and_the_totals(statement: pd.DataFrame) -> None:
    data = statement_pdf(statement, START, END, "EUR", company="Northwind Home")
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data)
    assert "Charge-back statement: all departments" in text and "Northwind Home" in text
    assert "Period: 2024-01-01 to 2024-02-29" in text and "Currency: EUR" in text
    total = format_row(statement.iloc[-1].to_dict(), "EUR")
    assert total["cost"] == "13.60 EUR" and total["avoidable_contacts"] == "5"
    for cell in ("Total", "Share of all", "13.60", "8.50", "Finance", "Billing error"):
        assert cell in text


def test_pdf_survives_text_outside_latin1(statement: pd.DataFrame) -> None:
    odd = statement.copy()
    odd.loc[0, "department"] = "Logistik 物流 ✓"
    assert statement_pdf(odd, START, END, "EUR").startswith(b"%PDF")


def _details(db: Path, dept: str | None = None) -> tuple[pd.DataFrame, Details]:
    query = facade.Query.of("contacts", start=START, end=END,
                            filters={"department": dept} if dept else None)
    details = Details(lines=facade.statement_lines(query, db=db),
                      months=facade.statement_months(query, db=db),
                      shares=facade.department_share(query, db=db),
                      compared=facade.comparison_range(START, END, "prev"),
                      departments=(dept,) if dept else (), method=facade.COST_METHOD,
                      rates=["phone: 1.00 per minute + 0.50 per contact"])
    return facade.chargeback_statement(query, cmp="prev", db=db), details


def test_csv_holds_lines_months_shares_and_the_cost_method_as_plain_numbers(db: Path) -> None:
    statement, details = _details(db, "Finance")
    frame = pd.read_csv(io.BytesIO(statement_csv(statement, START, END, "EUR", details)),
                        encoding="utf-8-sig")
    sections = frame.groupby("section")
    assert set(sections.groups) == {"department", "line", "month", "share_of_all", "cost_method"}
    lines, months = sections.get_group("line"), sections.get_group("month")
    # Finance, hand count: bill 2 contacts x 4.25 = 8.50; Jan 8.50, Feb 0; 62.5 % of 13.60
    assert lines["cost"].tolist() == [8.5] and lines["unit_cost"].tolist() == [4.25]
    assert months["month"].tolist() == ["2024-01-01", "2024-02-01", "total"]
    assert months["cost"].tolist() == [8.5, 0.0, 8.5]
    shares = sections.get_group("share_of_all").set_index("label")
    assert shares.loc["avoidable_cost", "share"] == pytest.approx(62.5)
    assert "handle minutes" in sections.get_group("cost_method")["note"].iloc[0]
    assert frame["compared_start"].iloc[0] == "2023-11-01"


def test_pdf_of_one_department_has_its_share_lines_months_and_method(db: Path) -> None:
    statement, details = _details(db, "Finance")
    text = pdf_text(statement_pdf(statement, START, END, "EUR", details=details))
    assert "Charge-back statement: Finance" in text
    for cell in ("62.5 %", "40.0 %", "Line items", "Billing error", "4.25", "Jan 2024",
                 "Feb 2024", "How cost is computed", "phone: 1.00 per minute",
                 "compared with the previous period 2023-11-01 to 2023-12-31"):
        assert cell in text, cell
    assert "100.0 %" not in text  # Finance is not all of the avoidable cost


def test_file_names_name_the_department_and_period_and_are_safe() -> None:
    assert file_stem(("Finance",), date(2026, 6, 1), date(2026, 11, 30)) == \
        "chargeback_Finance_20260601_20261130"
    assert file_stem((), START, END) == "chargeback_all-departments_20240101_20240229"
    assert file_stem(("Customer Service", "R&D/Ops"), START, END) == \
        "chargeback_Customer-Service+R-D-Ops_20240101_20240229"
    assert file_stem(("../物流",), START, END) == "chargeback_department_20240101_20240229"


def test_numbers_carry_thousands_separators_and_signed_changes() -> None:
    assert money(1234567.891) == "1,234,567.89"
    assert format_row({"avoidable_contacts": 23432, "cost": 170458.96}, "EUR")["cost"] == \
        "170,458.96 EUR"
    assert change_text(-19980.85, -10.5) == "-19,980.85 (-10.5 %)"
    assert change_text(3.0, float("nan")) == "+3.00 (new)"
    assert change_text(0.0, float("nan")) == "±0"
