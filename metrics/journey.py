"""One customer's journey: every contact of the customer behind one masked contact id, across
channels and in time order, with the repeats linked to the contact they repeat, transfers and the
survey responses (kpis.md: repeat, FCR, channel switch, transfer).

Pages know a contact only by its mask (``metrics.masking``: the Channels page's "contacts behind
the number" shows ``#1a2b3c4d``), so the contact is found again by computing the same mask in SQL
over ``m_contacts``. The mask is short: more than one contact can match; the candidates are listed
(the ones inside the page's period first, then the newest) and the caller picks one by position.

Every flag is the model's, read with the KPI files' own rules (``sql/kpis/*.sql``) and the same
``repeat_window_days``:
  repeat        inbound, known customer, 0 < prev_gap_seconds <= window   (repeat_rate numerator)
  repeat_of     the contact it repeats: the customer's inbound contact(s) whose open time, at whole
                seconds, is exactly prev_gap_seconds earlier (the latest strictly earlier one, the
                model's rule: a contact in the same second is neither before nor after). Several
                contacts in that one second: the first by contact id, ``repeat_of_ties`` says how many
  followed      inbound, known customer, 0 < next_gap_seconds <= window   (not first-contact resolved)
  fcr           for handled inbound contacts of a known customer: NOT followed (fcr numerator);
                NULL for a contact fcr does not count
  switched      inbound, known customer, 0 < next_switch_gap_seconds <= window (channel_switch_rate)
  transferred   as recorded; NULL where the source does not record transfers (transfer_rate)

No raw identifier leaves this module: contact ids, the customer key and response ids are masked;
agents and case ids are left out. Survey comments are untrusted free text, read only when the role
may (``comments=True``) and never interpreted here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from metrics import masking
from metrics.catalog import Catalog, ParamValue
from metrics.query import QueryError

LIMIT = 200  # contacts shown at most: the ones nearest in time to the contact opened
WINDOW_PARAM = "repeat_window_days"
WINDOW_KPIS = ("repeat_rate", "fcr", "channel_switch_rate")  # the KPIs that declare the window
DEFAULT_WINDOW_DAYS = 7.0  # kpis.md's default, used only when no KPI file declares the param
SECONDS_PER_DAY = 86_400
NO_CUSTOMER = ("This contact carries no customer identity (no e-mail address, phone number or "
               "account id), so no other contact can be linked to it: its journey is this "
               "contact alone.")

CONTACT_COLUMNS = ["position", "contact", "opened", "local_at", "channel", "direction", "source",
                   "queue", "team", "reason", "reason_label", "department", "avoidable", "status",
                   "outcome", "wait_seconds", "handle_seconds", "transferred", "handled", "repeat",
                   "repeat_gap_seconds", "repeat_of", "repeat_of_ties", "repeat_of_position",
                   "repeated_by", "followed", "fcr", "switched", "surveys"]
SURVEY_COLUMNS = ["response", "contact", "local_at", "channel", "csat", "csat_scale", "nps", "ces",
                  "resolved", "comment"]

CANDIDATES_SQL = f"""
SELECT contact_id, customer_key, local_at, channel
FROM m_contacts
WHERE {masking.sql_mask("contact_id")} = $mask
ORDER BY local_at DESC, contact_id
"""

# The customer's contacts with the model's flags read by the KPI files' rules (module docstring),
# the contact each repeat repeats, and the `limit` contacts nearest in time to the one opened.
CONTACTS_SQL = """
WITH mine AS (
    SELECT *, date_trunc('second', opened_at) AS at_second
    FROM m_contacts
    WHERE customer_key = $customer
),
flags AS (
    SELECT *,
        coalesce(inbound AND known_customer AND prev_gap_seconds > 0
                 AND prev_gap_seconds <= $window_seconds, false) AS repeat,
        coalesce(inbound AND known_customer AND next_gap_seconds > 0
                 AND next_gap_seconds <= $window_seconds, false) AS followed,
        coalesce(inbound AND known_customer AND next_switch_gap_seconds > 0
                 AND next_switch_gap_seconds <= $window_seconds, false) AS switched
    FROM mine
),
repeated AS (
    SELECT r.contact_id, min(p.contact_id) AS repeat_of, count(*) AS repeat_of_ties
    FROM flags r
    JOIN mine p
      ON p.inbound
     AND date_diff('millisecond', p.at_second, r.at_second) / 1000.0 = r.prev_gap_seconds
    WHERE r.repeat
    GROUP BY r.contact_id
),
ranked AS (
    SELECT f.*, e.repeat_of, coalesce(e.repeat_of_ties, 0) AS repeat_of_ties,
        CASE WHEN f.inbound AND f.handled AND f.known_customer THEN NOT f.followed END AS fcr,
        row_number() OVER (ORDER BY abs(date_diff('millisecond', f.opened_at, $opened_at)),
                                    f.opened_at DESC, f.contact_id) AS nearness,
        count(*) OVER () AS total
    FROM flags f
    LEFT JOIN repeated e USING (contact_id)
)
SELECT contact_id, local_at, channel, direction, source, queue, team, reason, reason_label,
       department, avoidable, status, outcome, wait_seconds, handle_seconds, transferred, handled,
       repeat, CASE WHEN repeat THEN prev_gap_seconds END AS repeat_gap_seconds, repeat_of,
       repeat_of_ties, followed, fcr, switched, total
