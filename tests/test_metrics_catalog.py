"""Validation: the shipped catalog is clean; every forbidden construct is reported at its line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metrics.catalog import KPI_DIR, load_catalog, model_schema, parse_kpi

ROOT = Path(__file__).resolve().parents[1]
HEADER = """-- label: Test
-- perspective: operational
-- unit: percent
-- direction: higher
-- params: repeat_window_days=7
"""  # 5 lines: the SQL starts on line 6


def problems(sql: str, header: str = HEADER) -> list[tuple[int, str]]:
    kpi, found = parse_kpi("t.sql", header + sql, model_schema())
    assert kpi is None or not found
    return [(p.line, p.message) for p in found]


def test_shipped_catalog_is_valid() -> None:
    catalog = load_catalog()
    assert [str(p) for p in catalog.problems] == []
    assert len(catalog.kpis) == 24


def test_a_good_file_parses() -> None:
    kpi, found = parse_kpi("t.sql", HEADER + "SELECT count(*) FILTER (WHERE inbound) AS numerator,\n"
                           "count(*) AS denominator FROM m_contacts\n", model_schema())
    assert found == [] and kpi is not None and kpi.kind == "ratio" and kpi.scale == 100


@pytest.mark.parametrize(("sql", "line", "words"), [
    ("SELECT count(*) AS value,\n  count(*) AS n\nFROM m_contacts\nGROUP BY channel", 9, "GROUP BY"),
    ("SELECT count(*) AS value, count(*) AS n FROM m_contacts\nORDER BY 1", 7, "ORDER BY"),
    ("SELECT count(*) AS value, count(*) AS n FROM m_contacts\n\nLIMIT 5", 8, "LIMIT"),
    ("SELECT count(*) AS value,\n count(*) AS n FROM read_csv('/etc/passwd')", 7, "read_csv"),
    ("SELECT count(*) AS value, count(*) AS n\nFROM 'data.parquet'", 7, "unknown model"),
    ("SELECT count(*) AS value, count(*) AS n FROM m_contacts\nWHERE\n"
     "  glob('*') IS NOT NULL", 8, "glob"),
    ("SELECT count(*) AS value, count(*) AS n FROM contacts", 6, "unknown model"),
    ("SELECT\n  count(*) AS value,\n  sum(no_such_col) AS n\nFROM m_contacts", 8, "no_such_col"),
    ("SELECT count(*) AS value, count(*) AS n FROM m_contacts\n"
     "WHERE prev_gap_seconds < $nope * 86400", 7, "$nope"),
    ("SELECT count(*) AS value, count(*) AS n FROM m_contacts JOIN m_surveys USING (channel)", 6,
     "JOIN"),
    ("SELECT count(*) AS value, count(*) AS n FROM m_contacts\n"
     "WHERE channel IN (SELECT channel FROM m_surveys)", 7, "subqueries"),
    ("ATTACH 'other.db'", 6, "ATTACH"),
    ("INSTALL httpfs", 6, "INSTALL"),
    ("LOAD httpfs", 6, "LOAD"),
    ("COPY m_contacts TO 'out.csv'", 6, "COPY"),
    ("PRAGMA database_list", 6, "PRAGMA"),
    ("SET memory_limit = '1GB'", 6, "SET"),
    ("CREATE TABLE x AS SELECT 1", 6, "CREATE"),
    ("DELETE FROM m_contacts", 6, "DELETE"),
    ("SELECT count(*) AS value, count(*) AS n FROM m_contacts;\nDROP TABLE m_contacts", 7,
     "one statement"),
    ("SELECT count(*) AS value FROM m_contacts", 6, "must also yield n"),
    ("SELECT count(*) AS total FROM m_contacts", 6, "aliased"),
    ("SELECT count(* AS value FROM m_contacts", 6, "syntax error"),
])
def test_forbidden_constructs_point_at_their_line(sql: str, line: int, words: str) -> None:
    found = problems(sql)
    assert any(words.lower() in msg.lower() for _, msg in found), found
    assert line in [ln for ln, msg in found if words.lower() in msg.lower()], found


@pytest.mark.parametrize(("header", "line", "words"), [
    (HEADER.replace("operational", "happiness"), 2, "perspective"),
    (HEADER.replace("percent", "furlongs"), 3, "unit"),
    (HEADER.replace("higher", "sideways"), 4, "direction"),
    (HEADER + "-- target: lots\n", 6, "number"),
    (HEADER + "-- colour: red\n", 6, "unknown header key"),
    (HEADER.replace("-- label: Test\n", ""), 1, "missing '-- label"),
])
def test_bad_header_values(header: str, line: int, words: str) -> None:
    found = problems("SELECT count(*) AS value, count(*) AS n FROM m_contacts", header)
    assert any(ln == line and words in msg for ln, msg in found), found


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, **(env or {})}, timeout=60)


def test_cli_validate_passes_on_the_shipped_catalog() -> None:
    result = _cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_cli_validate_fails_on_a_broken_copy(tmp_path: Path) -> None:
    copy = tmp_path / "kpis"
    shutil.copytree(KPI_DIR, copy)
    fcr = copy / "fcr.sql"
    lines = fcr.read_text().splitlines()
    lines.append("LIMIT 10")  # the last line of the file
    fcr.write_text("\n".join(lines) + "\n")
    result = _cli("validate", "--kpi-dir", str(copy))
    assert result.returncode == 1
    assert f"fcr.sql:{len(lines)}:1: LIMIT is not allowed" in result.stdout
    # the environment variable works too
    assert _cli("validate", env={"SCORECARD_KPI_DIR": str(copy)}).returncode == 1
