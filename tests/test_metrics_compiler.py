"""The compiler: golden SQL snapshots (``pytest --update-golden`` or UPDATE_GOLDEN=1 rewrites them),
every compiled query executed on the fixture warehouse, and ratio totals that add up at every grain."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from metrics_data import build

from metrics import facade
from metrics.compiler import TRANSPILE_DIALECTS, compile_kpi, transpile
from metrics.query import GRAINS, Query, QueryError

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "fcr_week_department_filtered": Query.of(
        "fcr", grain="week", start="2024-01-01", end="2024-01-31", dimensions=["department"],
        filters={"channel": ["phone", "email"]}, params={"repeat_window_days": 30}),
    "csat_month": Query.of("csat", grain="month"),
    "first_response_time_all_by_channel": Query.of("first_response_time", grain="all",
                                                   dimensions=["channel"]),
    "channel_consistency_gap_quarter": Query.of("channel_consistency_gap", grain="quarter",
                                                params={"min_n": 1}),
    "cpx_month_by_department": Query.of("cpx", grain="month", dimensions=["department"],
                                        params={"driver": "shipments"}),
    "avoidable_cost_day_reason_team": Query.of("avoidable_cost", grain="day",
                                               dimensions=["reason", "team"],
                                               filters={"source": ["z"]}),
    # a whole range at a calendar grain by a rolled-up dimension: answered from the rollups
    "rolled_up_month_by_channel": Query.of(["contacts", "aht", "csat"], grain="month",
                                           start=date(2026, 1, 1), end=date(2026, 3, 31),
                                           dimensions=["channel"], filters={"department": ["B"]}),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build(tmp_path_factory.mktemp("compiler") / "t.duckdb")
    facade.clear_caches()
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_sql(db: Path, name: str, update_golden: bool) -> None:
    compiled = facade.explain(CASES[name], db)
    text = "\n\n".join(str(c) for c in compiled) + "\n"
    path = GOLDEN / f"{name}.sql"
    if update_golden or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    # and the same SQL runs on the fixture warehouse
    frame = facade.run(CASES[name], db)
    assert list(frame.columns) == ["kpi", "period", *CASES[name].dimensions, "value", "numerator",
                                   "denominator", "n", "error"]
    assert frame["error"].isna().all()


def test_every_kpi_compiles_and_runs_at_every_grain(db: Path) -> None:
    cat = facade.catalog(db)
    for grain in GRAINS:
        query = Query.of(list(cat.kpis), grain=grain, dimensions=["channel", "department"],
                         start="2024-01-01", end="2024-02-29", filters={"team": ["Team A"]})
        frame = facade.run(query, db)
        assert set(frame["kpi"]) >= {"contacts", "csat"}


def test_explain_is_what_run_runs(db: Path) -> None:
    query = CASES["fcr_week_department_filtered"]
    [compiled] = facade.explain(query, db)
    assert "$repeat_window_days" in compiled.sql and "'phone'" not in compiled.sql
    assert compiled.param_map["repeat_window_days"] == 30
    assert compiled.param_map["channel_1"] == "email"  # filter values are bound, never pasted


@pytest.mark.parametrize("grain", GRAINS)
def test_ratio_totals_add_up_over_channels(db: Path, grain: str) -> None:
    cat = facade.catalog(db)
    ratios = [k.id for k in cat.kpis.values() if k.kind == "ratio"]
    params = {"min_n": 1}
    total = facade.run(Query.of(ratios, grain=grain, params=params), db)
    split = facade.run(Query.of(ratios, grain=grain, dimensions=["channel"], params=params), db)
    split["period"] = split["period"].map(str)
    total["period"] = total["period"].map(str)
    sums = split.groupby(["kpi", "period"], dropna=False)[["numerator", "denominator"]].sum()
    for row in total.itertuples():
        num, den = sums.loc[(row.kpi, row.period)]
        assert num == pytest.approx(row.numerator if row.numerator == row.numerator else 0.0)
        assert den == pytest.approx(row.denominator)
        if den:
            scale = cat.kpis[row.kpi].scale
            assert scale * num / den == pytest.approx(row.value), row.kpi


def test_transpile_to_other_engines(db: Path) -> None:
    cat = facade.catalog(db)
    for dialect in TRANSPILE_DIALECTS:
        for kpi in cat.kpis.values():
            assert "SELECT" in transpile(compile_kpi(kpi, CASES["csat_month"]).sql, dialect)
    assert ":repeat_window_days" in facade.transpile("fcr", "spark", db=db)
    with pytest.raises(QueryError):
        transpile("SELECT 1", "oracle-ish")


def test_query_object_is_small_and_strict() -> None:
    a = Query.of(["csat"], filters={"channel": ["phone", "email"]}, params={"x": 1})
    b = Query.of(["csat"], filters={"channel": ["email", "phone"]}, params={"x": 1})
    assert a == b and hash(a) == hash(b)
    for bad in ({"grain": "hour"}, {"dimensions": ["agent"]}, {"filters": {"agent": ["x"]}},
                {"start": "2024-02-01", "end": "2024-01-01"}):
        with pytest.raises(QueryError):
            Query.of(["csat"], **bad)  # type: ignore[arg-type]


def test_unknown_kpi_is_a_query_error(db: Path) -> None:
    with pytest.raises(QueryError, match="unknown KPI"):
        facade.run(Query.of("nope"), db)


def test_contacts_behind_a_number_are_masked(db: Path) -> None:
    # fcr numerator in January: the handled contacts not followed within 7 days: c2 c5 c10
    frame = facade.contacts_behind(Query.of("fcr", start="2024-01-01", end="2024-01-31"), "fcr",
                                   part="numerator", db=db)
    assert len(frame) == 3
    assert all(str(v).startswith("#") for v in frame["contact_id"])
    assert "z:c2" not in frame.to_string()
    assert isinstance(frame, pd.DataFrame)


def test_time_of_week_splits_any_timed_kpi_by_weekday_and_hour(db: Path) -> None:
    # Inbound contacts of January 2024 (metrics_data's table, business time zone UTC):
    #   Mon 01-01 10:00 c1 phone; Tue 01-02 09:00 c4 self_service, 15:00 c5 chat;
    #   Thu 01-04 10:00 c2 email; Fri 01-05 12:00 c6 phone; Sat 01-06 08:00 c7 email;
    #   Wed 01-10 10:00 c10 web; Sat 01-20 10:00 c3 phone  (c8 is outbound)
    # -> 8 cells of 1 contact each: (1,10) (2,9) (2,15) (4,10) (5,12) (6,8) (3,10) (6,10);
    #    c8 (outbound, Sun 01-07 09:00) makes a cell (7,9) that counts 0 inbound contacts.
    q = Query.of(["contacts", "aht"], grain="all", start="2024-01-01", end="2024-01-31",
                 dimensions=["weekday", "hour"])
    frame = facade.run(q, db=db)
    contacts = frame[frame["kpi"] == "contacts"]
    cells = {(int(w), int(h)): v for w, h, v in
             zip(contacts["weekday"], contacts["hour"], contacts["value"], strict=True)}
    assert cells == {(1, 10): 1, (2, 9): 1, (2, 15): 1, (4, 10): 1, (5, 12): 1, (6, 8): 1,
                     (3, 10): 1, (6, 10): 1, (7, 9): 0}
    # aht = handle of inbound handled contacts: Monday 10 h c1 300 s; Tuesday 15 h c5 200 s.
    aht = frame[(frame["kpi"] == "aht") & frame["value"].notna()]
    got = {(int(w), int(h)): v for w, h, v in
           zip(aht["weekday"], aht["hour"], aht["value"], strict=True)}
    assert got[(1, 10)] == 300 and got[(2, 15)] == 200
    with pytest.raises(QueryError):
        Query.of("contacts", filters={"hour": ["10"]})  # split by only, never filtered
