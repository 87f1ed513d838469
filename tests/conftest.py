"""Shared fixtures: a fresh warehouse per test, and the path of the fixture files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pytest

from sql import warehouse

# Tests never touch the repository's own warehouse (data/scorecard.duckdb): anything that falls back to
# the default path gets a throw-away file instead (each xdist worker its own).
if "SCORECARD_DB" not in os.environ:
    os.environ["SCORECARD_DB"] = str(Path(tempfile.mkdtemp(prefix="scorecard-tests-")) / "default.duckdb")

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = warehouse.connect(tmp_path / "test.duckdb")
    yield c
    c.close()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def counts(c: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of every data table: what a failed or repeated import must leave unchanged."""
    tables = ["contacts", "survey_responses", "customers", "rejects"]
    return {t: c.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.sql from the current compiler output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    import os

    return bool(request.config.getoption("--update-golden")) or os.environ.get("UPDATE_GOLDEN") == "1"
