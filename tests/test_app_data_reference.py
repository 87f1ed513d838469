"""The Data page's reference editors and settings: AppTest over a copy of the demo warehouse,
plus the pure settings validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import facade
from metrics import settings as settings_module
from tests.demo_warehouse import demo_db, page


@pytest.fixture
def db(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db(tmp_path_factory), copy)
    return copy


REFERENCE_TABS = {"reason_map": "Reason map", "channel_costs": "Channel costs",
                  "demand": "Demand", "targets": "Targets"}


def _run(monkeypatch: pytest.MonkeyPatch, db: Path, role: str = "analyst",
         tab: str = "Settings") -> AppTest:
    """The Data page with one reference tab open (the tabs are lazy: only the open one runs)."""
    monkeypatch.setenv("SCORECARD_DB", str(db))
    monkeypatch.setenv("SCORECARD_ROLE", role)
    at = AppTest.from_file(page("data"), default_timeout=60)
    at.session_state["reference_tab"] = tab
    return at.run()


def test_reference_tabs_and_editors(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db, tab="Reason map")
    assert not at.exception
    assert "Save channel_costs" not in [b.label for b in at.button]  # a closed tab runs nothing
    for table, tab in REFERENCE_TABS.items():
        at.session_state["reference_tab"] = tab
        at.run()
        assert not at.exception
        labels = [b.label for b in at.button]
        assert f"Save {table}" in labels
        assert labels.count("Import CSV") == 1  # the open table's upload form
        assert f"Download {table}.csv" in {b.label for b in at.get("download_button")}


def test_bad_settings_are_refused_with_every_problem(monkeypatch: pytest.MonkeyPatch,
                                                     db: Path) -> None:
    at = _run(monkeypatch, db)
    at.text_input(key="settings_region").set_value("D1")
    at.text_input(key="settings_service").set_value("")
    at.button(key="settings_save").click().run()
    assert any("Nothing was saved: 2 problem(s)" in e.value for e in at.error)
    problems = "\n".join(c.value for c in at.code)
    assert "default_phone_region: 'D1'" in problems and "service_department" in problems
    assert facade.settings(db=db)["default_phone_region"] == "DE"


def test_settings_are_saved_and_the_models_follow(monkeypatch: pytest.MonkeyPatch,
                                                  db: Path) -> None:
    query = facade.Query.of("service_caused_share", grain="all")
    before = facade.run(query, db=db)["value"].iloc[0]
    at = _run(monkeypatch, db)
    at.text_input(key="settings_service").set_value("Finance")
    at.button(key="settings_save").click().run()
    assert not at.exception
    assert any("Saved: service_department" in s.value for s in at.success)
    assert facade.settings(db=db)["service_department"] == "Finance"
    assert facade.run(query, db=db)["value"].iloc[0] != pytest.approx(before)


def test_viewers_cannot_edit(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db, role="viewer")
    assert not at.exception
    assert not [b for b in at.button if b.label.startswith("Save ") and not b.disabled]
    assert "Import CSV" not in [b.label for b in at.button]
    assert at.button(key="settings_save").disabled


def test_a_bad_reference_csv_names_its_lines(db: Path) -> None:
    csv = b"reason,department,avoidable,quadrant\nbilling_error,Finance,maybe,eliminate\n" \
          b",Finance,true,nowhere\n"
    with pytest.raises(facade.ReferenceDataError) as err:
        facade.save_reference("reason_map", csv, db=db)
    assert "line 2: avoidable 'maybe' is not a bool" in err.value.problems
    assert any(p.startswith("line 3: reason is empty") for p in err.value.problems)
    assert len(facade.reference_frame("reason_map", db=db)) == 15  # nothing written


@pytest.mark.parametrize(("values", "problem"), [
    ({"business_timezone": "Mars/Olympus"}, "not an IANA time zone"),
    ({"opening_hours": '{"phone": "8-20"}'}, "not HH:MM-HH:MM"),
    ({"opening_hours": '{"phone": "20:00-08:00"}'}, "closes"),
    ({"opening_hours": "[1, 2]"}, "must be an object"),
    ({"opening_hours": "{"}, "not JSON"),
    ({"default_phone_region": "de"}, "two-letter"),
    ({"perspective_weights": "{}"}, "not an editable setting"),
])
def test_settings_validation(values: dict[str, str], problem: str) -> None:
    problems = settings_module.validate(values)
    assert len(problems) == 1 and problem in problems[0]


def test_valid_settings_pass() -> None:
    assert settings_module.validate({"business_timezone": "America/New_York",
                                     "opening_hours": '{"phone": "08:00-20:00"}',
                                     "default_phone_region": "US"}) == []
