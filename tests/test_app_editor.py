"""The Metric editor page in AppTest, on a temporary copy of the KPI files (SCORECARD_KPI_DIR):
break a KPI, see the problem at its line, fix it, preview, save, revert; viewers read only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import catalog as catalog_module
from metrics import facade
from tests.demo_warehouse import demo_db, page

URL = {"from": "2026-01-01", "to": "2026-06-30", "grain": "month", "kpi": "csat"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db(tmp_path_factory)


@pytest.fixture
def kpis(tmp_path: Path) -> Path:
    directory = tmp_path / "kpis"
    shutil.copytree(catalog_module.KPI_DIR, directory, ignore=shutil.ignore_patterns(".history"))
    return directory


def _run(monkeypatch: pytest.MonkeyPatch, db: Path, kpis: Path, role: str = "analyst") -> AppTest:
    monkeypatch.setenv("SCORECARD_DB", str(db))
    monkeypatch.setenv("SCORECARD_KPI_DIR", str(kpis))
    monkeypatch.setenv("SCORECARD_ROLE", role)
    facade.clear_caches()
    at = AppTest.from_file(page("editor"), default_timeout=60)
    for key, value in URL.items():
        at.query_params[key] = value
    return at.run()


def test_break_fix_preview_save_revert(monkeypatch: pytest.MonkeyPatch, db: Path,
                                       kpis: Path) -> None:
    at = _run(monkeypatch, db, kpis)
    assert not at.exception
    original = (kpis / "csat.sql").read_text()
    editor = at.text_area(key="editor_text_csat")
    assert editor.value == original

    editor.set_value(original.replace("WHERE satisfied)", "WHERE satisfiedx)")).run()
    assert any("cannot be saved" in e.value for e in at.error)
    problem = next(c.value for c in at.code if c.value.startswith("line "))
    assert problem.startswith("line 11, column 28: unknown column 'satisfiedx'")
    assert "11 |     count(*) FILTER (WHERE satisfiedx) AS numerator," in problem
    assert at.button(key="editor_save").disabled
    assert (kpis / "csat.sql").read_text() == original

    fixed = original.replace("WHERE satisfied)", "WHERE csat >= 5)")
    at.text_area(key="editor_text_csat").set_value(fixed).run()
    assert not at.error and not at.exception
    preview = at.dataframe[-1].value
    assert list(preview.columns) == ["period", "saved", "edited", "difference", "saved_n",
                                     "edited_n"]
    assert (preview["edited"] <= preview["saved"]).all()  # top box only is stricter
    assert any("FROM m_surveys" in c.value for c in at.code)

    at.button(key="editor_save").click().run()
    assert (kpis / "csat.sql").read_text() == fixed
    assert any("previous version kept" in s.value for s in at.success)
    history = list((kpis / ".history" / "csat").glob("*.sql"))
    assert [p.read_text() for p in history] == [original]

    at.button(key="editor_revert").click().run()
    assert not at.exception
    assert (kpis / "csat.sql").read_text() == original
    assert at.text_area(key="editor_text_csat").value == original
    assert len(list((kpis / ".history" / "csat").glob("*.sql"))) == 2


def test_transpile_to_another_engine(monkeypatch: pytest.MonkeyPatch, db: Path,
                                     kpis: Path) -> None:
    at = _run(monkeypatch, db, kpis)
    at.selectbox(key="editor_dialect").set_value("bigquery").run()
    assert not at.exception
    assert any("COUNTIF(satisfied)" in c.value and "@period_start" in c.value for c in at.code)


def test_viewers_read_but_cannot_edit(monkeypatch: pytest.MonkeyPatch, db: Path,
                                      kpis: Path) -> None:
    at = _run(monkeypatch, db, kpis, role="viewer")
    assert not at.exception
    assert not at.text_area
    assert not [b for b in at.button if b.label in ("Save", "Revert to this version")]
    assert any("FROM m_surveys" in c.value for c in at.code)


def test_a_broken_file_on_disk_is_listed_and_editable(monkeypatch: pytest.MonkeyPatch, db: Path,
                                                      kpis: Path) -> None:
    (kpis / "nps.sql").write_text("-- label: NPS\nSELECT nope AS value FROM m_surveys\n")
    at = _run(monkeypatch, db, kpis)
    assert not at.exception
    assert any("problem(s) in the saved files" in w.value for w in at.warning)
    assert "nps" in at.selectbox(key="editor_kpi").options
