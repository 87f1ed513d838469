"""``python -m bench --contacts N``: generate exports at scale, measure, write bench/results/.

Every figure is the median of several runs and has a baseline measured in the same run, so it reads
as a ratio that holds on another machine: import vs DuckDB's own reader, the metrics layer vs one
hand-written DuckDB query and vs plain pandas (all three checked equal), the incremental model
refresh vs a full rebuild. ``--quick`` (50k contacts, one run) is what tests/test_bench.py runs.
The report is rewritten after every section, so a run cut short by a time limit keeps what it
measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import generate
from bench.child import ROOT
from connectors.base import ReadOptions
from connectors.demo.simulate import TZ
from connectors.loader import load_file
from sql import warehouse

PY = sys.executable
BUDGET = {  # at 10M contacts on 2 cores (issue 5)
    "import_ratio_min": 0.5, "layer_vs_hand_max": 1.5, "pandas_vs_layer_min": 20.0,
    "filter_cold_max_s": 0.5, "filter_cached_max_s": 0.05, "peak_rss_max_mb": 4096.0,
    "incremental_share_max": 0.10,
}


def machine() -> dict[str, Any]:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    versions = {}
    for pkg in ("duckdb", "pandas", "numpy", "streamlit", "sqlglot", "plotly", "pyarrow"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "-"
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in
                   Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"host": platform.node(), "platform": platform.platform(), "cpu": cpu,
            "cpu_count": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)),
            "memory": mem, "python": platform.python_version(), "versions": versions,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def child(*args: str, rss: bool = False) -> dict[str, Any]:
    """Run ``python -m bench.child ARGS`` (optionally under the RSS wrapper); its JSON answer."""
    cmd = [PY, "-m", "bench.child", *args]
    if rss:
        wrapped = _json_line(subprocess.run([PY, "-m", "bench.child", "rss", "--", *cmd],
                                            capture_output=True, text=True, cwd=ROOT).stdout)
        if wrapped.get("rc"):
            raise RuntimeError(f"{args[0]} failed: {wrapped.get('stderr')}")
        inner = _json_line(wrapped["stdout"])
        inner["maxrss_mb"] = wrapped["maxrss_mb"]
        return inner
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise RuntimeError(f"{args[0]} failed: {done.stderr[-3000:]}")
    return _json_line(done.stdout)


def _json_line(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)  # type: ignore[no-any-return]
    raise RuntimeError(f"no JSON answer in: {text[-2000:]}")


def measure_import(ds: generate.Dataset, work: Path, runs: int) -> dict[str, Any]:
    """rows/s of ``python -m connectors load`` (fresh warehouse, one file) vs DuckDB's reader."""
    def newline_json(p: Path) -> bool:
        with p.open("rb") as fh:
            return b"}\n{" in fh.read(1 << 20)
    files = {"tickets": max(ds.tickets, key=lambda p: p.stat().st_size),
             "calls": max([p for p in ds.calls if newline_json(p)], key=lambda p: p.stat().st_size)}
    out: dict[str, Any] = {}
    for kind, path in files.items():
        loads, reads, peaks, rows = [], [], [], 0
        for _ in range(runs):
            db = work / f"import_{kind}.duckdb"
            for f in (db, Path(f"{db}.wal")):
                f.unlink(missing_ok=True)
            wrapped = _json_line(subprocess.run(
                [PY, "-m", "bench.child", "rss", "--", PY, "-m", "connectors", "load", "--db",
                 str(db), "--tz", TZ, str(path)], capture_output=True, text=True, cwd=ROOT).stdout)
            result = _json_line(wrapped["stdout"])
            if result.get("status") != "loaded":
                raise RuntimeError(f"load failed: {result}")
            rows = int(result["rows_read"])
            loads.append(wrapped["seconds"])
            peaks.append(wrapped["maxrss_mb"])
            reads.append(child("duckdb-read", str(path))["seconds"])
        steps = child("phases", str(path), str(work / f"phases_{kind}.duckdb"), TZ)
        load_s, read_s = statistics.median(loads), statistics.median(reads)
        out[kind] = {"file": path.name, "bytes": path.stat().st_size, "rows": rows,
                     "load_s": load_s, "load_runs": loads, "duckdb_s": read_s, "duckdb_runs": reads,
                     "load_rows_per_s": rows / load_s, "duckdb_rows_per_s": rows / read_s,
                     "ratio": read_s / load_s, "maxrss_mb": max(peaks), "phases": steps}
    return out


