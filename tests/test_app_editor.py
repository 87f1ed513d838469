"""The Metric editor page in AppTest, on a temporary copy of the KPI files (SCORECARD_KPI_DIR):
break a KPI, see the problem at its line, fix it, preview, save, revert; a KPI that validates but
does not run is a problem at its file's line and cannot be saved; the target in force and its
source; the KPI's own SQL first; viewers read only."""

from __future__ import annotations

import re
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


def _open_tab(at: AppTest, label: str) -> AppTest:
    """Open one of the lazy tabs (only the open tab's content runs)."""
    at.session_state["editor_tab"] = label
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
    problem = next(c.value for c in at.code if c.value.startswith("csat.sql:"))
    assert problem.startswith("csat.sql:11:28: unknown column 'satisfiedx'")
    assert "11 |     count(*) FILTER (WHERE satisfiedx) AS numerator," in problem
    assert at.button(key="editor_save").disabled
    assert (kpis / "csat.sql").read_text() == original

    fixed = original.replace("WHERE satisfied)", "WHERE csat >= 5)")
    at.text_area(key="editor_text_csat").set_value(fixed).run()
    assert not at.error and not at.exception
    at.toggle(key="editor_numbers").set_value(True).run()  # the numbers under the chart
    preview = at.tabs[0].dataframe[-1].value
    assert list(preview.columns) == ["period", "saved", "edited", "difference", "saved_n",
                                     "edited_n"]
    assert (preview["edited"] <= preview["saved"]).all()  # top box only is stricter
    assert not at.tabs[1].code  # a closed tab computes and draws nothing
    _open_tab(at, "How it is calculated")
    assert any("FROM m_surveys" in c.value for c in at.code)

    at.button(key="editor_save").click().run()
    assert (kpis / "csat.sql").read_text() == fixed
    assert any("previous version kept" in s.value for s in at.success)
    history = list((kpis / ".history" / "csat").glob("*.sql"))
    assert [p.read_text() for p in history] == [original]

    _open_tab(at, "History")
    at.button(key="editor_revert").click().run()
    assert not at.exception
    assert (kpis / "csat.sql").read_text() == original
    assert at.text_area(key="editor_text_csat").value == original
    assert len(list((kpis / ".history" / "csat").glob("*.sql"))) == 2


def test_transpile_to_another_engine(monkeypatch: pytest.MonkeyPatch, db: Path,
                                     kpis: Path) -> None:
    at = _open_tab(_run(monkeypatch, db, kpis), "How it is calculated")
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


def test_a_kpi_that_validates_but_does_not_run_is_a_problem_and_cannot_be_saved(
        monkeypatch: pytest.MonkeyPatch, db: Path, kpis: Path) -> None:
    at = _run(monkeypatch, db, kpis)
    original = (kpis / "csat.sql").read_text()
    # sum() of a text column: sqlglot knows the column, DuckDB has no sum(VARCHAR)
    broken = original.replace("count(*) FILTER (WHERE satisfied)", "sum(channel) FILTER (WHERE satisfied)")
    at.text_area(key="editor_text_csat").set_value(broken).run()
    assert not at.exception
    assert not [s for s in at.success if s.value.startswith("Valid")]  # never "Valid" here
    assert any("Does not run" in e.value for e in at.error)
    problem = next(c.value for c in at.code if c.value.startswith("csat.sql:"))
    # line 11 of the FILE (the compiled statement has it on line 9), column 5: "sum(channel)"
    assert problem.startswith("csat.sql:11:5: does not run (by month, ")
    assert "sum(VARCHAR)" in problem and "Traceback" not in problem
    assert "11 |     sum(channel) FILTER (WHERE satisfied) AS numerator," in problem
    assert at.button(key="editor_save").disabled
    assert (kpis / "csat.sql").read_text() == original


def test_the_target_in_force_and_where_it_comes_from(monkeypatch: pytest.MonkeyPatch, db: Path,
                                                    kpis: Path) -> None:
    # the demo's targets table: aht 420 s / red flag 540 s for all channels and departments,
    # always valid; the file's header says 360 / 600: the table wins, both numbers overridden
    text = (kpis / "aht.sql").read_text()
    text = re.sub(r"(?m)^-- red_flag: .*$", "-- red_flag: 600",
                  re.sub(r"(?m)^-- target: .*$", "-- target: 360", text))
    (kpis / "aht.sql").write_text(text)
    at = _run(monkeypatch, db, kpis)
    at.query_params["kpi"] = "aht"
    at.selectbox(key="editor_kpi").set_value("aht").run()
    assert not at.exception
    [sentence] = [i.value for i in at.info if i.value.startswith("Target in force")]
    assert sentence == ("Target in force: 420 s, red flag 540 s (targets table, all channels, all "
                        "departments, no start or end date); the file's default 360 s and red "
                        "flag 600 s are overridden.")


def test_how_it_is_calculated_shows_the_kpis_own_sql_first(monkeypatch: pytest.MonkeyPatch,
                                                          db: Path, kpis: Path) -> None:
    at = _open_tab(_run(monkeypatch, db, kpis), "How it is calculated")
    own = (kpis / "csat.sql").read_text().split("SELECT", 1)[1].strip()
    sql_tab = at.tabs[1]
    assert sql_tab.label == "How it is calculated"
    first = sql_tab.code[0].value
    assert first.startswith("SELECT") and own in first and "-- label" not in first
    assert "k.period" not in first  # the compiled statement is further down, in the expander
    params = sql_tab.dataframe[0].value  # csat has no parameter of its own: only the range
    assert list(params["parameter"]) == ["$period_end", "$period_start"]
    assert list(params["from"]) == ["date range", "date range"]
    assert any("k.period" in c.value for c in sql_tab.expander[0].code)
