"""The loader's writes inside a file's transaction: the newest version of each record, the upsert of
contacts and survey responses (checked to read back), survey linking, rejects and skipped rows."""

from __future__ import annotations

import duckdb
import pandas as pd

from connectors import staging
from connectors.base import Reject
from sql import warehouse


def stage(con: duckdb.DuckDBPyConnection, kind: str, name: str) -> None:
    """One row per record of the checked, keyed rows (the newest version wins)."""
    row = warehouse.one(con, f"SELECT count(*) - count(DISTINCT source_record_id) FROM {staging.TABLES[kind][1]}")
    newest = ("QUALIFY row_number() OVER (PARTITION BY source_record_id "
              "ORDER BY version_at DESC NULLS LAST, line DESC) = 1") if row and row[0] else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {staging.keyed(kind)} {newest}")


def upsert_contacts(con: duckdb.DuckDBPyConnection, source: str, import_id: int,
                     ticket: bool | None = None) -> int:
    con.execute(
        "DELETE FROM contacts c USING _stage_contacts s "
        "WHERE c.contact_id = ? || ':' || s.source_record_id "
        "AND coalesce(s.version_at, TIMESTAMP '1900-01-01') >= coalesce(c.version_at, TIMESTAMP '1900-01-01')",
        [source],
    )
    inserted = con.execute(
        """
        INSERT INTO contacts (contact_id, source, source_record_id, case_id, customer_key, channel,
            direction, opened_at, answered_at, first_response_at, closed_at, queue, team, agent,
            wait_seconds, talk_seconds, hold_seconds, wrap_seconds, handle_seconds, queued, abandoned,
            transferred, self_service, reopened_count, status, outcome, reason, version_at, import_id,
            agent_requested, ticket)
        SELECT ? || ':' || s.source_record_id, ?, s.source_record_id, s.case_id, s.customer_key,
               s.channel, s.direction, s.opened_at, s.answered_at, s.first_response_at, s.closed_at,
               s.queue, s.team, s.agent, s.wait_seconds, s.talk_seconds, s.hold_seconds,
               s.wrap_seconds, s.handle_seconds, s.queued, s.abandoned, s.transferred,
               s.self_service, s.reopened_count, s.status, s.outcome, s.reason, s.version_at, ?,
               s.agent_requested, coalesce(s.ticket, CAST(? AS BOOLEAN))
        FROM _stage_contacts s
        WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.contact_id = ? || ':' || s.source_record_id)
        """,
        [source, source, import_id, ticket, source],
    ).fetchall()[0][0]
    _check_kept(con, "contacts", import_id, int(inserted))
    row = warehouse.one(con, "SELECT count(*) FROM _stage_contacts")
    con.execute("DROP TABLE _stage_contacts")
    return int(row[0]) if row else 0


def upsert_surveys(con: duckdb.DuckDBPyConnection, source: str, import_id: int) -> int:
    con.execute(
        "DELETE FROM survey_responses r USING _stage_surveys s "
        "WHERE r.response_id = ? || ':' || s.source_record_id "
        "AND coalesce(s.version_at, TIMESTAMP '1900-01-01') >= coalesce(r.version_at, TIMESTAMP '1900-01-01')",
        [source],
    )
    inserted = con.execute(
        """
        INSERT INTO survey_responses
        SELECT ? || ':' || s.source_record_id, ?, s.source_record_id,
               CASE WHEN s.contact_record_id IS NOT NULL THEN ? || ':' || s.contact_record_id END,
               s.case_id, s.customer_key, s.channel, s.responded_at, s.csat, s.csat_scale, s.nps,
               s.ces, s.resolved, s.comment, s.version_at, ?
        FROM _stage_surveys s
        WHERE NOT EXISTS (SELECT 1 FROM survey_responses r
                          WHERE r.response_id = ? || ':' || s.source_record_id)
        """,
        [source, source, source, import_id, source],
    ).fetchall()[0][0]
    _check_kept(con, "survey_responses", import_id, int(inserted))
    row = warehouse.one(con, "SELECT count(*) FROM _stage_surveys")
    con.execute("DROP TABLE _stage_surveys")
    return int(row[0]) if row else 0


def _check_kept(con: duckdb.DuckDBPyConnection, table: str, import_id: int, inserted: int) -> None:
    """The rows an import wrote must read back (a cheap scan: import ids are stored in order).

    A safety net, not a formality: duckdb 2.0.0 once left a large insert invisible to the same
    connection until the next checkpoint (see staging.assign_customers). Raising here rolls the file
    back with a message instead of leaving numbers that silently miss rows."""
    row = warehouse.one(con, f"SELECT count(*) FROM {table} WHERE import_id = ?", [import_id])
    if not row or int(row[0]) != inserted:
        raise RuntimeError(f"{table}: {inserted} rows were written but {row[0] if row else 0} read back; "
                           "nothing of this file was kept, import it again")


def link_surveys(con: duckdb.DuckDBPyConnection, import_id: int, brought_surveys: bool) -> None:
    """Survey responses that name a case/ticket id get the contact of that case (any source).

    Only the case ids of still-unlinked responses are looked up. A response waiting from an
    earlier import can only be linked by a contact this import brought (had its case been loaded
    before, it would be linked already), so without new responses only this import's contacts are
    searched: the cost follows the import, not the size of the warehouse."""
    scope = "" if brought_surveys else f"AND import_id = {int(import_id)}"
    con.execute(
        f"""
        UPDATE survey_responses r SET contact_id = m.contact_id,
               customer_key = coalesce(r.customer_key, m.customer_key)
        FROM (SELECT case_id, arg_max(contact_id, opened_at) AS contact_id,
                     arg_max(customer_key, opened_at) AS customer_key
              FROM contacts
              WHERE case_id IN (SELECT case_id FROM survey_responses
                                WHERE contact_id IS NULL AND case_id IS NOT NULL) {scope}
              GROUP BY case_id) m
        WHERE r.contact_id IS NULL AND r.case_id = m.case_id
        """
    )


def write_rejects(con: duckdb.DuckDBPyConnection, rejects: list[Reject], import_id: int,
                   name: str, table: str = "rejects") -> None:
    """Rows a connector rejected (``rejects``) or skipped on purpose (``skipped_rows``)."""
    if not rejects:
        return
    frame = pd.DataFrame(
        {
            "import_id": import_id,
            "file_name": name,
            "line": pd.array([r.line for r in rejects], dtype="Int64"),
            "reason": [r.reason for r in rejects],
            "raw": [r.raw[:500] for r in rejects],
        }
    )
    con.register("_rejects", frame)
    con.execute(f"INSERT INTO {table} (import_id, file_name, line, reason, raw) SELECT * FROM _rejects")
    con.unregister("_rejects")
