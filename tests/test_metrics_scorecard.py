"""Scorecard: target matching, status, score, roll-ups, changes; reference data import; the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from metrics_data import build

from connectors import reference
from metrics import connection, facade
from metrics.catalog import load_catalog
from metrics.query import Query
from metrics.scorecard import perspective_scores, score, status
from metrics.targets import match_target
from sql import warehouse

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = build(tmp_path / "t.duckdb")
    facade.clear_caches()
    return path


def test_status_and_score() -> None:
    # higher is better, target 80, red flag 60: 70 is halfway -> amber, 5.0
    assert status(70, 100, 80, 60, "higher", 30) == "amber" and score(70, 80, 60, "higher") == 5.0
    assert status(85, 100, 80, 60, "higher", 30) == "green" and score(85, 80, 60, "higher") == 10.0
    assert status(60, 100, 80, 60, "higher", 30) == "red" and score(50, 80, 60, "higher") == 0.0
    # lower is better, target 5, red flag 10: 6 -> amber, 8.0
    assert status(6, 100, 5, 10, "lower", 30) == "amber" and score(6, 5, 10, "lower") == 8.0
    assert status(12, 100, 5, 10, "lower", 30) == "red"
    # too few answers, or no target: grey
    assert status(99, 29, 80, 60, "higher", 30) == "grey"
    assert status(99, 100, None, None, "higher", 30) == "grey"


def test_most_specific_target_wins() -> None:
    kpi = load_catalog().kpis["csat"]  # file default 85 / 70
    targets = pd.DataFrame([
        ("csat", "*", "*", "1900-01-01", "9999-12-31", 80.0, 60.0, 1.0),
        ("csat", "phone", "*", "1900-01-01", "9999-12-31", 75.0, 55.0, 2.0),
        ("csat", "phone", "Finance", "2024-01-01", "2024-12-31", 90.0, 70.0, 3.0),
    ], columns=["kpi", "channel", "department", "valid_from", "valid_to", "target", "red_flag",
                "weight"])
    assert match_target(targets, kpi, "*", "*", date(2024, 1, 1)).target == 80.0
    assert match_target(targets, kpi, "phone", "*", date(2024, 1, 1)).target == 75.0
    assert match_target(targets, kpi, "phone", "Finance", date(2024, 1, 1)).target == 90.0
    assert match_target(targets, kpi, "phone", "Finance", date(2025, 1, 1)).target == 75.0
    assert match_target(targets.iloc[0:0], kpi, "*", "*", None).target == 85.0


def test_scorecard_frame(db: Path) -> None:
    con = warehouse.connect(db)  # before the facade opens it read-only
    # fcr: all channels target 70 / red 50 (January fcr 75 -> green), phone: target 90 / red 70
    con.execute("INSERT INTO targets (kpi, channel, target, red_flag) VALUES "
                "('fcr', '*', 70, 50), ('fcr', 'phone', 90, 70), ('contacts', '*', 5, 10)")
    con.close()
    facade.clear_caches()
    q = Query.of(["fcr", "contacts"], grain="month", start="2024-02-01", end="2024-02-29")
    frame = facade.scorecard(q, db)
    assert list(frame.columns[:3]) == ["kpi", "period", "dimension"]
    fcr = frame[frame["kpi"] == "fcr"].iloc[0]
    # February fcr = c9 resolved, 1/1 = 100; January 75 -> change +25; n 1 < 30 -> grey
    assert (fcr["value"], fcr["change_prev"], fcr["status"], fcr["target"]) == (100.0, 25.0,
                                                                                 "grey", 70.0)
    contacts = frame[frame["kpi"] == "contacts"].iloc[0]
    # contacts (min_n 1, lower is better): February 1 <= 5 -> green, 10 points; January 8 -> -7
    assert (contacts["status"], contacts["score"], contacts["change_prev"]) == ("green", 10.0, -7.0)
    by_channel = facade.scorecard(q.with_(dimensions=("channel",)), db)
    assert set(by_channel[by_channel["kpi"] == "fcr"]["target"]) == {70.0}  # only email in Feb
    jan = facade.scorecard(q.with_(start=date(2024, 1, 1), end=date(2024, 1, 31),
                                   dimensions=("channel",)), db)
    phone = jan[(jan["kpi"] == "fcr") & (jan["channel"] == "phone")].iloc[0]
    assert phone["target"] == 90.0  # the phone-specific row


def test_perspective_roll_up() -> None:
    cat = load_catalog()
    scored = pd.DataFrame({
        "kpi": ["csat", "nps", "aht", "contacts"], "period": [date(2024, 1, 1)] * 4,
        "dimension": ["All"] * 4, "score": [10.0, 4.0, 5.0, None], "weight": [1.0, 2.0, 1.0, 0.0]})
    frame = perspective_scores(scored, cat, {"experience": 1.0, "operational": 3.0,
                                             "avoidable": 1.0, "cost": 1.0})
    got = dict(zip(frame["perspective"], frame["score"], strict=True))
    # experience (10 x 1 + 4 x 2) / 3 = 6; operational aht 5; overall (6 x 1 + 5 x 3) / 4 = 5.25
    assert got == {"experience": 6.0, "operational": 5.0, "overall": 5.25}


def test_facade_perspectives_and_trend(db: Path) -> None:
    with connection.writer(db) as con:
        con.execute("INSERT INTO targets (kpi, target, red_flag) VALUES ('contacts', 5, 10)")
    q = Query.of(["contacts", "csat"], grain="month")
    # contacts January 8 (between 5 and 10 -> 4 points), February 1 (10 points); csat is grey
    # (below min_n): experience is not scored, and says 0 of its 1 KPI was judged
    scores = facade.perspective_scores(q, db)
    assert scores["score"].dropna().tolist() == [4.0, 4.0, 10.0, 10.0]
    experience = scores[scores["perspective"] == "experience"]
    assert experience["score"].isna().all() and experience["kpis"].tolist() == [0, 0]
    assert experience["of"].tolist() == [1, 1]
    overall = scores[scores["perspective"] == "overall"]
    assert overall["kpis"].tolist() == [1, 1] and overall["of"].tolist() == [2, 2]
    trend = facade.trend(q.with_(grain="all"), db)
    assert trend["period"].map(str).tolist() == ["2024-01-01", "2024-02-01"] * 2


def test_reference_csv_round_trip_and_refresh(db: Path) -> None:
    csv = b"reason,label,department,avoidable,quadrant,valid_from,valid_to\n" \
          b"bill,Billing,Finance,yes,eliminate,,\n" \
          b"where,WISMO,Logistics,true,eliminate,2024-01-01,\n" \
          b"pwd,Password,Customer Service,1,automate,,\n"
    facade.save_reference("reason_map", csv, db=db)
    # now c3 is Logistics and avoidable again; order is unmapped: January avoidable c1 c2 c3 c4 c5
    # over mapped c1 c2 c3 c4 c5 -> 100
    frame = facade.run(Query.of("avoidable_rate", start="2024-01-01", end="2024-01-31"), db)
    assert frame["value"].tolist() == [100.0]
    assert len(facade.reference_frame("reason_map", db)) == 3
    with connection.writer(db) as con:
        with pytest.raises(reference.ReferenceError) as err:
            reference.import_csv(con, "reason_map", b"reason,department,avoidable\nx,Y,maybe\n")
        assert err.value.problems == ["line 2: avoidable 'maybe' is not a bool"]
        assert len(reference.read(con, "reason_map")) == 3  # nothing written
        reference.import_csv(con, "targets", b"kpi,target,red_flag\ncsat,80,60\n", replace=False)
        assert reference.read(con, "targets")["channel"].tolist() == ["*"]


def test_cli_scorecard(db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "metrics", "scorecard", "--db", str(db), "--by", "channel",
         "--kpi", "csat", "fcr", "--from", "2024-01-01", "--to", "2024-01-31"],
        cwd=ROOT, text=True, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(rows[0]) == ["kpi", "period", "dimension", "value", "numerator", "denominator",
                             "n", "target", "target_source", "status", "applicable",
                             "provisional", "final_on", "data_issues", "mix_effect", "note",
                             "error"]
    phone = [r for r in rows if r["kpi"] == "csat" and r["dimension"] == "phone"][0]
    assert (phone["value"], phone["n"]) == (100.0, 2)  # s1 and s5, both satisfied
    assert phone["applicable"] and not phone["provisional"] and phone["note"] == "n below 30"
    # the newest contact is c9 on 2024-02-10: January's fcr looks 7 days past 2024-02-01, final
    assert {r["provisional"] for r in rows if r["kpi"] == "fcr"} == {False}
    # under a department filter the share across departments is not applicable
    finance = subprocess.run(
        [sys.executable, "-m", "metrics", "scorecard", "--db", str(db), "--grain", "all",
         "--kpi", "service_caused_share", "--department", "Finance"],
        cwd=ROOT, text=True, capture_output=True, timeout=60)
    share = json.loads(finance.stdout.splitlines()[0])
    assert (share["applicable"], share["value"], share["status"]) == (False, None, "grey")
    assert share["note"] == "not applicable to this selection"
    csv = subprocess.run(
        [sys.executable, "-m", "metrics", "scorecard", "--db", str(db), "--kpi", "contacts",
         "--format", "csv"], cwd=ROOT, text=True, capture_output=True, timeout=60)
    assert csv.stdout.splitlines()[1].startswith("contacts,2024-01-01,All,8.0")
