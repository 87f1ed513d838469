"""Northwind Home, the demo company: an online furniture and home-goods shop in Berlin.

Everything the story needs is declared here as data, so a reader can find in the dashboard what this file
says happened:

* weekly and seasonal rhythm: Mondays are busiest, weekends quiet; November/December peak, January returns;
* ``BILLING_ERROR``: a botched invoice run floods the phones for one month (Finance owns it);
* ``DELIVERY_DELAY``: a carrier failure in peak season multiplies "where is my order" (Logistics);
* ``WEBSITE_CHANGE``: a redesign hides the phone number: fewer calls get through (more calls end in the
  IVR or are abandoned), more customers turn to social media (Digital owns it);
* ``CHATBOT_LAUNCH``: a chatbot "contains" sessions that come back by phone within a day; some
  customers ask it for an agent: most hand-offs reach the chat queue, the rest are dropped by the bot;
* ``WAREHOUSE_FIX``: a new scanning process halves wrong-item contacts (Fulfilment improves).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    department: str
    avoidable: bool
    quadrant: str  # value/irritant matrix (Price & Jaffe): eliminate | simplify | automate | leverage
    share: float  # share of base demand
    channels: dict[str, float]  # channel mix for this reason
    repeat: float  # probability the contact is chased again within days
    talk: float  # median talk seconds on the phone


SERVICE = "Customer Service"
PHONE_HEAVY = {"phone": 0.55, "email": 0.2, "web": 0.1, "chat": 0.13, "social": 0.02}
MIXED = {"phone": 0.4, "email": 0.25, "web": 0.15, "chat": 0.17, "social": 0.03}
DIGITAL = {"phone": 0.3, "email": 0.2, "web": 0.25, "chat": 0.22, "social": 0.03}

REASONS: tuple[Reason, ...] = (
    Reason("billing_error", "Invoice amount wrong", "Finance", True, "eliminate", 0.06, PHONE_HEAVY, 0.22, 420),
    Reason("invoice_copy", "Copy of invoice", "Finance", True, "automate", 0.05, DIGITAL, 0.05, 150),
    Reason("payment_failed", "Payment failed", "Finance", True, "simplify", 0.04, MIXED, 0.12, 300),
    Reason("delivery_status", "Where is my order", "Logistics", True, "eliminate", 0.16, MIXED, 0.15, 200),
    Reason("damaged_item", "Item arrived damaged", "Logistics", True, "eliminate", 0.05, MIXED, 0.1, 360),
    Reason("wrong_item", "Wrong item delivered", "Fulfilment", True, "eliminate", 0.06, MIXED, 0.12, 330),
    Reason("website_problem", "Website or checkout problem", "Digital", True, "eliminate", 0.05, DIGITAL, 0.1, 280),
    Reason("password_reset", "Password / login", "Digital", True, "automate", 0.04, DIGITAL, 0.04, 150),
    Reason("phone_number", "How can I reach you", "Digital", True, "simplify", 0.01, DIGITAL, 0.02, 90),
    Reason("chaser", "Chasing an earlier contact", SERVICE, True, "eliminate", 0.05, PHONE_HEAVY, 0.2, 260),
    Reason("wrong_info", "Given wrong information", SERVICE, True, "eliminate", 0.02, PHONE_HEAVY, 0.15, 340),
    Reason("product_advice", "Product advice before buying", "Sales", False, "leverage", 0.14, MIXED, 0.03, 480),
    Reason("order_change", "Change an order", "Sales", False, "simplify", 0.09, MIXED, 0.05, 240),
    Reason("return_request", "Return or exchange", "Returns", False, "automate", 0.12, DIGITAL, 0.06, 260),
    Reason("warranty_claim", "Warranty claim", "Quality", False, "leverage", 0.06, MIXED, 0.08, 420),
)

# Seasonality by month (1..12) and the weekly rhythm (Mon..Sun).
SEASON = {1: 1.15, 2: 0.9, 3: 0.95, 4: 0.9, 5: 0.9, 6: 0.85, 7: 0.85, 8: 0.9, 9: 0.95, 10: 1.0,
          11: 1.35, 12: 1.45}
WEEKDAY = (1.35, 1.15, 1.05, 1.0, 0.95, 0.45, 0.25)
# Hour-of-day profile (local time), 0..23.
HOURS = (0.1, 0.05, 0.03, 0.03, 0.05, 0.2, 0.6, 1.6, 3.5, 5.5, 6.5, 6.2, 5.0, 5.4, 6.0, 5.6, 5.0,
         4.4, 3.6, 2.8, 2.0, 1.3, 0.7, 0.3)


@dataclass(frozen=True)
class Event:
    start: date
    end: date
    what: str


def story(first: date, last: date) -> dict[str, Event]:
    """Place the story's events inside the demo period (which ends yesterday by default)."""
    def back(days: int) -> date:
        return date.fromordinal(last.toordinal() - days)

    y = last.year if last.month == 12 else last.year - 1
    billing = date(first.year + (1 if first.month > 3 else 0), 3, 1)
    return {
        "BILLING_ERROR": Event(billing, date(billing.year, 3, 31),
                               "An invoice run charged shipping twice: billing_error x7, mostly by phone"),
        "DELIVERY_DELAY": Event(date(y, 11, 20), date(y, 12, 23),
                                "A carrier failed in peak season: delivery_status x3.5"),
        "WEBSITE_CHANGE": Event(back(200), last,
                                "The redesigned website hides the phone number: more callers end in the IVR, "
                                "over half of them after pressing for an agent, more abandon, social contacts rise"),
        "CHATBOT_LAUNCH": Event(back(300), last,
                                "A chatbot answers web chats; 40% of its sessions are followed by a call within a "
                                "day; about one in five asks for an agent: most hand-offs reach the chat queue, "
                                "the bot drops the others"),
        "WAREHOUSE_FIX": Event(back(150), last,
                               "Fulfilment scans every parcel: wrong_item contacts drop by 65%"),
    }


