"""AppTest smoke and behaviour tests of the Scorecard page (and the app's navigation) on a small
demo warehouse; filters come from query parameters, as from a shared link."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import facade
from tests import demo_warehouse

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = demo_warehouse.build_at(tmp_path_factory.mktemp("scorecard_app"), date(2026, 11, 21))
    with demo_warehouse.as_default(db):
        yield db


def scorecard(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page("views/scorecard.py")
    return at.run()


def test_navigation_lists_the_pages_that_exist_in_order() -> None:
    import ast

    tree = ast.parse((ROOT / "app.py").read_text())
    pages = next(n for n in ast.walk(tree) if isinstance(n, ast.Assign)
                 and getattr(n.targets[0], "id", "") == "PAGES")
    paths = [elt.elts[3].value for elt in pages.value.elts]  # type: ignore[attr-defined]
    assert paths == ["scorecard", "channels", "ownership", "voice", "editor", "data"]


def test_scorecard_shows_perspectives_tiles_scores_and_matrices(demo_db: Path) -> None:
    at = scorecard({"from": "2026-06-01", "to": "2026-11-21"})
    assert not at.exception, [e.value for e in at.exception]
    subheaders = [s.value for s in at.subheader]
    for title in ("Experience", "Operational", "Avoidable contact", "Cost and ownership",
                  "Where it happens"):
        assert any(s.startswith(title) for s in subheaders), subheaders
    labels = set(facade.kpi_table(demo_db)["label"])
    shown = " ".join(m.value for m in at.markdown)
    assert all(f"**{label}**" in shown for label in labels)
    assert "Overall score" in shown and "/ 10]" in shown
    assert len(at.expander) >= len(labels)  # one "How is this calculated" per tile
    assert any("SELECT" in c.value for c in at.code)
    caption = at.caption[0].value
    assert "2026-06-01 to 2026-11-21" in caption and "month" in caption


def test_filters_come_from_the_url_and_small_n_is_grey(demo_db: Path) -> None:
    at = scorecard({"from": "2026-11-09", "to": "2026-11-21", "grain": "week", "cmp": "yoy",
                    "channel": "social"})
    assert not at.exception
    assert at.sidebar.multiselect(key="f_channel").value == ["social"]
    assert at.sidebar.selectbox(key="f_grain").value == "week"
    assert "2026-11-09 to 2026-11-21" in at.caption[0].value
    shown = " ".join(m.value for m in at.markdown)
    assert "vs last year" in shown or "no same period last year" in shown
    values = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert any(v.startswith("### :gray[") for v in values)  # n below min_n: greyed, no status
    assert "not judged" in shown


def test_a_department_filter_makes_cross_department_kpis_not_applicable(demo_db: Path) -> None:
    at = scorecard({"from": "2026-10-01", "to": "2026-10-31", "dept": "Finance"})
    assert not at.exception, [e.value for e in at.exception]
    markdown = [m.value for m in at.markdown]
    # the "Caused by service itself" tile reads n/a with its reason, never 0 % in green
    at_tile = markdown.index(next(m for m in markdown if m.startswith("**Caused by service itself")))
    assert markdown[at_tile].endswith(":gray-badge[n/a]")
    assert markdown[at_tile + 1] == "### :gray[n/a]"
    assert any("not applicable to this selection" in c.value for c in at.caption)
    # the scores say how many KPIs they stand on
    assert any(c.value.endswith("KPIs judged") for c in at.caption)


def test_the_last_days_forward_looking_kpis_are_provisional(demo_db: Path) -> None:
    at = scorecard({"from": "2026-11-01", "to": "2026-11-21"})
    assert not at.exception
    # the demo's newest data is 2026-11-21: FCR of November looks 7 days past it
    fcr = next(m.value for m in at.markdown if m.value.startswith("**First-contact resolution"))
    assert fcr.endswith(":blue-badge[provisional]")
    assert any("provisional until 2026-11-29" in c.value for c in at.caption)


def test_empty_warehouse_says_what_to_do(tmp_path: Path) -> None:
    before = os.environ.get("SCORECARD_DB")
    os.environ["SCORECARD_DB"] = str(tmp_path / "empty.duckdb")
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        if before is None:
            os.environ.pop("SCORECARD_DB", None)
        else:
            os.environ["SCORECARD_DB"] = before
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "Data" in notice and "demo" in notice