FROM ranked
WHERE nearness <= $limit
ORDER BY opened_at, contact_id
"""

ALONE_SQL = """
SELECT contact_id, local_at, channel, direction, source, queue, team, reason, reason_label,
       department, avoidable, status, outcome, wait_seconds, handle_seconds, transferred, handled,
       false AS repeat, CAST(NULL AS DOUBLE) AS repeat_gap_seconds,
       CAST(NULL AS VARCHAR) AS repeat_of, 0 AS repeat_of_ties, false AS followed,
       CAST(NULL AS BOOLEAN) AS fcr, false AS switched, 1 AS total
FROM m_contacts
WHERE contact_id = $contact
"""

# Responses linked to a contact shown, and the customer's responses linked to none of its contacts.
SURVEYS_SQL = """
SELECT response_id, contact_id, local_at, channel, csat, csat_scale, nps, ces, resolved, {comment}
FROM m_surveys
WHERE list_contains($contacts, contact_id)
   OR ($customer IS NOT NULL AND customer_key = $customer
       AND (contact_id IS NULL OR contact_id NOT IN (
            SELECT contact_id FROM m_contacts WHERE customer_key = $customer)))
ORDER BY local_at, response_id
"""


@dataclass(frozen=True)
class Candidate:
    """One contact a mask matches: its mask, its customer's mask, local time and channel."""

    contact: str
    customer: str | None
    local_at: pd.Timestamp
    channel: str
    in_period: bool


@dataclass(frozen=True)
class Journey:
    """The journey of the customer behind ``asked`` (a canonical mask).

    ``contacts`` (``CONTACT_COLUMNS``) in time order, the opened one flagged ``opened``;
    ``surveys`` (``SURVEY_COLUMNS``; ``comment`` is None unless ``comments``); ``total`` the
    customer's contacts in all (more than shown: capped at the nearest ``limit``); ``candidates``
    every contact the mask matches (empty: unknown mask); ``note`` why the journey is one contact.
    """

    asked: str
    window_days: float
    comments: bool
    limit: int
    candidates: tuple[Candidate, ...] = ()
    choice: int = 0
    customer: str | None = None
    total: int = 0
    note: str = ""
    contacts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONTACT_COLUMNS))
    surveys: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SURVEY_COLUMNS))

    @property
    def found(self) -> bool:
        return bool(self.candidates)

    @property
    def contact(self) -> str | None:
        """The mask of the contact opened (None when the mask matches nothing)."""
        return self.candidates[self.choice].contact if self.candidates else None

    @property
    def capped(self) -> bool:
        return self.total > len(self.contacts)

    def copy(self) -> Journey:
        """The same journey with frames of its own (cached answers are shared)."""
        return replace(self, contacts=self.contacts.copy(), surveys=self.surveys.copy())


def window_days(cat: Catalog, params: Mapping[str, ParamValue] | None = None) -> float:
    """``repeat_window_days``: an override in ``params``, else the first KPI file that declares it
    (repeat_rate, fcr, channel_switch_rate share one default), else kpis.md's default."""
    if params and WINDOW_PARAM in params:
        return float(params[WINDOW_PARAM])
    for kpi_id in WINDOW_KPIS:
        kpi = cat.kpis.get(kpi_id)
        if kpi is not None and WINDOW_PARAM in kpi.defaults:
            return float(kpi.defaults[WINDOW_PARAM])
    return DEFAULT_WINDOW_DAYS


def candidates(cursor: duckdb.DuckDBPyConnection, mask: str, start: date | None = None,
               end: date | None = None) -> list[tuple[Candidate, str, str | None]]:
    """Every contact whose mask is ``mask``: (candidate, raw contact id, raw customer key), the
    ones whose local date lies in ``start``..``end`` first, then the newest."""
    rows = cursor.execute(CANDIDATES_SQL, {"mask": mask}).fetchall()
    found = []
    for contact_id, customer_key, local_at, channel in rows:
        day = pd.Timestamp(local_at).date()
        inside = (start is None or day >= start) and (end is None or day <= end)
        found.append((Candidate(str(masking.mask(contact_id)), masking.mask(customer_key),
                                pd.Timestamp(local_at), str(channel), inside),
                      str(contact_id), None if customer_key is None else str(customer_key)))
    return sorted(found, key=lambda item: not item[0].in_period)  # stable: newest first within


