"""A warehouse small enough to count one customer's journey by hand (tests/test_journey.py,
tests/test_app_journey.py).

Business time zone UTC, repeat_window_days 7 (the KPI files' default). Contacts of customer k1:
  id  channel  direction  opened (2024)        what happened
  j1  phone    inbound    03-01 09:00:00       answered, handled, transferred
  j2  email    inbound    03-03 10:00:00       ticket, solved (transfers not recorded: NULL)
  j3  chat     inbound    03-03 10:00:00.400   answered: the same second as j2 (neither is before
                                               the other, kpis.md "within N days after")
  j4  phone    OUTBOUND   03-04 09:00:00       handled (outbound: never a repeat, never repeated)
  j5  chat     inbound    03-05 10:00:00       answered
  j6  web      inbound    03-20 10:00:00       ticket, solved
  j7  phone    inbound    03-22 10:00:00       abandoned (not handled)
Other rows: j8 email inbound 03-02 of customer k2 (never in k1's journey); j9 phone inbound 03-02
without a customer; twin5632 and twin95300 (customers k3 and k4, phone, 2024-05-10 and 2024-01-10)
have the same mask #a97e9ddc (found by trying names: 32 bits collide after ~10^5 names).

Counted by hand (window 7 days = 604,800 s):
  j1  not a repeat (first); followed by j2/j3 within 2 days -> fcr False; next on another channel
      is j2 (email) -> switched; transferred
  j2  repeat of j1 (2 d 1 h); next LATER contact is j5 (j3 is a tie, not later) -> followed,
      fcr False; j5 is chat, not email -> switched
  j3  repeat of j1 (the same 2 d 1 h, the tie with j2 does not hide j1); followed by j5 -> fcr
      False; the next non-chat contact is j6 17 days later -> not switched
  j4  outbound: no flag at all (fcr NULL)
  j5  repeat of the second 03-03 10:00:00, which holds j2 AND j3 (2 ties): repeat_of j2 (the
      first by contact id); next is j6 after 15 days -> fcr True, not switched
  j6  not a repeat (15 days after j5); followed by j7 (phone) after 2 days -> fcr False, switched
  j7  repeat of j6; abandoned -> fcr NULL (not handled)
  repeats: j2->j1, j3->j1, j5->j2, j7->j6; so j1 is repeated by (j2, j3), j2 by (j5), j6 by (j7)
Surveys: s1 -> j1 (CSAT 2 of 5, comment with markup), s2 -> j6 (NPS 9), s3 of k1 linked to no
contact, s4 -> j8 (k2: never shown). k1's journey shows s1, s2, s3.
Nearest 3 to j5: j5 (0), j4 (25 h), j3 (47:59:59.6), not j2 (48 h) -> j3, j4, j5 of 7; s3 only.
"""

from __future__ import annotations

from pathlib import Path

from metrics import masking
from sql import warehouse

CONTACTS = [
    # id, channel, direction, opened_at, customer, outcome, status, answered_at, transferred
    ("j1", "phone", "inbound", "2024-03-01 09:00:00", "k1", "answered", None,
     "2024-03-01 09:00:20", True),
    ("j2", "email", "inbound", "2024-03-03 10:00:00", "k1", None, "solved", None, None),
    ("j3", "chat", "inbound", "2024-03-03 10:00:00.400", "k1", "answered", None,
     "2024-03-03 10:00:30", False),
    ("j4", "phone", "outbound", "2024-03-04 09:00:00", "k1", "handled", None, None, False),
    ("j5", "chat", "inbound", "2024-03-05 10:00:00", "k1", "answered", None,
     "2024-03-05 10:00:15", False),
    ("j6", "web", "inbound", "2024-03-20 10:00:00", "k1", None, "solved", None, None),
    ("j7", "phone", "inbound", "2024-03-22 10:00:00", "k1", "abandoned", None, None, False),
    ("j8", "email", "inbound", "2024-03-02 10:00:00", "k2", None, "solved", None, None),
    ("j9", "phone", "inbound", "2024-03-02 11:00:00", None, "answered", None,
     "2024-03-02 11:00:05", False),
    ("twin5632", "phone", "inbound", "2024-05-10 12:00:00", "k3", "answered", None,
     "2024-05-10 12:00:09", False),
    ("twin95300", "phone", "inbound", "2024-01-10 12:00:00", "k4", "answered", None,
     "2024-01-10 12:00:09", False),
]
MARKUP = "<img src=x onerror=alert(1)> **bold** [link](https://example.com)"
SURVEYS = [
    # id, contact, customer, responded, csat, scale, nps, comment
    ("s1", "j1", "k1", "2024-03-01 12:00:00", 2, 5, None, MARKUP),
    ("s2", "j6", "k1", "2024-03-21 09:00:00", None, None, 9, "quick, thanks"),
    ("s3", None, "k1", "2024-03-25 09:00:00", 5, 5, None, None),
    ("s4", "j8", "k2", "2024-03-02 12:00:00", 1, 5, None, "not k1"),
]
TWIN_MASK = "#a97e9ddc"


def cid(name: str) -> str:
    return f"z:{name}"


def m(name: str) -> str:
    return str(masking.mask(cid(name)))


def build(path: Path) -> Path:
    """The warehouse above at ``path`` (models refreshed); returns the path."""
    con = warehouse.connect(path)
    try:
        warehouse.set_setting(con, "business_timezone", "UTC")
        for name, channel, direction, opened, customer, outcome, status, answered, moved in CONTACTS:
            con.execute(
                "INSERT INTO contacts (contact_id, source, source_record_id, customer_key, channel, "
                "direction, opened_at, answered_at, closed_at, queue, team, handle_seconds, "
                "transferred, status, outcome, reason, ticket) VALUES "
                "(?, 'z', ?, ?, ?, ?, ?, ?, ?, 'Q1', 'Team A', 60, ?, ?, ?, 'bill', ?)",
                [cid(name), name, customer, channel, direction, opened, answered,
                 opened if status == "solved" else None, moved, status, outcome,
                 channel in ("email", "web")])
        con.execute("INSERT INTO reason_map VALUES ('bill', 'Billing error', 'Finance', true, "
                    "'eliminate', DATE '1900-01-01', DATE '9999-12-31')")
        for sid, contact, customer, responded, csat, scale, nps, comment in SURVEYS:
            con.execute("INSERT INTO survey_responses (response_id, source, source_record_id, "
                        "contact_id, customer_key, responded_at, csat, csat_scale, nps, comment) "
                        "VALUES (?, 'z', ?, ?, ?, ?, ?, ?, ?, ?)",
                        [cid(sid), sid, contact and cid(contact), customer, responded, csat, scale,
                         nps, comment])
        warehouse.refresh_models(con)
    finally:
        con.close()
    return path


