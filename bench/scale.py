"""Warehouses of 10M, 30M or 100M contacts for issue 13's sizes, generated straight into the
canonical tables (not through vendor files: writing and parsing 100M contacts' exports would take
the better part of a day on this machine).

The 1M data set (``bench.generate``, the demo company's simulation loaded through its real
exports) is copied ``factor`` times: every contact, survey response and customer identity gets
``~<copy>`` appended to its identifiers, so each copy is a different set of customers with the
same behaviour. The history keeps its days (25 months ending 2026-06-29); what grows is the
number of customers and of contacts per day, ``factor`` times, and the demand units (orders,
shipments...) grow with them, so contacts per X stays what it was. Every KPI that is a rate, a
median or a score therefore reads the same at every size; counts and costs are ``factor`` times
larger: a check that the bigger warehouse was built right (``python -m bench`` compares them).

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
COPIES = {
    "contacts": ("contact_id", "source_record_id", "case_id", "customer_key"),
    "survey_responses": ("response_id", "source_record_id", "contact_id", "case_id",
                         "customer_key"),
    "customers": ("identity", "customer_key"),
}


def copy_sql(table: str, columns: tuple[str, ...], factor: int) -> str:
    """INSERT the table's rows again for copies 1 .. factor - 1 with their identifiers suffixed."""
    renamed = ", ".join(f"{c} || {SUFFIX} AS {c}" for c in columns)
    return (f"INSERT INTO {table} SELECT * EXCLUDE (r) REPLACE ({renamed}) "
            f"FROM {table}, range(1, {int(factor)}) AS copies(r)")


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
    with warehouse.transaction(con):
        for table, columns in COPIES.items():
            con.execute(copy_sql(table, columns, factor))
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
