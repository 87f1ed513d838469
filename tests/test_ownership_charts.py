"""The Ownership page's charts as HTML (views.ui.ownership_charts, views.ui.irritant_matrix): what a
click sends, the numbers drawn, escaped labels, member colours (never a status colour).

Hand counts:
- caused split: avoidable Customer Service 1 contact / 5.00, Finance 3 / 10.00, Logistics 1 / 5.00
  (a not-avoidable Sales reason of 10 / 50.00 is left out): 5 contacts, 20.00 in all. Caused by
  Customer Service 1/5 = 20 % of contacts, 5/20 = 25 % of cost; elsewhere 80 % and 75 %. Under a
  Finance filter: Finance 3/5 = 60 % and 10/20 = 50 %, the others 40 % and 50 %. A share is
  written inside its part from 22 % up, so 20 % is only in the key.
- bubbles: 100, 25 and 0 contacts, the most 100: diameters 10 + 34 * sqrt(share) = 44, 27, 10 px.
- cost trend: Jan Finance 30 + Logistics 10, Feb Logistics 40 (no Finance): the tallest column is
  40, ticks 0-40 by 10, so Finance's Jan part is 30/40 = 75 %, Logistics 25 % then 100 %.
- cpx: 1,000 contacts / 4,000 orders = 0.25 per order = 250 per 1,000 orders.
"""

from __future__ import annotations

import html
import re
from datetime import date

import pandas as pd

from views.ui import irritant_matrix as im
from views.ui import ownership_charts as oc
from views.ui.charts import STATUS_COLORS
from views.ui.palette import department_colors

COLORS = department_colors(["Customer Service", "Finance", "Logistics", "Sales"])
STATUS = {c.lower() for c in STATUS_COLORS.values()}
HOSTILE = 'a"b<c>&d'  # a reason code no warehouse should have, but may


def picks(markup: str) -> list[tuple[str, str, str] | None]:
    """What each clickable element sends, read back as the page reads it (in markup order)."""
    return [oc.read_pick(html.unescape(v)) for v in re.findall(r'data-pick="([^"]*)"', markup)]


def backgrounds(markup: str) -> set[str]:
    return {c.lower() for c in re.findall(r"background:(#[0-9a-fA-F]{6})", markup)}


def test_a_pick_round_trips_and_nothing_else_opens_a_page() -> None:
    assert oc.read_pick(oc.pick("reason", HOSTILE, "avoidable_cost")) == (
        "reason", HOSTILE, "avoidable_cost")
    assert oc.read_pick(oc.pick("department", "Finance", "avoidable_cost")) == (
        "department", "Finance", "avoidable_cost")
    for value in ("", "Finance", "[1, 2, 3]", '["reason", "bill"]', '{"reason": "bill"}',
                  '["channel", "phone", "avoidable_cost"]',  # not a dimension of this page
                  '["reason", "bill", "aht"]',  # not a KPI a chart opens
                  '["reason", "", "contacts"]'):
        assert oc.read_pick(value) is None, value


REASONS = pd.DataFrame([
    {"department": "Customer Service", "reason": "chaser", "reason_label": "Chaser",
     "quadrant": "eliminate", "avoidable": True, "service_caused": True, "contacts": 1,
     "handle_minutes": 1.0, "cost": 5.0},
    {"department": "Finance", "reason": "bill", "reason_label": "Billing error",
     "quadrant": "eliminate", "avoidable": True, "service_caused": False, "contacts": 3,
     "handle_minutes": 1.0, "cost": 10.0},
    {"department": "Logistics", "reason": "where", "reason_label": "Where is my order",
     "quadrant": "eliminate", "avoidable": True, "service_caused": False, "contacts": 1,
     "handle_minutes": 1.0, "cost": 5.0},
    {"department": "Sales", "reason": "advice", "reason_label": "Advice",
     "quadrant": "leverage", "avoidable": False, "service_caused": False, "contacts": 10,
     "handle_minutes": 1.0, "cost": 50.0}])


