"""Freshdesk tickets: the UI CSV export and API v2 JSON (export-formats.md 1.3).

``freshdesk_csv`` (the emailed export): the columns are user-selected, so every one is found by its label
and only ``Ticket ID`` and ``Created time`` are required. Dates are in the account's zone without offset
(``--tz``); each column decides its day/month order (``connectors.dates``, ``--dates``). ``Initial
response time`` is the first response's timestamp; the
``... (in hrs)`` columns are ``HH:MM:SS`` durations in *business* hours, so they are never turned into a
first-response time (they would mix business and calendar hours). ``Time tracked`` becomes handle time
(``HH:MM:SS``, or decimal hours); without it handle time stays NULL. ``Survey results`` (Freshdesk's
happiness labels, or 1-5) become a survey response on the 1-5 scale linked to the ticket.

``freshdesk_json`` (``/api/v2/tickets`` as a bare array, ``/api/v2/search/tickets`` as
``{"results": [...], "total": N}``, or one ticket object): integer codes for status (2 Open, 3 Pending,
4 Resolved, 5 Closed, custom >= 6), source (1 Email, 2 Portal, 3 Phone, 7 Chat, 9 Feedback Widget,
10 Outbound Email...) with the ``*_name`` labels of search results as fallback; timestamps with offsets
such as ``+10:00`` (mixed offsets across DST too); ``stats.first_responded_at/resolved_at/closed_at``
when the export used ``include=stats``. Without stats the close time stays NULL (``updated_at`` is not a
resolution time). Spam and deleted tickets are rejected. The same ticket id twice (search pages overlap)
collapses to the newest ``updated_at`` in the loader.

Both: closed_at = resolved time, else closed time; the reason is a field whose label/key contains
"reason", else the ticket type (Freshdesk's editable type list is where most accounts keep the contact
reason). The requester: e-mail and phone where exported; the Freshdesk contact id as account, namespaced
``freshdesk-contact:<id>`` (an internal id must not collide with other systems' account ids), unless a
``Unique External ID`` (the company's own customer id) is exported.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from connectors import values as v
from connectors.base import Connector, FormatError, Parsed, ReadOptions, Reject
from connectors.dates import Convention, Dates
from connectors.textfile import decode, head_text, header_fields, read_table, require_columns

SOURCES: dict[str, tuple[str, str]] = {
    "email": ("email", "inbound"), "portal": ("web", "inbound"), "phone": ("phone", "inbound"),
    "forum": ("web", "inbound"), "twitter": ("social", "inbound"), "facebook": ("social", "inbound"),
    "chat": ("chat", "inbound"), "mobihelp": ("web", "inbound"), "feedback widget": ("web", "inbound"),
    "outbound email": ("email", "outbound"), "whatsapp": ("messaging", "inbound"),
    "instagram": ("social", "inbound"), "bot": ("chat", "inbound"),
}
SOURCE_CODES = {1: "email", 2: "portal", 3: "phone", 4: "forum", 5: "twitter", 6: "facebook", 7: "chat",
                8: "mobihelp", 9: "feedback widget", 10: "outbound email"}
STATUS_CODES = {2: "open", 3: "pending", 4: "resolved", 5: "closed"}
STATUS = {"open": "open", "pending": "pending", "resolved": "solved", "closed": "closed",
          "waiting on customer": "pending", "waiting on third party": "hold"}
# Happiness labels of the classic (3-point) and newer (7-point) surveys on the canonical 1-5 scale.
SURVEY = {"awesome": 5, "extremely happy": 5, "very happy": 5, "extremely satisfied": 5, "happy": 4,
          "satisfied": 4, "just okay": 3, "neutral": 3, "unhappy": 2, "not good": 1, "very unhappy": 1,
          "extremely unhappy": 1, "103": 5, "102": 5, "101": 4, "100": 3, "-101": 2, "-102": 1, "-103": 1}
CSV_SIGNATURE = ("Ticket ID", "Created time")
# How ambiguous dates are read (connectors.dates): the UI export uses the account's date format, which
# Freshdesk does not document as one order, so there is no convention: a column decides by its values,
# else --dates, else the date_order setting (the API's ISO values need no decision).
DATE_CONVENTION: Convention | None = None
JSON_MARKERS = ('"fr_due_by"', '"fr_escalated"', '"due_by"', '"frDueBy"')


def sniff_csv(head: bytes, file_name: str) -> float:
    cols = {h.strip() for h in header_fields(head)}
    return 0.95 if set(CSV_SIGNATURE) <= cols else 0.0


def sniff_json(head: bytes, file_name: str) -> float:
    text = head_text(head).lstrip()
    if not text.startswith(("{", "[")) or '"requester_id"' not in text or '"created_at"' not in text:
        return 0.0
    return 0.95 if any(m in text for m in JSON_MARKERS) else 0.0


def _col(f: pd.DataFrame, *names: str) -> pd.Series:
    for name in names:
        if name in f.columns:
            return f[name]
    return pd.Series("", index=f.index, dtype="object")


def _canonical(f: pd.DataFrame, line: pd.Series, dates: Dates) -> pd.DataFrame:
    """``f`` holds strings under the CSV labels (the JSON reader produces the same labels)."""
    source = v.text(_col(f, "Source")).str.lower()
    stamps = dates.columns({c: _col(f, c) for c in ("Created time", "Initial response time",
                                                    "Resolved time", "Closed time",
                                                    "Last update time")},
                           pd.Series(list(line), index=f.index))
    opened, first = stamps["Created time"], stamps["Initial response time"]
    resolved, closed = stamps["Resolved time"], stamps["Closed time"]
    label = v.text(_col(f, "Status")).str.lower()
    status = label.map(STATUS).fillna(label).astype("string")
    interactions = v.numbers(_col(f, "Agent interactions"))
    # Worked by an agent: a reply, a first response, or a status only an agent sets (pending = asked back).
    worked = status.isin(["solved", "closed", "pending", "hold"]).fillna(False)
    worked |= (interactions > 0) | first.notna()
    tracked = v.text(_col(f, "Time tracked"))
    handle = v.hms_seconds(tracked).where(tracked.str.contains(":", na=False), v.numbers(tracked) * 3600)
    reason_col = next((c for c in f.columns if "reason" in c.lower()), None)
    reason = v.text(f[reason_col]) if reason_col else pd.Series(pd.NA, index=f.index, dtype="string")
    contact = v.text(_col(f, "Contact ID"))
    return pd.DataFrame({
        "source_record_id": v.text(f["Ticket ID"]),
        "case_id": v.text(f["Ticket ID"]),
        "channel": source.map({k: c for k, (c, _) in SOURCES.items()}).fillna("other"),
        "direction": source.map({k: d for k, (_, d) in SOURCES.items()}).fillna("inbound"),
        "opened_at": opened,
        "first_response_at": first,
        "closed_at": resolved.fillna(closed),
        "queue": v.text(_col(f, "Group")),
        "team": v.text(_col(f, "Group")),
        "agent": v.text(_col(f, "Agent")),
        "handle_seconds": handle,
        "status": status,
        "outcome": worked.map({True: "handled", False: "unhandled"}),
        "reason": reason.fillna(v.text(_col(f, "Type"))),
        "version_at": stamps["Last update time"],
        "email": v.text(_col(f, "Email")),
        "phone": v.text(_col(f, "Work phone")).fillna(v.text(_col(f, "Mobile phone"))),
        "account": v.text(_col(f, "Unique External ID")).fillna("freshdesk-contact:" + contact),
        "line": line,
    })


def _surveys(f: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    answer = v.text(_col(f, "Survey results")).str.lower()
    score = answer.map(SURVEY).astype("float64")
    numeric = pd.to_numeric(answer, errors="coerce").astype("float64")
    score = score.fillna(numeric.where(numeric.between(1, 5)))
    out = pd.DataFrame({
        "source_record_id": "csat-" + contacts["source_record_id"],
        "contact_record_id": contacts["source_record_id"],
        "case_id": contacts["case_id"],
        "channel": contacts["channel"],
        "responded_at": contacts["closed_at"].fillna(contacts["version_at"]),
        "csat": score,
        "csat_scale": 5,
        "version_at": contacts["version_at"],
        "email": contacts["email"],
        "phone": contacts["phone"],
        "account": contacts["account"],
        "line": contacts["line"],
    })
    return out[score.notna()].reset_index(drop=True)


def read_csv(data: bytes, opts: ReadOptions) -> Parsed:
    header, rows = read_table(data, what="freshdesk_csv")
    require_columns(header, ["Ticket ID", "Created time"], "freshdesk_csv")
    f = v.frame([r for _, r in rows], header)
    line = pd.Series([n for n, _ in rows], dtype="int64")
    dates = Dates(opts, DATE_CONVENTION)
    contacts = _canonical(f, line, dates)
    return Parsed("freshdesk", len(rows), contacts, _surveys(f, contacts), notes=dates.notes, warnings=dates.warnings)


def _label(codes: dict[int, str], value: Any, name: Any) -> str:
    if isinstance(value, int) and value in codes:
        return codes[value]
    return str(name or (value if value is not None else "")).strip().lower()


def _flatten(t: dict[str, Any]) -> dict[str, str]:
    """One API ticket as strings under the CSV export's labels."""
    stats: dict[str, Any] = t["stats"] if isinstance(t.get("stats"), dict) else {}
    requester: dict[str, Any] = t["requester"] if isinstance(t.get("requester"), dict) else {}
    custom = t.get("custom_fields") or t.get("custom_field") or {}
    reason = next((val for key, val in custom.items() if "reason" in key.lower() and val), None) \
        if isinstance(custom, dict) else None

    def s(value: Any) -> str:
        return "" if value is None or isinstance(value, (dict, list)) else str(value)

    return {
        "Ticket ID": s(t.get("id")), "Source": _label(SOURCE_CODES, t.get("source"), t.get("source_name")),
        "Status": _label(STATUS_CODES, t.get("status"), t.get("status_name")),
        "Created time": s(t.get("created_at")), "Last update time": s(t.get("updated_at")),
        "Initial response time": s(stats.get("first_responded_at")),
        "Resolved time": s(stats.get("resolved_at")), "Closed time": s(stats.get("closed_at")),
        "Group": s(t.get("group_id")), "Agent": s(t.get("responder_id")), "Type": s(t.get("type") or t.get("ticket_type")),
        "Reason": s(reason), "Email": s(requester.get("email") or t.get("email")),
        "Work phone": s(requester.get("phone") or t.get("phone")), "Mobile phone": s(requester.get("mobile")),
        "Contact ID": s(t.get("requester_id")), "Unique External ID": s(requester.get("unique_external_id")),
        "Spam": s(t.get("spam") or t.get("deleted") or ""),
    }


