"""Exports at scale in the real vendor formats, written by the demo's own simulation and writers.

The simulation is split at the last day: everything before it is the "history" export set, the last
day is written again as a separate small export set (other file names, other record ids) so the
benchmark can import one more day into a loaded warehouse and time the model refresh.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from connectors.base import ReadOptions
from connectors.demo import writers
from connectors.demo.simulate import TZ, Simulation, simulate
from connectors.loader import load_file
from sql import warehouse

END = date(2026, 6, 30)  # fixed, so runs on different days compare
SEED = 7
DAY_SEED = 1007  # the extra day's writers draw other call ids and survey ids


@dataclass
class Dataset:
    root: Path
    contacts: int
    history: list[Path]  # ticket, call and survey exports before the last day
    day: list[Path]  # the last day's exports
    reference: dict[str, Path]
    base_db: Path  # warehouse with the history loaded and models built (the day NOT loaded)
    timings: dict[str, float]

    @property
    def tickets(self) -> list[Path]:
        return [p for p in self.history if p.name.startswith("zendesk")]

    @property
    def calls(self) -> list[Path]:
        return [p for p in self.history if p.name.startswith("amazon_connect")]


def split(sim: Simulation) -> tuple[Simulation, Simulation]:
    cut = pd.Timestamp(sim.last)  # UTC midnight of the last day
    c, s = sim.contacts, sim.surveys
    early = c["opened_at"] < cut
    late_nos = set(c.loc[~early, "contact_no"])
    s_late = s["contact_no"].isin(late_nos)
    head = replace(sim, last=sim.last - timedelta(days=1), contacts=c[early].reset_index(drop=True),
                   surveys=s[~s_late].reset_index(drop=True))
    tail = replace(sim, first=sim.last, contacts=c[~early].reset_index(drop=True),
                   surveys=s[s_late].reset_index(drop=True))
    return head, tail


def write_exports(sim: Simulation, out: Path, seed: int) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = writers.write_zendesk(sim, out, sim.customers)
    files += writers.write_connect(sim, out, sim.customers, seed)
    if len(sim.surveys):
        files.append(writers.write_qualtrics(sim, out, sim.customers, seed))
    return files


def load_reference(con: duckdb.DuckDBPyConnection, paths: dict[str, Path]) -> None:
    from connectors import reference

    for table, path in paths.items():
        reference.import_csv(con, table, path, replace=True, refresh=False)


def build(root: Path, contacts: int, log=print) -> Dataset:  # type: ignore[no-untyped-def]
    """Write (or reuse) the exports and the loaded base warehouse under ``root``."""
    manifest = root / "manifest.json"
    if manifest.exists():
        m = json.loads(manifest.read_text())
        if m.get("contacts") == contacts and m.get("end") == END.isoformat():
            log(f"reusing the generated data in {root}")
            return Dataset(root, contacts, [Path(p) for p in m["history"]],
                           [Path(p) for p in m["day"]],
                           {k: Path(v) for k, v in m["reference"].items()}, Path(m["base_db"]),
                           m["timings"])
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    first, last = writers.default_period(END)
    log(f"simulating {contacts:,} contacts {first} .. {last}")
    sim = simulate(contacts, first, last, SEED)
    timings["simulate_s"] = time.perf_counter() - t0
    head, tail = split(sim)
    t0 = time.perf_counter()
    history = write_exports(head, root / "exports", SEED)
    day = write_exports(tail, root / "day", DAY_SEED)
    reference = writers.write_reference(sim, root / "exports")
    timings["write_s"] = time.perf_counter() - t0
    log(f"  written in {timings['write_s']:.1f} s; loading the history")
    base_db = root / "base.duckdb"
    t0 = time.perf_counter()
    con = warehouse.connect(base_db)
    warehouse.set_setting(con, "business_timezone", TZ)
    load_reference(con, reference)
    for f in history:
        result = load_file(con, f, None, ReadOptions(file_name=f.name, tz=TZ), refresh=False)
        log("  " + json.dumps(result.as_dict()))
        if result.status == "failed":
            raise RuntimeError(result.message)
    timings["load_history_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    warehouse.refresh_models(con)
    warehouse.run_audits(con)
    timings["first_refresh_s"] = time.perf_counter() - t0
    con.execute("CHECKPOINT")
    con.close()
    log(f"  loaded in {timings['load_history_s']:.1f} s, models in {timings['first_refresh_s']:.1f} s")
    manifest.write_text(json.dumps({
        "contacts": contacts, "end": END.isoformat(), "history": [str(p) for p in history],
        "day": [str(p) for p in day], "reference": {k: str(v) for k, v in reference.items()},
        "base_db": str(base_db), "timings": timings}, indent=1))
    return Dataset(root, contacts, history, day, reference, base_db, timings)
