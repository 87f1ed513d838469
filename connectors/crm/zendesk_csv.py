"""Zendesk Support admin CSV export (export-formats.md 1.1).

Quirks handled: columns found by name (exports drop columns; never by position); timestamps in the
account's time zone without offset (``--tz``); ``Via`` holds labels (Mail, Web Form, Chat, OutBound,
Closed Ticket...); ``Satisfaction Score`` is Good/Bad or a 1-5 score (or Offered / Not Offered) and becomes
a survey response linked to the ticket; ids are read as strings; the contact reason comes from a custom
field whose title contains "reason". Tickets carry no handle time unless a time-tracking field
("Total time spent (sec)") is exported: without it handle time stays NULL, never zero. Transfers: the
export as usually configured has no transfer data, so ``transferred`` is NULL (kpis.md "records X");
only where it carries ``Group stations`` / ``Assignee stations`` (groups / assignees the ticket passed
through) is a ticket with more than one of either transferred, and one with at most one not.

The columns are listed once (``COLUMNS``, ``connectors.columns``): ``read`` (pandas) and ``stage`` (the
DuckDB fast path) both take their converted fields from that list, and the tables ``VIA``,
``HANDLED_STATUSES``, ``BINARY_SCORES`` and ``SCORE_RANGE`` feed both; only the combining rules (channel
and direction from Via, outcome, transferred, CSAT) are written in both pandas and SQL.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from connectors import sqlread as q
from connectors import values as v
from connectors.base import Connector, Parsed, ReadOptions
from connectors.columns import Col, containing, date_sources, frame_values, sql_values, starting
from connectors.dates import Convention, Dates
from connectors.textfile import header_fields, read_table, require_columns

SIGNATURE = ("Id", "Via", "Created at", "Status")
REQUIRED = ["Id", "Created at"]
# How this format's ambiguous dates are read (connectors.dates): Zendesk documents YYYY-MM-DD, so there is
# no d/m convention; an Excel re-save follows --dates, then the date_order setting.
DATE_CONVENTION: Convention | None = None
STATIONS = ("Group stations", "Assignee stations")
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
    if set(SIGNATURE) <= cols:
        return 0.95
    return 0.0


# The export's columns, for both the careful reader and the fast path (connectors.columns).
COLUMNS = (
    Col("id", "Id"),
    Col("via", "Via", "lower"),
    Col("status", "Status", "lower"),
    Col("opened_at", "Created at", "timestamp"),
    Col("solved_at", "Solved at", "timestamp"),
    Col("updated_at", "Updated at", "timestamp"),
    Col("first_reply_minutes", "First reply time in minutes", "number"),
    Col("replies", "Replies", "number"),
    Col("group", "Group"),
    Col("agent", "Assignee"),
    Col("handle_seconds", starting("total time spent"), "number", optional=True),  # time tracking app
    Col("reopened_count", "Reopens", "count"),
    Col("reason", containing("reason"), optional=True),  # a custom field, e.g. "Contact reason [list]"
    Col("email", "Requester email"),
    Col("account", "Requester external id"),
    Col("score", "Satisfaction Score", "lower"),
    *(Col(station, station, "number", optional=True) for station in STATIONS),
)
HANDLED_STATUSES = ("solved", "closed")
BINARY_SCORES = {"good": 1.0, "bad": 0.0}  # Good/Bad on a 2-point scale; else a 1-5 score
SCORE_RANGE = (1, 5)


def _transferred(counts: list[pd.Series]) -> pd.Series | None:
    """More than one group or assignee station; None (NULL) when the export has neither column."""
    if not counts:
        return None
    most = pd.concat(counts, axis=1).max(axis=1)
    return (most > 1).astype("boolean").where(most.notna(), pd.NA)


def read(data: bytes, opts: ReadOptions) -> Parsed:
    header, rows = read_table(data, what="zendesk_csv")
    require_columns(header, REQUIRED, "zendesk_csv")
    f = v.frame([r for _, r in rows], header)
    line = pd.Series([n for n, _ in rows], dtype="int64")
    c = frame_values(f, COLUMNS)
    # YYYY-MM-DD HH:MM:SS in the account's zone by Zendesk's doc (no d/m order to decide); a file
    # re-saved by Excel with dd/mm or mm/dd dates is decided per column (connectors.dates).
    dates = Dates(opts, DATE_CONVENTION)
    names = date_sources(list(f.columns), COLUMNS)
    parsed = dates.columns({names[k]: c[k] for k in names}, line)
    stamps = {k: parsed[n] for k, n in names.items()}
    opened, solved, updated = stamps["opened_at"], stamps["solved_at"], stamps["updated_at"]
    via = c["via"]
    channel = via.map(lambda x: VIA.get(x, ("other", "inbound"))[0] if isinstance(x, str) else "other")
    direction = via.map(lambda x: VIA.get(x, ("other", "inbound"))[1] if isinstance(x, str) else "inbound")
    status = c["status"]
    handled = (c["replies"].fillna(0) > 0) | status.isin(list(HANDLED_STATUSES)).fillna(False)
    contacts = pd.DataFrame({
        "source_record_id": c["id"],
        "case_id": c["id"],
        "channel": channel,
        "direction": direction,
        "opened_at": opened,
        "first_response_at": opened + pd.to_timedelta(c["first_reply_minutes"], unit="m"),
        "closed_at": solved,
        "team": c["group"],
        "queue": c["group"],
        "agent": c["agent"],
        "handle_seconds": c.get("handle_seconds"),
        "reopened_count": c["reopened_count"],
        "transferred": _transferred([c[k] for k in STATIONS if k in c]),
        "status": status,
        "outcome": handled.map({True: "handled", False: "unhandled"}),
        "reason": c.get("reason"),
        "version_at": updated,
        "email": c["email"],
        "account": c["account"],
        "line": line,
    })
    surveys = _satisfaction(c, line, solved.fillna(updated))
    return Parsed("zendesk", len(rows), contacts, surveys, notes=dates.notes, warnings=dates.warnings)


def _satisfaction(c: dict[str, pd.Series], line: pd.Series, when: pd.Series) -> pd.DataFrame:
    score = c["score"]
    binary = score.map(BINARY_SCORES)
    numeric = pd.to_numeric(score, errors="coerce")
    numeric = numeric.where(numeric.between(*SCORE_RANGE))
    csat = binary.fillna(numeric)
    rated = csat.notna()
    out = pd.DataFrame({
        "source_record_id": "csat-" + c["id"],
        "contact_record_id": c["id"],
        "case_id": c["id"],
        "responded_at": when,
        "csat": csat,
        "csat_scale": binary.notna().map({True: 2, False: 5}),
        "email": c["email"],
        "account": c["account"],
        "line": line,
    })
    return out[rated.fillna(False).astype(bool)].reset_index(drop=True)


def _transferred_sql(counts: list[str]) -> str:
    """SQL twin of ``_transferred``."""
    if not counts:
        return "CAST(NULL AS BOOLEAN)"
    most = f"greatest({', '.join(counts)})" if len(counts) > 1 else counts[0]
    return f"{most} > 1"


def _words(words: Iterable[str]) -> str:
    return ", ".join(q.literal(w) for w in words)


def stage(con: duckdb.DuckDBPyConnection, data: bytes, opts: ReadOptions) -> Parsed | None:
    """``read`` done by DuckDB (the fast path for big exports); None where ``read`` must decide."""
    header = q.csv_rows(con, data, opts)
    if header is None:
        return None
    require_columns(header, REQUIRED, "zendesk_csv")
    c = sql_values(header, COLUMNS)
    cells = {k: c[k] for k in date_sources(header, COLUMNS)}
    stamps = {k: q.local_timestamp(cell) for k, cell in cells.items()}
    utc = q.to_utc(con, opts.tz, q.hours_sql("_rows", list(cells.values())))
    if utc is None:
        q.drop_raw(con)
        return None
    opened, solved, updated = (utc(stamps[k]) for k in ("opened_at", "solved_at", "updated_at"))
    channel = " ".join(f"WHEN {q.literal(k)} THEN {q.literal(ch)}" for k, (ch, _d) in VIA.items())
    direction = " ".join(f"WHEN {q.literal(k)} THEN {q.literal(d)}" for k, (_c, d) in VIA.items())
    via, status = c["via"], c["status"]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _in_contacts AS SELECT
            {c["id"]} AS source_record_id, {c["id"]} AS case_id,
            CASE {via} {channel} ELSE 'other' END AS channel,
            CASE {via} {direction} ELSE 'inbound' END AS direction,
            {opened} AS opened_at,
            {opened} + to_microseconds(CAST(round({c["first_reply_minutes"]}
                                                  * 60000000) AS BIGINT)) AS first_response_at,
            {solved} AS closed_at, {c["group"]} AS team, {c["group"]} AS queue,
            {c["agent"]} AS agent, {c["handle_seconds"]} AS handle_seconds,
            {c["reopened_count"]} AS reopened_count, {status} AS status,
            {_transferred_sql([c[k] for k in STATIONS if k in header])} AS transferred,
            CASE WHEN coalesce({c["replies"]}, 0) > 0
                      OR coalesce({status} IN ({_words(HANDLED_STATUSES)}), false)
                 THEN 'handled' ELSE 'unhandled' END AS outcome,
            {c["reason"]} AS reason, {updated} AS version_at,
            {c["email"]} AS email, {c["account"]} AS account,
            _line AS line, {q.unread([(cells[k], stamps[k]) for k in cells])} AS _unread
        FROM _rows""")
    if con.execute("SELECT count(*) FROM _in_contacts WHERE _unread").fetchall()[0][0]:
        q.drop_raw(con)  # a timestamp in another format: pandas' wider parsing decides
        return None
    score = c["score"]
    binary = " ".join(f"WHEN {q.literal(k)} THEN {x}" for k, x in BINARY_SCORES.items())
    low, high = SCORE_RANGE
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _in_surveys AS SELECT * FROM (SELECT
            'csat-' || {c["id"]} AS source_record_id, {c["id"]} AS contact_record_id,
            {c["id"]} AS case_id, coalesce({solved}, {updated}) AS responded_at,
            coalesce(CASE {score} {binary} END,
                     CASE WHEN TRY_CAST({score} AS DOUBLE) BETWEEN {low} AND {high}
                          THEN TRY_CAST({score} AS DOUBLE) END) AS csat,
            CASE WHEN {score} IN ({_words(BINARY_SCORES)}) THEN 2 ELSE 5 END AS csat_scale,
            {c["email"]} AS email, {c["account"]} AS account,
            _line AS line
        FROM _rows WHERE {score} IS NOT NULL) WHERE csat IS NOT NULL""")
    rows = con.execute("SELECT count(*) FROM _rows").fetchall()[0][0]
    q.drop_raw(con)
    return Parsed("zendesk", int(rows), staged=True)


CONNECTOR = Connector(
    name="zendesk_csv",
    kind="crm",
    source="zendesk",
    description="Zendesk Support ticket CSV export (account time zone, Via labels, Satisfaction Score)",
    sniff=sniff,
    read=read,
    stage=stage,
    columns=SIGNATURE,
)
