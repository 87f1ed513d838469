"""The benchmark's quick mode end to end (small, so it stays well under a minute): the metrics
layer, the hand-written DuckDB query and plain pandas give the same numbers for every KPI x month x
channel x department, and the incremental refresh equals a full rebuild."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_bench_three_implementations_agree(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--contacts", "6000", "--skip", "import,page",
         "--data", str(tmp_path / "data"), "--out", str(tmp_path / "results")],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "results" / "bench-6k.json").read_text())
    scorecard = result["scorecard"]
    assert scorecard["hand_equal"] == [] and scorecard["pandas_equal"] == []
    assert scorecard["rows"] > 100 and scorecard["statements"] < 24  # KPIs share statements
    assert result["refresh"]["equal_to_full"] == []
    assert result["refresh"]["day_contacts"] > 0
    assert result["memory"]["scorecard (child process)"] > 0
    text = (tmp_path / "results" / "bench-6k.md").read_text()
    assert "hand-written SQL" in text and "| measure" in text
