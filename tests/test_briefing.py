"""What needs attention, the latest complete month and stale sources (metrics.briefing), on frames
small enough to count by hand."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from metrics import briefing
from metrics.catalog import KPI, Catalog

ABANDON = KPI(id="abandon_rate", label="Abandonment rate", perspective="operational",
              unit="percent", direction="lower", model="m_contacts", kind="ratio", sql="",
              min_n=10, target=5.0, red_flag=10.0)
CSAT = KPI(id="csat", label="CSAT", perspective="experience", unit="percent", direction="higher",
           model="m_surveys", kind="ratio", sql="", min_n=10, target=85.0, red_flag=75.0)
COST = KPI(id="avoidable_cost", label="Cost of avoidable contact", perspective="cost",
           unit="currency", direction="lower", model="m_contacts", kind="value", sql="",
           min_n=10, target=1000.0, red_flag=1500.0)
CATALOG = Catalog(kpis={k.id: k for k in (ABANDON, CSAT, COST)})


def total(*rows: tuple[str, float, float, float, str]) -> pd.DataFrame:
    """(kpi, value, change_prev, n, status) rows with the KPI files' targets."""
    return pd.DataFrame([{"kpi": k, "period": None, "value": v, "change_prev": c, "n": n,
                          "status": s, "target": CATALOG.kpis[k].target,
                          "red_flag": CATALOG.kpis[k].red_flag} for k, v, c, n, s in rows])


def split(dim: str, *rows: tuple[str, str, float, float, float]) -> pd.DataFrame:
    """(kpi, member, value, change_prev, n) rows of a split by ``dim``."""
    return pd.DataFrame([{"kpi": k, dim: m, "value": v, "change_prev": c, "n": n,
                          "applicable": True} for k, m, v, c, n in rows])


NO_MONTHS = pd.DataFrame(columns=["kpi", "period", "value", "change", "status", "n", "target",
                                  "red_flag"])


def test_turned_red_first_then_moved_against_target_and_greens_left_out() -> None:
    # abandonment 12 % now, 7 % before (+5 pp): red now, amber then -> turned red; 5 pp over a
    #   band of 10 - 5 = 5 pp is 1 band: severity 2 (turned) + 1 (red) + 1 = 4.
    # CSAT 80 %, was 82 % (-2 pp, worse for a higher-is-better KPI): amber both times;
    #   2 pp over a band of 85 - 75 = 10 pp: severity 0.2.
    # cost 900 (green): not listed, however it moved.
    frame = briefing.attention(
        total(("abandon_rate", 12.0, 5.0, 100, "red"), ("csat", 80.0, -2.0, 50, "amber"),
              ("avoidable_cost", 900.0, 300.0, 40, "green")), NO_MONTHS, {}, {}, CATALOG)
    assert list(frame["kpi"]) == ["abandon_rate", "csat"]
    assert list(frame["reason"]) == ["turned red", "moved against target"]
    assert list(frame["was"]) == ["amber", "amber"]
    assert frame["severity"].round(6).tolist() == [4.0, 0.2]


def test_an_amber_kpi_that_improved_is_not_listed() -> None:
    frame = briefing.attention(total(("csat", 80.0, 3.0, 50, "amber")), NO_MONTHS, {}, {},
                               CATALOG)
    assert frame.empty


def test_the_driver_is_the_channel_whose_weighted_change_moved_the_total_most() -> None:
    # abandonment +5 pp; phone +8 pp on 60 of 100 calls weighs 8 x 0.6 = 4.8, chat +10 pp on 20
    # weighs 10 x 0.2 = 2.0, email improved (-1 pp) and never drives a worsening. By department,
    # Finance +6 pp on 50 of 100 weighs 3.0. The driver: phone.
    channels = split("channel", ("abandon_rate", "phone", 14.0, 8.0, 60),
                     ("abandon_rate", "chat", 15.0, 10.0, 20),
                     ("abandon_rate", "email", 3.0, -1.0, 20))
    departments = split("department", ("abandon_rate", "Finance", 13.0, 6.0, 50),
                        ("abandon_rate", "Logistics", 11.0, 4.0, 50))
    frame = briefing.attention(total(("abandon_rate", 12.0, 5.0, 100, "red")), NO_MONTHS,
                               {"channel": channels, "department": departments}, {}, CATALOG)
    row = frame.iloc[0]
    assert (row["dimension"], row["driver"], row["driver_value"], row["driver_change"]) == \
        ("channel", "phone", 14.0, 8.0)
    # narrowed to one channel, the channel is no driver: Finance is.
    frame = briefing.attention(total(("abandon_rate", 12.0, 5.0, 100, "red")), NO_MONTHS,
                               {"channel": channels, "department": departments}, {}, CATALOG,
                               filtered=("channel",))
    assert frame.iloc[0]["driver"] == "Finance"


