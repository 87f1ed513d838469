"""The loader's SQL half: typed staging tables, row checks, rejects and customer keys, all in DuckDB.

A connector hands the loader either pandas frames (``Parsed.contacts`` / ``.surveys``) or, on its fast
path, temp tables it wrote itself (``Parsed.staged``: ``_in_contacts`` / ``_in_surveys``). Both go the
same way from here:

* ``typed`` casts every canonical column (missing ones are NULL) into ``_t_contacts`` / ``_t_surveys``,
  in the connector's row order;
* ``blank_impossible`` blanks values that cannot be true (a negative duration, an end before its start, a
  score off its scale) and records each one in ``blanked_values``: the row still counts, the field is
  unknown, so no average is ever taken over an impossible number;
* ``reject_invalid`` moves rows that cannot be used (no id, no time, unknown channel...) to ``rejects``
  with their line and reason, first failing check wins;
* ``assign_customers`` turns e-mail / phone / account into customer keys. Normalising is SQL; only
  phone numbers that are not already E.164 go through ``phonenumbers``, once per distinct value; the
  linking (``identity.assign``) runs once per distinct identity combination in first-seen order, which
  gives every row the key it would get row by row.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from connectors import identity
from connectors.base import CHANNELS, CONTACT_COLUMNS, DIRECTIONS, EMPTY_WORDS, SURVEY_COLUMNS
from sql import warehouse

TABLES = {"contacts": ("_in_contacts", "_t_contacts", CONTACT_COLUMNS),
          "surveys": ("_in_surveys", "_t_surveys", SURVEY_COLUMNS)}


def _quote_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


CHECKS = {
    "contacts": [
        ("source_record_id IS NULL OR source_record_id = ''", "no record id"),
        ("opened_at IS NULL", "no readable open time"),
        (f"channel IS NULL OR channel NOT IN ({_quote_list(CHANNELS)})", "unknown channel"),
        (f"direction IS NULL OR direction NOT IN ({_quote_list(DIRECTIONS)})", "unknown direction"),
    ],
    "surveys": [
        ("source_record_id IS NULL", "no response id"),
        ("responded_at IS NULL", "no readable response time"),
        ("csat IS NULL AND nps IS NULL AND ces IS NULL AND resolved IS NULL AND comment IS NULL",
         "no score and no comment"),
    ],
}


DURATIONS = ("wait_seconds", "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds")
ENDS = ("answered_at", "first_response_at", "closed_at")
# (field, condition on the typed row, reason): the field is blanked where the condition holds. A NULL
# compares to nothing, so a value that is not there is never "impossible".
IMPOSSIBLE: dict[str, list[tuple[str, str, str]]] = {
    "contacts": [
        *((c, f"{c} < 0", "negative duration") for c in DURATIONS),
        *((c, f"{c} < opened_at", "before opened_at (an end before its start)") for c in ENDS),
    ],
    "surveys": [
        ("csat", "csat_scale = 2 AND csat NOT IN (0, 1)", "csat off its good/bad scale (0 or 1)"),
        ("csat", "csat_scale = 5 AND (csat < 1 OR csat > 5)", "csat off its 1-5 scale"),
        ("csat", "csat_scale = 10 AND (csat < 0 OR csat > 10)", "csat off its 0-10 scale"),
        ("nps", "nps < 0 OR nps > 10", "nps off its 0-10 scale"),
        ("ces", "ces < 1 OR ces > 7", "ces off its 1-7 scale"),
    ],
}


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(f"SELECT * FROM {table} LIMIT 0").description or []
    return [r[0] for r in rows]


def from_frames(con: duckdb.DuckDBPyConnection, contacts: pd.DataFrame, surveys: pd.DataFrame) -> None:
    """The pandas path: the connector's frames become ``_in_contacts`` / ``_in_surveys``."""
    for frame, (name, _typed, _cols) in ((contacts, TABLES["contacts"]), (surveys, TABLES["surveys"])):
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")
        if frame.columns.empty:
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT NULL AS source_record_id WHERE false")
            continue
        con.register("_frame", frame.reset_index(drop=True))
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM _frame")
        con.unregister("_frame")


