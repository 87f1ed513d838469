"""One broken KPI breaks only itself: a KPI file that validates but fails in DuckDB gets rows with
missing values and a readable ``error`` (at its file's line), every other KPI keeps its exact
value, whether it shared the broken KPI's batch or not; and DuckDB's positions, which count the
compiled statement's lines, are mapped back to the KPI file's.

The warehouse is the hand-counted one of ``tests/metrics_data.py``:
  inbound contacts: January c1 c2 c3 c4 c5 c6 c7 c10 = 8, February c9 = 1 (c8 is outbound);
  csat: January s1 (5 of 5), s3 (good), s5 (9 of 10) satisfied of s1 s2 s3 s5 -> 3 / 4 = 75 %,
        February s4 (bad) -> 0 / 1 = 0 %.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from metrics import catalog as catalog_module
from metrics import facade, kpi_errors, runner
from tests import metrics_data

# aht, contacts and transfer_rate are plain aggregates over m_contacts: ONE batched statement.
ASKED = ["contacts", "aht", "transfer_rate", "csat"]
QUERY = facade.Query.of(ASKED, grain="month", start="2024-01-01", end="2024-02-29")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return metrics_data.build(tmp_path_factory.mktemp("failures") / "hand.duckdb")


@pytest.fixture
def kpis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "kpis"
    shutil.copytree(catalog_module.KPI_DIR, directory, ignore=shutil.ignore_patterns(".history"))
    monkeypatch.setenv("SCORECARD_KPI_DIR", str(directory))
    facade.clear_caches()
    yield directory
    facade.clear_caches()


def break_aht(kpis: Path) -> tuple[int, int]:
    """sum() of the text column ``status``: known column, so it validates; DuckDB has no
    sum(VARCHAR). Returns the line and column of ``sum(status)`` in the file."""
    path = kpis / "aht.sql"
    text = re.sub(r"sum\(handle_seconds\)", "sum(status)", path.read_text(), count=1)
    assert "sum(status)" in text
    path.write_text(text)
    offset = text.index("sum(status)")
    line = text[:offset].count("\n") + 1
    return line, offset - text.rfind("\n", 0, offset)


def test_a_broken_kpi_fails_alone_and_the_others_keep_their_values(
        db: Path, kpis: Path, caplog: pytest.LogCaptureFixture) -> None:
    healthy = facade.run(QUERY, db=db)
    assert healthy["error"].isna().all()  # the column is always there, None when fine
    line, column = break_aht(kpis)
    facade.clear_caches()
    assert "aht" in facade.catalog(db).kpis  # it validates: only running it shows the problem
    with caplog.at_level(logging.WARNING, logger="metrics.runner"):
        frame = facade.run(QUERY, db=db)

    assert list(frame.columns) == ["kpi", "period", "value", "numerator", "denominator", "n",
                                   "error"]
    assert list(dict.fromkeys(frame["kpi"])) == ASKED  # still in the order asked
    others = frame[frame["kpi"] != "aht"].reset_index(drop=True)
    before = healthy[healthy["kpi"] != "aht"].reset_index(drop=True)
    # batch partner or not: exactly the values of the healthy run (n turns float: NaN rows)
    pd.testing.assert_frame_equal(others, before, check_dtype=False)
    by = others.set_index(["kpi", "period"])["value"]
    assert [by[("contacts", p)] for p in sorted({p for _, p in by.index})] == [8, 1]
    assert by[("csat", min(p for _, p in by.index))] == pytest.approx(75.0)  # 3 of 4

    broken = frame[frame["kpi"] == "aht"]
    assert [str(p) for p in broken["period"]] == ["2024-01-01", "2024-02-01"]  # one per period
    assert broken[["value", "numerator", "denominator", "n"]].isna().all().all()
    [error] = set(broken["error"])
    assert error.startswith("Binder Error: No function matches the given name and argument types "
                            "'sum(VARCHAR)'")
    assert error.endswith(f"(aht.sql:{line}:{column})")  # the FILE's line, not the statement's
    assert "\n" not in error and "Candidate functions" not in error and "Traceback" not in error
    assert any(r.exc_info and "aht" in r.getMessage() for r in caplog.records)  # logged in full


def test_one_kpi_alone_grouped_by_a_dimension(db: Path, kpis: Path) -> None:
    break_aht(kpis)
    facade.clear_caches()
    frame = facade.run(facade.Query.of("aht", grain="all", dimensions=["channel"]), db=db)
    assert list(frame.columns) == ["kpi", "period", "channel", "value", "numerator",
                                   "denominator", "n", "error"]
    assert len(frame) == 1 and frame["channel"].isna().all() and frame["period"].isna().all()
    assert "sum(VARCHAR)" in frame["error"].iloc[0]


def test_an_empty_answer_still_has_the_error_column(db: Path) -> None:
    frame = facade.run(facade.Query.of("contacts", grain="month", start="2030-01-01",
                                       end="2030-01-31"), db=db)
    assert frame.empty and "error" in frame.columns


def test_periods_of_a_failed_kpi() -> None:
    q = facade.Query.of("aht", grain="month", start="2024-01-15", end="2024-03-01")
    assert [str(p) for p in runner.periods(q)] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert runner.periods(q.with_(grain="all")) == [None]


KPI_TEXT = """-- label: x
-- unit: seconds
SELECT
    sum(status::INTEGER) FILTER (WHERE handled) AS numerator,
    count(*) FILTER (WHERE handled) AS denominator
