"""The demo company: ``python -m connectors demo`` writes Northwind Home's exports and loads them.

The exports are written in real vendor formats (see ``writers``) and loaded through the same connectors
and loader as any customer's files, so the demo warehouse is built exactly as a real one would be.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

from connectors.base import ReadOptions
from connectors.demo import writers
from connectors.demo.company import SHOWS, story
from connectors.demo.simulate import TZ, simulate
from connectors.loader import ImportResult, load_file, refresh_after
from sql import warehouse


def build(out: Path, db: Path | str, contacts: int = 300_000, seed: int = 7,
          end: date | None = None, log=print,  # type: ignore[no-untyped-def]
          parallel: bool = False) -> list[ImportResult]:
    """Write the exports under ``out`` and load them into ``db``; return the import results.

    ``parallel`` writes the call records in a spawned process (the command line does; a host such as
    a test runner whose main module cannot be re-imported falls back to writing them here)."""
    t0 = time.perf_counter()
    first, last = writers.default_period(end)
    log(f"simulating {contacts:,} contacts from {first} to {last} ...")
    sim = simulate(contacts, first, last, seed)
    out.mkdir(parents=True, exist_ok=True)
    log(f"writing exports to {out} ...")
    # Two cores: the call records (the slowest writer) are written in a second process while this
    # one writes and loads the tickets (a spawned process: nothing of this one is inherited).
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        calls = pool.submit(writers.write_connect, sim, out, sim.customers, seed) if parallel \
            else None
        tickets = writers.write_zendesk(sim, out, sim.customers)
        survey = writers.write_qualtrics(sim, out, sim.customers, seed)
        reference = writers.write_reference(sim, out)
        (out / "STORY.md").write_text(_story_text(first, last), encoding="utf-8")
        con = warehouse.connect(db)
        warehouse.set_setting(con, "business_timezone", TZ)
        warehouse.set_setting(con, "company_name", "Northwind Home")  # the board pack's cover
        # a year: the chatbot launch, the website change and the warehouse fix show in its trends,
        # the carrier failure in its latest month (the billing error in the details' history)
        warehouse.set_setting(con, "default_period", "last_12_months")
        _load_reference(con, reference)
        results = _load(con, tickets, log)
        call_files = _result(calls) if calls is not None else None
        if call_files is None:
            call_files = writers.write_connect(sim, out, sim.customers, seed)
        results += _load(con, call_files, log)
    results += _load(con, [survey], log)  # last: its responses link to tickets and calls
    refresh_after(con, results, full=True)
    con.close()
    log(f"demo ready in {time.perf_counter() - t0:.1f} s: {db}")
    return results


def _result(future: Future[list[Path]]) -> list[Path] | None:
    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _load(con, files: list[Path], log) -> list[ImportResult]:  # type: ignore[no-untyped-def]
    results = []
    for f in files:
        result = load_file(con, f, None, ReadOptions(file_name=f.name, tz=TZ), refresh=False)
        results.append(result)
        log("  " + json.dumps(result.as_dict()))
    return results


def _load_reference(con, paths: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    from connectors import reference

    for table, path in paths.items():
        reference.import_csv(con, table, path, replace=True, refresh=False)


def _has_contacts(db: Path) -> bool:
    if not db.exists():
        return False
    con = warehouse.connect(db)
    try:
        row = warehouse.one(con, "SELECT count(*) FROM contacts")
        return bool(row and row[0])
    finally:
        con.close()


def _story_text(first: date, last: date) -> str:
    lines = [f"# Northwind Home, {first} to {last}", ""]
    for name, e in story(first, last).items():
        lines.append(f"- **{name}** ({e.start} to {e.end}): {e.what}. Shows in: {SHOWS[name]}.")
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace) -> int:
    db = Path(args.db) if args.db else warehouse.default_db_path()
    if getattr(args, "if_empty", False) and _has_contacts(db):
        print(f"{db} already holds contacts: the demo is not rebuilt (make demo rebuilds it)",
              file=sys.stderr)
        return 0
    end = date.fromisoformat(args.end) if args.end else None
    results = build(Path(args.out), db, args.contacts, args.seed, end,
                    log=lambda m: print(m, file=sys.stderr, flush=True), parallel=True)
    return 1 if any(r.status == "failed" for r in results) else 0