def test_an_additive_kpi_is_driven_by_the_biggest_change_in_money() -> None:
    # cost 1,600 (+400): Finance +300 on 10 contacts beats Logistics +100 on 90 (counts and money
    # add up: the weight is the change itself, not change x share).
    departments = split("department", ("avoidable_cost", "Finance", 700.0, 300.0, 10),
                        ("avoidable_cost", "Logistics", 900.0, 100.0, 90))
    frame = briefing.attention(total(("avoidable_cost", 1600.0, 400.0, 100, "red")), NO_MONTHS,
                               {"department": departments}, {}, CATALOG)
    assert frame.iloc[0]["driver"] == "Finance"


def test_a_kpi_red_in_the_latest_month_is_listed_with_that_months_driver() -> None:
    # over the period abandonment is 8 % (amber) and fell 1 pp; November alone is 16 %, +9 pp on
    # October's 7 % (amber then): it turned red in the latest month: 2 + 0 (amber over the period)
    # + 9 / 5 = 3.8. November's driver is phone (+12 pp on 80 of 100 = 9.6), not the period's chat.
    months = pd.DataFrame([{"kpi": "abandon_rate", "period": date(2026, 11, 1), "value": 16.0,
                            "change": 9.0, "status": "red", "n": 100, "target": 5.0,
                            "red_flag": 10.0}])
    period_split = {"channel": split("channel", ("abandon_rate", "chat", 9.0, 1.0, 50))}
    month_split = {"channel": split("channel", ("abandon_rate", "phone", 17.0, 12.0, 80),
                                    ("abandon_rate", "chat", 12.0, 5.0, 20))}
    frame = briefing.attention(total(("abandon_rate", 8.0, -1.0, 600, "amber")), months,
                               period_split, month_split, CATALOG)
    row = frame.iloc[0]
    assert row["reason"] == "turned red in the latest month"
    assert round(row["severity"], 6) == 3.8
    assert (row["driver"], row["month_value"], row["month_change"]) == ("phone", 16.0, 9.0)


def test_latest_month_is_the_newest_whole_month_the_data_covers() -> None:
    # data to 3 December: November is the newest whole month (December is not over)
    assert briefing.latest_month(date(2026, 6, 1), date(2026, 12, 31),
                                 datetime(2026, 12, 3, 23, 0)) == date(2026, 11, 1)
    # data to 30 November 23:59 covers November to its last day
    assert briefing.latest_month(date(2026, 6, 1), date(2026, 11, 30),
                                 datetime(2026, 11, 30, 23, 59)) == date(2026, 11, 1)
    # a range ending on 15 November: October is the newest whole month inside it
    assert briefing.latest_month(date(2026, 6, 1), date(2026, 11, 15),
                                 datetime(2026, 12, 3)) == date(2026, 10, 1)
    # a range inside one month holds no whole month
    assert briefing.latest_month(date(2026, 11, 3), date(2026, 11, 20),
                                 datetime(2026, 12, 3)) is None
    assert briefing.latest_month(date(2026, 6, 1), date(2026, 11, 30), None) is None


def test_stale_sources_are_those_whose_newest_record_is_before_the_period_end() -> None:
    fresh = pd.DataFrame([
        {"kind": "contacts", "source": "zendesk", "records": 5, "first": datetime(2026, 1, 1),
         "newest": datetime(2026, 11, 30, 22, 0)},
        {"kind": "contacts", "source": "amazon_connect", "records": 3,
         "first": datetime(2026, 1, 1), "newest": datetime(2026, 11, 27, 9, 0)}])
    assert briefing.stale_sources(fresh, date(2026, 11, 30)) == [
        ("contacts", "amazon_connect", date(2026, 11, 27))]
