"""The statement a department head acts on: share of ALL avoidable cost and contacts under a
department filter, change against the comparison period, line items per reason, the monthly table.

Hand count over tests/metrics_data.py (UTC), avoidable inbound contacts only:
  c1 Finance          bill  phone 01-01  300 s x 1.00/min + 0.50        = 5.50
  c2 Finance          bill  email 01-04  3.00 per contact               = 3.00
  c4 Logistics        where bot   01-02  self_service 0.10              = 0.10
  c5 Customer Service pwd   chat  01-02  200 s x 0.60/min = 2.00        = 2.00
  c9 Customer Service pwd   email 02-10  3.00 per contact               = 3.00
Jan-Feb 2024, all departments: 5 contacts, 13.60.
  Finance: 2 contacts (40 % of 5), 8.50 (62.5 % of 13.60); lines bill 2 x 4.25 = 8.50.
  Customer Service: line pwd 2 x 2.50 = 5.00; Logistics: line where 1 x 0.10 = 0.10.
  Months: Jan 4 contacts 10.60 (5.50 + 3.00 + 0.10 + 2.00), Feb 1 contact 3.00.
February 2024 against January (previous period):
  every department: Feb 1 contact 3.00 (c9), Jan 4 contacts 10.60.
  Finance: Feb 0 of 3.00 (0 %), Jan 8.50 of 10.60 = 80.19 %: change -8.50 (-100 %), -80.19 pp.
  Customer Service: Feb 3.00 of 3.00, Jan 2.00 of 10.60 = 18.87 %: change +1.00 (+50 %).
Avoidable contact rate under Finance: its only mapped reason (bill) is avoidable -> one-sided;
without a filter the map also holds non-avoidable reasons (where from 01-16, order) -> not.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from metrics import facade, ownership
from tests import metrics_data

JAN_FEB = {"start": "2024-01-01", "end": "2024-02-29"}
FEB = {"start": "2024-02-01", "end": "2024-02-29"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return metrics_data.build(tmp_path_factory.mktemp("statement") / "hand.duckdb")


def _q(period: dict[str, str], dept: str | None = None) -> facade.Query:
    return facade.Query.of("contacts", **period, filters={"department": dept} if dept else None)


def test_a_departments_share_is_of_every_department_not_of_itself(db: Path) -> None:
    statement = facade.chargeback_statement(_q(JAN_FEB, "Finance"), db=db).set_index("department")
    assert statement.loc["Finance", "share"] == pytest.approx(62.5)
    assert statement.loc["Total", "share"] == pytest.approx(62.5)  # not 100 %
    shares = facade.department_share(_q(JAN_FEB, "Finance"), db=db).set_index("measure")
    assert shares.loc["avoidable_cost", "value"] == pytest.approx(8.5)
    assert shares.loc["avoidable_cost", "all"] == pytest.approx(13.6)
    assert shares.loc["avoidable_cost", "share"] == pytest.approx(62.5)
    assert shares.loc["avoidable_contacts", "share"] == pytest.approx(40.0)


def test_change_against_the_previous_period(db: Path) -> None:
    finance = facade.department_share(_q(FEB, "Finance"), "prev", db=db).set_index("measure")
    cost = finance.loc["avoidable_cost"]
    assert (cost["value"], cost["value_before"]) == pytest.approx((0.0, 8.5))
    assert cost["change"] == pytest.approx(-8.5) and cost["change_pct"] == pytest.approx(-100.0)
    assert cost["share_before"] == pytest.approx(8.5 / 10.6 * 100)
    assert cost["share_change"] == pytest.approx(-8.5 / 10.6 * 100)
    service = facade.department_share(_q(FEB, "Customer Service"), db=db).set_index("measure")
    assert service.loc["avoidable_cost", "change_pct"] == pytest.approx(50.0)
    assert service.loc["avoidable_contacts", "change"] == pytest.approx(0.0)


def test_the_statement_carries_its_change_and_keeps_departments_that_had_cost_before(
        db: Path) -> None:
    statement = facade.chargeback_statement(_q(FEB), cmp="prev", db=db).set_index("department")
    assert list(statement.index) == ["Customer Service", "Finance", "Logistics", "Total"]
    assert statement.loc["Finance", "cost"] == 0 and statement.loc["Finance", "change"] == -8.5
    assert statement.loc["Customer Service", "change_pct"] == pytest.approx(50.0)
    assert statement.loc["Total", "cost_before"] == pytest.approx(10.6)
    body = statement.drop(index="Total")
    for column in ("avoidable_contacts", "cost", "cost_before", "change"):
        assert body[column].sum() == pytest.approx(statement.loc["Total", column])


def test_line_items_are_contacts_times_unit_cost_and_add_up_to_the_statement(db: Path) -> None:
    lines = facade.statement_lines(_q(JAN_FEB), db=db)
    assert list(zip(lines["department"], lines["reason"], strict=True)) == [
        ("Finance", "bill"), ("Customer Service", "pwd"), ("Logistics", "where")]
    assert lines["contacts"].tolist() == [2, 2, 1]
    assert lines["unit_cost"].tolist() == pytest.approx([4.25, 2.5, 0.1])
    assert (lines["contacts"] * lines["unit_cost"]).tolist() == pytest.approx(lines["cost"].tolist())
    statement = facade.chargeback_statement(_q(JAN_FEB), db=db).set_index("department")
    assert lines["cost"].sum() == pytest.approx(statement.loc["Total", "cost"])
    assert lines["contacts"].sum() == statement.loc["Total", "avoidable_contacts"]
    by_dept = lines.groupby("department")[["contacts", "cost", "handle_minutes"]].sum()
    for dept, row in by_dept.iterrows():
        assert row["cost"] == pytest.approx(statement.loc[dept, "cost"])
        assert row["handle_minutes"] == pytest.approx(statement.loc[dept, "handle_minutes"])


def test_monthly_table_adds_up_and_sits_beside_the_comparison_months(db: Path) -> None:
    months = facade.statement_months(_q(JAN_FEB), "prev", db=db)
    assert months["month"].tolist() == [date(2024, 1, 1), date(2024, 2, 1), None]
    assert months["contacts"].tolist() == [4, 1, 5]
    assert months["cost"].tolist() == pytest.approx([10.6, 3.0, 13.6])
    assert months["month_before"].tolist()[:2] == [date(2023, 11, 1), date(2023, 12, 1)]
    assert months["cost_before"].tolist() == pytest.approx([0.0, 0.0, 0.0])
    assert months["change_pct"].isna().all()  # nothing before: no percentage, not +inf
    feb = facade.statement_months(_q(FEB), "prev", db=db)
    assert feb["cost_before"].iloc[0] == pytest.approx(10.6)
    assert feb["change"].iloc[0] == pytest.approx(3.0 - 10.6)
    finance = facade.statement_months(_q(JAN_FEB, "Finance"), db=db)
    assert finance["cost"].tolist() == pytest.approx([8.5, 0.0, 8.5])  # an empty month is 0


def test_avoidable_rate_that_cannot_vary_is_named(db: Path) -> None:
    note = facade.avoidable_rate_note(_q(JAN_FEB, "Finance"), db=db)
    assert note is not None and "100 %" in note
    assert facade.avoidable_rate_note(_q(JAN_FEB), db=db) is None
    assert "0 %" in str(facade.avoidable_rate_note(_q(JAN_FEB, "Sales"), db=db))


def test_months_between_and_every_department() -> None:
    assert ownership.months_between(date(2025, 11, 15), date(2026, 1, 3)) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
    query = facade.Query.of("contacts", filters={"department": "Finance", "channel": "phone"})
    assert ownership.every_department(query).filters == (("channel", ("phone",)),)


def test_shares_of_nothing_are_not_numbers() -> None:
    empty = pd.DataFrame(columns=ownership.REASON_COLUMNS).astype({"avoidable": bool})
    out = ownership.shares(empty, empty, empty, empty)
    assert out["share"].isna().all() and out["change_pct"].isna().all()


def test_a_range_of_days_compares_only_its_total_not_month_against_month(db: Path) -> None:
    # 2024-01-02..2024-02-10 (40 days) against the 40 days before, 2023-11-23..2024-01-01:
    # this range's months are Jan (c4 0.10 + c5 2.00 + c2 3.00 = 5.10) and Feb (c9 3.00); the
    # earlier range touches Nov, Dec and Jan, whose only cost is c1 on 01-01 (5.50). Pairing months
    # by position would set January against "Nov 2023": no month has a counterpart.
    months = facade.statement_months(_q({"start": "2024-01-02", "end": "2024-02-10"}), db=db)
    assert months["cost"].tolist() == pytest.approx([5.1, 3.0, 8.1])
    assert months["month_before"].iloc[:2].isna().all()
    assert months["cost_before"].iloc[:2].isna().all()
    total = months.iloc[-1]
    assert total["cost_before"] == pytest.approx(5.5)  # the whole earlier range
    assert total["change"] == pytest.approx(8.1 - 5.5)
