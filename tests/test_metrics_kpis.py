"""Known answers for every KPI on the hand-countable warehouse of ``metrics_data`` (read its table).

Values of percent KPIs are 0..100. Each expected number is counted in the comment beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from metrics_data import build

from metrics import facade
from metrics.query import Query
from sql import warehouse


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build(tmp_path_factory.mktemp("kpi") / "t.duckdb")
    facade.clear_caches()
    return path


def value(db: Path, kpi: str, grain: str = "month", period: str | None = "2024-01-01",
          **params: object) -> tuple[float | None, int]:
    frame = facade.run(Query.of(kpi, grain=grain, params=params), db)
    if period is not None:
        frame = frame[frame["period"].astype(str) == period]
    assert len(frame) == 1, frame
    row = frame.iloc[0]
    v = row["value"]
    return (None if v != v else round(float(v), 4)), int(row["n"])


JANUARY = {
    # csat: s1 5/5 yes, s2 2/5 no, s3 good yes, s5 9/10 yes -> 3/4
    "csat": (75.0, 4),
    # nps: s1 10 promoter, s2 6 detractor, s3 8 passive, s5 0 detractor -> (1 - 2) / 4
    "nps": (-25.0, 4),
    # ces: 7, 3, 5, 6 -> easy (5..7) 3/4
    "ces": (75.0, 4),
    # resolved: T, F, T, T -> 3/4
    "survey_resolution": (75.0, 4),
    # inbound in January: c1 c2 c3 c4 c5 c6 c7 c10 (c8 is outbound, c9 is February)
    "contacts": (8.0, 8),
    # handled inbound with a handle time: c1 300, c2 600, c5 200, c10 120 (c8 is outbound: not
    # demand) -> 1220 / 4
    "aht": (305.0, 4),
    # answered queued: c1 10 s, c5 25 s -> 35 / 2
    "asa": (17.5, 2),
    # queued c1 c3 c5 c6; c6 abandoned after 3 s is short; c3 after 30 s -> 1 / (4 - 1)
    "abandon_rate": (33.3333, 3),
    # within 20 s: c1 (10 s); denominator answered c1 c5 + abandoned >= 5 s c3 -> 1/3
    "service_level": (33.3333, 3),
    # first response: c1 10, c5 25, c10 600, c2 3600, c7 7200 -> median 600
    "first_response_time": (600.0, 5),
    # solved: c10 600, c2 7200 -> median 3900
    "resolution_time": (3900.0, 2),
    # handled inbound known: c1 (c2 follows after 3 days: repeat), c2 (c3 after 16 days: ok),
    # c5 (c9 after 39 days: ok), c10 -> 3/4
    "fcr": (75.0, 4),
    # handled inbound c1 c2 c5 c7 c10; the tickets c2 c7 c10 record no transfers and are left out;
    # of c1 c5, c1 was transferred -> 1/2
    "transfer_rate": (50.0, 2),
    # solved tickets c2 c10; reopened c2 -> 1/2
    "reopen_rate": (50.0, 2),
    # mapped: c1 c2 c3 (Marketing from 01-16, not avoidable) c4 (Logistics until 01-15) c5 c10;
    # avoidable c1 c2 c4 c5 -> 4/6
    "avoidable_rate": (66.6667, 6),
    # known customers c1 c2 c3 c4 c5 c10; preceded within 7 days: c2 (3 days), c5 (6 hours) -> 2/6
    "repeat_rate": (33.3333, 6),
    # 8 contacts / 310 orders
    "cpx": (round(8 / 310, 4), 8),
    # next contact on another channel within 7 days: c1 -> c2 email, c4 -> c5 chat -> 2/6
    "channel_switch_rate": (33.3333, 6),
    # self-service c4 followed by assisted c5 after 6 h (< 24 h) -> 1/1
    "false_containment": (100.0, 1),
    # attempts to reach a person: queued c1 c3 c5 c6 (the bot session c4 records no request for an
    # agent: not an attempt); never reached a person c3 c6 -> 2/4
    "unreachable_rate": (50.0, 4),
    # avoidable c1 c2 (Finance) c4 (Logistics) c5 (Customer Service) -> 1/4
    "service_caused_share": (25.0, 4),
    # c1 5 min x 1.00 + 0.50 = 5.5; c2 3; c3 1.0 (new phone rate); c4 0.1; c5 200 s x 0.6/min = 2;
    # c6 1.0; c7 3; c10 2 -> 17.6 / 8
    "cost_per_contact": (2.2, 8),
    # avoidable: c1 5.5 + c2 3 + c4 0.1 + c5 2 = 10.6 over 4 contacts
    "avoidable_cost": (10.6, 4),
}


@pytest.mark.parametrize("kpi", sorted(JANUARY))
def test_january(db: Path, kpi: str) -> None:
    assert value(db, kpi) == JANUARY[kpi]


def test_every_kpi_has_a_known_answer(db: Path) -> None:
    assert set(JANUARY) | {"channel_consistency_gap"} == set(facade.catalog(db).kpis)


def test_totals_over_both_months(db: Path) -> None:
    # fcr adds c9 (resolved) -> 4/5; first response adds 1800 -> 10 25 600 1800 3600 7200 -> 1200
    assert value(db, "fcr", "all", None) == (80.0, 5)
    assert value(db, "first_response_time", "all", None) == (1200.0, 6)
    # resolution 600, 3600, 7200 -> 3600; nps (2 promoters - 2 detractors) / 5 = 0
    assert value(db, "resolution_time", "all", None) == (3600.0, 3)
    assert value(db, "nps", "all", None) == (0.0, 5)
    # cpx: 9 contacts / (310 + 290) orders
    assert value(db, "cpx", "all", None) == (0.015, 9)
    # avoidable cost adds c9 3.0 -> 13.6
    assert value(db, "avoidable_cost", "all", None) == (13.6, 5)


def test_repeat_window_is_a_parameter(db: Path) -> None:
    # 30 days: c3 (16 days after c2) becomes a repeat, c2 is no longer resolved, c2 -> c3 switches
    assert value(db, "repeat_rate", repeat_window_days=30) == (50.0, 6)  # c2 c3 c5 -> 3/6
    # fcr at 30 days: c1 and c2 are followed, c5 and c10 are not -> 2/4
    assert value(db, "fcr", repeat_window_days=30) == (50.0, 4)
    assert value(db, "channel_switch_rate", repeat_window_days=30) == (50.0, 6)  # c1 c2 c4
    assert value(db, "fcr", repeat_window_days="7") == (75.0, 4)  # URL text is coerced


def test_short_abandons_and_service_level_threshold(db: Path) -> None:
    # short_abandon 2 s: c6 (3 s) is a real abandon -> 2 / 4
    assert value(db, "abandon_rate", short_abandon_seconds=2) == (50.0, 4)
    assert value(db, "abandon_rate", short_abandon_seconds=5) == (33.3333, 3)
    # sl 30 s: c1 and c5 answered in time -> 2/3
    assert value(db, "service_level", sl_seconds=30) == (66.6667, 3)
    # containment 5 h: c5 came 6 h after the bot session -> 0/1
    assert value(db, "false_containment", containment_hours=5) == (0.0, 1)


def test_cpx_driver(db: Path) -> None:
    # shipments are given for Logistics only: 8 contacts / 62 shipments
    assert value(db, "cpx", driver="shipments") == (round(8 / 62, 4), 8)
    # week of Monday 2024-01-01: c1 c2 c4 c5 c6 c7 = 6 contacts / 7 days x 10 orders
    frame = facade.run(Query.of("cpx", grain="week", start="2024-01-01", end="2024-01-07"), db)
    assert frame["value"].round(4).tolist() == [round(6 / 70, 4)]


def test_consistency_gap(db: Path) -> None:
    # January CSAT by channel: phone s1 s5 2/2 = 100, email s2 0/1 = 0, chat s3 1/1 = 100
    assert value(db, "channel_consistency_gap", min_n=1) == (100.0, 4)
    # min_n 2: only phone qualifies -> no gap; n counts the responses compared
    assert value(db, "channel_consistency_gap", min_n=2) == (None, 2)
    # default min_n 30: nothing qualifies
    assert value(db, "channel_consistency_gap") == (None, 0)
    # all time, min_n 2: phone 2/2 = 100, email s2 s4 0/2 = 0 -> 100 over 4 responses
    assert value(db, "channel_consistency_gap", "all", None, min_n=2) == (100.0, 4)


def test_charge_back_by_department(db: Path) -> None:
    frame = facade.run(Query.of("avoidable_cost", grain="month", dimensions=["department"],
                                start="2024-01-01", end="2024-01-31"), db)
    got = dict(zip(frame["department"], frame["value"].round(4), strict=True))
    # Finance c1 5.5 + c2 3; Customer Service c5 2; Logistics c4 0.1; others have no avoidable rows
    assert {k: v for k, v in got.items() if v == v} == {"Finance": 8.5, "Customer Service": 2.0,
                                                         "Logistics": 0.1}


def test_business_time_zone_buckets(tmp_path: Path) -> None:
    con = warehouse.connect(tmp_path / "tz.duckdb")
    # 2024-01-31 23:30 UTC is 2024-02-01 00:30 in Berlin
    con.execute("INSERT INTO contacts (contact_id, source, source_record_id, channel, direction, "
                "opened_at) VALUES ('z:1', 'z', '1', 'email', 'inbound', '2024-01-31 23:30:00')")
    warehouse.refresh_models(con)
    con.close()
    frame = facade.run(Query.of("contacts", grain="month"), tmp_path / "tz.duckdb")
    assert frame["period"].astype(str).tolist() == ["2024-02-01"]


def test_consistency_gap_is_scaled_as_a_whole(tmp_path: Path) -> None:
    """Phone 3 of 4 satisfied (75 %), email 1 of 2 (50 %): the gap is 25 points, not
    100 x 0.75 - 0.5 (a missing parenthesis once gave 74.5)."""
    from sql import warehouse

    db = tmp_path / "gap.duckdb"
    con = warehouse.connect(db)
    rows = [("phone", 5), ("phone", 4), ("phone", 5), ("phone", 2), ("email", 4), ("email", 1)]
    for i, (channel, score) in enumerate(rows):
        con.execute("INSERT INTO survey_responses (response_id, source, source_record_id, channel, "
                    "responded_at, csat, csat_scale) VALUES (?, 't', ?, ?, TIMESTAMP '2024-01-10 10:00:00', ?, 5)",
                    [f"t:{i}", str(i), channel, score])
    warehouse.refresh_models(con)
    con.close()
    gap = facade.run(Query.of("channel_consistency_gap", grain="all", params={"min_n": 1}), db)
    assert round(float(gap["value"].iloc[0]), 4) == 25.0
    assert int(gap["n"].iloc[0]) == 6
