"""Zendesk Support admin CSV export (export-formats.md 1.1).

Quirks handled: columns found by name (exports drop columns; never by position); timestamps in the
account's time zone without offset (``--tz``); ``Via`` holds labels (Mail, Web Form, Chat, OutBound,
Closed Ticket...); ``Satisfaction Score`` is Good/Bad or a 1-5 score (or Offered / Not Offered) and becomes
a survey response linked to the ticket; ids are read as strings; the contact reason comes from a custom
field whose title contains "reason". Tickets carry no handle time unless a time-tracking field
("Total time spent (sec)") is exported: without it handle time stays NULL, never zero.
"""

from __future__ import annotations

import pandas as pd

from connectors import values as v
from connectors.base import Connector, Parsed, ReadOptions
from connectors.textfile import header_fields, read_table, require_columns

SIGNATURE = {"Id", "Via", "Created at", "Status"}
REQUIRED = ["Id", "Created at"]
VIA = {
    "mail": ("email", "inbound"),
    "email": ("email", "inbound"),
    "web form": ("web", "inbound"),
    "web widget": ("web", "inbound"),
    "web service": ("web", "inbound"),
    "api": ("web", "inbound"),
    "help center": ("web", "inbound"),
    "chat": ("chat", "inbound"),
    "messaging": ("messaging", "inbound"),
    "native messaging": ("messaging", "inbound"),
    "whatsapp": ("messaging", "inbound"),
    "sms": ("messaging", "inbound"),
    "facebook": ("social", "inbound"),
    "twitter": ("social", "inbound"),
    "instagram": ("social", "inbound"),
    "voice": ("phone", "inbound"),
    "phone call (inbound)": ("phone", "inbound"),
    "phone call (outbound)": ("phone", "outbound"),
    "voicemail": ("phone", "inbound"),
    "outbound": ("email", "outbound"),
    "closed ticket": ("other", "inbound"),  # a follow-up of a closed ticket: new demand
    "internal communication": ("other", "outbound"),
    "ticket sharing": ("other", "outbound"),
}


def sniff(head: bytes, file_name: str) -> float:
    cols = set(h.strip() for h in header_fields(head))
    if SIGNATURE <= cols:
        return 0.95
    return 0.0


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series("", index=frame.index)


def read(data: bytes, opts: ReadOptions) -> Parsed:
    header, rows = read_table(data, what="zendesk_csv")
    require_columns(header, REQUIRED, "zendesk_csv")
    f = v.frame([r for _, r in rows], header)
    line = pd.Series([n for n, _ in rows], dtype="int64")
    tz = opts.tz
    opened = v.timestamps(f["Created at"], tz=tz)
    via = v.text(_col(f, "Via")).str.lower()
    channel = via.map(lambda x: VIA.get(x, ("other", "inbound"))[0] if isinstance(x, str) else "other")
    direction = via.map(lambda x: VIA.get(x, ("other", "inbound"))[1] if isinstance(x, str) else "inbound")
    solved = v.timestamps(_col(f, "Solved at"), tz=tz)
    updated = v.timestamps(_col(f, "Updated at"), tz=tz)
    first_reply_min = v.numbers(_col(f, "First reply time in minutes"))
    replies = v.numbers(_col(f, "Replies"))
    status = v.text(_col(f, "Status")).str.lower()
    reason_cols = [c for c in f.columns if "reason" in c.lower()]
    spent = next((c for c in f.columns if c.lower().startswith("total time spent")), None)
    handled = (replies.fillna(0) > 0) | status.isin(["solved", "closed"]).fillna(False)
    contacts = pd.DataFrame({
        "source_record_id": v.text(f["Id"]),
        "case_id": v.text(f["Id"]),
        "channel": channel,
        "direction": direction,
        "opened_at": opened,
        "first_response_at": opened + pd.to_timedelta(first_reply_min, unit="m"),
        "closed_at": solved,
        "team": v.text(_col(f, "Group")),
        "queue": v.text(_col(f, "Group")),
        "agent": v.text(_col(f, "Assignee")),
        "handle_seconds": v.numbers(f[spent]) if spent else None,
        "reopened_count": v.numbers(_col(f, "Reopens")),
        "status": status,
        "outcome": handled.map({True: "handled", False: "unhandled"}),
        "reason": v.text(f[reason_cols[0]]) if reason_cols else None,
        "version_at": updated,
        "email": v.text(_col(f, "Requester email")),
        "account": v.text(_col(f, "Requester external id")),
        "line": line,
    })
    surveys = _satisfaction(f, line, solved.fillna(updated))
    return Parsed("zendesk", len(rows), contacts, surveys)


def _satisfaction(f: pd.DataFrame, line: pd.Series, when: pd.Series) -> pd.DataFrame:
    score = v.text(_col(f, "Satisfaction Score")).str.lower()
    binary = score.map({"good": 1.0, "bad": 0.0})
    numeric = pd.to_numeric(score, errors="coerce")
    numeric = numeric.where(numeric.between(1, 5))
    csat = binary.fillna(numeric)
    rated = csat.notna()
    out = pd.DataFrame({
        "source_record_id": "csat-" + v.text(f["Id"]),
        "contact_record_id": v.text(f["Id"]),
        "case_id": v.text(f["Id"]),
        "responded_at": when,
        "csat": csat,
        "csat_scale": binary.notna().map({True: 2, False: 5}),
        "email": v.text(_col(f, "Requester email")),
        "account": v.text(_col(f, "Requester external id")),
        "line": line,
    })
    return out[rated.fillna(False).astype(bool)].reset_index(drop=True)


CONNECTOR = Connector(
    name="zendesk_csv",
    kind="crm",
    source="zendesk",
    description="Zendesk Support ticket CSV export (account time zone, Via labels, Satisfaction Score)",
    sniff=sniff,
    read=read,
)
