"""kill -9 during imports (issue 13 item 3, issue 18's stale models): each file's rows, its model
rows and its rollup days are written in one transaction, so whenever the import process dies the
warehouse opened afterwards (read-only: nothing repairs it first) holds every committed file in the
raw tables, the models and the rollups alike, and no trace of the file it was in the middle of."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from bench.generate import load_reference, write_exports
from connectors.base import ReadOptions
from connectors.demo import writers
from connectors.demo.simulate import TZ, simulate
from connectors.loader import load_file
from metrics import catalog, editor, rollups, semantics
from sql import warehouse

ROOT = Path(__file__).resolve().parent.parent
KILLS = 6


def _consistent(db: Path) -> tuple[int, int]:
    """Assert raw tables, models and rollups agree; return (imports loaded, contacts)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        loaded = con.execute("SELECT list(import_id) FROM import_log WHERE status = 'loaded'"
                             ).fetchall()[0][0] or []
        ids = ", ".join(map(str, loaded)) or "NULL"
        # nothing of a file that did not commit: every raw row belongs to a logged import
        for table in ("contacts", "survey_responses"):
            stray = con.execute(f"SELECT count(*) FROM {table} WHERE import_id NOT IN ({ids})"
                                ).fetchall()[0][0]
            assert stray == 0, table
        contacts = con.execute("SELECT count(*) FROM contacts").fetchall()[0][0]
        assert con.execute("SELECT count(*) FROM m_contacts").fetchall()[0][0] == contacts
        assert con.execute("SELECT count(*) FROM m_surveys").fetchall()[0][0] == \
            con.execute("SELECT count(*) FROM survey_responses").fetchall()[0][0]
        assert con.execute("SELECT count(*) FROM settings WHERE key = ?",
                           [warehouse.MODELS_BEHIND]).fetchall()[0][0] == 0
        # every dated model row is in its day of the rollup, once; and the rollup rows are what
        # the rollup's own definition computes from the models now
        dated = con.execute("SELECT count(*) FROM m_contacts WHERE local_at IS NOT NULL"
                            ).fetchall()[0][0]
        assert con.execute("SELECT sum(contacts__n) FROM r_m_contacts").fetchall()[0][0] == dated
        for table, full_sql in con.execute("SELECT table_name, full_sql FROM rollup_defs"
                                           ).fetchall():
            # its keys and counts (sums of doubles may differ in their last bits by row order)
            keys = ", ".join(c for (c, *_rest) in con.execute(f"DESCRIBE {table}").fetchall()
                             if "__" not in c)
            for a, b in ((table, f"({full_sql})"), (f"({full_sql})", table)):
                missing = con.execute(f"SELECT count(*) FROM (SELECT {keys} FROM {a} "
                                      f"EXCEPT ALL SELECT {keys} FROM {b})").fetchall()[0][0]
                assert missing == 0, (table, a)
        return len(loaded), contacts
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_during_imports_leaves_raw_tables_models_and_rollups_agreeing(
        tmp_path: Path) -> None:
    first, last = writers.default_period(date(2026, 6, 30))
    sim = simulate(6000, first, last, seed=11)
    files = write_exports(sim, tmp_path / "exports", 11)
    base = tmp_path / "base.duckdb"
    con = warehouse.connect(base)
    warehouse.set_setting(con, "business_timezone", TZ)
    load_reference(con, writers.write_reference(sim, tmp_path / "exports"))
    head, rest = files[:1], files[1:]
    for f in head:
        assert load_file(con, f, None, ReadOptions(file_name=f.name, tz=TZ)).status == "loaded"
    rollups.install(con, catalog.load_catalog(editor.kpi_dir(), catalog.schema_of(con)),
                    (semantics.OPEN_TICKETS,))
    con.close()
    _consistent(base)

    db = tmp_path / "work.duckdb"
    shutil.copyfile(base, db)
    command = [sys.executable, "-m", "connectors", "load", "--db", str(db), "--tz", TZ,
               *map(str, rest)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()  # one whole run, to spread the kills over it
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    whole = time.perf_counter() - t0
    complete = _consistent(db)
    rng = random.Random(13)
    seen = set()
    for _ in range(KILLS):
        shutil.copyfile(base, db)
        Path(f"{db}.wal").unlink(missing_ok=True)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, whole * 0.95))
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen.add(_consistent(db)[0])
        # and the import can simply be run again: the files it had committed are skipped, the
        # others loaded, and the warehouse ends as if nothing had happened
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True)
        assert _consistent(db) == complete
    assert len(seen) >= 2  # the kills fell between different files, not all at one moment