# Where each story shows in the dashboard (KPI ids of sql/kpis/), for STORY.md.
SHOWS = {
    "BILLING_ERROR": "contacts, avoidable_rate, avoidable_cost and cpx of Finance, repeat_rate",
    "DELIVERY_DELAY": "contacts and cpx of Logistics (per shipment), asa, abandon_rate, service_level",
    "WEBSITE_CHANGE": "unreachable_rate (IVR callers who pressed for an agent and hung up or were cut "
                      "off, abandoned calls), abandon_rate, social contacts on the Channels page",
    "CHATBOT_LAUNCH": "false_containment (bot sessions followed by a call), unreachable_rate only for "
                      "the failed hand-offs (most bot sessions never ask for an agent), "
                      "cost_per_contact (self-service rate)",
    "WAREHOUSE_FIX": "contacts and cpx of Fulfilment, avoidable_rate",
}


@dataclass(frozen=True)
class ChannelCost:
    channel: str
    per_minute: float
    per_contact: float


COSTS = (
    ChannelCost("phone", 1.10, 0.60),
    ChannelCost("chat", 0.80, 0.40),
    ChannelCost("email", 0.90, 0.50),
    ChannelCost("web", 0.90, 0.50),
    ChannelCost("social", 1.00, 0.80),
    ChannelCost("messaging", 0.80, 0.40),
    ChannelCost("self_service", 0.00, 0.15),
    ChannelCost("other", 0.90, 0.50),
)

# Tickets carry no agent time in a Zendesk export; the demo's help desk exports its time-tracking field.
TICKET_MINUTES = {"email": 7.0, "web": 6.0, "chat": 9.0, "social": 5.0, "other": 6.0}

TEAMS = {"phone": ["Phone A", "Phone B"], "chat": ["Chat"], "email": ["Backoffice"],
         "web": ["Backoffice"], "social": ["Social"], "other": ["Backoffice"]}

# KPI targets and red flags the company set itself (kpi, target, red_flag), in the KPI's unit:
# percentages as 0..100, NPS as points, times in seconds, costs in EUR, contacts per order as a ratio.
TARGETS = (
    ("csat", 85, 75), ("nps", 30, 10), ("ces", 70, 55), ("survey_resolution", 80, 65),
    ("channel_consistency_gap", 5, 15), ("aht", 420, 540), ("asa", 30, 90),
    ("abandon_rate", 5, 12), ("service_level", 80, 60), ("first_response_time", 3600, 14400),
    ("resolution_time", 86400, 259200), ("fcr", 80, 70), ("transfer_rate", 8, 15),
    ("reopen_rate", 5, 10), ("avoidable_rate", 55, 65), ("repeat_rate", 10, 18),
    ("cpx", 0.34, 0.40), ("channel_switch_rate", 5, 10), ("false_containment", 15, 30),
    ("unreachable_rate", 8, 15), ("service_caused_share", 10, 20),
    ("cost_per_contact", 7.0, 8.5),
    # a sum: the target is per month (the scorecard prorates it to the period shown)
    ("avoidable_cost", 50_000, 65_000),
)
# Per owning department (kpi, department, target, red_flag): contacts per X of a department divides
# by its own driver (Finance per invoice, Logistics and Fulfilment per shipment), so it needs its own.
DEPARTMENT_TARGETS = (
    ("cpx", "Finance", 0.05, 0.07), ("cpx", "Logistics", 0.06, 0.075),
    ("cpx", "Fulfilment", 0.015, 0.02),
)