FROM m_contacts
"""


def test_locate_maps_a_compiled_position_to_the_file() -> None:
    # sqlglot prints the body as "SUM(CAST(status AS INT)) FILTER(WHERE" on line 9 of the
    # compiled statement; DuckDB underlines the CAST. "CAST" is not in the file, "status" is:
    # line 4, column 9 of the file.
    compiled = "\n".join(["SELECT"] * 8 + ["    SUM(CAST(status AS INT)) FILTER(WHERE", "x"])
    message = ("Conversion Error: Could not convert string 'solved' to INT32\n\n"
               "LINE 9:     SUM(CAST(status AS INT)) FILTER(WHERE\n"
               "                ^^^^^^^^^^^^^^^^^^^")
    assert kpi_errors.locate(message, compiled, KPI_TEXT) == (4, 9)
    # "SUM(status) FILTER(WHERE" is spaced differently in the file: found by its call, 4:5
    message = "Binder Error: x\n\nLINE 2:   SUM(status) FILTER(WHERE\n          ^^^^^^^^^^^"
    compiled = "SELECT\n  SUM(status) FILTER(WHERE\n"
    assert kpi_errors.locate(message, compiled, KPI_TEXT.replace("status::INTEGER", "status")) == (4, 5)
    # no position in the message: the file's SELECT (line 3, column 1), never a header line
    assert kpi_errors.locate("Invalid Input Error: Division by zero", compiled, KPI_TEXT) == (3, 1)


def test_caret_reads_duckdbs_window_of_a_long_line() -> None:
    line = ", ".join(f"count(*) AS c{i}" for i in range(30)) + ", sum(status) AS x FROM m"
    message = ("Binder Error: x\n\nLINE 1: ...(*) AS c26, count(*) AS c27, count(*) AS c28, "
               "count(*) AS c29, sum(status) AS x FROM m\n" + " " * 74 + "^" * 11)
    found = kpi_errors.caret(message, line)
    assert found is not None
    assert found[2] == "sum(status)" and found[1] == line.index("sum(status)") + 1


def test_headline_is_one_short_line() -> None:
    error = Exception("Binder Error: no sum(VARCHAR).\n\tCandidate functions:\n\tsum(DOUBLE)")
    assert kpi_errors.headline(error) == "Binder Error: no sum(VARCHAR)."
    assert len(kpi_errors.headline(Exception("x" * 1000))) == kpi_errors.MAX_ERROR_CHARS
