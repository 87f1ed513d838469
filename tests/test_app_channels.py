"""AppTest tests of the Channels page driven by query parameters, and the facade's hour-of-week
counts behind its heat map (business time zone, same rows as the KPIs)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import facade
from tests import demo_warehouse

APP = str(Path(__file__).resolve().parents[1] / "app.py")
RANGE = {"from": "2026-06-01", "to": "2026-11-21"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = demo_warehouse.build_at(tmp_path_factory.mktemp("channels_app"), date(2026, 11, 21))
    with demo_warehouse.as_default(db):
        yield db


def channels(params: dict[str, str]) -> AppTest:
    return demo_warehouse.run_page("channels", params)


def test_kpi_from_the_url_drives_the_page(demo_db: Path) -> None:
    at = channels({**RANGE, "kpi": "aht", "channel": "phone"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="c_kpi").value == "aht"
    assert at.sidebar.multiselect(key="f_channel").value == ["phone"]
    subheaders = " ".join(s.value for s in at.subheader)
    for title in ("Trend by channel", "Channel comparison", "Reasons, queues and teams",
                  "By hour of the week", "contacts behind"):
        assert title in subheaders
    assert "**Average handle time**" in " ".join(m.value for m in at.markdown)
    assert not at.dataframe  # the rows behind the number are shown on demand
    at.toggle(key="c_rows").set_value(True).run()
    assert at.radio(key="c_part").options == ["numerator", "denominator"]
    frame = at.dataframe[-1].value
    assert len(frame) > 0 and set(frame["channel"]) == {"phone"}
    assert all(str(v).startswith("#") for v in frame["contact_id"].dropna())  # masked
    assert any("Europe/Berlin" in c.value for c in at.caption)


def test_unknown_kpi_falls_back_to_contacts_and_a_reason_filter_is_a_sidebar_filter(
        demo_db: Path) -> None:
    at = channels({**RANGE, "kpi": "no_such_kpi", "reason": "billing_error"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="c_kpi").value == "contacts"
    assert at.query_params["kpi"] in ("contacts", ["contacts"])
    assert at.sidebar.multiselect(key="f_reason").value == ["billing_error"]
    # the page states its scope (names escaped: a URL value is never read as Markdown)
    assert any("reason billing_error" in c.value.replace("\\", "") for c in at.caption)
    at.toggle(key="c_rows").set_value(True).run()
    frame = at.dataframe[-1].value
    assert len(frame) > 0 and set(frame["reason"]) == {"billing_error"}
    at.sidebar.button[0].click().run()  # "Reset filters" clears it
    assert "reason" not in at.query_params
    assert at.sidebar.multiselect(key="f_reason").value == []


def test_every_kpi_by_hour_of_week_adds_up_to_its_total_in_business_time(demo_db: Path) -> None:
    q = facade.Query.of(["contacts", "unreachable_rate"], grain="all", start="2026-06-01",
                        end="2026-11-21", filters={"channel": ["phone", "chat"]})
    cells = facade.run(q.with_(dimensions=("weekday", "hour")), db=demo_db)
    assert cells["weekday"].between(1, 7).all() and cells["hour"].between(0, 23).all()
    totals = facade.run(q, db=demo_db).set_index("kpi")
    by_kpi = cells.groupby("kpi")[["value", "numerator", "denominator"]].sum()
    assert by_kpi.loc["contacts", "value"] == totals.loc["contacts", "value"]
    for part in ("numerator", "denominator"):
        assert by_kpi.loc["unreachable_rate", part] == totals.loc["unreachable_rate", part]
    behind = facade.contacts_behind(q.with_(kpis=("contacts",)), "contacts", part="value",
                                    limit=100_000, db=demo_db)
    local = behind["local_at"]  # the model's timestamp in settings.business_timezone
    offsets = (local - behind["opened_at"].dt.tz_localize(None)).dt.total_seconds()
    assert set(offsets) <= {3600.0, 7200.0}  # Europe/Berlin, not UTC
    expected = (local.dt.day_of_week + 1).astype(str) + "-" + local.dt.hour.astype(str)
    got = cells[(cells["kpi"] == "contacts") & (cells["value"] > 0)]
    assert set(expected) == set(got["weekday"].astype(str) + "-" + got["hour"].astype(str))
    demand = facade.scorecard(facade.Query.of("cpx", grain="all", start="2026-06-01",
                                              end="2026-11-21", dimensions=("weekday", "hour")),
                              db=demo_db)
    assert not demand["applicable"].any()  # demand is monthly: no hour of the week


def test_a_kpi_that_does_not_apply_to_the_filter_reads_na(demo_db: Path) -> None:
    at = channels({"kpi": "service_caused_share", "dept": "Finance", "from": "2026-10-01",
                   "to": "2026-10-31"})
    assert not at.exception, [e.value for e in at.exception]
    markdown = [m.value for m in at.markdown]
    assert "### :gray[n/a]" in markdown
    assert any("not applicable to this selection" in c.value for c in at.caption)