def measure_refresh(ds: generate.Dataset, db: Path, work: Path, runs: int) -> dict[str, Any]:
    """Full rebuild of the models vs importing one more day, each file with its incremental
    model and rollup refresh inside its transaction (timed from the loader's progress marks)."""
    con = warehouse.connect(db)
    fulls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        warehouse.refresh_models(con)
        fulls.append(time.perf_counter() - t0)
    con.execute("CHECKPOINT")
    con.close()
    imports, refreshes, totals, touched = [], [], [], 0
    copy = work / "day.duckdb"
    equal: list[str] = []
    for i in range(runs):
        Path(f"{copy}.wal").unlink(missing_ok=True)
        shutil.copyfile(db, copy)
        con = warehouse.connect(copy)
        t0 = time.perf_counter()
        ids, refreshed = [], []
        for f in ds.day:  # as `connectors load` does: each file with its refresh, one audit
            marks: dict[str, float] = {}

            def mark(share: float, _message: str, at: dict[str, float] = marks) -> None:
                if share >= 0.85:  # 0.85: the refresh starts; 1.0: committed
                    at.setdefault("refresh" if share < 1 else "done", time.perf_counter())
            r = load_file(con, f, None, ReadOptions(file_name=f.name, tz=TZ, progress=mark),
                          audit=False)
            if r.status != "loaded" or r.import_id is None:
                raise RuntimeError(f"day import failed: {r.message}")
            ids.append(r.import_id)
            refreshed.append(marks["done"] - marks["refresh"])  # the refresh and the commit
        warehouse.run_audits(con, max(ids))
        t2 = time.perf_counter()
        imports.append(t2 - t0 - sum(refreshed))  # the files' loads and the batch's audits
        refreshes.append(sum(refreshed))
        totals.append(t2 - t0)
        if i == runs - 1:  # the incremental tables equal a full rebuild's
            row = warehouse.one(con, f"SELECT count(*) FROM contacts WHERE import_id IN "
                                     f"({', '.join(map(str, ids))})")
            touched = int(row[0]) if row else 0
            models = ("m_contacts", "m_surveys", "m_demand")
            for m in models:
                con.execute(f"CREATE TEMP TABLE inc_{m} AS SELECT * FROM {m}")
            warehouse.refresh_models(con)
            for m in models:
                for a, b in ((m, f"inc_{m}"), (f"inc_{m}", m)):
                    n = warehouse.one(con, f"SELECT count(*) FROM (SELECT * FROM {a} "
                                           f"EXCEPT ALL SELECT * FROM {b})")
                    if n and n[0]:
                        equal.append(f"{m}: {n[0]} rows of {a} not in {b}")
        con.close()
    full = statistics.median(fulls)
    total = statistics.median(totals)
    return {"full_s": full, "full_runs": fulls, "day_contacts": touched,
            "day_import_s": statistics.median(imports), "incremental_s": statistics.median(refreshes),
            "incremental_runs": refreshes, "day_total_s": total, "share": total / full,
            "refresh_share": statistics.median(refreshes) / full, "equal_to_full": equal}


def page_name() -> str:
    return "scorecard" if (ROOT / "views" / "scorecard.py").exists() else "data"


def write_markdown(path: Path, lines: list[str], notes: list[str]) -> str:
    """``lines`` and the run's ``notes`` (a list of bullets) as ``path``'s Markdown; the text."""
    if notes:
        lines = [*lines, "", *[f"- {n}" for n in notes]]
    text = "\n".join(lines) + "\n"
    path.with_suffix(".md").write_text(text)
    return text


