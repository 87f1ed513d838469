"""Warehouses of 10M, 30M or 100M contacts for issue 13's sizes, generated straight into the
canonical tables (not through vendor files: writing and parsing 100M contacts' exports would take
the better part of a day on this machine).

The 1M data set (``bench.generate``, the demo company's simulation loaded through its real
exports) is copied ``factor`` times: every contact, survey response and customer identity gets
``~<copy>`` appended to its identifiers, so each copy is a different set of customers, and copy r
is moved ``r x 37`` days later in time, wrapping round inside the history (a survey response moves
with its contact), so a day holds contacts from many days of the original and the rollups and
histograms fill as a longer real history would, instead of repeating copy 0's rows. The history
keeps its 25 months (ending 2026-06-29); what grows is the number of customers and of contacts per
day, ``factor`` times, and the demand units (orders, shipments...) grow with them. The seasonal
stories of the demo are smeared by the moves; the KPIs stay in the demo's ranges.

The models and rollups are then built in full, as after any bulk load. "One more day" is still the
1M data set's day exports, imported through the loader, so its cost says what the history's size
does to an import (the day itself does not grow).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import replace
from pathlib import Path

from bench.generate import Dataset
from metrics import catalog, editor, rollups, semantics
from sql import warehouse

SUFFIX = "'~' || r"  # appended to every identifier of copy r (r = 1 .. factor - 1)
STEP_DAYS = 37  # copy r moves r x 37 days, wrapping round inside the history
COPIES = {
    "contacts": ("contact_id", "source_record_id", "case_id", "customer_key"),
    "survey_responses": ("response_id", "source_record_id", "contact_id", "case_id",
                         "customer_key"),
    "customers": ("identity", "customer_key"),
}
TIMES = {"contacts": ("opened_at", "answered_at", "first_response_at", "closed_at", "version_at"),
         "survey_responses": ("responded_at", "version_at")}
# the moment each row moves with: its own opening, a response its contact's (or its own)
ANCHOR = {"contacts": "t.opened_at",
          "survey_responses": "coalesce((SELECT c.opened_at FROM contacts c "
                              "WHERE c.contact_id = t.contact_id LIMIT 1), t.responded_at)"}


def copy_sql(table: str, columns: tuple[str, ...], factor: int, first: str, span: int) -> str:
    """INSERT the table's rows again for copies 1 .. factor - 1: identifiers suffixed, times moved
    (``first``: the history's first day, ``span``: its length in days)."""
    renamed = [f"{c} || {SUFFIX} AS {c}" for c in columns]
    renamed += [f"{c} + to_days(CAST(shift AS INTEGER)) AS {c}" for c in TIMES.get(table, ())]
    offset = f"(r * {STEP_DAYS}) % {int(span)}"
    anchor = ANCHOR.get(table)
    shift = "0" if anchor is None else (
        f"CASE WHEN date_diff('day', TIMESTAMP '{first}', {anchor}) + {offset} < {int(span)} "
        f"THEN {offset} ELSE {offset} - {int(span)} END")
    return (f"INSERT INTO {table} SELECT * EXCLUDE (r, shift) REPLACE ({', '.join(renamed)}) "
            f"FROM (SELECT t.*, r, {shift} AS shift FROM {table} t, "
            f"range(1, {int(factor)}) AS copies(r))")


def build(source: Dataset, factor: int, root: Path, log=print) -> Dataset:  # type: ignore[no-untyped-def]
    """The ``factor``-times warehouse under ``root`` (reused when its manifest matches)."""
    contacts = source.contacts * factor
    manifest = root / "manifest.json"
    if manifest.exists():
        m = json.loads(manifest.read_text())
        if m.get("contacts") == contacts and m.get("source") == str(source.base_db):
            log(f"reusing the scaled warehouse in {root}")
            return replace(source, root=root, contacts=contacts, base_db=Path(m["base_db"]),
                           timings=m["timings"])
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    base = root / "base.duckdb"
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    shutil.copyfile(source.base_db, base)
    con = warehouse.connect(base)
    log(f"copying the 1M warehouse's rows {factor} times into {base}")
    first, last = con.execute("SELECT CAST(min(opened_at) AS DATE), CAST(max(opened_at) AS DATE) "
                              "FROM contacts").fetchall()[0]
    span = (last - first).days + 1
    with warehouse.transaction(con):
        for table, columns in COPIES.items():  # the contacts last: the responses read their times
            if table != "contacts":
                con.execute(copy_sql(table, columns, factor, str(first), span))
        con.execute(copy_sql("contacts", COPIES["contacts"], factor, str(first), span))
        con.execute("UPDATE demand SET value = value * ?", [factor])
    timings["copy_s"] = time.perf_counter() - t0
    log(f"  copied in {timings['copy_s']:.1f} s; building the models and rollups")
    t0 = time.perf_counter()
    with warehouse.transaction(con):
        warehouse.refresh_models(con)
    timings["models_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    cat = catalog.load_catalog(editor.kpi_dir(), catalog.schema_of(con))
    with warehouse.transaction(con):
        rollups.install(con, cat, (semantics.OPEN_TICKETS,))
    timings["rollups_s"] = time.perf_counter() - t0
    con.execute("CHECKPOINT")
    con.close()
    log(f"  models in {timings['models_s']:.1f} s, rollups in {timings['rollups_s']:.1f} s")
    manifest.write_text(json.dumps({"contacts": contacts, "factor": factor,
                                    "source": str(source.base_db), "base_db": str(base),
                                    "timings": timings}, indent=1))
    return replace(source, root=root, contacts=contacts, base_db=base, timings=timings)


def sizes(path: Path) -> dict[str, float]:
    """The warehouse file's size and the share of its used blocks that hold the rollups (each
    rollup table's persistent blocks, ``pragma_storage_info``)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        block_size, used = con.execute(
            "SELECT block_size, used_blocks FROM pragma_database_size()").fetchall()[0]
        tables = [r[0] for r in con.execute("SELECT table_name FROM rollup_defs").fetchall()]
        blocks = sum(con.execute(f"SELECT count(DISTINCT block_id) FROM pragma_storage_info('{t}') "
                                 "WHERE block_id >= 0").fetchall()[0][0] for t in tables)
        rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables)
    finally:
        con.close()
    return {"file_bytes": path.stat().st_size, "used_bytes": int(block_size) * int(used),
            "rollup_bytes": int(block_size) * blocks, "rollup_rows": rows,
            "rollup_share": blocks / used if used else 0.0}
