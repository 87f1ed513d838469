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
"""

from __future__ import annotations

import duckdb
import pandas as pd

from connectors import sqlread as q
from connectors import values as v
from connectors.base import Connector, Parsed, ReadOptions
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


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series("", index=frame.index)


def _transferred(f: pd.DataFrame) -> pd.Series | None:
    """More than one group or assignee station; None (NULL) when the export has neither column."""
    counts = [v.numbers(f[c]) for c in STATIONS if c in f.columns]
    if not counts:
        return None
    most = pd.concat(counts, axis=1).max(axis=1)
    return (most > 1).astype("boolean").where(most.notna(), pd.NA)


def read(data: bytes, opts: ReadOptions) -> Parsed:
    header, rows = read_table(data, what="zendesk_csv")
    require_columns(header, REQUIRED, "zendesk_csv")
    f = v.frame([r for _, r in rows], header)
    line = pd.Series([n for n, _ in rows], dtype="int64")
    # YYYY-MM-DD HH:MM:SS in the account's zone by Zendesk's doc (no d/m order to decide); a file
    # re-saved by Excel with dd/mm or mm/dd dates is decided per column (connectors.dates).
    dates = Dates(opts, DATE_CONVENTION)
    stamps = dates.columns({c: _col(f, c) for c in ("Created at", "Solved at", "Updated at")}, line)
    opened = stamps["Created at"]
    via = v.text(_col(f, "Via")).str.lower()
    channel = via.map(lambda x: VIA.get(x, ("other", "inbound"))[0] if isinstance(x, str) else "other")
    direction = via.map(lambda x: VIA.get(x, ("other", "inbound"))[1] if isinstance(x, str) else "inbound")
    solved, updated = stamps["Solved at"], stamps["Updated at"]
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
        "transferred": _transferred(f),
        "status": status,
        "outcome": handled.map({True: "handled", False: "unhandled"}),
        "reason": v.text(f[reason_cols[0]]) if reason_cols else None,
        "version_at": updated,
        "email": v.text(_col(f, "Requester email")),
        "account": v.text(_col(f, "Requester external id")),
        "line": line,
    })
    surveys = _satisfaction(f, line, solved.fillna(updated))
    return Parsed("zendesk", len(rows), contacts, surveys, notes=dates.notes)


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


def _transferred_sql(counts: list[str]) -> str:
    """SQL twin of ``_transferred``."""
    if not counts:
        return "CAST(NULL AS BOOLEAN)"
    most = f"greatest({', '.join(counts)})" if len(counts) > 1 else counts[0]
    return f"{most} > 1"


def stage(con: duckdb.DuckDBPyConnection, data: bytes, opts: ReadOptions) -> Parsed | None:
    """``read`` done by DuckDB (the fast path for big exports); None where ``read`` must decide."""
    header = q.csv_rows(con, data, opts)
    if header is None:
        return None
    require_columns(header, REQUIRED, "zendesk_csv")

    def col(name: str | None) -> str:
        return q.ident(name) if name and name in header else "NULL"
    reason = next((c for c in header if "reason" in c.lower()), None)
    spent = next((c for c in header if c.lower().startswith("total time spent")), None)
    cells = {k: q.text(col(c)) for k, c in (("opened_at", "Created at"), ("solved_at", "Solved at"),
                                            ("updated_at", "Updated at"))}
    stamps = {k: q.local_timestamp(cell) for k, cell in cells.items()}
    utc = q.to_utc(con, opts.tz, q.hours_sql("_rows", list(cells.values())))
    if utc is None:
        q.drop_raw(con)
        return None
    opened, solved, updated = (utc(e) for e in stamps.values())
    channel = " ".join(f"WHEN {q.literal(k)} THEN {q.literal(c)}" for k, (c, _d) in VIA.items())
    direction = " ".join(f"WHEN {q.literal(k)} THEN {q.literal(d)}" for k, (_c, d) in VIA.items())
    via, status = f"lower({q.text(col('Via'))})", f"lower({q.text(col('Status'))})"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _in_contacts AS SELECT
            {q.text(col("Id"))} AS source_record_id, {q.text(col("Id"))} AS case_id,
            CASE {via} {channel} ELSE 'other' END AS channel,
            CASE {via} {direction} ELSE 'inbound' END AS direction,
            {opened} AS opened_at,
            {opened} + to_microseconds(CAST(round({q.number(col("First reply time in minutes"))}
                                                  * 60000000) AS BIGINT)) AS first_response_at,
            {solved} AS closed_at, {q.text(col("Group"))} AS team, {q.text(col("Group"))} AS queue,
            {q.text(col("Assignee"))} AS agent, {q.number(col(spent))} AS handle_seconds,
            TRY_CAST({q.number(col("Reopens"))} AS INTEGER) AS reopened_count, {status} AS status,
            {_transferred_sql([q.number(col(c)) for c in STATIONS if c in header])} AS transferred,
            CASE WHEN coalesce({q.number(col("Replies"))}, 0) > 0
                      OR coalesce({status} IN ('solved', 'closed'), false)
                 THEN 'handled' ELSE 'unhandled' END AS outcome,
            {q.text(col(reason))} AS reason, {updated} AS version_at,
            {q.text(col("Requester email"))} AS email, {q.text(col("Requester external id"))} AS account,
            _line AS line, {q.unread([(cells[k], stamps[k]) for k in cells])} AS _unread
        FROM _rows""")
    if con.execute("SELECT count(*) FROM _in_contacts WHERE _unread").fetchall()[0][0]:
        q.drop_raw(con)  # a timestamp in another format: pandas' wider parsing decides
        return None
    score = f"lower({q.text(col('Satisfaction Score'))})"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _in_surveys AS SELECT * FROM (SELECT
            'csat-' || {q.text(col("Id"))} AS source_record_id, {q.text(col("Id"))} AS contact_record_id,
            {q.text(col("Id"))} AS case_id, coalesce({solved}, {updated}) AS responded_at,
            coalesce(CASE {score} WHEN 'good' THEN 1.0 WHEN 'bad' THEN 0.0 END,
                     CASE WHEN TRY_CAST({score} AS DOUBLE) BETWEEN 1 AND 5
                          THEN TRY_CAST({score} AS DOUBLE) END) AS csat,
            CASE WHEN {score} IN ('good', 'bad') THEN 2 ELSE 5 END AS csat_scale,
            {q.text(col("Requester email"))} AS email, {q.text(col("Requester external id"))} AS account,
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