def markdown_table(rows: list[Any]) -> list[str]:
    """Rows (the first is the header) as the lines of a Markdown table, columns padded."""
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, r in enumerate(rows):
        lines.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def report(path: Path, result: dict[str, Any]) -> str:
    """Write JSON + Markdown; return the Markdown table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    rows = [("measure", "median", "baseline (same run)", "ratio", "budget @10M", "ok")]
    b = BUDGET

    def ok(flag: bool) -> str:
        return "yes" if flag else "**no**"
    imp = result.get("import", {})
    for kind in ("tickets", "calls"):
        if kind in imp:
            r = imp[kind]
            rows.append((f"import {kind} ({r['rows']:,} rows, {r['file']})",
                         f"{r['load_rows_per_s']:,.0f} rows/s ({r['load_s']:.2f} s)",
                         f"DuckDB read: {r['duckdb_rows_per_s']:,.0f} rows/s ({r['duckdb_s']:.2f} s)",
                         f"{r['ratio']:.3f}x", f">= {b['import_ratio_min']}x",
                         ok(r["ratio"] >= b["import_ratio_min"])))
            if r.get("phases"):
                ph = r["phases"]["phases_s"]
                rows.append(("  where an import's time goes (one run, in-process)",
                             ", ".join(f"{k} {v:.2f} s" for k, v in ph.items()), "", "", "", ""))
    sc = result.get("scorecard")
    if sc:
        rows.append((f"full scorecard via metrics layer ({sc['rows']:,} rows, "
                     f"{sc['statements']} statements)", f"{sc['layer_s']:.3f} s",
                     f"hand-written SQL {sc['hand_s']:.3f} s",
                     f"{sc['layer_s'] / sc['hand_s']:.2f}x", f"<= {b['layer_vs_hand_max']}x",
                     ok(sc["layer_s"] / sc["hand_s"] <= b["layer_vs_hand_max"])))
        rows.append(("  same numbers as hand SQL / pandas", "", "",
                     "equal" if not sc["hand_equal"] else "DIFFER",
                     "equal" if not sc["pandas_equal"] else "DIFFER", ok(not sc["hand_equal"] and
                                                                        not sc["pandas_equal"])))
        rows.append(("full scorecard: pandas vs metrics layer", f"{sc['layer_s']:.3f} s",
                     f"pandas {sc['pandas_s']:.3f} s", f"{sc['pandas_s'] / sc['layer_s']:.1f}x faster",
                     f">= {b['pandas_vs_layer_min']}x",
                     ok(sc["pandas_s"] / sc["layer_s"] >= b["pandas_vs_layer_min"])))
        rows.append(("full scorecard + scoring (facade.scorecard)", f"{sc['layer_scored_s']:.3f} s",
                     "", "", "", ""))
        rows.append(("filter change (1 channel, 1 month), cold cache", f"{sc['filter_cold_s']:.3f} s",
                     "", "", f"<= {b['filter_cold_max_s']} s",
                     ok(sc["filter_cold_s"] <= b["filter_cold_max_s"])))
        rows.append(("filter change, from the result cache",
                     f"{sc['filter_cached_s'] * 1000:.2f} ms", "", "",
                     f"<= {b['filter_cached_max_s'] * 1000:.0f} ms",
                     ok(sc["filter_cached_s"] <= b["filter_cached_max_s"])))
    pg = result.get("page")
    if pg:
        rows.append((f"page {pg['page']}.py in AppTest, cold cache", f"{pg['cold_s']:.2f} s",
                     f"rerun from cache {pg['cached_s']:.2f} s", "", "",
                     ok(not pg["exceptions"])))
    mem = result.get("memory")
    if mem:
        for k, v in mem.items():
            budgeted = "not budgeted" not in k
            rows.append((f"peak RSS {k}", f"{v:,.0f} MB", "", "",
                         f"<= {b['peak_rss_max_mb']:,.0f} MB" if budgeted else "",
                         ok(v <= b["peak_rss_max_mb"]) if budgeted else ""))
    rf = result.get("refresh")
    if rf:
        rows.append((f"one more day ({rf['day_contacts']:,} contacts): import + incremental refresh",
                     f"{rf['day_total_s']:.2f} s (import {rf['day_import_s']:.2f} + refresh "
                     f"{rf['incremental_s']:.2f})", f"full rebuild {rf['full_s']:.2f} s",
                     f"{rf['share']:.1%}", f"<= {b['incremental_share_max']:.0%}",
                     ok(rf["share"] <= b["incremental_share_max"])))
        rows.append(("  incremental tables == full rebuild", "", "", "",
                     "", ok(not rf["equal_to_full"])))
    m = result["machine"]
    lines = [f"# Benchmark: {result['contacts']:,} contacts", "",
             f"{m['date']} · {m['cpu']} · {m['cpus_usable']} of {m['cpu_count']} CPUs · "
             f"{m['memory']} · Python {m['python']} · " +
             ", ".join(f"{k} {v}" for k, v in m["versions"].items()), "",
             f"Generated: {result.get('generated', {})}", "",
             "Medians of " + str(result["runs"]) + " runs; ratios against baselines measured in "
             "the same run. Budget column: issue 5's targets at 10M contacts on 2 cores.", ""]
    return write_markdown(path, lines + markdown_table(rows), result.get("notes", []))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--contacts", type=int, default=None)
    p.add_argument("--quick", action="store_true", help="50k contacts, one run (the test)")
    p.add_argument("--runs", type=int, default=None, help="runs per measure (default 3, quick 1)")
    p.add_argument("--import-runs", type=int, default=None)
    p.add_argument("--data", default=str(ROOT / "data" / "bench"))
    p.add_argument("--out", default=str(ROOT / "bench" / "results"))
    p.add_argument("--skip", default="", help="comma list of sections to skip: refresh,import,page")
    args = p.parse_args(argv)
    contacts = args.contacts or (50_000 if args.quick else 1_000_000)
    runs = args.runs or (1 if args.quick else 3)
    import_runs = args.import_runs or runs
    skip = set(filter(None, args.skip.split(",")))
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    root = Path(args.data) / str(contacts)
    out = Path(args.out) / (f"bench-{contacts // 1000}k" if contacts < 1_000_000
                            else f"bench-{contacts // 1_000_000}m")
    result: dict[str, Any] = {"contacts": contacts, "runs": runs, "machine": machine(),
                              "budget": BUDGET, "notes": []}
    ds = generate.build(root, contacts, log=log)
    result["generated"] = {k: round(v, 1) for k, v in ds.timings.items()}
    work = root / "work"
    work.mkdir(exist_ok=True)
    db = work / "warehouse.duckdb"
    Path(f"{db}.wal").unlink(missing_ok=True)
    shutil.copyfile(ds.base_db, db)

    if "refresh" not in skip:
        log("model refresh: full rebuild vs one more day, incremental")
        result["refresh"] = measure_refresh(ds, db, work, runs)
        report(out, result)
    else:  # the models of the current sql/models, as the refresh section leaves them
        con = warehouse.connect(db)
        warehouse.refresh_models(con)
        con.close()
    log("scorecard: metrics layer vs hand-written SQL vs pandas; filter change")
    sc = child("scorecard", str(db), str(runs), rss=True)
    result["memory"] = {"scorecard (child process)": sc.pop("maxrss_mb")}
    pd_ = child("pandas", str(db), str(min(runs, 3)), rss=True)
    result["memory"]["pandas baseline (child process, not budgeted)"] = pd_.pop("maxrss_mb")
    sc.update(pd_)
    result["scorecard"] = sc
    report(out, result)
    if "page" not in skip:
        name = page_name()
        log(f"page: {name}.py in AppTest")
        if name != "scorecard":
            result["notes"].append("views/scorecard.py does not exist yet: measured views/data.py")
        result["page"] = child("page", str(db), name, str(runs))
        report(out, result)
    if "import" not in skip:
        log("import: connectors load vs DuckDB read_csv / read_json")
        result["import"] = measure_import(ds, work, import_runs)
        for kind in ("tickets", "calls"):
            result["memory"][f"import {kind} (child process)"] = result["import"][kind]["maxrss_mb"]
    text = report(out, result)
    print(text)
    failed = bool(sc["hand_equal"] or sc["pandas_equal"]
                  or result.get("refresh", {}).get("equal_to_full"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
