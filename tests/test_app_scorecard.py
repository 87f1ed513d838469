"""AppTest smoke and behaviour tests of the Scorecard page (and the app's navigation) on a small
demo warehouse; filters come from query parameters, as from a shared link."""

from __future__ import annotations

import os
import re
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
    return demo_warehouse.run_page("scorecard", params)


def test_navigation_lists_the_pages_that_exist_in_order() -> None:
    import ast

    tree = ast.parse((ROOT / "app.py").read_text())
    pages = next(n for n in ast.walk(tree) if isinstance(n, ast.Assign)
                 and getattr(n.targets[0], "id", "") == "PAGES")
    paths = [elt.elts[3].value for elt in pages.value.elts]  # type: ignore[attr-defined]
    assert paths == ["scorecard", "channels", "ownership", "voice", "editor", "data"]


def grid(at: AppTest) -> str:
    """The HTML the landing view's component draws (its data)."""
    import json

    found = [e for e in at.main if type(e).__name__ == "UnknownElement"
             and getattr(e.proto, "component_name", "") == "scorecard_grid"]
    assert len(found) == 1, "the landing view is one component"
    return str(json.loads(found[0].proto.json))


def row(markup: str, kpi: str) -> str:
    """The HTML of one KPI's row."""
    start = markup.index(f'data-kpi="{kpi}"')
    end = markup.find('<div class="row"', start)
    return markup[start:end if end > 0 else None]


def test_scorecard_is_one_view_with_scores_attention_and_every_kpi(demo_db: Path) -> None:
    at = scorecard({"from": "2026-06-01", "to": "2026-11-21"})
    assert not at.exception, [e.value for e in at.exception]
    markup = grid(at)
    for title in ("Experience: what customers say", "Operational: how the service runs",
                  "Avoidable contact: demand", "Cost and ownership", "Where it happens",
                  "What needs attention", "Overall score"):
        assert title in markup, title
    kpis = facade.kpi_table(demo_db)
    for kpi_id, label in zip(kpis["id"], kpis["label"], strict=True):
        assert f'data-kpi="{kpi_id}"' in markup and label.replace("'", "&#x27;") in markup
    # a department's cost cell opens its Ownership page, a channel's cell the Channels page
    assert re.search(r'data-drill="ownership\?[^"]*dept=Finance[^"]*kpi=avoidable_cost"', markup)
    assert re.search(r'data-drill="channels\?[^"]*channel=phone[^"]*kpi=aht"', markup)
    # no Plotly chart and no "how is this calculated" box until a row is opened
    assert not at.get("plotly_chart") and not at.expander and not at.code
    scope = at.markdown[0].value
    assert "all channels · all departments · 2026-06-01 to 2026-11-21" in scope
    assert "trends by month" in scope and "Data: contacts to" in scope


def test_a_row_opens_its_details_with_its_own_sql(demo_db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["from"], at.query_params["to"] = "2026-06-01", "2026-11-21"
    at.session_state["sc_detail"] = "aht"
    at.switch_page("views/scorecard.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.label for e in at.expander] == ["How is this calculated"]
    assert at.code[0].value.startswith("SELECT") and "handle_seconds" in at.code[0].value
    assert len(at.get("plotly_chart")) == 1  # the trend with its target line
    assert not any("histograms" in c.value for c in at.caption)  # AHT is exact
    # a median is exact over a period that is not whole months; read from the monthly histograms
    # over whole months, it says how close it is, where it is read
    at.session_state["sc_detail"] = "first_response_time"
    at.run()
    assert not any("histograms" in c.value for c in at.caption)
    at.query_params["to"] = "2026-10-31"
    at.run()
    assert any("monthly histograms" in c.value and "within 0.99 %" in c.value
               for c in at.caption), [c.value for c in at.caption]


def test_filters_come_from_the_url_and_small_n_is_grey(demo_db: Path) -> None:
    at = scorecard({"from": "2026-11-09", "to": "2026-11-21", "grain": "week", "cmp": "yoy",
                    "channel": "social"})
    assert not at.exception
    assert at.sidebar.multiselect(key="f_channel").value == ["social"]
    assert at.sidebar.selectbox(key="f_grain").value == "week"
    assert "social · all departments · 2026-11-09 to 2026-11-21" in at.markdown[0].value
    markup = grid(at)
    assert "vs last year" in markup
    assert '<span class="v g">' in markup  # n below min_n: greyed, no status
    assert ">not judged<" in markup


def test_a_department_filter_makes_cross_department_kpis_not_applicable(demo_db: Path) -> None:
    at = scorecard({"from": "2026-10-01", "to": "2026-10-31", "dept": "Finance"})
    assert not at.exception, [e.value for e in at.exception]
    # "Caused by service itself" reads n/a with its reason, never 0 % in green
    shown = row(grid(at), "service_caused_share")
    assert '<span class="v g">n/a</span>' in shown
    assert 'title="not applicable to this selection">n/a</span>' in shown
    # the scores say how many KPIs they stand on
    assert " judged</span>" in grid(at)


def test_the_last_days_forward_looking_kpis_are_provisional(demo_db: Path) -> None:
    at = scorecard({"from": "2026-11-01", "to": "2026-11-21"})
    assert not at.exception
    # the demo's newest data is 2026-11-21: FCR of November looks 7 days past it
    shown = row(grid(at), "fcr")
    assert 'title="provisional until 2026-11-29">provisional</span>' in shown


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
