"""``python -m bench.browser``: what a person waits for in a real browser, next to the server's time.

Issue 11's budget, on the 1M-contact bench warehouse with a warm server: a new browser session sees
the finished Scorecard in <= 2 s, a filter change or a revisit in <= 1 s; every other page in <= 2 s.

One ``streamlit run app.py`` (``bench.server``) serves the whole run with ``SCORECARD_TIMING=1``, so
app.py logs ``timing page=<url path> seconds=<s> end=<how it ended>`` for every script run. Every
page is visited once untimed (the server's caches fill), then, in headless Chromium:

- **new session**, per page: a new browser context (1400x900, light), ``goto`` the page's URL;
- **filter change** (Scorecard, Channels): in a loaded page, a channel is picked in the sidebar's
  "Channel" multiselect. The first runs pick a channel the server has not been asked for yet
  (phone, email, chat, web, social: cold, its queries run), the later ones pick phone again
  (warm, from the caches); they are reported apart, each a median;
- **revisit** (Scorecard, Channels): in a loaded page, the sidebar's navigation link to another page,
  then back; the second navigation is timed.

Each is timed from the action until the page is *finished* (``FINISHED_JS``): connected, the script
is not running, there is something in the main block, no status widget / skeleton / spinner / stale
element, every Plotly chart shown has drawn its ``.main-svg``, every iframe or custom component
shown has content, and all of that has held for ``--quiet`` seconds; the time reported
is the moment it first became calm (the quiet window is not counted). Nothing here knows what a page
draws, so a rewritten page is measured the same way. The server seconds next to each are the
``timing`` lines its action caused (summed when one action caused several runs).

Writes ``bench/results/browser-1m.md`` and ``.json``; prints the table. Exits 0 when budgets fail
(it is a report), 1 when a measurement broke.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.__main__ import write_markdown
from bench.server import CHROMIUM, LAUNCH_ARGS, ROOT, streamlit_server

VIEWPORT = {"width": 1400, "height": 900}
# (name, URL path, nav-link label); the default page (Scorecard) lives at the root URL.
PAGES = [("scorecard", "", "Scorecard"), ("channels", "channels", "Channels"),
         ("ownership", "ownership", "Ownership"), ("voice", "voice", "Customer voice"),
         ("editor", "editor", "Metric editor"), ("data", "data", "Data")]
ACTION_PAGES = ("scorecard", "channels")  # filter change and revisit
REVISIT_VIA = {"scorecard": "channels", "channels": "scorecard"}
FILTER_CHANNELS = ("phone", "email", "chat", "web", "social")  # each asked cold once, then phone
BUDGET_S = {"new session": 2.0, "filter change": 1.0, "revisit": 1.0}
TIMING = re.compile(r"^timing page=(?P<page>\S*) seconds=(?P<seconds>[0-9.]+)(?: end=(?P<end>\S+))?")
BUSY = ("[data-testid=stStatusWidget], [data-testid=stSkeleton], [data-testid=stSpinner], "
        "[data-testid=stMain] [data-stale=true]")

# Counts the changes of the app's script state (Streamlit's own ``data-test-script-state`` on
# stApp), so an action is only "finished" once the run it caused has started and ended.
OBSERVER_JS = """
(() => {
  window.__benchChanges = 0;
  window.__benchDoc = Math.random().toString(36).slice(2);
  const watch = () => new MutationObserver(rs => { window.__benchChanges += rs.length; })
    .observe(document.documentElement, {subtree: true, attributes: true,
             attributeFilter: ['data-test-script-state']});
  if (document.documentElement) watch(); else document.addEventListener('DOMContentLoaded', watch);
})();
"""

# "" when the page is finished, else why not; plus what the page holds.
FINISHED_JS = """
busy => {
  const app = document.querySelector('[data-testid=stApp]');
  const main = document.querySelector('[data-testid=stMain]');
  const count = s => main ? main.querySelectorAll(s).length : 0;
  const out = {changes: window.__benchChanges || 0, doc: window.__benchDoc, url: location.href,
               state: app ? app.getAttribute('data-test-script-state') : null,
               plotly: count('.js-plotly-plot'), frames: count('iframe'),
               components: count('[data-testid^=stBidiComponent], [data-testid=stCustomComponentV1]'),
               dataframes: count('[data-testid=stDataFrame]'),
               elements: count('[data-testid=stElementContainer]'), why: ''};
  const not = why => { out.why = why; return out; };
  if (!app || !main) return not('no app');
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return not('connecting');
  if (out.state !== 'notRunning') return not('script ' + out.state);
  if (!main.querySelector('[data-testid=stMainBlockContainer] [data-testid=stElementContainer]'))
    return not('empty main block');
  if (document.querySelector(busy)) return not('busy');
  // only what is laid out: a chart in a collapsed expander or another tab is not drawn yet
  const shown = s => [...main.querySelectorAll(s)].filter(e => e.getClientRects().length);
  for (const p of shown('.js-plotly-plot'))
    if (!p.querySelector('.main-svg')) return not('plotly drawing');
  for (const f of shown('iframe')) {
    let doc = null;
    try { doc = f.contentDocument; } catch (e) { doc = null; }
    if (doc ? !(doc.body && doc.body.childElementCount) : f.offsetHeight === 0)
      return not('iframe loading');
  }
  for (const c of shown('[data-testid^=stBidiComponent]'))
    if (!(c.childElementCount || (c.shadowRoot && c.shadowRoot.childElementCount)))
      return not('component loading');
  return out;
}
"""


# Where a new session's time goes before the script's output: the document and the JavaScript.
LOAD_JS = """
() => {
  const n = performance.getEntriesByType('navigation')[0];
  const js = performance.getEntriesByType('resource').filter(r => /\\.js(\\?|$)/.test(r.name));
  return {dom_content_loaded_s: n ? n.domContentLoadedEventEnd / 1000 : null,
          js_files: js.length, js_kb: js.reduce((a, r) => a + (r.encodedBodySize || 0), 0) / 1024,
          last_js_s: js.length ? Math.max(...js.map(r => r.responseEnd)) / 1000 : null};
}
"""


class MeasureError(RuntimeError):
    """The measurement itself broke (not a budget failure)."""


@dataclass
class Sample:
    browser_s: float
    script_done_s: float | None  # when the script state first read notRunning after the action
    server: list[tuple[str, float, str]]  # the timing lines (page, seconds, end) the action caused
    page: dict[str, Any] = field(default_factory=dict)  # what the finished page holds

    @property
    def server_s(self) -> float | None:
        return sum(s for _, s, _ in self.server) if self.server else None


def server_lines(log: Path) -> list[tuple[str, float, str]]:
    out = []
    for line in log.read_text(errors="replace").splitlines():
        m = TIMING.match(line.strip())
        if m:
            out.append((m["page"], float(m["seconds"]), m["end"] or "ok"))
    return out


def wait_finished(page: Any, t0: float, before: tuple[str, int] | None, quiet: float,
                  timeout: float) -> tuple[float, float | None, dict[str, Any]]:
    """Poll the page until FINISHED_JS has held for ``quiet`` s; (seconds from ``t0`` to the first
    calm moment, seconds to the script's end, what the page holds). ``before``: the document's
    token and its script state's change count before the action (None for a fresh page); the
    action has started once either changed."""
    calm_since: float | None = None
    script_done: float | None = None
    deadline = t0 + timeout
    status: dict[str, Any] = {}
    while True:
        now = time.perf_counter()
        if now > deadline:
            raise MeasureError(f"not finished after {timeout:.0f} s at {page.url}: "
                               f"{status.get('why') or status}")
        try:
            status = page.evaluate(FINISHED_JS, BUSY)
        except Exception as e:  # the page navigating away under evaluate: poll again
            if "context was destroyed" in str(e) or "navigat" in str(e):
                calm_since = None
                continue
            raise
        now = time.perf_counter()
        started = before is None or (status["doc"], status["changes"]) != before
        if started and script_done is None and status["state"] == "notRunning":
            script_done = now - t0
        if started and not status["why"]:
            calm_since = calm_since or now
            if now - calm_since >= quiet:
                return calm_since - t0, script_done, status
        else:
            calm_since = None
            if status["state"] != "notRunning":
                script_done = None
        time.sleep(0.01)


class Bench:
    def __init__(self, browser: Any, url: str, log: Path, quiet: float, timeout: float) -> None:
        self.browser, self.url, self.log = browser, url, log
        self.quiet, self.timeout = quiet, timeout
        self.contexts: list[Any] = []

    def new_page(self) -> Any:
        context = self.browser.new_context(viewport=VIEWPORT, color_scheme="light")
        context.add_init_script(OBSERVER_JS)
        self.contexts.append(context)
        return context.new_page()

    def close_all(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()

    def page_url(self, path: str) -> str:
        return f"{self.url}/{path}"

    def timed(self, page: Any, action: Any, fresh: bool = False) -> Sample:
        """Run ``action()`` and wait until the page is finished; the browser and server time."""
        before_lines = len(server_lines(self.log))
        changes = None if fresh else tuple(page.evaluate(
            "() => [window.__benchDoc, window.__benchChanges || 0]"))
        t0 = time.perf_counter()
        action()
        browser_s, done_s, status = wait_finished(page, t0, changes, self.quiet, self.timeout)
        time.sleep(0.05)  # the timing line is written before the browser hears the run ended
        caused = server_lines(self.log)[before_lines:]
        if status["state"] != "notRunning":
            raise MeasureError(f"unexpected state {status}")
        if page.locator("[data-testid=stException]").count():
            raise MeasureError(f"the page shows an exception at {page.url}: "
                               + page.locator("[data-testid=stException]").first.inner_text()[:500])
        if fresh:
            status["load"] = page.evaluate(LOAD_JS)
        return Sample(browser_s, done_s, caused, status)

    def open(self, path: str, context: Any = None) -> tuple[Any, Sample]:
        """A new Streamlit session on ``path``: in a new browser context (an empty HTTP cache, a
        first visit), or in ``context`` (a returning visitor's browser: its cache is warm)."""
        page = self.new_page() if context is None else context.new_page()
        sample = self.timed(page, lambda: page.goto(self.page_url(path), wait_until="commit"),
                            fresh=True)
        return page, sample

    def returning(self, path: str, runs: int) -> list[Sample]:
        """``runs`` new sessions (tabs) of a browser that has seen the page before."""
        context = self.browser.new_context(viewport=VIEWPORT, color_scheme="light")
        context.add_init_script(OBSERVER_JS)
        self.contexts.append(context)
        first, _ = self.open(path, context)  # fills the HTTP cache, untimed
        first.close()
        samples = []
        for _ in range(runs):
            page, sample = self.open(path, context)
            samples.append(sample)
            page.close()
        return samples

    def nav(self, page: Any, label: str) -> Sample:
        link = page.locator("[data-testid=stSidebarNav] a").filter(
            has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
        if link.count() != 1:
            link = page.locator("[data-testid=stSidebarNav]").get_by_role("link", name=label,
                                                                           exact=True)
        if link.count() != 1:
            raise MeasureError(f"no sidebar navigation link {label!r} at {page.url}")
        return self.timed(page, lambda: link.click())

    def filter_change(self, page: Any, channel: str) -> Sample:
        box = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(
            has_text="Channel").first
        if not box.count():
            raise MeasureError(f"no 'Channel' multiselect in the sidebar at {page.url}")
        field_ = box.locator("input").first
        field_.click()
        field_.fill(channel)
        option = page.locator("[role=option]").filter(
            has_text=re.compile(rf"^\s*{re.escape(channel)}\s*$"))
        option.first.wait_for(timeout=10_000)
        sample = self.timed(page, lambda: field_.press("Enter"))
        page.keyboard.press("Escape")
        chosen = box.inner_text()
        if channel not in chosen:
            raise MeasureError(f"the Channel filter did not take {channel!r}: {chosen!r}")
        if f"channel={channel}" not in page.url:
            raise MeasureError(f"the URL did not take the filter: {page.url}")
        return sample


def summary(samples: list[Sample]) -> dict[str, Any]:
    b = [s.browser_s for s in samples]
    srv = [s.server_s for s in samples if s.server_s is not None]
    done = [s.script_done_s for s in samples if s.script_done_s is not None]
    out = {"runs": len(samples), "browser_median_s": statistics.median(b), "browser_min_s": min(b),
            "browser_max_s": max(b), "browser_runs_s": b,
            "server_median_s": statistics.median(srv) if srv else None, "server_runs_s": srv,
            "script_runs_per_action": [len(s.server) for s in samples],
            "server_lines": [s.server for s in samples],
            "script_done_median_s": statistics.median(done) if done else None,
            "plotly_charts": samples[-1].page.get("plotly"),
            "dataframes": samples[-1].page.get("dataframes"),
            "iframes": samples[-1].page.get("frames"),
            "components": samples[-1].page.get("components"),
            "elements": samples[-1].page.get("elements")}
    loads = [s.page["load"] for s in samples if s.page.get("load")]
    for key in ("dom_content_loaded_s", "last_js_s", "js_kb"):
        values = [x[key] for x in loads if x.get(key) is not None]
        if values:
            out[key] = statistics.median(values)
    return out


def row(page: str, action: str, samples: list[Sample], budget: float | None,
        note: str = "") -> dict[str, Any]:
    r = {"page": page, "action": action, "budget_s": budget, "note": note, **summary(samples)}
    r["ok"] = None if budget is None else r["browser_median_s"] <= budget
    return r


def table(rows: list[dict[str, Any]]) -> list[str]:
    """The Markdown table of the report (also what the unit test checks)."""
    head = ("page", "action", "browser median (min-max)", "JS loaded", "script done",
            "server median", "runs", "charts", "budget", "ok")
    out = [head]
    for r in rows:
        if r.get("error"):
            out.append((r["page"], r["action"], f"broke: {r['error']}"[:160], "", "", "", "", "",
                        "", "**broke**"))
            continue
        srv = r.get("server_median_s")
        done = r.get("script_done_median_s")
        per = r.get("script_runs_per_action") or []
        runs = f"{r['runs']}" + (f" ({max(per)} script runs)" if per and max(per) > 1 else "")
        budget = r.get("budget_s")
        ok = "" if r.get("ok") is None else ("yes" if r["ok"] else "**no**")
        out.append((r["page"], r["action"] + (f" ({r['note']})" if r.get("note") else ""),
                    f"{r['browser_median_s']:.2f} s ({r['browser_min_s']:.2f}-"
                    f"{r['browser_max_s']:.2f})",
                    "-" if r.get("last_js_s") is None else
                    f"{r['last_js_s']:.2f} s ({r.get('js_kb', 0):,.0f} kB)",
                    "-" if done is None else f"{done:.2f} s",
                    "-" if srv is None else f"{srv:.3f} s", runs,
                    "-" if r.get("plotly_charts") is None else str(r["plotly_charts"]),
                    "-" if budget is None else f"<= {budget:.1f} s", ok))
    widths = [max(len(str(x[i])) for x in out) for i in range(len(head))]
    lines = []
    for i, x in enumerate(out):
        lines.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(x, widths, strict=True))
                     + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def code_line(code: dict[str, Any] | None) -> str:
    if not code:
        return ""
    extra = code.get("uncommitted") or []
    return (f"Code: commit {code.get('head') or '?'}"
            + (f" with uncommitted changes in {', '.join(extra)}" if extra else "") + ".")


def report(out: Path, result: dict[str, Any]) -> str:
    """Write ``out``.json and ``out``.md; return the Markdown."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    m = result["machine"]
    lines = [f"# Browser benchmark: {result.get('contacts') or '?':,} contacts"
             if isinstance(result.get("contacts"), int) else "# Browser benchmark", "",
             f"{m['date']} · {m['cpu']} · {m['cpus_usable']} of {m['cpu_count']} CPUs · "
             f"{m['memory']} · Python {m['python']} · Chromium {result.get('chromium', '?')} · " +
             ", ".join(f"{k} {v}" for k, v in m["versions"].items()), "",
             *([code_line(result["code"]), ""] if result.get("code") else []),
             *([f"Load average (1 min) at start {la['start'][0]:.1f}, at end {la['end'][0]:.1f} "
                f"(other processes on the machine share its CPUs with the server and Chromium).",
                ""] if (la := result.get("load_average")) else []),
             f"Warehouse: `{result['db']}`. One warm Streamlit server (every page visited once "
             f"first, untimed). Medians of {result['runs']} runs, each new session in a new "
             f"headless Chromium context ({VIEWPORT['width']}x{VIEWPORT['height']}, light).", "",
             "*browser*: from the action (goto, Enter in the sidebar's Channel filter, a click on "
             "a navigation link) until the page is finished: the script is not running, no status "
             "widget / skeleton / spinner / stale element, every Plotly chart drawn, every "
             "iframe and component has content, holding for "
             f"{result['quiet_s'] * 1000:.0f} ms (not counted). *JS loaded*: when the last JavaScript file of a "
             "new session had arrived (from navigation start; every context starts with an empty "
             "HTTP cache). *script done*: when the browser "
             "first heard the run ended. *server*: app.py's `SCORECARD_TIMING` seconds of the "
             "script run(s) the action caused. *charts*: Plotly charts on the finished page. "
             "Budget (issue 11): new session <= 2 s, filter change and revisit <= 1 s.", "",
             *table(result["rows"])]
    return write_markdown(out, lines, result.get("notes", []))


def default_db(log: Any) -> Path:
    """data/bench/1000000/work/browser.duckdb: a copy of the 1M base warehouse (made once), its
    models refreshed from the current sql/models (as ``python -m bench --skip refresh`` does)."""
    from sql import warehouse

    base = ROOT / "data" / "bench" / "1000000" / "base.duckdb"
    if not base.exists():
        raise MeasureError(f"{base} is missing: build it with `python -m bench --contacts 1000000`")
    db = base.parent / "work" / "browser.duckdb"
    db.parent.mkdir(exist_ok=True)
    if not db.exists() or db.stat().st_mtime < base.stat().st_mtime:
        log(f"copying {base} to {db}")
        Path(f"{db}.wal").unlink(missing_ok=True)
        shutil.copyfile(base, db)
    log("refreshing the models (current sql/models)")
    con = warehouse.connect(db)
    warehouse.refresh_models(con)
    con.execute("CHECKPOINT")
    con.close()
    return db


def code_state() -> dict[str, Any]:
    """The commit measured and the app files that differed from it (other people's work in
    progress is measured as it stood)."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout if done.returncode == 0 else ""
    changed = [line[3:] for line in git("status", "--porcelain", "--", "app.py", "views",
                                        "metrics", "sql").splitlines() if line]
    return {"head": git("rev-parse", "--short", "HEAD").strip(), "uncommitted": changed}


def contacts_of(db: Path) -> int | None:
    manifest = db.parent.parent / "manifest.json"
    try:
        return int(json.loads(manifest.read_text())["contacts"])
    except (OSError, ValueError, KeyError):
        return None


def measure(db: Path, runs: int, quiet: float, timeout: float, log: Any,
            pages: list[tuple[str, str, str]]) -> tuple[list[dict[str, Any]], list[str], str]:
    from playwright.sync_api import sync_playwright

    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    available = [p for p in pages if (ROOT / "views" / f"{p[0]}.py").exists()]
    label = {name: nav for name, _, nav in available}
    path_of = {name: path for name, path, _ in available}
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp, \
            streamlit_server({"SCORECARD_DB": str(db), "SCORECARD_TIMING": "1"},
                             Path(tmp), timeout=120) as url:
        log_file = Path(tmp) / "server.log"
        driver = sync_playwright().start()
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        version = chromium.version
        bench = Bench(chromium, url, log_file, quiet, timeout)
        try:
            log("warming the server: every page once, untimed")
            for name, path, _ in available:
                try:
                    _, s = bench.open(path)
                except MeasureError as e:
                    raise MeasureError(f"warm-up of {name}: {e}") from e
                log(f"  {name}: {s.browser_s:.2f} s (server {s.server_s or 0:.2f} s, cold)")
                notes.append(f"warm-up (cold caches) {name}: browser {s.browser_s:.2f} s, "
                             f"server {s.server_s or 0:.2f} s")
                bench.close_all()
            for name, path, _ in available:
                samples = []
                try:
                    for _ in range(runs):
                        samples.append(bench.open(path)[1])
                        bench.close_all()
                    rows.append(row(name, "new session", samples, BUDGET_S["new session"],
                                    note="first visit: empty browser cache"))
                except MeasureError as e:
                    rows.append({"page": name, "action": "new session", "error": str(e)})
                finally:
                    bench.close_all()
                log(f"  {name} new session: " + ", ".join(f"{s.browser_s:.2f}" for s in samples))
                try:
                    samples = bench.returning(path, runs)
                    rows.append(row(name, "new session", samples, BUDGET_S["new session"],
                                    note="returning visitor: browser cache warm"))
                except MeasureError as e:
                    rows.append({"page": name, "action": "new session (returning)",
                                 "error": str(e)})
                finally:
                    bench.close_all()
                log(f"  {name} returning: " + ", ".join(f"{s.browser_s:.2f}" for s in samples))
            for name in (n for n in ACTION_PAGES if n in path_of):
                try:
                    samples = []
                    cold = FILTER_CHANNELS[:runs]
                    for channel in (*cold, *[FILTER_CHANNELS[0]] * (runs - 1)):
                        page, _s = bench.open(path_of[name])
                        samples.append(bench.filter_change(page, channel))
                        bench.close_all()
                    rows.append(row(name, "filter change", samples[:len(cold)],
                                    BUDGET_S["filter change"],
                                    note=f"{', '.join(cold)}: each the first time it is asked"))
                    if len(samples) > len(cold):
                        rows.append(row(name, "filter change", samples[len(cold):],
                                        BUDGET_S["filter change"],
                                        note=f"{FILTER_CHANNELS[0]} again: warm, asked before"))
                except MeasureError as e:
                    rows.append({"page": name, "action": "filter change", "error": str(e)})
                finally:
                    bench.close_all()
                log(f"  {name} filter change: " + ", ".join(f"{s.browser_s:.2f}" for s in samples))
                via = REVISIT_VIA[name] if REVISIT_VIA[name] in label else next(
                    n for n in label if n != name)
                try:
                    samples = []
                    for _ in range(runs):
                        page, _s = bench.open(path_of[name])
                        bench.nav(page, label[via])
                        samples.append(bench.nav(page, label[name]))
                        bench.close_all()
                    rows.append(row(name, "revisit", samples, BUDGET_S["revisit"],
                                    note=f"nav link from {via}"))
                except MeasureError as e:
                    rows.append({"page": name, "action": "revisit", "error": str(e)})
                finally:
                    bench.close_all()
                log(f"  {name} revisit: " + ", ".join(f"{s.browser_s:.2f}" for s in samples))
        finally:
            bench.close_all()
            chromium.close()
            driver.stop()
            errors = [line for line in log_file.read_text(errors="replace").splitlines()
                      if "Traceback" in line or "Error" in line]
            if errors:
                notes.append(f"server log: {len(errors)} error line(s), first: {errors[0][:200]}")
    missing = [p[0] for p in pages if p not in available]
    if missing:
        notes.append(f"not measured (no views/<page>.py): {', '.join(missing)}")
    return rows, notes, version


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import machine

    p = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default=None, help="warehouse to serve (default: the 1M bench copy)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", default=str(ROOT / "bench" / "results" / "browser-1m"))
    p.add_argument("--quiet", type=float, default=0.3, help="seconds a page must stay finished")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds before a run is broken")
    p.add_argument("--pages", default="", help="comma list of pages (default: all)")
    p.add_argument("--render", action="store_true",
                   help="only rewrite OUT.md from OUT.json (no browser, no server)")
    args = p.parse_args(argv)
    if args.render:
        print(report(Path(args.out), json.loads(Path(args.out).with_suffix(".json").read_text())))
        return 0
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    if not CHROMIUM.exists():
        log(f"needs Debian chromium at {CHROMIUM}")
        return 1
    wanted = set(filter(None, args.pages.split(",")))
    pages = [pg for pg in PAGES if not wanted or pg[0] in wanted]
    load_start = os.getloadavg()
    try:
        db = Path(args.db) if args.db else default_db(log)
        rows, notes, version = measure(db, args.runs, args.quiet, args.timeout, log, pages)
    except MeasureError as e:
        log(f"measurement broke: {e}")
        return 1
    try:
        shown = db.relative_to(ROOT)
    except ValueError:
        shown = db
    result = {"contacts": contacts_of(db), "db": str(shown), "runs": args.runs,
              "quiet_s": args.quiet, "budget_s": BUDGET_S, "chromium": version,
              "machine": machine(), "code": code_state(), "rows": rows, "notes": notes,
              "load_average": {"start": load_start, "end": os.getloadavg()}}
    text = report(Path(args.out), result)
    print(text)
    return 1 if any(r.get("error") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
