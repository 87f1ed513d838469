"""Zendesk Support tickets as JSON: Incremental Export pages and the full NDJSON export (export-formats.md 1.1).

Shapes read: one page object of the cursor variant (``tickets[]``, ``after_cursor``, ``end_of_stream``) or
of the time-based variant (``tickets[]``, ``next_page``, ``end_time``, ``count``); several pages one after
another (as ``curl`` appends them) or in a JSON array; NDJSON with one ticket per line (the full JSON
export); a bare array of tickets; a single ``{"ticket": {...}}``.

Quirks handled:
* pages overlap (the export filters on ``generated_timestamp``, not ``updated_at``): one row per ticket id,
  the newest ``updated_at`` wins (on a tie, the later record);
* ``via.channel`` codes map to channels; voice with ``via.source.rel`` ``outbound`` is outbound;
* ``satisfaction_rating.score`` good/bad becomes a survey response (csat 1/0 on scale 2, the rating's
  comment) with the same id as the CSV connector's (``csat-<ticket id>``), so both exports collapse;
  ``offered``/``unoffered`` are no response;
* ticket metrics, either on the ticket (``metric_set``) or sideloaded (``metric_sets[]`` with
  ``include=metric_sets``): ``reply_time_in_minutes.calendar`` (or ``reply_time_in_seconds`` for messaging)
  gives the first response, ``solved_at`` the close time, ``reopens`` and ``replies``. Without metrics the
  close time stays NULL: ``updated_at`` is not a solve time (closing, tagging and ratings move it);
* the reason: custom fields arrive as ``[{id, value}]`` and the file cannot name them, so a field is used
  only when ``ReadOptions.mapping`` names it (``reason_field_id``); otherwise (and when that field is
  empty) the first tag starting with ``reason_`` (``reason_tag_prefix``) is the reason, kept as the tag;
* requester: the e-mail of ``via.source.from.address`` (or of a sideloaded user), the phone of voice
  tickets (``from``, or ``to`` on outbound calls), and always the requester as account as well, so that
  tickets with and without an e-mail join: the user's ``external_id`` when users are sideloaded, else
  the Zendesk user id namespaced as ``zendesk-user:<id>`` (a bare internal id would collide with other
  systems' ids);
* transfers: the metric set's ``group_stations`` / ``assignee_stations`` (how many groups / assignees the
  ticket passed through) record them: more than one of either = ``transferred``, else not; a ticket
  without a metric set (or without both counts) does not record transfers: NULL, never false;
* deleted tickets (status ``deleted``) are rejected, and a Ticket Metrics file (``ticket_metric``) is
  refused with a message saying what to export instead: it has no channel, requester or status.
Timestamps are UTC ISO-8601 with ``Z``; handle time is not in the export and stays NULL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from connectors import values as v
from connectors.base import Connector, FormatError, Parsed, ReadOptions, Reject
from connectors.dates import Dates
from connectors.textfile import decode, head_text

NAME = "zendesk_json"
VIA: dict[str, tuple[str, str]] = {
    "email": ("email", "inbound"), "mail": ("email", "inbound"),
    "web": ("web", "inbound"), "web_form": ("web", "inbound"), "web_widget": ("web", "inbound"),
    "web_service": ("web", "inbound"), "api": ("web", "inbound"), "help_center": ("web", "inbound"),
    "mobile": ("web", "inbound"), "mobile_sdk": ("web", "inbound"),
    "voice": ("phone", "inbound"), "phone": ("phone", "inbound"),
    "chat": ("chat", "inbound"), "chat_transcript": ("chat", "inbound"),
    "native_messaging": ("messaging", "inbound"), "sms": ("messaging", "inbound"),
    "whatsapp": ("messaging", "inbound"), "line": ("messaging", "inbound"),
    "wechat": ("messaging", "inbound"), "telegram": ("messaging", "inbound"),
    "viber": ("messaging", "inbound"),
    "twitter": ("social", "inbound"), "twitter_dm": ("social", "inbound"),
    "facebook": ("social", "inbound"), "facebook_post": ("social", "inbound"),
    "facebook_message": ("social", "inbound"), "instagram_dm": ("social", "inbound"),
    "closed_ticket": ("other", "inbound"),  # a follow-up of a closed ticket: new demand
    "ticket_sharing": ("other", "outbound"), "side_conversation": ("other", "outbound"),
}
SCORES = {"good": 1.0, "bad": 0.0}
PAGE_KEYS = re.compile(r'"(after_cursor|end_of_stream|next_page|end_time)"\s*:')
SPACE = re.compile(r"\s*")
COLUMNS = ["source_record_id", "case_id", "channel", "direction", "opened_at", "reply_min", "closed_at",
           "team", "agent", "reopened_count", "replies", "status", "reason", "version_at", "email",
           "phone", "account", "score", "comment", "rated_at", "transferred"]


def sniff(head: bytes, file_name: str) -> float:
    text = head_text(head).lstrip()
    if not text.startswith(("{", "[")):
        return 0.0
    if re.search(r'"tickets"\s*:', text) and PAGE_KEYS.search(text):
        return 0.95
    if re.search(r'"via"\s*:\s*\{', text) and '"requester_id"' in text and '"created_at"' in text:
        return 0.9
    if re.search(r'"ticket_metrics?"\s*:', text):
        return 0.6  # a Zendesk file, but not tickets: read() refuses it with a clear message
    return 0.0


def _documents(text: str) -> Iterator[tuple[int, Any] | Reject]:
    """Every top-level JSON value with the line it starts on; a bad NDJSON line is a reject."""
    decoder = json.JSONDecoder()
    pos, line, single_lines, seen = 0, 1, True, False
    while True:
        match = SPACE.match(text, pos)
        end_ws = match.end() if match else pos
        line += text.count("\n", pos, end_ws)
        pos = end_ws
        if pos >= len(text):
            return
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            eol = text.find("\n", pos)
            rest = text[eol:].strip() if eol >= 0 else ""
            # NDJSON (every value so far on one line): a broken line in the middle is one bad record;
            # a broken last line, or a broken pretty-printed page, means the file was cut off.
            if single_lines and seen and rest and exc.pos <= eol:
                yield Reject(line, f"not valid JSON: {exc.msg}", text[pos:eol][:200])
                pos = eol
                continue
            where = text.count("\n", 0, exc.pos) + 1
            raise FormatError(f"{NAME}: invalid JSON at line {where}: {exc.msg} (truncated export?)",
                              where) from exc
        single_lines = single_lines and "\n" not in text[pos:end]
        seen = True
        yield line, value
        line += text.count("\n", pos, end)
        pos = end


Tickets = list[tuple[int, dict[str, Any]]]


def _tickets(text: str) -> tuple[Tickets, dict[str, dict[str, Any]], list[Reject], int]:
    """(record number, ticket) for every ticket, sideloads by id (metric sets, users, groups), rejects,
    and the number of export pages seen."""
    tickets: Tickets = []
    side: dict[str, dict[str, Any]] = {}
    rejects: list[Reject] = []
    ndjson, pages = True, 0

    def add(value: Any, line: int | None) -> None:
        nonlocal ndjson, pages
        if isinstance(value, list):
            ndjson = False
            for item in value:
                add(item, None)
        elif isinstance(value, dict) and ("ticket_metric" in value or "ticket_metrics" in value):
            raise FormatError(f"{NAME}: this is a Ticket Metrics export (ticket_metric), not tickets: "
                              "it has no channel, requester or status to load. Export the tickets "
                              "(incremental export with include=metric_sets) instead")
        elif isinstance(value, dict) and isinstance(value.get("tickets"), list):
            ndjson, pages = False, pages + 1
            for kind, key in (("metric", "metric_sets"), ("user", "users"), ("group", "groups")):
                for item in value.get(key) or []:
                    if isinstance(item, dict):
                        ref = item.get("ticket_id") if kind == "metric" else item.get("id")
                        side[f"{kind}:{ref}"] = item
            for item in value["tickets"]:
                add(item, None)
        elif isinstance(value, dict) and isinstance(value.get("ticket"), dict):
            add(value["ticket"], line)
        elif isinstance(value, dict) and "id" in value:
            number = line if ndjson and line is not None else len(tickets) + len(rejects) + 1
            tickets.append((number, value))
        else:
            rejects.append(Reject(line or len(tickets) + len(rejects) + 1,
                                  "not a Zendesk ticket (no id)", json.dumps(value)[:200]))

    for doc in _documents(text):
        if isinstance(doc, Reject):
            rejects.append(doc)
        else:
            add(doc[1], doc[0])
    return tickets, side, rejects, pages


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def _calendar(metric: Any, key: str) -> float | None:
    value = _get(metric, key)
    return _number(value.get("calendar") if isinstance(value, dict) else value)


def _reason(ticket: dict[str, Any], field_id: str, prefix: str) -> str:
    if field_id:
        for field in (ticket.get("custom_fields") or ticket.get("fields") or []):
            if isinstance(field, dict) and str(field.get("id")) == field_id:
                value = field.get("value")
                value = value[0] if isinstance(value, list) and value else value
                if _text(value):
                    return _text(value)
    tags = ticket.get("tags") or []
    return next((t for t in tags if isinstance(t, str) and t.startswith(prefix)), "")


def _row(ticket: dict[str, Any], side: Mapping[str, dict[str, Any]], field_id: str,
         prefix: str) -> dict[str, Any]:
    tid = _text(ticket.get("id"))
    metric = ticket.get("metric_set") or side.get(f"metric:{ticket.get('id')}") or {}
    metric = metric if isinstance(metric, dict) else {}
    user = side.get(f"user:{ticket.get('requester_id')}") or {}
    group = side.get(f"group:{ticket.get('group_id')}") or {}
    code = _text(_get(ticket, "via", "channel")).lower()
    channel, direction = VIA.get(code, ("other", "inbound"))
    if channel == "phone" and "outbound" in _text(_get(ticket, "via", "source", "rel")).lower():
        direction = "outbound"
    side_of_customer = "to" if direction == "outbound" else "from"  # the caller, or who was called
    reply_min = _calendar(metric, "reply_time_in_minutes")
    reply_sec = _calendar(metric, "reply_time_in_seconds")
    if reply_min is None and reply_sec is not None:
        reply_min = reply_sec / 60
    requester = _text(ticket.get("requester_id"))
    stations = [x for x in (_number(metric.get("group_stations")), _number(metric.get("assignee_stations")))
                if x is not None]
    rating: dict[str, Any] = _get(ticket, "satisfaction_rating") or {}
    rating = rating if isinstance(rating, dict) else {}
    return {
        "source_record_id": tid, "case_id": tid, "channel": channel, "direction": direction,
        "opened_at": _text(ticket.get("created_at")), "reply_min": reply_min,
        "closed_at": _text(metric.get("solved_at")),
        "team": _text(group.get("name")) or _text(ticket.get("group_id")),
        "agent": _text(ticket.get("assignee_id")),
        "reopened_count": _number(metric.get("reopens")), "replies": _number(metric.get("replies")),
        "status": _text(ticket.get("status")).lower(),
        "reason": _reason(ticket, field_id, prefix),
        "version_at": _text(ticket.get("updated_at")),
        "email": _text(_get(ticket, "via", "source", "from", "address")) or _text(user.get("email")),
        "phone": _text(_get(ticket, "via", "source", side_of_customer, "phone")) or _text(user.get("phone")),
        "account": _text(user.get("external_id")) or (f"zendesk-user:{requester}" if requester else ""),
        "score": _text(rating.get("score")).lower(), "comment": _text(rating.get("comment")),
        "rated_at": _text(rating.get("updated_at")) or _text(rating.get("created_at")),
        "transferred": max(stations) > 1 if stations else None,
    }


def read(data: bytes, opts: ReadOptions) -> Parsed:
    text = decode(data)
    if not text.strip():
        raise FormatError(f"{NAME}: the file is empty")
    tickets, side, rejects, pages = _tickets(text)
    if not tickets and not pages:
        raise FormatError(f"{NAME}: the file holds no tickets (expected an incremental export page "
                          "with tickets[], or one ticket per line)")
    mapping = opts.mapping or {}
    field_id = _text(mapping.get("reason_field_id"))
    prefix = _text(mapping.get("reason_tag_prefix")) or "reason_"
    rows_read = len(tickets) + len(rejects)
    raw = pd.DataFrame([_row(t, side, field_id, prefix) for _, t in tickets], columns=COLUMNS)
    raw["line"] = pd.Series([n for n, _ in tickets], dtype="int64")
    # ISO 8601 (UTC) by Zendesk's doc; any other shape is decided per column (connectors.dates).
    dates = Dates(opts)
    stamps = dates.columns({c: raw[c].astype("string") for c in ("opened_at", "closed_at", "version_at")},
                           raw["line"])
    raw["version_ts"] = stamps["version_at"]
    raw["opened_ts"], raw["closed_ts"] = stamps["opened_at"], stamps["closed_at"]
    raw["rated_ts"] = dates.column(raw["rated_at"].astype("string"), "rated_at", raw["line"], tz="UTC")
    # Overlapping pages: keep the newest updated_at per ticket (the later record on a tie).
    versions = len(raw)
    raw = (raw.reset_index(names="order").sort_values(["version_ts", "order"], na_position="first")
           .drop_duplicates("source_record_id", keep="last").sort_values("order")
           .reset_index(drop=True))
    merged = versions - len(raw)  # older versions of a ticket (issue 10)
    deleted = raw["status"] == "deleted"
    rejects += [Reject(int(n), "deleted in Zendesk (not a contact)", str(i))
                for n, i in zip(raw.loc[deleted, "line"], raw.loc[deleted, "source_record_id"], strict=True)]
    raw = raw[~deleted].reset_index(drop=True)
    contacts = _contacts(raw)
    surveys = _surveys(raw, contacts)
    return Parsed("zendesk", rows_read, contacts, surveys, rejects, rows_merged=merged, notes=dates.notes, warnings=dates.warnings)


def _contacts(raw: pd.DataFrame) -> pd.DataFrame:
    opened = raw["opened_ts"]
    reply_min = pd.to_numeric(raw["reply_min"], errors="coerce")
    replies = pd.to_numeric(raw["replies"], errors="coerce")
    worked = raw["status"].isin(["solved", "closed"]) | (replies > 0)
    worked |= replies.isna() & raw["status"].isin(["pending", "hold"])  # no metrics: an agent asked back
    return pd.DataFrame({
        "source_record_id": v.text(raw["source_record_id"]),
        "case_id": v.text(raw["case_id"]),
        "channel": raw["channel"],
        "direction": raw["direction"],
        "opened_at": opened,
        "first_response_at": opened + pd.to_timedelta(reply_min, unit="m"),
        "closed_at": raw["closed_ts"],
        "queue": v.text(raw["team"]),
        "team": v.text(raw["team"]),
        "agent": v.text(raw["agent"]),
        "reopened_count": pd.to_numeric(raw["reopened_count"], errors="coerce"),
        "transferred": raw["transferred"].astype("boolean"),
        "status": v.text(raw["status"]),
        "outcome": worked.map({True: "handled", False: "unhandled"}),
        "reason": v.text(raw["reason"]),
        "version_at": raw["version_ts"],
        "email": v.text(raw["email"]),
        "phone": v.text(raw["phone"]),
        "account": v.text(raw["account"]),
        "line": raw["line"],
    })


def _surveys(raw: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    csat = raw["score"].map(SCORES)
    rated = csat.notna()
    when = raw["rated_ts"].fillna(contacts["closed_at"]).fillna(contacts["version_at"])
    out = pd.DataFrame({
        "source_record_id": "csat-" + contacts["source_record_id"],
        "contact_record_id": contacts["source_record_id"],
        "case_id": contacts["case_id"],
        "channel": contacts["channel"],
        "responded_at": when,
        "csat": csat,
        "csat_scale": 2,
        "comment": v.text(raw["comment"]),
        "version_at": contacts["version_at"],
        "email": contacts["email"],
        "phone": contacts["phone"],
        "account": contacts["account"],
        "line": contacts["line"],
    })
    return out[rated].reset_index(drop=True)


CONNECTOR = Connector(
    name=NAME,
    kind="crm",
    source="zendesk",
    description="Zendesk tickets as JSON: incremental export pages (cursor or time-based) or NDJSON",
    sniff=sniff,
    read=read,
    extensions=(".json", ".jsonl", ".ndjson"),
)
