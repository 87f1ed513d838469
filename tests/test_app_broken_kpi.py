"""A KPI file that validates but does not run (someone saved it before the editor checked, or the
warehouse changed under it) must not break a page: Channels, Customer voice and Ownership show a
grey note naming the KPI and what failed, never DuckDB's traceback, and draw everything else.

The demo warehouse (3,000 contacts ending 2026-06-30) is read through a temporary copy of the KPI
files (SCORECARD_KPI_DIR) in which one KPI per test is broken with sum() of a text column:
sqlglot validates it (the column exists), DuckDB has no sum(VARCHAR).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import catalog as catalog_module
from metrics import facade
from tests import demo_warehouse
from tests.demo_warehouse import ROOT, demo_db

APP = str(ROOT / "app.py")
RANGE = {"from": "2026-01-01", "to": "2026-06-30", "grain": "month"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db(tmp_path_factory)


def broken_copy(tmp_path: Path, kpi: str, first_aggregate: str, column: str) -> Path:
    """The shipped KPI files with ``kpi``'s first ``first_aggregate(`` summing ``column``."""
    directory = tmp_path / "kpis"
    shutil.copytree(catalog_module.KPI_DIR, directory, ignore=shutil.ignore_patterns(".history"))
    path = directory / f"{kpi}.sql"
    text, count = re.subn(re.escape(first_aggregate) + r"\([^()]*\)", f"sum({column})",
                          path.read_text(), count=1)
    assert count == 1
    path.write_text(text)
    return directory


def page(monkeypatch: pytest.MonkeyPatch, db: Path, kpis: Path, script: str,
         params: dict[str, str]) -> AppTest:
    monkeypatch.setenv("SCORECARD_DB", str(db))
    monkeypatch.setenv("SCORECARD_KPI_DIR", str(kpis))
    facade.clear_caches()
    name = script.removeprefix("views/").removesuffix(".py")
    return demo_warehouse.run_page(name, {**RANGE, **params})


def shown(at: AppTest) -> str:
    """Every text the page shows (markdown, captions, alerts)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.error, *at.warning, *at.info)]
    return "\n".join(str(p) for p in parts)


def no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    text = shown(at)
    assert "Traceback" not in text and "Candidate functions" not in text and "LINE " not in text


def test_channels_with_the_selected_kpi_broken(monkeypatch: pytest.MonkeyPatch, db: Path,
                                               tmp_path: Path) -> None:
    kpis = broken_copy(tmp_path, "aht", "sum", "status")
    at = page(monkeypatch, db, kpis, "views/channels.py", {"kpi": "aht"})
    no_traceback(at)
    text = shown(at)
    assert "**Average handle time** (`aht`) does not run on this data" in text
    assert "sum(VARCHAR)" in text and "aht.sql:" in text
    # every chart is aht's own, so none is drawn and a caption says why; the rows it would
    # count are still listed (their condition does not use the failing aggregate)
    subheaders = " ".join(s.value for s in at.subheader)
    assert "Trend by channel" not in subheaders and "contacts behind" in subheaders
    assert any("No trend or breakdowns" in c.value for c in at.caption)
    at.toggle(key="c_rows").set_value(True).run()
    assert len(at.dataframe[-1].value) > 0


def test_channels_with_another_kpi_broken_draws_as_usual(monkeypatch: pytest.MonkeyPatch,
                                                         db: Path, tmp_path: Path) -> None:
    kpis = broken_copy(tmp_path, "aht", "sum", "status")
    at = page(monkeypatch, db, kpis, "views/channels.py", {"kpi": "contacts"})
    no_traceback(at)
    assert "does not run" not in shown(at)
    assert at.selectbox(key="c_kpi").value == "contacts"


def test_customer_voice_with_csat_broken(monkeypatch: pytest.MonkeyPatch, db: Path,
                                         tmp_path: Path) -> None:
    kpis = broken_copy(tmp_path, "csat", "count", "channel")
    at = page(monkeypatch, db, kpis, "views/voice.py", {})
    no_traceback(at)
    assert "**CSAT** (`csat`) does not run on this data" in shown(at)
    assert {m.label for m in at.metric} == {"NPS", "CES (easy %)"}  # the other two draw


def test_ownership_with_avoidable_rate_broken(monkeypatch: pytest.MonkeyPatch, db: Path,
                                              tmp_path: Path) -> None:
    kpis = broken_copy(tmp_path, "avoidable_rate", "count", "reason")
    at = page(monkeypatch, db, kpis, "views/ownership.py", {})
    no_traceback(at)
    assert "**Avoidable contact rate** (`avoidable_rate`) does not run" in shown(at)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Avoidable contact rate"] == "–"  # a failure is not 0 %
    assert tiles["Avoidable cost (EUR)"] not in ("–", "0")  # the others keep their values


def test_a_kpi_file_that_does_not_validate_is_named_on_the_scorecard(
        monkeypatch: pytest.MonkeyPatch, db: Path, tmp_path: Path) -> None:
    kpis = tmp_path / "kpis"
    shutil.copytree(catalog_module.KPI_DIR, kpis, ignore=shutil.ignore_patterns(".history"))
    (kpis / "aht.sql").write_text((kpis / "aht.sql").read_text().replace(
        "FROM m_contacts", "FROM m_contacts_typo"))
    at = page(monkeypatch, db, kpis, "views/scorecard.py", {})
    assert not at.exception
    # the page says which file is left out and where, instead of 23 tiles and silence
    assert any("aht.sql:" in w.value and "left out" in w.value for w in at.warning)
    assert "**Average handle time**" not in shown(at)
