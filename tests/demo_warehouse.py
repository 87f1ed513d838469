"""A small demo warehouse for the page tests, built once per test session (and per xdist worker).

3,000 simulated contacts of the demo company ending 2026-06-30, loaded through the real connectors,
so the pages see every table, model and reference row they see in production.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from connectors import demo

ROOT = Path(__file__).resolve().parents[1]
END = date(2026, 6, 30)
_built: dict[str, Path] = {}


def demo_db(factory: pytest.TempPathFactory) -> Path:
    """The path of the session's demo warehouse (built on first use)."""
    if "db" not in _built:
        base = factory.mktemp("demo")
        demo.build(base / "exports", base / "demo.duckdb", contacts=3000, seed=1, end=END,
                   log=lambda *args: None)
        _built["db"] = base / "demo.duckdb"
    return _built["db"]


@contextmanager
def as_default(db: Path) -> Iterator[Path]:
    """Make ``db`` the warehouse the app opens (``SCORECARD_DB``) for the duration."""
    before = os.environ.get("SCORECARD_DB")
    os.environ["SCORECARD_DB"] = str(db)
    try:
        yield db
    finally:
        if before is None:
            os.environ.pop("SCORECARD_DB", None)
        else:
            os.environ["SCORECARD_DB"] = before


def build_at(root: Path, end: date) -> Path:
    """A 3,000-contact demo warehouse under ``root`` ending ``end``."""
    demo.build(root / "exports", root / "demo.duckdb", contacts=3000, seed=1, end=end,
               log=lambda *args: None)
    return root / "demo.duckdb"


def page(name: str) -> str:
    """The absolute path of a page script, for ``AppTest.from_file``."""
    return str(ROOT / "views" / f"{name}.py")


def run_page(name: str, params: dict[str, str] | None = None, timeout: float = 120) -> AppTest:
    """``views/<name>.py`` run through app.py (its navigation and empty-warehouse notice) with
    ``params`` as the URL's query parameters: the AppTest after the run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(f"views/{name}.py")
    return at.run()


DATA_TABS = ("Import log", "Rejects", "Skipped rows", "Blanked values", "Audits")


def data_page(monkeypatch: object, db: Path) -> tuple[object, dict[str, str], list]:
    """The Data page run on ``db``: the AppTest, its metrics (label -> value) and its tables,
    those of every import tab (the tabs are lazy: each is opened in turn)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SCORECARD_DB", str(db))  # type: ignore[attr-defined]
    at = AppTest.from_file(page("data"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe]
    for tab in DATA_TABS[1:]:
        at.session_state["data_tab"] = tab
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        tables += [d.value for d in at.tabs[DATA_TABS.index(tab)].dataframe]
    return at, {m.label: m.value for m in at.metric}, tables