def typed(con: duckdb.DuckDBPyConnection, kind: str) -> int:
    """Cast ``_in_<kind>`` into ``_t_<kind>`` with every canonical column; return its row count."""
    source, target, columns = TABLES[kind]
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                         [source]).fetchall()[0][0]
    if not exists:  # a fast path that found no rows of this kind writes no table
        con.execute(f"CREATE TEMP TABLE {source} AS SELECT NULL AS source_record_id WHERE false")
    present = set(columns_of(con, source))
    casts = ", ".join(
        (_text_cast(c) if t == "TEXT" else f"TRY_CAST({c} AS {t}) AS {c}") if c in present
        else f"CAST(NULL AS {t}) AS {c}"
        for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT {casts} FROM {source}")
    con.execute(f"DROP TABLE IF EXISTS temp.{source}")
    row = warehouse.one(con, f"SELECT count(*) FROM {target}")
    return int(row[0]) if row else 0


# Cells that say "no value" in words: empty in every format (README "Importing"). Text columns only:
# in a number, time or boolean column the cast makes them NULL anyway.
EMPTY_CELLS = tuple(sorted(EMPTY_WORDS | {w.upper() for w in EMPTY_WORDS}))


def _text_cast(column: str) -> str:
    return (f"CASE WHEN trim(CAST({column} AS VARCHAR)) IN ({_quote_list(EMPTY_CELLS)}) THEN NULL "
            f"ELSE TRY_CAST({column} AS TEXT) END AS {column}")


# Work durations that are never 0 on every contact of a real file, and what the KPIs lose when one is
# not recorded (sql/kpis, sql/models/10_m_contacts.sql). A wait of 0 s is real (answered at once).
# Only handle time: a column of zeros there ("Time tracked 0:00") means not tracked, while 0 s of
# hold or after-call work on every contact of a small file is an ordinary truth.
DURATION_KPIS = {"handle_seconds": "AHT and cost per contact leave these contacts out"}


def _these(n: int, noun: str) -> str:
    """"this 1 contact", "these 45 contacts"."""
    return f"this 1 {noun}" if n == 1 else f"these {n:,} {noun}s"


def blank_not_recorded(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """A work-duration column (``DURATION_KPIS``) in which every value is 0 (at least 2 of them: "Time
    tracked 0:00" on every ticket) is a column the source does not fill, not a file of zero-second
    contacts: blank it to NULL, so AHT is not 0 s, and say so. Returns the warnings."""
    if kind != "contacts":
        return []
    _source, target, _cols = TABLES[kind]
    work = list(DURATION_KPIS)
    counts = con.execute("SELECT " + ", ".join(
        f"count({c}), count(*) FILTER (WHERE {c} = 0)" for c in work) + f" FROM {target}").fetchall()[0]
    zero = [c for i, c in enumerate(work) if counts[2 * i] >= 2 and counts[2 * i] == counts[2 * i + 1]]
    if not zero:
        return []
    con.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT * REPLACE ("
                + ", ".join(f"CAST(NULL AS DOUBLE) AS {c}" for c in zero)
                + f") FROM {target} ORDER BY rowid")
    return [f"{c}: all {counts[2 * work.index(c)]} values are 0, read as not recorded "
            f"(blanked): {DURATION_KPIS[c]}" for c in zero]


def file_rows(con: duckdb.DuckDBPyConnection, tables: list[str]) -> int:
    """How many rows of the file the canonical rows in ``tables`` come from: rows sharing a ``line``
    (a ticket and its rating) are one file row; a row without a line counts as its own."""
    union = " UNION ALL ".join(f"SELECT line FROM {t}" for t in tables)
    row = warehouse.one(con, "SELECT count(DISTINCT line) + count(*) FILTER (WHERE line IS NULL) "
                             f"FROM ({union})")
    return int(row[0]) if row else 0


def coverage_warnings(con: duckdb.DuckDBPyConnection, table: str, blanked: list[str],
                      ticket: bool | None = None) -> list[str]:
    """Fields the KPIs need that no contact of the file has (``table``: the contacts to be loaded;
    ``ticket``: what a contact whose ``ticket`` is NULL is, as the loader will store it)."""
    is_ticket = f"coalesce(ticket, CAST({'NULL' if ticket is None else str(ticket).upper()} AS BOOLEAN))"
    row = warehouse.one(con, f"""SELECT count(*), count(*) FILTER (WHERE channel = 'other'),
        count(handle_seconds), count(reason), count(customer_key),
        count(*) FILTER (WHERE direction = 'inbound' AND queued),
        count(wait_seconds) FILTER (WHERE direction = 'inbound' AND queued),
        count(*) FILTER (WHERE {is_ticket}), count(first_response_at) FILTER (WHERE {is_ticket})
        FROM {table}""")
    if not row or not row[0]:
        return []
    n, other, handle, reason, customer, queued, waits, tickets, responses = (int(x) for x in row)
    out = []
    if other == n:
        out.append(f"no channel: all {n} contacts get channel 'other' (the file names none the format "
                   "knows; a generic mapping can set one under defaults: channel)")
    if not handle and not any(w.startswith("handle_seconds:") for w in blanked):
        out.append(f"no handle time: AHT and cost per contact leave {_these(n, 'contact')} out")
    if not reason:
        out.append(f"no contact reason: avoidable rate, service-caused share and the reason breakdowns "
                   f"leave {_these(n, 'contact')} out")
    if not customer:
        out.append(f"no customer identity (e-mail, phone or account): repeat contacts, FCR and channel "
                   f"switches cannot link {_these(n, 'contact')}")
    if queued and not waits:  # sql/kpis/asa.sql, service_level.sql: a missing wait counts as 0 s
        out.append("no wait time: ASA and service level count the wait of "
                   f"{_these(queued, 'queued contact')} as 0 s")
    if tickets and not responses:
        out.append(f"no first response time: first response time leaves {_these(tickets, 'ticket')} out")
    return out


def blank_impossible(con: duckdb.DuckDBPyConnection, kind: str, import_id: int, file_name: str) -> int:
    """Blank the impossible values of ``_t_<kind>`` (``IMPOSSIBLE``), each recorded in ``blanked_values``
    with its line, record id, field, reason and value; return how many were blanked.

    Why blank and not reject: a case closed "before" it was opened (a Salesforce migration stamps
    CreatedDate with the load date) is still a case the customer raised; only its resolution time is
    unknown. Rejecting it would lose a contact, keeping the value would put -415 days into a median.
    One scan counts the findings; the table is rewritten only when there are some."""
    _source, target, _cols = TABLES[kind]
    rules = IMPOSSIBLE[kind]
    counts = con.execute("SELECT " + ", ".join(f"count(*) FILTER (WHERE {cond})" for _f, cond, _r in rules)
                         + f" FROM {target}").fetchall()[0]
    found = [rule for rule, n in zip(rules, counts, strict=True) if n]
    if not found:
        return 0
    union = " UNION ALL ".join(
        f"SELECT rowid AS _ord, {i} AS _rule, line, source_record_id, {_literal(field)} AS field, "
        f"{_literal(reason)} AS reason, CAST({field} AS VARCHAR) AS raw FROM {target} WHERE {cond}"
        for i, (field, cond, reason) in enumerate(found))
    con.execute(f"""INSERT INTO blanked_values
        SELECT ?, ?, line, ?, source_record_id, field, reason, left(raw, 500)
        FROM ({union}) ORDER BY _ord, _rule""", [import_id, file_name, kind])
    fields: dict[str, list[str]] = {}
    for field, cond, _reason in found:
        fields.setdefault(field, []).append(f"({cond})")
    blanks = ", ".join(f"CASE WHEN {' OR '.join(conds)} THEN NULL ELSE {field} END AS {field}"
                       for field, conds in fields.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT * REPLACE ({blanks}) FROM {target} "
                f"ORDER BY rowid")
    return int(sum(counts))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def reject_invalid(con: duckdb.DuckDBPyConnection, kind: str, import_id: int, file_name: str) -> int:
    """Write the rows of ``_t_<kind>`` that fail a check to ``rejects`` and drop them; their count."""
    _source, target, _cols = TABLES[kind]
    cases = " ".join(f"WHEN {cond} THEN {i}" for i, (cond, _r) in enumerate(CHECKS[kind]))
    reasons = " ".join(f"WHEN {i} THEN '{r}'" for i, (_c, r) in enumerate(CHECKS[kind]))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _checked AS SELECT rowid AS _ord, "
                f"CASE {cases} END AS _bad FROM {target}")
    row = warehouse.one(con, "SELECT count(*) FROM _checked WHERE _bad IS NOT NULL")
    bad = int(row[0]) if row else 0
    if bad:
        con.execute(
            f"""INSERT INTO rejects
            SELECT ?, ?, t.line, CASE c._bad {reasons} END, left(coalesce(t.source_record_id, ''), 500)
            FROM {target} t JOIN _checked c ON c._ord = t.rowid
            WHERE c._bad IS NOT NULL ORDER BY c._bad, c._ord""", [import_id, file_name])
        con.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT t.* FROM {target} t "
                    f"JOIN _checked c ON c._ord = t.rowid WHERE c._bad IS NULL ORDER BY c._ord")
    con.execute("DROP TABLE temp._checked")
    return bad


