"""One customer's journey (metrics/journey.py) on the hand-counted warehouse of
tests/journey_data.py (its docstring has the table and every answer), and the one mask definition
shared by Python and SQL (metrics/masking.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics import catalog, connection, facade, journey, masking
from metrics.query import QueryError
from tests.journey_data import MARKUP, TWIN_MASK, build, cid, m


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("journey") / "journey.duckdb")


def run(db: Path, name_or_mask: str, **kwargs: object) -> journey.Journey:
    mask = name_or_mask if name_or_mask.startswith("#") else m(name_or_mask)
    cursor = connection.cursor(db)  # the app's read-only connection (one config per file)
    try:
        return journey.journey(cursor, mask, 7.0, **kwargs)  # type: ignore[arg-type]
    finally:
        cursor.close()


def by_contact(j: journey.Journey) -> pd.DataFrame:
    return j.contacts.set_index("contact")


def test_the_mask_is_one_definition_in_python_and_sql() -> None:
    values = ["zendesk:100001", "amazon_connect:211106b7-b6c8", "", "kundé:ü€", "a'b\"c"]
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
        in_sql = dict(con.execute(f"SELECT v, {masking.sql_mask('v')} FROM t").fetchall())
    finally:
        con.close()
    assert in_sql == {v: masking.mask(v) for v in values}
    assert facade.mask("zendesk:100001") == masking.mask("zendesk:100001") == "#08669fbe"
    assert masking.mask(None) is None and masking.mask(float("nan")) is None
    assert masking.mask(cid("twin5632")) == masking.mask(cid("twin95300")) == TWIN_MASK


def test_a_mask_is_read_leniently_and_anything_else_refused(db: Path) -> None:
    assert masking.parse(" #A97E9DDC ") == masking.parse("a97e9ddc") == TWIN_MASK
    for bad in ("", "#a97e9dd", "#a97e9ddcc", "#xyz12345", "<img src=x>", "[x](y)", None, 42):
        assert masking.parse(bad) is None, bad
    with pytest.raises(QueryError, match="not a masked contact id"):
        run(db, "#nothex!!")


def test_the_customers_contacts_in_time_order_with_the_models_flags(db: Path) -> None:
    j = run(db, "j5")
    assert j.found and j.contact == m("j5") and j.customer == masking.mask("k1")
    assert list(j.contacts["contact"]) == [m(n) for n in ("j1", "j2", "j3", "j4", "j5", "j6", "j7")]
    assert list(j.contacts["position"]) == [1, 2, 3, 4, 5, 6, 7]
    assert j.total == 7 and not j.capped and j.note == ""
    assert list(j.contacts["opened"]) == [False, False, False, False, True, False, False]
    rows = by_contact(j)
    repeats = {k: v for k, v in rows["repeat_of"].items() if v is not None and v == v}
    assert repeats == {m("j2"): m("j1"), m("j3"): m("j1"), m("j5"): m("j2"), m("j7"): m("j6")}
    assert list(rows["repeat"]) == [False, True, True, False, True, False, True]
    assert rows.loc[m("j5"), "repeat_of_ties"] == 2  # j2 and j3 share the second j5 repeats
    assert rows.loc[m("j2"), "repeat_gap_seconds"] == 2 * 86_400 + 3_600
    assert [rows.loc[m(n), "repeat_of_position"] for n in ("j2", "j3", "j5", "j7")] == [1, 1, 2, 6]
    assert rows.loc[m("j1"), "repeated_by"] == (m("j2"), m("j3"))
    assert rows.loc[m("j2"), "repeated_by"] == (m("j5"),)
    assert rows.loc[m("j6"), "repeated_by"] == (m("j7"),)
    assert list(rows["followed"]) == [True, True, True, False, False, True, False]
    assert [None if pd.isna(v) else bool(v) for v in rows["fcr"]] == [
        False, False, False, None, True, False, None]
    assert list(rows["switched"]) == [True, True, False, False, False, True, False]
    assert rows.loc[m("j1"), "transferred"] == True  # noqa: E712 (a nullable boolean)
    assert pd.isna(rows.loc[m("j2"), "transferred"])  # a helpdesk export records no transfers
    assert set(rows["channel"]) == {"phone", "email", "chat", "web"}
    assert set(rows["reason_label"]) == {"Billing error"} and set(rows["department"]) == {"Finance"}


def test_the_journey_agrees_with_the_repeat_and_fcr_kpis(db: Path) -> None:
    j = run(db, "j1")
    inbound = j.contacts[j.contacts["direction"] == "inbound"]
    q = facade.Query.of(["repeat_rate", "fcr"], grain="all", start="2024-03-01", end="2024-03-31")
    kpis = facade.run(q, db=db).set_index("kpi")
    # March's known inbound contacts: j1 j2 j3 j5 j6 j7 of k1 and j8 of k2 (7); repeats j2 j3 j5
    # j7 (4). Handled: j1 j2 j3 j5 j6 and j8 (6); not followed within 7 days: j5 and j8 (2).
    k2 = 1  # j8: handled, neither a repeat nor followed
    assert kpis.loc["repeat_rate", "numerator"] == inbound["repeat"].sum() == 4
    assert kpis.loc["repeat_rate", "denominator"] == len(inbound) + k2 == 7
    handled = inbound["fcr"].dropna()
    assert kpis.loc["fcr", "numerator"] == handled.sum() + k2 == 2
    assert kpis.loc["fcr", "denominator"] == len(handled) + k2 == 6


def test_surveys_of_the_customer_with_comments_only_when_allowed(db: Path) -> None:
    hidden = run(db, "j1")
    assert list(hidden.surveys["response"]) == [str(masking.mask(cid(s))) for s in ("s1", "s2", "s3")]
    assert [v if isinstance(v, str) else None for v in hidden.surveys["contact"]] == [
        m("j1"), m("j6"), None]
    assert hidden.surveys["comment"].isna().all() and not hidden.comments
    assert list(hidden.contacts["surveys"]) == [1, 0, 0, 0, 0, 1, 0]
    shown = run(db, "j1", comments=True)
    assert shown.surveys["comment"].iloc[0] == MARKUP  # the text as it is: the page shows it as text
    assert "not k1" not in set(shown.surveys["comment"].dropna())


def test_capped_to_the_nearest_contacts_in_time(db: Path) -> None:
    j = run(db, "j5", limit=3)
    assert list(j.contacts["contact"]) == [m("j3"), m("j4"), m("j5")]
    assert j.total == 7 and j.capped
    rows = by_contact(j)
    assert rows.loc[m("j5"), "repeat_of"] == m("j2")  # named, though not shown
    assert rows.loc[m("j5"), "repeat_of_position"] is None
    assert list(j.surveys["response"]) == [masking.mask(cid("s3"))]


def test_a_contact_without_a_customer_is_its_own_journey(db: Path) -> None:
    j = run(db, "j9")
    assert list(j.contacts["contact"]) == [m("j9")] and j.customer is None
    assert j.note == journey.NO_CUSTOMER and "no customer identity" in j.note
    assert not j.contacts["repeat"].any() and j.surveys.empty and j.total == 1


def test_an_unknown_mask_finds_nothing(db: Path) -> None:
    j = run(db, "#00000000")
    assert not j.found and j.contact is None and j.contacts.empty and j.total == 0


def test_a_shared_mask_lists_both_contacts_the_periods_first(db: Path) -> None:
    newest_first = run(db, TWIN_MASK)
    assert [c.customer for c in newest_first.candidates] == [masking.mask("k3"), masking.mask("k4")]
    assert newest_first.customer == masking.mask("k3")
    in_january = run(db, TWIN_MASK, start=date(2024, 1, 1), end=date(2024, 1, 31))
    assert in_january.customer == masking.mask("k4") and in_january.candidates[0].in_period
    other = run(db, TWIN_MASK, start=date(2024, 1, 1), end=date(2024, 1, 31), choice=1)
    assert other.customer == masking.mask("k3") and other.choice == 1
    assert run(db, TWIN_MASK, choice=9).choice == 1  # clamped


def test_no_raw_identifier_leaves_the_journey(db: Path) -> None:
    j = run(db, "j1", comments=True)
    text = j.contacts.to_csv() + j.surveys.to_csv()
    for name in ("j1", "j6", "s1", "k1"):
        assert cid(name) not in text
    assert "customer_key" not in j.contacts.columns and "agent" not in j.contacts.columns
    assert list(j.contacts.columns) == journey.CONTACT_COLUMNS


def test_the_window_is_the_kpi_files_parameter() -> None:
    cat = catalog.load_catalog(catalog.KPI_DIR, catalog.model_schema())
    assert journey.window_days(cat) == cat.kpis["repeat_rate"].defaults["repeat_window_days"]
    assert journey.window_days(cat, {"repeat_window_days": 30}) == 30.0


def test_the_facade_wrapper_follows_the_role(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_ROLE", "viewer")
    assert facade.journey(m("j1"), db=db).surveys["comment"].isna().all()
    monkeypatch.setenv("SCORECARD_ROLE", "lead")
    j = facade.journey(m("j1"), db=db)
    assert j.comments and j.surveys["comment"].iloc[0] == MARKUP
    j.contacts["channel"] = "changed"  # a caller's change never reaches the cache
    assert "changed" not in set(facade.journey(m("j1"), db=db).contacts["channel"])
