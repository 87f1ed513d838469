"""Documented or a test fails: every KPI and every format appears in the README."""

from __future__ import annotations

from pathlib import Path

from connectors import registry
from metrics import catalog

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_kpi_is_in_the_readme_glossary() -> None:
    kpis = catalog.load_catalog(catalog.KPI_DIR, catalog.model_schema()).kpis
    missing = [k for k in kpis if f"`{k}`" not in README]
    assert not missing, f"add these KPIs to the README glossary: {missing}"


def test_every_system_with_a_connector_is_named_in_the_readme() -> None:
    names = {"zendesk": "Zendesk", "salesforce": "Salesforce", "freshdesk": "Freshdesk",
             "asterisk": "Asterisk", "amazon_connect": "Amazon Connect", "twilio": "Twilio",
             "qualtrics": "Qualtrics", "surveymonkey": "SurveyMonkey", "typeform": "Typeform"}
    systems = {c.source for c in registry.connectors()} - {"generic"}
    assert systems <= set(names), f"name these systems in the README: {systems - set(names)}"
    assert all(names[s] in README for s in systems)


def test_every_scorecard_column_is_explained_in_the_readme() -> None:
    from metrics.scorecard import SEMANTIC_COLUMNS

    missing = [c for c in [*SEMANTIC_COLUMNS, "target_source", "change_prev"]
               if f"`{c}`" not in README]
    assert not missing, f"explain these scorecard columns in the README: {missing}"