IDENTITY_SLICE = 500_000
E164 = r"\+[1-9][0-9]{6,14}"
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"


def assign_customers(con: duckdb.DuckDBPyConnection, kind: str, region: str, import_id: int) -> None:
    """Key the rows of ``_t_<kind>`` (``_k_<kind>``: row, customer_key; see ``keyed``) and record
    the identities this file brings."""
    _source, target, _cols = TABLES[kind]
    if not warehouse.one(con, f"SELECT count(*) FROM {target}")[0]:  # type: ignore[index]
        con.execute(f"CREATE OR REPLACE TEMP TABLE _k_{kind} (_ord BIGINT, customer_key TEXT)")
        return
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _idn AS
        WITH n AS (
            SELECT rowid AS _ord, nullif(trim(account), '') AS a,
                   CASE WHEN lower(trim(email)) LIKE 'mailto:%' THEN lower(trim(email))[8:]
                        ELSE lower(trim(email)) END AS e0,
                   phone,
                   CASE WHEN lower(trim(phone)) LIKE 'tel:%' THEN trim(phone)[5:]
                        ELSE trim(phone) END AS p0
            FROM {target})
        SELECT _ord, a, CASE WHEN regexp_full_match(e0, '{EMAIL}') THEN e0 END AS e, phone,
               CASE WHEN regexp_full_match(p0, '{E164}') THEN p0 END AS p_fast
        FROM n""")
    slow = [r[0] for r in con.execute(
        "SELECT DISTINCT phone FROM _idn WHERE p_fast IS NULL AND trim(phone) <> ''").fetchall()]
    if slow:
        con.register("_phones", pd.DataFrame(
            {"phone": slow, "p": [identity.normal_phone(x, region) for x in slow]}, dtype="string"))
        con.execute("CREATE OR REPLACE TEMP TABLE _phones_t AS SELECT * FROM _phones")
        con.unregister("_phones")
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE _phones_t (phone TEXT, p TEXT)")
    # One row per distinct identity combination, first-seen order, with the keys already known.
    # A combination that shares no identity with another one gets its key without looking at any
    # other (the first known key by strength, else a new key from its strongest identity), so only
    # the combinations that share identities are linked in Python, in order (identity.assign).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _tup AS
        WITH r AS (
            SELECT i._ord, i.a, i.e, coalesce(i.p_fast, s.p) AS p
            FROM _idn i LEFT JOIN _phones_t s ON i.p_fast IS NULL AND s.phone = i.phone),
        t AS MATERIALIZED (
            SELECT a, e, p, min(_ord) AS first FROM r WHERE coalesce(a, e, p) IS NOT NULL
            GROUP BY a, e, p),
        known AS MATERIALIZED (  -- one pass over customers, however many identities a row has
            SELECT identity, min(customer_key) AS customer_key FROM customers
            WHERE identity IN (SELECT 'account:' || a FROM t UNION ALL SELECT 'email:' || e FROM t
                               UNION ALL SELECT 'phone:' || p FROM t)
            GROUP BY identity)
        SELECT t.*, ka.customer_key AS ka, ke.customer_key AS ke, kp.customer_key AS kp,
               (a IS NOT NULL AND count(*) OVER (PARTITION BY a) > 1)
               OR (e IS NOT NULL AND count(*) OVER (PARTITION BY e) > 1)
               OR (p IS NOT NULL AND count(*) OVER (PARTITION BY p) > 1) AS shared
        FROM t
        LEFT JOIN known ka ON ka.identity = 'account:' || t.a
        LEFT JOIN known ke ON ke.identity = 'email:' || t.e
        LEFT JOIN known kp ON kp.identity = 'phone:' || t.p""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _keys AS
        SELECT a, e, p, coalesce(ka, ke, kp, 'c' || left(sha1(coalesce('account:' || a, 'email:' || e,
                                                                     'phone:' || p)), 15)) AS customer_key
        FROM _tup WHERE NOT shared""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _new_ids AS
        SELECT v.identity, k.customer_key
        FROM _tup t JOIN _keys k ON k.a IS NOT DISTINCT FROM t.a AND k.e IS NOT DISTINCT FROM t.e
                                AND k.p IS NOT DISTINCT FROM t.p,
             (VALUES ('account:' || t.a, t.ka), ('email:' || t.e, t.ke), ('phone:' || t.p, t.kp))
                 v(identity, known)
        WHERE NOT t.shared AND v.identity IS NOT NULL AND v.known IS NULL""")
    tuples = con.execute("SELECT a, e, p, ka, ke, kp FROM _tup WHERE shared ORDER BY first").fetchall()
    rows: list[list[str]] = []
    known: dict[str, str] = {}
    for a, e, p, ka, ke, kp in tuples:
        ids = []
        for prefix, value, key in (("account:", a, ka), ("email:", e, ke), ("phone:", p, kp)):
            if value is not None:
                ids.append(prefix + value)
                if key is not None:
                    known[prefix + value] = key
        rows.append(ids)
    keys, added = identity.assign(rows, known)
    if tuples:
        con.register("_linked", pd.DataFrame({
            "a": [t[0] for t in tuples], "e": [t[1] for t in tuples], "p": [t[2] for t in tuples],
            "customer_key": keys}, dtype="string"))
        con.execute("INSERT INTO _keys SELECT * FROM _linked")
        con.unregister("_linked")
    if added:
        con.register("_added", pd.DataFrame({"identity": list(added), "customer_key": list(added.values())},
                                            dtype="string"))
        con.execute("INSERT INTO _new_ids SELECT * FROM _added")
        con.unregister("_added")
    # Through pandas, in slices, on purpose: with duckdb 2.0.0, rows inserted into a persistent table
    # straight from this temp table stayed invisible to later queries of the same connection until
    # the next checkpoint (the next file then re-added identities it could not see). Reproduced by
    # tests/test_fast_paths.py::test_identities_of_one_file_are_seen_by_the_next. Slices keep the
    # memory of a file with millions of new identities small.
    # (Numbered with row_number(): rowids of rows written inside a transaction are not 0, 1, 2...)
    con.execute("CREATE OR REPLACE TEMP TABLE _new_ids AS "
                "SELECT *, row_number() OVER () - 1 AS _i FROM _new_ids")
    total = warehouse.one(con, "SELECT count(*) FROM _new_ids")
    n_new = int(total[0]) if total else 0
    for start in range(0, n_new, IDENTITY_SLICE):
        part = con.execute(
            "SELECT identity, split_part(identity, ':', 1) AS identity_type, customer_key, "
            "?::BIGINT AS first_import FROM _new_ids WHERE _i >= ? AND _i < ?",
            [import_id, start, start + IDENTITY_SLICE]).df()
        con.register("_new_part", part)
        con.execute("INSERT INTO customers SELECT * FROM _new_part")
        con.unregister("_new_part")
    if n_new:
        kept = warehouse.one(con, "SELECT count(*) FROM customers WHERE first_import = ?", [import_id])
        if not kept or int(kept[0]) < n_new:
            raise RuntimeError(f"customers: {n_new} new identities were written but "
                               f"{kept[0] if kept else 0} read back; nothing of this file was kept")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _k_{kind} AS
        SELECT i._ord, k.customer_key
        FROM _idn i
        LEFT JOIN _phones_t s ON i.p_fast IS NULL AND s.phone = i.phone
        JOIN _keys k ON k.a IS NOT DISTINCT FROM i.a AND k.e IS NOT DISTINCT FROM i.e
                    AND k.p IS NOT DISTINCT FROM coalesce(i.p_fast, s.p)""")
    for name in ("_idn", "_phones_t", "_tup", "_keys", "_new_ids"):
        con.execute(f"DROP TABLE temp.{name}")


def keyed(kind: str) -> str:
    """SQL of the checked rows of ``kind`` with their customer key (NULL: no usable identity)."""
    _source, target, _cols = TABLES[kind]
    return (f"SELECT t.*, k.customer_key FROM {target} t "
            f"LEFT JOIN _k_{kind} k ON k._ord = t.rowid")


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temp tables and views a load made (theirs all start with an underscore)."""
    for name, kind in con.execute(
            "SELECT view_name, 'VIEW' FROM duckdb_views() WHERE temporary AND view_name LIKE '\\_%' ESCAPE '\\' "
            "UNION ALL SELECT table_name, 'TABLE' FROM duckdb_tables() "
            "WHERE temporary AND table_name LIKE '\\_%' ESCAPE '\\'").fetchall():
        con.execute(f"DROP {kind} IF EXISTS temp.{name}")
