"""bench/browser.py's report without a browser: the table, the budgets' verdicts, the server lines."""

from __future__ import annotations

from pathlib import Path

from bench import browser
from bench.__main__ import machine


def sample(seconds: float, server: float | None = 0.1, runs: int = 1) -> browser.Sample:
    lines = [("", server, "ok")] * runs if server is not None else []
    return browser.Sample(seconds, seconds * 0.8, lines,
                          {"plotly": 3, "load": {"last_js_s": 0.5, "js_kb": 900.0,
                                                 "dom_content_loaded_s": 0.2}})


def test_rows_judge_the_median_against_the_budget() -> None:
    fast = browser.row("scorecard", "new session", [sample(1.0), sample(3.0), sample(1.5)], 2.0)
    assert fast["browser_median_s"] == 1.5 and fast["ok"] is True
    assert (fast["browser_min_s"], fast["browser_max_s"]) == (1.0, 3.0)
    assert fast["plotly_charts"] == 3 and fast["last_js_s"] == 0.5
    slow = browser.row("channels", "filter change", [sample(1.2, server=0.3, runs=2)], 1.0)
    assert slow["ok"] is False and slow["server_median_s"] == 0.6  # two runs of 0.3 s: summed
    none = browser.row("data", "new session", [sample(1.0, server=None)], None)
    assert none["ok"] is None and none["server_median_s"] is None


def test_table_shows_every_row_and_the_verdicts() -> None:
    rows = [browser.row("scorecard", "new session", [sample(1.0)], 2.0),
            browser.row("channels", "filter change", [sample(1.2, runs=2)], 1.0, note="run 1"),
            {"page": "voice", "action": "new session", "error": "not finished"}]
    lines = browser.table(rows)
    assert lines[0].startswith("| page") and set(lines[1]) <= {"|", "-"}
    assert len(lines) == 5 and len({len(line) for line in lines}) == 1  # aligned
    assert "| yes" in lines[2] and "1.00 s (1.00-1.00)" in lines[2] and "<= 2.0 s" in lines[2]
    assert "**no**" in lines[3] and "filter change (run 1)" in lines[3] and "2 script runs" in lines[3]
    assert "broke: not finished" in lines[4] and "**broke**" in lines[4]


def test_report_writes_markdown_and_json(tmp_path: Path) -> None:
    result = {"contacts": 1_000_000, "db": "data/x.duckdb", "runs": 1, "quiet_s": 0.3,
              "chromium": "1.0", "machine": machine(), "notes": ["a note"],
              "rows": [browser.row("scorecard", "revisit", [sample(0.4)], 1.0)]}
    text = browser.report(tmp_path / "browser-1m", result)
    assert text.startswith("# Browser benchmark: 1,000,000 contacts")
    assert "| scorecard | revisit" in text and "- a note" in text
    assert (tmp_path / "browser-1m.md").read_text() == text
    assert '"rows"' in (tmp_path / "browser-1m.json").read_text()


def test_server_lines_are_read_from_the_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("  You can now view your Streamlit app\n"
                   "timing page= seconds=0.5000 end=ok\n"
                   "timing page=channels seconds=1.2500 end=RerunException\n"
                   "timing page=data seconds=0.1\n")
    assert browser.server_lines(log) == [("", 0.5, "ok"), ("channels", 1.25, "RerunException"),
                                         ("data", 0.1, "ok")]