def journey(cursor: duckdb.DuckDBPyConnection, masked_contact_id: str, window: float,
            limit: int = LIMIT, comments: bool = False, start: date | None = None,
            end: date | None = None, choice: int = 0) -> Journey:
    """The journey behind ``masked_contact_id`` (``window`` = repeat_window_days). Raises
    QueryError when the text cannot be a mask; an unknown mask gives a journey without
    candidates; ``choice`` picks among several matches (clamped to the ones there are)."""
    mask = masking.parse(masked_contact_id)
    if mask is None:
        raise QueryError("not a masked contact id (expected # and "
                         f"{masking.HEX_DIGITS} hexadecimal digits)")
    if limit < 1:
        raise QueryError("the journey must show at least one contact")
    base = Journey(asked=mask, window_days=float(window), comments=comments, limit=int(limit))
    found = candidates(cursor, mask, start, end)
    if not found:
        return base
    choice = min(max(int(choice), 0), len(found) - 1)
    picked, contact_id, customer_key = found[choice]
    base = replace(base, candidates=tuple(c for c, _, _ in found), choice=choice)
    if customer_key is None:
        rows = cursor.execute(ALONE_SQL, {"contact": contact_id}).fetchdf()
        note = NO_CUSTOMER
    else:
        opened_at = cursor.execute("SELECT opened_at FROM m_contacts WHERE contact_id = $contact",
                                   {"contact": contact_id}).fetchall()[0][0]
        rows = cursor.execute(CONTACTS_SQL, {
            "customer": customer_key, "opened_at": opened_at, "limit": int(limit),
            "window_seconds": float(window) * SECONDS_PER_DAY}).fetchdf()
        note = ""
    surveys = cursor.execute(SURVEYS_SQL.format(comment="comment" if comments else
                                                "CAST(NULL AS VARCHAR) AS comment"),
                             {"contacts": list(rows["contact_id"].astype(str)),
                              "customer": customer_key}).fetchdf()
    total = int(rows["total"].iloc[0]) if len(rows) else 0
    return replace(base, customer=picked.customer, total=total, note=note,
                   contacts=shape_contacts(rows, contact_id, surveys),
                   surveys=shape_surveys(surveys))


def shape_contacts(rows: pd.DataFrame, opened_id: str, surveys: pd.DataFrame) -> pd.DataFrame:
    """Model rows -> ``CONTACT_COLUMNS``: ids masked, the opened contact flagged, each contact's
    place in the list (1 = oldest), where the contact a repeat repeats stands in it (None: not
    shown), which shown contacts repeat it, and how many survey responses it has."""
    frame = rows.drop(columns=["total"], errors="ignore").reset_index(drop=True)
    raw = frame["contact_id"].astype(str)
    frame["opened"] = raw == opened_id
    frame["position"] = range(1, len(frame) + 1)
    place = dict(zip(raw, frame["position"], strict=True))
    frame["repeat_of_position"] = pd.Series(
        [place.get(str(r)) if r is not None and r == r else None for r in frame["repeat_of"]],
        dtype="object")
    by = _repeated_by(list(raw), list(frame["repeat_of"]))
    frame["repeated_by"] = [tuple(str(masking.mask(r)) for r in by.get(c, ())) for c in raw]
    counts = surveys["contact_id"].value_counts() if len(surveys) else pd.Series(dtype="int64")
    frame["surveys"] = [int(counts.get(c, 0)) for c in raw]
    frame["contact"] = raw.map(masking.mask)
    frame["repeat_of"] = frame["repeat_of"].map(masking.mask)
    return frame[CONTACT_COLUMNS]


def _repeated_by(contacts: Sequence[str], repeat_of: Sequence[Any]) -> dict[str, list[str]]:
    """Contact id -> the listed contacts that repeat it, in time order."""
    out: dict[str, list[str]] = {}
    for contact, earlier in zip(contacts, repeat_of, strict=True):
        if earlier is not None and earlier == earlier:
            out.setdefault(str(earlier), []).append(contact)
    return out


def shape_surveys(rows: pd.DataFrame) -> pd.DataFrame:
    """Survey rows -> ``SURVEY_COLUMNS`` with the response and contact ids masked."""
    frame = rows.reset_index(drop=True).copy()
    frame["response"] = frame["response_id"].map(masking.mask)
    frame["contact"] = frame["contact_id"].map(masking.mask)
    return frame[SURVEY_COLUMNS]
