"""Survey intervals and verbatims: textbook numbers and the hand-countable warehouse.

Hand data (tests/metrics_data.py): CSAT satisfied s1, s3, s5 of 5 -> 60 %; NPS promoters s1 (10),
s4 (9), detractors s2 (6), s5 (0), passive s3 (8) -> 0 points; SE = sqrt((0.4 + 0.4 - 0) / 5) = 0.4.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from metrics import connection, facade, survey
from sql import warehouse
from tests import metrics_data


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return metrics_data.build(tmp_path_factory.mktemp("survey") / "hand.duckdb")


def test_wilson_textbook_values() -> None:
    low, high = survey.wilson(81, 263)  # Wilson (1927) style example: p = 0.308
    assert low == pytest.approx(0.2553, abs=1e-4) and high == pytest.approx(0.3662, abs=1e-4)
    assert survey.wilson(0, 10)[0] == 0.0 and survey.wilson(10, 10)[1] == pytest.approx(1.0)
    assert survey.wilson(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)  # never a zero-width band
    assert survey.wilson(1, 0) == (None, None)


def test_nps_interval_uses_the_difference_of_two_proportions() -> None:
    low, high = survey.nps_interval(2, 2, 5)
    assert low == pytest.approx(-1.959964 * 40) and high == pytest.approx(1.959964 * 40)
    low, high = survey.nps_interval(50, 10, 100)  # p .5, d .1: var = (.6 - .16) / 100
    half = 1.959964 * math.sqrt(0.44 / 100) * 100
    assert (low, high) == (pytest.approx(40 - half), pytest.approx(40 + half))
    assert survey.nps_interval(10, 0, 10)[1] == 100.0  # clipped to the scale
    assert survey.nps_interval(0, 0, 0) == (None, None)


def test_survey_intervals_on_hand_data(db: Path) -> None:
    frame = facade.survey_intervals(facade.Query.of(["csat", "nps", "ces"], grain="all"), db=db)
    rows = frame.set_index("kpi")
    assert rows.loc["csat", "value"] == pytest.approx(60.0)
    low, high = survey.wilson(3, 5)
    assert rows.loc["csat", "low"] == pytest.approx(100 * low)
    assert rows.loc["csat", "high"] == pytest.approx(100 * high)
    assert rows.loc["nps", "value"] == pytest.approx(0.0)
    assert rows.loc["nps", "high"] == pytest.approx(1.959964 * 40, rel=1e-5)
    assert not rows["reliable"].any()  # n = 4..5 is far below min_n 30


def test_intervals_per_channel_match_their_own_counts(db: Path) -> None:
    frame = facade.survey_intervals(facade.Query.of(["nps"], grain="all",
                                                    dimensions=["channel"]), db=db)
    phone = frame[frame["channel"] == "phone"].iloc[0]  # s1 (10, via c1) and s5 (0, unlinked)
    assert phone["n"] == 2 and phone["value"] == pytest.approx(0.0)
    assert phone["high"] == pytest.approx(min(100.0, 1.959964 * 100))


def test_reliable_flag_follows_min_n() -> None:
    values = pd.DataFrame([{"kpi": "csat", "period": None, "value": 50.0, "numerator": 15.0,
                            "denominator": 30.0, "n": 30},
                           {"kpi": "ces", "period": None, "value": 50.0, "numerator": 1.0,
                            "denominator": 2.0, "n": 2}])
    out = survey.with_intervals(values, pd.DataFrame(), {"csat": 30, "ces": 30})
    assert out["reliable"].tolist() == [True, False]


def test_verbatims_are_filtered_newest_first_and_masked(tmp_path: Path) -> None:
    db = metrics_data.build(tmp_path / "comments.duckdb")
    with connection.writer(db) as con:
        con.execute("UPDATE survey_responses SET comment = CASE response_id "
                    "WHEN 'z:s1' THEN '<b>great</b>' WHEN 'z:s2' THEN '=cmd()' "
                    "WHEN 'z:s5' THEN 'slow' END")
        warehouse.refresh_models(con)
    query = facade.Query.of("csat", grain="all")
    everything = facade.verbatims(query, db=db)
    assert everything["comment"].tolist() == ["slow", "=cmd()", "<b>great</b>"]  # newest first
    assert everything["response_id"].str.match(r"^#[0-9a-f]{8}$").all()
    detractors = facade.verbatims(query, score_field="nps", low=0, high=6, db=db)
    assert detractors["comment"].tolist() == ["slow", "=cmd()"]
    billing = facade.verbatims(query, reasons=("bill",), db=db)
    assert billing["comment"].tolist() == ["=cmd()", "<b>great</b>"]
    with pytest.raises(ValueError):
        facade.verbatims(query, score_field="comment; DROP TABLE x", db=db)