def read_json(data: bytes, opts: ReadOptions) -> Parsed:
    text = decode(data)
    if not text.strip():
        raise FormatError("freshdesk_json: the file is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"freshdesk_json: invalid JSON at line {exc.lineno}: {exc.msg} "
                          "(truncated export?)", exc.lineno) from exc
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        items = doc["results"]
    elif isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict) and "id" in doc:
        items = [doc]
    else:
        raise FormatError("freshdesk_json: expected a list of tickets or a search result "
                          '{"results": [...], "total": N}')
    rejects = [Reject(i, "not a Freshdesk ticket (no id)", json.dumps(t)[:200])
               for i, t in enumerate(items, 1) if not isinstance(t, dict) or "id" not in t]
    tickets = [(i, t) for i, t in enumerate(items, 1) if isinstance(t, dict) and "id" in t]
    rows = [_flatten(t) for _, t in tickets]
    f = pd.DataFrame(rows, columns=list(_flatten({}))) if rows else pd.DataFrame(columns=list(_flatten({})))
    line = pd.Series([i for i, _ in tickets], dtype="int64")
    spam = f["Spam"].str.lower().eq("true")
    rejects += [Reject(int(n), "spam or deleted in Freshdesk (not a contact)", tid)
                for n, tid in zip(line[spam], f.loc[spam, "Ticket ID"], strict=True)]
    f, line = f[~spam].reset_index(drop=True), line[~spam].reset_index(drop=True)
    dates = Dates(opts, DATE_CONVENTION)
    contacts = _canonical(f, line, dates)
    versions = len(contacts)
    # Overlapping pages / search results: the newest updated_at per ticket (the later one on a tie).
    contacts = (contacts.sort_values(["version_at", "line"], na_position="first")
                .drop_duplicates("source_record_id", keep="last").sort_values("line")
                .reset_index(drop=True))
    return Parsed("freshdesk", len(items), contacts, rejects=rejects, rows_merged=versions - len(contacts), notes=dates.notes, warnings=dates.warnings)


CONNECTORS = [
    Connector(name="freshdesk_csv", kind="crm", source="freshdesk",
              description="Freshdesk ticket export CSV (user-selected labels, account time zone)",
              sniff=sniff_csv, read=read_csv, columns=CSV_SIGNATURE),
    Connector(name="freshdesk_json", kind="crm", source="freshdesk",
              description="Freshdesk API v2 tickets JSON (list or search result, integer codes)",
              sniff=sniff_json, read=read_json, extensions=(".json",)),
]