def test_the_caused_split_counts_avoidable_demand_only_in_member_colours() -> None:
    title, sides = oc.split_sides(REASONS, "Customer Service", COLORS)
    assert title == "Who causes the avoidable demand"
    assert [(s.name, s.contacts, s.cost, s.contacts_share, s.cost_share) for s in sides] == [
        ("Caused by Customer Service", 1, 5.0, 20.0, 25.0),
        ("Caused elsewhere", 4, 15.0, 80.0, 75.0)]
    assert sides[0].color == COLORS["Customer Service"] and sides[1].color == oc.OTHERS

    markup = oc.caused_split(REASONS, "Customer Service", "EUR", COLORS)
    parts = re.findall(r'<i style="width:([\d.]+)%;background:(#\w+)"[^>]*>([^<]*)</i>', markup)
    assert parts == [("20.00", COLORS["Customer Service"], ""), ("80.00", oc.OTHERS, "80.0 %"),
                     ("25.00", COLORS["Customer Service"], "25.0 %"),
                     ("75.00", oc.OTHERS, "75.0 %")]
    assert "20.0 % of contacts (1) · 25.0 % of cost (5 EUR)" in markup  # the key has them all
    assert backgrounds(markup).isdisjoint(STATUS)

    title, sides = oc.split_sides(REASONS, "Customer Service", COLORS, ("Finance",))
    assert title == "Finance: share of all avoidable demand"
    assert [(s.name, s.contacts_share, s.cost_share, s.color) for s in sides] == [
        ("Finance", 60.0, 50.0, COLORS["Finance"]), ("Other departments", 40.0, 50.0, oc.OTHERS)]


def test_a_split_without_avoidable_demand_says_so() -> None:
    markup = oc.caused_split(REASONS[~REASONS["avoidable"]], "Customer Service", "EUR", COLORS)
    assert "No avoidable contacts here." in markup and "<i " not in markup


MATRIX = pd.DataFrame([
    {"reason": HOSTILE, "label": "<b>x</b>", "department": "Finance", "quadrant": "eliminate",
     "avoidable": True, "contacts": 25, "cost": 100.0},
    {"reason": "where", "label": "Where is my order", "department": "Logistics",
     "quadrant": "eliminate", "avoidable": True, "contacts": 100, "cost": 500.0},
    {"reason": "advice", "label": None, "department": "Sales", "quadrant": "leverage",
     "avoidable": False, "contacts": 0, "cost": 0.0},
    {"reason": "unplaced", "label": "No quadrant yet", "department": "Sales", "quadrant": None,
     "avoidable": True, "contacts": 500, "cost": 9.0}])


def test_bubble_area_grows_with_contacts() -> None:
    assert [im.bubble_size(n, 100) for n in (100, 25, 0)] == [44.0, 27.0, 10.0]
    assert im.bubble_size(None, 100) == 10.0 and im.bubble_size(5, 0) == 10.0


def test_the_matrix_places_reasons_in_their_quadrant_biggest_first_and_escapes_labels() -> None:
    markup = im.value_irritant(MATRIX, COLORS, "EUR")
    # the top row is high value to the company, the left column low value to the customer
    assert re.findall(r'data-quadrant="(\w+)"', markup) == ["simplify", "leverage", "eliminate",
                                                             "automate"]
    # within a quadrant the biggest comes first; a reason without a quadrant is not drawn
    assert picks(markup) == [("reason", "advice", "contacts"),  # not avoidable: its contacts
                             ("reason", "where", "avoidable_cost"),
                             ("reason", HOSTILE, "avoidable_cost")]
    assert "No quadrant yet" not in markup and "unplaced" not in markup
    # 0, 100 and 25 contacts of at most 100 (the unplaced 500 does not count): 10, 44 and 27 px
    assert re.findall(r'<b style="width:([\d.]+)px;', markup) == ["10.0", "44.0", "27.0"]
    assert "<b>x</b>" not in markup and "&lt;b&gt;x&lt;/b&gt;" in markup
    assert ">advice<" in markup  # no label: the code
    assert markup.count('class="o-em"') == 2  # simplify and automate are empty
    assert 'Finance\n25 contacts · 100 EUR\navoidable' in html.unescape(markup)
    assert backgrounds(markup).isdisjoint(STATUS)


