"""A tiny warehouse whose every KPI can be counted by hand (see the table in each comment).

Business time zone is UTC here so dates read as written; one test changes it on purpose.

Contacts (all inbound except c8; 2024):
  id   channel       opened        customer  what happened                               reason
  c1   phone         01-01 10:00   k1        queued, answered after 10 s, handle 300 s,  bill  (Finance, avoidable)
                                             transferred
  c2   email         01-04 10:00   k1        first reply +1 h, solved +2 h, handle 600,  bill  (Finance, avoidable)
                                             reopened once
  c3   phone         01-20 10:00   k1        queued, abandoned after 30 s               where (from 01-16: Marketing, not avoidable)
  c4   self_service  01-02 09:00   k2        bot session                                 where (to 01-15: Logistics, avoidable)
  c5   chat          01-02 15:00   k2        queued, answered after 25 s, handle 200 s   pwd   (Customer Service, avoidable)
  c6   phone         01-05 12:00   -         queued, abandoned after 3 s (short)        -     (unmapped)
  c7   email         01-06 08:00   -         first reply +2 h, still open                xyz   (not in the map: unmapped)
  c8   phone OUT     01-07 09:00   k1        outbound, handled, handle 100 s             -
  c9   email         02-10 10:00   k2        first reply +30 min, solved +1 h, handle 300 pwd (Customer Service, avoidable)
  c10  web           01-10 10:00   k3        first reply +10 min, solved +10 min, 120 s  order (Sales, not avoidable)
c2 c7 c9 c10 are helpdesk tickets (transfers not recorded); the others are telephony records.
Costs: phone 1.00/min + 0.50 until 01-02, 2.00/min + 1.00 from 01-03; email 3.00 per contact;
chat 0.60/min; self_service 0.10; web 2.00.
Surveys: s1 -> c1 (csat 5/5, nps 10, ces 7, resolved), s2 -> c2 (2/5, nps 6, ces 3, not resolved),
s3 -> c5 (good on good/bad, nps 8, ces 5, resolved), s4 -> c9 in Feb (bad, nps 9),
s5 unlinked phone (9/10, nps 0, ces 6, resolved).
Demand: orders 310 in Jan (10 a day), 290 in Feb (10 a day); Logistics shipments 62 in Jan.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from sql import warehouse

CONTACTS = [
    # id, channel, direction, opened_at, customer, queued, answered_at, wait, handle, abandoned,
    # transferred, self_service, outcome, status, first_response_at, closed_at, reopened, reason
    ("c1", "phone", "inbound", "2024-01-01 10:00:00", "k1", True, "2024-01-01 10:00:10", 10, 300,
     False, True, False, "answered", None, None, "2024-01-01 10:05:10", 0, "bill"),
    ("c2", "email", "inbound", "2024-01-04 10:00:00", "k1", False, None, None, 600, False, False,
     False, None, "solved", "2024-01-04 11:00:00", "2024-01-04 12:00:00", 1, "bill"),
    ("c3", "phone", "inbound", "2024-01-20 10:00:00", "k1", True, None, 30, None, True, False,
     False, "abandoned", None, None, "2024-01-20 10:00:30", 0, "where"),
    ("c4", "self_service", "inbound", "2024-01-02 09:00:00", "k2", False, None, None, None, False,
     False, True, "bot", None, None, None, 0, "where"),
    ("c5", "chat", "inbound", "2024-01-02 15:00:00", "k2", True, "2024-01-02 15:00:25", 25, 200,
     False, False, False, "answered", None, None, None, 0, "pwd"),
    ("c6", "phone", "inbound", "2024-01-05 12:00:00", None, True, None, 3, None, True, False, False,
     "abandoned", None, None, None, 0, None),
    ("c7", "email", "inbound", "2024-01-06 08:00:00", None, False, None, None, None, False, False,
     False, None, "open", "2024-01-06 10:00:00", None, 0, "xyz"),
    ("c8", "phone", "outbound", "2024-01-07 09:00:00", "k1", False, None, None, 100, False, False,
     False, "handled", None, None, None, 0, None),
    ("c9", "email", "inbound", "2024-02-10 10:00:00", "k2", False, None, None, 300, False, False,
     False, None, "solved", "2024-02-10 10:30:00", "2024-02-10 11:00:00", 0, "pwd"),
    ("c10", "web", "inbound", "2024-01-10 10:00:00", "k3", False, None, None, 120, False, False,
     False, None, "solved", "2024-01-10 10:10:00", "2024-01-10 10:10:00", 0, "order"),
]
REASONS = [
    ("bill", "Billing error", "Finance", True, "eliminate", "1900-01-01", "9999-12-31"),
    ("where", "Where is my order", "Logistics", True, "eliminate", "1900-01-01", "2024-01-15"),
    ("where", "Where is my order", "Marketing", False, "automate", "2024-01-16", "9999-12-31"),
    ("pwd", "Password reset", "Customer Service", True, "automate", "1900-01-01", "9999-12-31"),
    ("order", "New order", "Sales", False, "leverage", "1900-01-01", "9999-12-31"),
]
COSTS = [("phone", 1.0, 0.5, "1900-01-01"), ("phone", 2.0, 1.0, "2024-01-03"),
         ("email", 0.0, 3.0, "1900-01-01"), ("chat", 0.6, 0.0, "1900-01-01"),
         ("self_service", 0.0, 0.1, "1900-01-01"), ("web", 0.0, 2.0, "1900-01-01")]
SURVEYS = [
    # id, contact, channel, responded, csat, scale, nps, ces, resolved
    ("s1", "z:c1", None, "2024-01-02 10:00:00", 5, 5, 10, 7, True),
    ("s2", "z:c2", None, "2024-01-05 10:00:00", 2, 5, 6, 3, False),
    ("s3", "z:c5", None, "2024-01-03 10:00:00", 1, 2, 8, 5, True),
    ("s4", "z:c9", None, "2024-02-11 10:00:00", 0, 2, 9, None, None),
    ("s5", None, "phone", "2024-01-15 10:00:00", 9, 10, 0, 6, True),
]
DEMAND = [("2024-01-01", "*", "orders", 310.0), ("2024-02-01", "*", "orders", 290.0),
          ("2024-01-01", "Logistics", "shipments", 62.0)]


def build(path: Path) -> Path:
    """Create the warehouse file, load the rows above, refresh the models; return the path."""
    con = warehouse.connect(path)
    try:
        fill(con)
    finally:
        con.close()
    return path


def fill(con: duckdb.DuckDBPyConnection) -> None:
    warehouse.set_setting(con, "business_timezone", "UTC")
    for row in CONTACTS:
        (cid, channel, direction, opened, customer, queued, answered, wait, handle, abandoned,
         transferred, self_service, outcome, status, first_response, closed, reopened, reason) = row
        con.execute(
            "INSERT INTO contacts (contact_id, source, source_record_id, case_id, customer_key, "
            "channel, direction, opened_at, answered_at, first_response_at, closed_at, queue, team, "
            "wait_seconds, handle_seconds, queued, abandoned, transferred, self_service, "
            "reopened_count, status, outcome, reason) VALUES "
            "(?, 'z', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f"z:{cid}", cid, f"T-{cid}", customer, channel, direction, opened, answered,
             first_response, closed, "Q1" if queued else None, "Team A", wait, handle, queued,
             abandoned, transferred, self_service, reopened, status, outcome, reason])
    # The e-mail and web contacts come from a helpdesk export: tickets, which record no transfers
    # (NULL, kpis.md "records X"); the phone, chat and bot records come from telephony.
    con.execute("UPDATE contacts SET ticket = channel IN ('email', 'web')")
    con.execute("UPDATE contacts SET transferred = NULL WHERE ticket")
    for reason in REASONS:
        con.execute("INSERT INTO reason_map VALUES (?, ?, ?, ?, ?, ?, ?)", list(reason))
    for cost in COSTS:
        con.execute("INSERT INTO channel_costs (channel, cost_per_minute, cost_per_contact, "
                    "valid_from) VALUES (?, ?, ?, ?)", list(cost))
    for sid, contact, channel, responded, csat, scale, nps, ces, resolved in SURVEYS:
        con.execute("INSERT INTO survey_responses (response_id, source, source_record_id, "
                    "contact_id, channel, responded_at, csat, csat_scale, nps, ces, resolved) "
                    "VALUES (?, 'z', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [f"z:{sid}", sid, contact, channel, responded, csat, scale, nps, ces, resolved])
    for demand in DEMAND:
        con.execute("INSERT INTO demand VALUES (?, ?, ?, ?)", list(demand))
    warehouse.refresh_models(con)
