"""The statement on screen (views.ui.statement_view): tables that fold into cards on a phone, escaped
text, links into Channels, the rates behind the cost (the Ownership charts: test_ownership_charts).

Hand count: a statement of Finance (2 contacts, 8.50 of 13.60 = 62.5 %, 1,234.5 before) and its
Total; lines bill 2 x 4.25 = 8.50 and where 1,200 x 0.10 = 120.00 (1,202 contacts, 128.50 in all).
Rates: phone 1.10 + 0.60 from 1900, 1.16 + 0.60 from 2026-01-01; a March-December 2025 period sees
only the first, a 2025-12 to 2026-02 period both; chat 0.80 + 0.40 throughout.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from views.ui import statement_view

STATEMENT = pd.DataFrame([
    {"department": "Finance <b>", "avoidable_contacts": 2, "handle_minutes": 15.0, "cost": 8.5,
     "share": 62.5, "top_reasons": "Billing error", "cost_before": 1234.5, "change": -1226.0,
     "change_pct": -99.31},
    {"department": "Total", "avoidable_contacts": 2, "handle_minutes": 15.0, "cost": 8.5,
     "share": 62.5, "top_reasons": "", "cost_before": 1234.5, "change": -1226.0,
     "change_pct": -99.31}])
LINES = pd.DataFrame([
    {"department": "Finance", "reason": "bill", "label": "Billing error", "contacts": 2,
     "handle_minutes": 15.0, "unit_cost": 4.25, "cost": 8.5},
    {"department": "Logistics", "reason": "where", "label": "Where is my order", "contacts": 1200,
     "handle_minutes": 0.0, "unit_cost": 0.1, "cost": 120.0}])


def _link(department: str | None = None, reason: str | None = None) -> str:
    return f"channels?dept={department}" + (f"&reason={reason}" if reason else "")


def test_statement_table_escapes_links_and_labels_every_cell_for_the_phone_layout() -> None:
    columns, rows = statement_view.statement_rows(STATEMENT, "EUR", _link)
    markup = statement_view.table_html(columns, rows)
    assert "Finance &lt;b&gt;" in markup and "<b>" not in markup
    assert 'href="channels?dept=Finance &lt;b&gt;"' in markup and 'target="_self"' in markup
    assert ">-1,226.00 (-99.3 %)<" in markup and ">1,234.5" not in markup
    assert markup.count("data-label=") == markup.count("<td")  # each cell names its column
    assert '<tr class="total">' in markup
    # cards when the table has less than 640 px (a container query: the sidebar counts)
    assert "@container (max-width: 640px)" in markup and "container-type: inline-size" in markup
    assert "td::before {content: attr(data-label)" in markup


def test_the_monthly_table_drops_columns_on_a_phone_instead_of_scrolling() -> None:
    months = pd.DataFrame([
        {"month": date(2024, 2, 1), "contacts": 1, "handle_minutes": 5.0, "cost": 3.0,
         "month_before": date(2024, 1, 1), "contacts_before": 4, "cost_before": 10.6,
         "change": -7.6, "change_pct": -71.698},
        {"month": None, "contacts": 1, "handle_minutes": 5.0, "cost": 3.0, "month_before": None,
         "contacts_before": 4, "cost_before": 10.6, "change": -7.6, "change_pct": -71.698}])
    markup = statement_view.table_html(*statement_view.month_rows(months, "EUR"), stacked=False)
    assert ".wide {display: none}" in markup
    kept = re.findall(r'<td data-label="([^"]+)"(?: class="(?:n|head)")?>', markup)
    assert set(kept) == {"Month", "Cost (EUR)", "Change"}  # the others carry class "wide"
    assert ">Feb 2024<" in markup and ">Jan 2024<" in markup and ">-7.60 (-71.7 %)<" in markup


def test_line_items_read_contacts_times_unit_cost_equals_cost_with_a_total() -> None:
    columns, rows = statement_view.line_rows(LINES, "EUR", _link)
    assert [c.header for c in columns][2:] == ["Contacts", "× unit cost (EUR)", "= cost (EUR)"]
    assert rows[1]["contacts"] == "1,200" and rows[1]["unit"] == "0.10"
    assert rows[1]["cost"] == "120.00"
    assert rows[0]["reason"] == ("Billing error", "channels?dept=Finance&reason=bill")
    assert rows[-1] == {"reason": "Total", "contacts": "1,202", "cost": "128.50"}


def test_rates_text_names_the_rates_that_apply_in_the_period() -> None:
    costs = pd.DataFrame([
        {"channel": "phone", "cost_per_minute": 1.1, "cost_per_contact": 0.6,
         "valid_from": "1900-01-01"},
        {"channel": "phone", "cost_per_minute": 1.16, "cost_per_contact": 0.6,
         "valid_from": "2026-01-01"},
        {"channel": "chat", "cost_per_minute": 0.8, "cost_per_contact": 0.4,
         "valid_from": "1900-01-01"}])
    assert statement_view.rates_text(costs, date(2025, 3, 1), date(2025, 12, 31)) == [
        "chat: 0.80 per minute + 0.40 per contact",
        "phone: 1.10 per minute + 0.60 per contact"]
    both = statement_view.rates_text(costs, date(2025, 12, 1), date(2026, 2, 28))
    assert both[1] == ("phone: 1.10 per minute + 0.60 per contact, then 1.16 per minute + 0.60 "
                       "per contact from 2026-01-01")
    assert "costs 0" in statement_view.rates_text(costs.iloc[0:0], date(2025, 1, 1),
                                                  date(2025, 1, 31))[0]