def test_top_reasons_keep_their_order_colour_by_owner_and_open_the_reason() -> None:
    top = pd.DataFrame([
        {"reason": "where", "label": "Where is my order", "department": "Logistics",
         "quadrant": "eliminate", "contacts": 1200, "handle_minutes": 0.0, "cost": 120.0},
        {"reason": HOSTILE, "label": "<b>x</b>", "department": "Finance",
         "quadrant": "eliminate", "contacts": 2, "handle_minutes": 15.0, "cost": 8.5}])
    markup = oc.top_reasons_bar(top, COLORS, "EUR")
    assert picks(markup) == [("reason", "where", "avoidable_cost"),
                             ("reason", HOSTILE, "avoidable_cost")]
    assert re.findall(r'class="bb" style="[^"]*background:(#\w+)"', markup) == [
        COLORS["Logistics"], COLORS["Finance"]]
    assert ">120 EUR<" in markup and ">8 EUR<" in markup  # 8.5 rounds half to even
    assert "<b>x</b>" not in markup and "&lt;b&gt;x&lt;/b&gt;" in markup
    legend = re.findall(r'class="sq" style="background:(#\w+)"></span>([^<]+)<', markup)
    assert legend == [(COLORS["Logistics"], "Logistics"), (COLORS["Finance"], "Finance")]


def test_the_cost_trend_stacks_departments_per_period_and_opens_a_department() -> None:
    trend = pd.DataFrame([
        {"period": date(2024, 1, 1), "department": "Logistics", "value": 10.0, "n": 1},
        {"period": date(2024, 1, 1), "department": "Finance", "value": 30.0, "n": 3},
        {"period": date(2024, 2, 1), "department": "Logistics", "value": 40.0, "n": 4}])
    markup = oc.cost_trend(trend, "EUR", COLORS, "month")
    parts = re.findall(r'<i class="pk" style="height:([\d.]+)%;background:(#\w+)"', markup)
    assert parts == [("75.00", COLORS["Finance"]), ("25.00", COLORS["Logistics"]),
                     ("100.00", COLORS["Logistics"])]
    assert picks(markup) == [("department", "Finance", "avoidable_cost"),
                             ("department", "Logistics", "avoidable_cost"),
                             ("department", "Logistics", "avoidable_cost")]
    assert "Jan 24 · Finance\n30 EUR · 3 avoidable contacts" in html.unescape(markup)
    assert ">Jan 24<" in markup and ">Feb 24<" in markup and ">40<" in markup  # the top tick


def test_cpx_is_drawn_per_thousand_with_the_company_first() -> None:
    frame = pd.DataFrame([
        {"period": date(2024, 1, 1), "label": "Finance (per invoices)", "department": "Finance",
         "driver": "invoices", "value": 0.05, "numerator": 10, "denominator": 200},
        {"period": date(2024, 1, 1), "label": "Company (per orders)", "department": "Company",
         "driver": "orders", "value": 0.25, "numerator": 1000, "denominator": 4000}])
    markup = html.unescape(oc.cpx_trend(frame, COLORS, "month"))
    assert "Company (per orders) (1,000 contacts / 4,000 orders): 250" in markup
    assert "Finance (per invoices) (10 contacts / 200 invoices): 50" in markup
    legend = re.findall(r'class="sw (\w+)" style="border-color:(#\w+)"></span>([^<]+)<', markup)
    assert legend == [("thick", oc.OTHERS, "Company (per orders)"),
                      ("solid", COLORS["Finance"], "Finance (per invoices)")]


def test_axis_numbers() -> None:
    assert [oc.amount(v) for v in (0, 80_000, 1_000_000, 2_500_000)] == [
        "0", "80,000", "1M", "2.5M"]
    assert [oc.per_thousand(v) for v in (0, 51.0, 338.24)] == ["0", "51", "338.2"]
