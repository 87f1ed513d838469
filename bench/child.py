"""Work the benchmark runs in child processes, so each has its own peak RSS and a cold start.

``python -m bench.child rss -- CMD...``    run CMD as a child, print {"seconds", "maxrss_mb", "rc",
                                           "stdout"} (ru_maxrss of RUSAGE_CHILDREN: the peak of CMD)
``python -m bench.child duckdb-read FILE`` DuckDB's own read_csv / read_json of FILE into a table
``python -m bench.child scorecard DB RUNS`` metrics layer vs hand SQL, the filter change
``python -m bench.child pandas DB RUNS``    the pandas baseline (checked equal to the metrics layer)
``python -m bench.child page DB PAGE``      the page rendered by streamlit's AppTest
``python -m bench.child phases FILE DB TZ`` one import into a fresh DB, timed per loader step
``python -m bench.child pages DB RUNS``     issue 13's page budget: every page in AppTest (cold
                                           result cache), the Scorecard's filter change (new and
                                           asked before) and the Scorecard's queries alone
Each prints one JSON line on stdout.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def timed(fn: Callable[[], Any], runs: int, before: Callable[[], None] | None = None
          ) -> tuple[float, list[float], Any]:
    """Median seconds of ``runs`` calls (``before`` runs untimed ahead of each), all times, last
    result."""
    times, result = [], None
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def rss(cmd: list[str]) -> dict[str, Any]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "maxrss_mb": peak, "rc": done.returncode,
            "stdout": done.stdout[-20000:], "stderr": done.stderr[-3000:]}


def duckdb_read(path: str) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    reader = ("read_json(?, format='newline_delimited', maximum_object_size=16777216)"
              if path.endswith(".json") else "read_csv(?, all_varchar=false)")
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}", [path])
    seconds = time.perf_counter() - t0
    rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    return {"seconds": seconds, "rows": int(rows)}


PHASES = {0.05: "file read, sha256, sniff", 0.6: "read + convert (connector)", 0.7: "row checks",
          0.75: "customer linking", 0.85: "upsert + survey linking", 0.95: "model refresh",
          1.0: "audits + commit"}


def phases(path: str, db: str, tz: str) -> dict[str, Any]:
    """Where one import's time goes: the loader's progress steps, timed (a fresh warehouse)."""
    from connectors.base import ReadOptions
    from connectors.loader import load_file
    from sql import warehouse

    for f in (Path(db), Path(f"{db}.wal")):
        f.unlink(missing_ok=True)
    con = warehouse.connect(db)
    marks: list[tuple[float, float]] = []
    t0 = time.perf_counter()
    result = load_file(con, path, None, ReadOptions(tz=tz, progress=lambda f, _m: marks.append(
        (f, time.perf_counter()))))
    total = time.perf_counter() - t0
    con.close()
    out: dict[str, float] = {}
    last = t0
    for frac, at in marks:
        if frac in PHASES:
            out[PHASES[frac]] = out.get(PHASES[frac], 0.0) + at - last
            last = at
    return {"status": result.status, "total_s": total, "phases_s": out}


def scorecard(db: str, runs: int) -> dict[str, Any]:
    from bench import baselines
    from metrics import connection, facade
    from metrics.query import Query

    out: dict[str, Any] = {}
    cat = facade.catalog(db)
    ids = list(cat.kpis)
    full = Query.of(ids, grain="month", dimensions=["channel", "department"])
    cursor = connection.cursor(db)  # warm connection: the app keeps one open

    def cold() -> None:
        """Forget every cached result, then reload the catalog (the app keeps it between
        queries: it is read once per warehouse change, not per filter change)."""
        facade.clear_caches()
        facade.catalog(db)
    med, times, layer = timed(lambda: facade.run(full, db), runs, cold)
    out["layer_s"], out["layer_runs"] = med, times
    out["statements"] = len({(c.sql, c.params) for c in facade.explain(full, db)})
    out["rows"] = len(layer)
    med, times, _ = timed(lambda: facade.scorecard(full, db), runs, cold)
    out["layer_scored_s"], out["layer_scored_runs"] = med, times
    con = connection.cursor(db)  # the same read-only connection, its own cursor
    med, times, hand = timed(lambda: baselines.hand_sql(con), runs)
    out["hand_s"], out["hand_runs"] = med, times
    con.close()
    out["hand_equal"] = baselines.compare(layer, hand)

    # interactive: one channel and one month, as the scorecard page asks it (grain "all" with
    # the previous period and the year before for the changes), cold result cache each time
    months = sorted({p for p in layer["period"].dropna()})[-6:-1] or sorted(
        {p for p in layer["period"].dropna()})
    channels = ["phone", "email", "chat", "web", "social"]
    picks = [(channels[i % len(channels)], months[i % len(months)]) for i in range(max(runs, 5))]
    state = {"i": 0}

    def change() -> Any:
        channel, month = picks[state["i"] % len(picks)]
        state["i"] += 1
        end = (month.replace(day=28) + __import__("datetime").timedelta(days=4)).replace(day=1) \
            - __import__("datetime").timedelta(days=1)
        q = Query.of(ids, grain="all", start=month, end=end, filters={"channel": [channel]})
        return facade.scorecard(q, db)
    med, times, _ = timed(change, max(runs, 5), cold)
    out["filter_cold_s"], out["filter_cold_runs"] = med, times
    state["i"] = 0
    for _ in range(len(picks)):
        change()  # fill the cache
    state["i"] = 0
    med, times, _ = timed(change, max(runs, 5))
    out["filter_cached_s"], out["filter_cached_runs"] = med, times
    cursor.close()
    return out


def pandas_baseline(db: str, runs: int) -> dict[str, Any]:
    """Plain pandas over the same model tables, in its own process (its memory is not the
    metrics layer's), checked equal to the metrics layer's answer."""
    from bench import baselines
    from metrics import connection, facade
    from metrics.query import Query

    cat = facade.catalog(db)
    layer = facade.run(Query.of(list(cat.kpis), grain="month", dimensions=["channel", "department"]), db)
    con = connection.cursor(db)
    med, times, frame = timed(lambda: baselines.pandas_kpis(con), runs)
    con.close()
    return {"pandas_s": med, "pandas_runs": times, "pandas_equal": baselines.compare(layer, frame)}


def page(db: str, name: str, runs: int) -> dict[str, Any]:
    os.environ["SCORECARD_DB"] = db
    from streamlit.testing.v1 import AppTest

    from metrics import facade

    # the scorecard is app.py's default page: render it through app.py, so st.navigation exists
    # and the page's links to other pages resolve as in the browser
    script = ROOT / "app.py" if name == "scorecard" else ROOT / "views" / f"{name}.py"
    times, errors = [], []
    for i in range(runs):
        facade.clear_caches()
        at = AppTest.from_file(str(script), default_timeout=600)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        errors = [str(e.value)[:200] for e in at.exception]
        if i == 0:
            t0 = time.perf_counter()
            at.run()  # the same session again: results come from the cache
            cached = time.perf_counter() - t0
    return {"page": name, "cold_s": statistics.median(times), "cold_runs": times,
            "cached_s": cached, "exceptions": errors}


PAGES = ("scorecard", "channels", "ownership", "voice", "editor", "data")
CHANNELS = ("phone", "email", "chat", "web", "social")


def pages(db: str, runs: int) -> dict[str, Any]:
    """Issue 13's server-side budget, as AppTest runs the pages (the warehouse file in the OS
    cache after the first visit): every page with a cold result cache; on a loaded Scorecard, the
    Channel filter set to a channel not asked before (cold: its queries run) and back to one
    asked before (from the result cache); and ``facade.landing`` alone for the default period,
    cold (the Scorecard's queries without the drawing)."""
    os.environ["SCORECARD_DB"] = db
    from streamlit.testing.v1 import AppTest

    from metrics import facade
    from metrics.query import Query
    from views.ui.state import default_filters

    out: dict[str, Any] = {}
    for name in PAGES:
        script = ROOT / "app.py" if name == "scorecard" else ROOT / "views" / f"{name}.py"
        times = []
        for _ in range(runs + 1):  # the first visit reads the file into the OS cache: not counted
            facade.clear_caches()
            at = AppTest.from_file(str(script), default_timeout=600)
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
            if at.exception:
                raise RuntimeError(f"{name}: {at.exception[0].value}")
        out[name] = {"cold_s": statistics.median(times[1:]), "runs": times[1:],
                     "first_s": times[0]}
    facade.clear_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()

    def pick(channel: str) -> float:
        select = next(m for m in at.sidebar.multiselect if m.label.lower().startswith("channel"))
        select.set_value([channel])
        t0 = time.perf_counter()
        at.run()
        return time.perf_counter() - t0
    new = [pick(CHANNELS[i % len(CHANNELS)]) for i in range(runs)]  # not asked before
    cached = [pick(CHANNELS[i % len(CHANNELS)]) for i in range(runs)]  # asked before
    out["filter_new_s"], out["filter_new_runs"] = statistics.median(new), new
    out["filter_cached_s"], out["filter_cached_runs"] = statistics.median(cached), cached
    span = facade.freshness(db)
    newest = max(span["newest"]).date() if len(span) else None
    period = facade.settings(db).get("default_period", "last_6_months")
    f = default_filters(newest, date.today(), period)
    ids = list(facade.catalog(db).kpis)
    query = Query.of(ids, grain="all", start=f.start, end=f.end)
    med, times, _ = timed(lambda: facade.landing(query, "month", "prev", db), runs,
                          facade.clear_caches)
    out["landing_s"], out["landing_runs"] = med, times
    # a filter change as the Scorecard's queries: a channel not asked before, the default view's
    # results still cached (as in a session); then the same again, from the result cache
    picks = iter(CHANNELS * runs)

    def change() -> Any:
        return facade.landing(query.with_(filters=(("channel", (next(picks),)),)), "month",
                              "prev", db)
    med, times, _ = timed(change, min(runs, len(CHANNELS)))
    out["queries_new_s"], out["queries_new_runs"] = med, times
    picks = iter(CHANNELS * runs)
    med, times, _ = timed(change, min(runs, len(CHANNELS)))
    out["queries_cached_s"], out["queries_cached_runs"] = med, times
    out["period"] = f"{f.start} to {f.end}"
    out["landing_statements"] = len({(c.sql, c.params) for c in facade.explain(query, db)})
    return out


def main(argv: list[str]) -> int:
    what = argv[0]
    if what == "rss":
        result = rss(argv[2:] if argv[1] == "--" else argv[1:])
    elif what == "duckdb-read":
        result = duckdb_read(argv[1])
    elif what == "scorecard":
        result = scorecard(argv[1], int(argv[2]))
    elif what == "pages":
        result = pages(argv[1], int(argv[2]))
    elif what == "phases":
        result = phases(argv[1], argv[2], argv[3])
    elif what == "pandas":
        result = pandas_baseline(argv[1], int(argv[2]))
    elif what == "page":
        result = page(argv[1], argv[2], int(argv[3]))
    else:
        raise SystemExit(f"unknown task {what}")
    print(json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
