"""Saving KPI files: validated first, history kept, revert validated too, shipped files untouched."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from metrics import catalog as catalog_module
from metrics import editor, facade, roles
from tests import metrics_data

SHIPPED = catalog_module.KPI_DIR
SCHEMA = catalog_module.model_schema()


@pytest.fixture
def kpis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary copy of the shipped KPI files, selected through SCORECARD_KPI_DIR."""
    directory = tmp_path / "kpis"
    shutil.copytree(SHIPPED, directory, ignore=shutil.ignore_patterns(".history"))
    monkeypatch.setenv("SCORECARD_KPI_DIR", str(directory))
    facade.clear_caches()
    yield directory
    facade.clear_caches()


def _broken(text: str) -> str:
    return text.replace("WHERE satisfied)", "WHERE satisfiedx)")


def test_kpi_dir_comes_from_the_environment(kpis: Path) -> None:
    assert editor.kpi_dir() == kpis
    assert editor.kpi_dir("/elsewhere") == Path("/elsewhere")


def test_a_valid_edit_is_saved_and_the_old_text_goes_to_the_history(kpis: Path) -> None:
    old = (kpis / "csat.sql").read_text()
    new = old.replace("WHERE satisfied)", "WHERE csat >= 5)")
    result = editor.save("csat", new, SCHEMA, now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert result.saved and result.archived is not None
    assert (kpis / "csat.sql").read_text() == new
    assert result.archived.path == kpis / ".history" / "csat" / "20260102T030405000000Z.sql"
    assert result.archived.path.read_text() == old
    assert [v.name for v in editor.history("csat")] == ["20260102T030405000000Z"]


def test_a_kpi_that_fails_validation_is_never_saved(kpis: Path) -> None:
    before = (kpis / "csat.sql").read_text()
    result = editor.save("csat", _broken(before), SCHEMA)
    assert not result.saved
    assert any("satisfiedx" in p.message and p.line == 11 for p in result.problems)
    assert (kpis / "csat.sql").read_text() == before
    assert editor.history("csat") == []
    assert not (kpis / "new_kpi.sql").exists()
    assert not editor.save("new_kpi", "SELECT 1", SCHEMA).saved
    assert not (kpis / "new_kpi.sql").exists()


def test_saving_the_same_text_changes_nothing(kpis: Path) -> None:
    text = (kpis / "nps.sql").read_text()
    result = editor.save("nps", text, SCHEMA)
    assert not result.saved and result.problems == [] and editor.history("nps") == []


def test_revert_restores_a_version_and_keeps_the_replaced_one(kpis: Path) -> None:
    first = (kpis / "csat.sql").read_text()
    second = first.replace("WHERE satisfied)", "WHERE csat >= 5)")
    editor.save("csat", second, SCHEMA, now=datetime(2026, 1, 1, tzinfo=UTC))
    version = editor.history("csat")[0].name
    result = editor.revert("csat", version, SCHEMA, now=datetime(2026, 1, 2, tzinfo=UTC))
    assert result.saved
    assert (kpis / "csat.sql").read_text() == first
    texts = [editor.version_text("csat", v.name) for v in editor.history("csat")]
    assert texts == [second, first]  # newest first: the reverted-away text is kept too


def test_revert_to_a_version_that_no_longer_validates_is_refused(kpis: Path) -> None:
    folder = kpis / ".history" / "csat"
    folder.mkdir(parents=True)
    current = (kpis / "csat.sql").read_text()
    (folder / "20250101T000000000000Z.sql").write_text(_broken(current))
    result = editor.revert("csat", "20250101T000000000000Z", SCHEMA)
    assert not result.saved and result.problems
    assert (kpis / "csat.sql").read_text() == current


@pytest.mark.parametrize("bad", ["../etc/passwd", "Csat", "", "a/b"])
def test_ids_and_versions_cannot_leave_the_kpi_dir(kpis: Path, bad: str) -> None:
    with pytest.raises(editor.EditorError):
        editor.save(bad, "x", SCHEMA)
    with pytest.raises(editor.EditorError):
        editor.version_text("csat", bad or "..")


def test_the_facade_reads_the_configured_dir_and_forgets_its_cache_after_a_save(
        kpis: Path, tmp_path: Path) -> None:
    db = metrics_data.build(tmp_path / "hand.duckdb")
    query = facade.Query.of("csat", grain="all")
    assert facade.run(query, db=db)["value"].iloc[0] == pytest.approx(60.0)  # 3 of 5 satisfied
    text = facade.kpi_text("csat").replace("WHERE satisfied)", "WHERE csat >= 5)")
    assert facade.save_kpi("csat", text, db=db).saved
    # raw csat >= 5: s1 (5 of 5) and s5 (9 of 10), not s2 (2), s3 (good = 1), s4 (bad = 0)
    assert facade.run(query, db=db)["value"].iloc[0] == pytest.approx(40.0)
    assert (SHIPPED / "csat.sql").read_text() != text  # the shipped file is untouched


def test_preview_runs_the_unsaved_text_without_saving(kpis: Path, tmp_path: Path) -> None:
    db = metrics_data.build(tmp_path / "hand.duckdb")
    text = facade.kpi_text("csat").replace("WHERE satisfied)", "WHERE false)")
    frame, compiled = facade.preview_kpi("csat", text, facade.Query.of("csat", grain="all"), db=db)
    assert frame["value"].iloc[0] == 0 and "FALSE" in compiled.sql.upper()
    assert facade.kpi_text("csat") != text
    with pytest.raises(facade.QueryError):
        facade.preview_kpi("csat", _broken(facade.kpi_text("csat")),
                           facade.Query.of("csat", grain="all"), db=db)
    spark = facade.transpile_kpi_text("csat", text, "spark", facade.Query.of("csat", grain="month"))
    assert "FROM m_surveys" in spark and "DATE_TRUNC('MONTH', local_at)" in spark


def test_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCORECARD_ROLE", raising=False)
    assert roles.current_role() == "analyst" and roles.allowed("edit_kpis")
    monkeypatch.setenv("SCORECARD_ROLE", "viewer")
    assert not roles.allowed("edit_kpis") and not roles.allowed("read_verbatims")
    monkeypatch.setenv("SCORECARD_ROLE", "superuser")  # unknown: least privilege
    assert roles.current_role() == "viewer"
    assert roles.allowed("read_verbatims", "lead") and not roles.allowed("edit_kpis", "lead")


# --- a KPI that validates but does not run -----------------------------------------------------
# sum() of the text column ``channel``: sqlglot knows the column, DuckDB has no sum(VARCHAR).
# csat.sql's numerator is line 11, "    count(*) FILTER (WHERE satisfied) AS numerator,":
# the sum starts at column 5.

def _not_running(text: str) -> str:
    return text.replace("count(*) FILTER (WHERE satisfied)", "sum(channel) FILTER (WHERE satisfied)")


def test_a_kpi_that_does_not_run_is_never_saved(kpis: Path, tmp_path: Path) -> None:
    db = metrics_data.build(tmp_path / "hand.duckdb")
    before = (kpis / "csat.sql").read_text()
    text = _not_running(before)
    assert catalog_module.parse_kpi("csat.sql", text, SCHEMA)[1] == []  # it validates...
    result = facade.save_kpi("csat", text, db=db)  # ...but does not run
    assert not result.saved and result.kpi is None
    [problem] = result.problems  # both trial queries fail the same way: said once
    assert str(problem).startswith("csat.sql:11:5: does not run (by month, 2024-01-01 to "
                                   "2024-02-11, no dimensions): Binder Error: No function matches")
    assert "sum(VARCHAR)" in problem.message and "\n" not in problem.message
    assert "does not run on the warehouse" in result.message
    assert (kpis / "csat.sql").read_text() == before and editor.history("csat") == []
    kpi, problems = facade.validate_kpi("csat.sql", text, db=db, run=True)
    assert kpi is None and problems == [problem]  # so the editor never calls it valid
    assert facade.validate_kpi("csat.sql", text, db=db)[1] == []  # run=False: validation only


def test_a_revert_to_a_version_that_does_not_run_is_refused(kpis: Path, tmp_path: Path) -> None:
    db = metrics_data.build(tmp_path / "hand.duckdb")
    folder = kpis / ".history" / "csat"
    folder.mkdir(parents=True)
    current = (kpis / "csat.sql").read_text()
    (folder / "20250101T000000000000Z.sql").write_text(_not_running(current))
    result = facade.revert_kpi("csat", "20250101T000000000000Z", db=db)
    assert not result.saved and result.problems[0].line == 11
    assert (kpis / "csat.sql").read_text() == current


def test_the_check_is_the_callers(kpis: Path) -> None:
    """editor.save stays pure: whatever ``check`` reports blocks the save."""
    text = (kpis / "nps.sql").read_text() + "\n"
    refuse = catalog_module.Problem("nps.sql", 3, 2, "does not run: nope")
    result = editor.save("nps", text, SCHEMA, check=lambda kpi: [refuse])
    assert not result.saved and result.problems == [refuse]
    assert editor.save("nps", text, SCHEMA, check=lambda kpi: []).saved


def test_a_text_that_runs_passes_the_trial(kpis: Path, tmp_path: Path) -> None:
    db = metrics_data.build(tmp_path / "hand.duckdb")
    text = facade.kpi_text("csat").replace("WHERE satisfied)", "WHERE csat >= 5)")
    kpi, problems = facade.validate_kpi("csat.sql", text, db=db, run=True)
    assert kpi is not None and problems == []


def test_preview_of_a_text_that_does_not_run_says_where(kpis: Path, tmp_path: Path) -> None:
    db = metrics_data.build(tmp_path / "hand.duckdb")
    with pytest.raises(facade.QueryError, match=r"^csat\.sql:11:5: does not run: Binder Error"):
        facade.preview_kpi("csat", _not_running(facade.kpi_text("csat")),
                           facade.Query.of("csat", grain="all"), db=db)
