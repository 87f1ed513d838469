"""The Customer voice page in AppTest: intervals, verbatims as plain text, roles, empty states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.demo_warehouse import demo_db, page

URL = {"from": "2026-01-01", "to": "2026-06-30", "grain": "month"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db(tmp_path_factory)


def _run(monkeypatch: pytest.MonkeyPatch, db: Path, role: str = "analyst",
         **params: str) -> AppTest:
    monkeypatch.setenv("SCORECARD_DB", str(db))
    monkeypatch.setenv("SCORECARD_ROLE", role)
    at = AppTest.from_file(page("voice"), default_timeout=60)
    for key, value in {**URL, **params}.items():
        at.query_params[key] = value
    at.session_state["verbatims_on"] = True  # the comments are shown on demand
    return at.run()


def charts(at: AppTest) -> dict[str, str]:
    """The markup each figure component on the page draws, by its key."""
    found = [e.proto for e in at.main if type(e).__name__ == "UnknownElement"
             and getattr(e.proto, "component_name", "") == "html_chart"]
    return {p.id.rsplit("-", 1)[-1]: str(json.loads(p.json)) for p in found}


def test_voice_page_shows_values_with_intervals(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db)
    assert not at.exception
    assert [m.label for m in at.metric] == ["CSAT", "NPS", "CES (easy %)"]
    assert sum("95 % CI" in c.value for c in at.caption) == 3
    # no Plotly on the page (issue 11): one HTML panel per tab, three KPIs in each dot panel
    assert not at.get("plotly_chart")
    drawn = charts(at)
    assert sorted(drawn) == ["dots_channel"]  # lazy tabs: only the open one runs
    for tab in ("By owning department", "Over time"):
        at.session_state["voice_tab"] = tab
        drawn.update(charts(at.run()))
    assert sorted(drawn) == ["dots_channel", "dots_department", "voice_trend"]
    for dim in ("channel", "department"):
        for title in ("CSAT", "NPS", "CES (easy %)"):
            assert f'<div class="ht">{title} by {dim}</div>' in drawn[f"dots_{dim}"]
    # every channel of the demo has a dot (an interval whisker and a dot per row)
    assert drawn["dots_channel"].count('class="dt"') == 3 * 5
    assert "CSAT over time" in drawn["voice_trend"] and "<polygon" in drawn["voice_trend"]


def test_verbatims_are_plain_text_newest_first(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    from metrics import connection

    # a day on which the demo's customers wrote HTML: the page must show it as text
    day = connection.cursor(db).execute(
        "SELECT max(responded_at)::DATE FROM survey_responses WHERE comment LIKE '%<b>%'"
    ).fetchone()[0]  # type: ignore[index]
    at = _run(monkeypatch, db, **{"from": str(day), "to": str(day)})
    verbatims = at.dataframe[-1].value
    assert list(verbatims["responded_at"]) == sorted(verbatims["responded_at"], reverse=True)
    assert verbatims["response_id"].str.match(r"^#[0-9a-f]{8}$").all()
    assert "csat_scale" in verbatims.columns  # hidden by column_config, still plain data
    # the demo's comments include HTML: it must reach the grid as text, never as markup
    assert verbatims["comment"].str.contains("<b>", regex=False).any()
    assert not any("<b>" in m.value for m in at.markdown)


def test_verbatims_filter_by_score(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db)
    at.selectbox(key="verbatim_field").set_value("nps").run()
    at.slider(key="verbatim_range_nps").set_value((0, 6)).run()
    assert not at.exception
    verbatims = at.dataframe[-1].value
    assert len(verbatims) and (verbatims["nps"] <= 6).all()


def test_verbatims_filter_by_reason(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db)
    at.multiselect(key="verbatim_reasons").set_value(["billing_error"]).run()
    assert not at.exception
    assert set(at.dataframe[-1].value["reason"]) == {"billing_error"}


def test_viewers_do_not_see_verbatims(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db, role="viewer")
    assert not at.exception
    assert any("cannot read them" in i.value for i in at.info)
    assert not any("comment" in d.value.columns for d in at.dataframe)


def test_channel_filter_from_the_url(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    at = _run(monkeypatch, db, channel="phone")
    assert not at.exception
    assert set(at.dataframe[-1].value["channel"]) == {"phone"}


def test_no_surveys_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _run(monkeypatch, tmp_path / "empty.duckdb")
    assert not at.exception
    assert any("Data page" in i.value for i in at.info)
