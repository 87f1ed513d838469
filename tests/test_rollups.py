"""Rollups (metrics/rollups.py, issue 13): every KPI x grain x dimension x filter the pages ask is
answered from the rollups with exactly the model's numbers, the compiler says which table it read,
and what a rollup cannot answer (hour of the week, a changed parameter, an open range, an edited
KPI) reads the model."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics import catalog as catalog_module
from metrics import connection, editor, quantiles, rollups, runner, semantics
from metrics.catalog import Catalog
from metrics.query import Query
from sql import warehouse

START, END = date(2025, 12, 1), date(2026, 11, 30)
GRAINS = ("day", "week", "month", "quarter", "year", "all")
SPLITS = ((), ("channel",), ("department",), ("reason",), ("queue",), ("team",), ("source",),
          ("channel", "department"))
FILTERS = ({}, {"channel": ["phone"]}, {"department": ["Logistics", "Finance"]},
           {"reason": ["delivery_status"], "team": ["Phone A"]},
           {"channel": ["fax"]})  # matches nothing: a count of no rows is 0, a sum NULL


@pytest.fixture(scope="module")
def warehouse_with_rollups(tmp_path_factory: pytest.TempPathFactory
                           ) -> tuple[duckdb.DuckDBPyConnection, Catalog, dict[str, rollups.Rollup]]:
    from connectors.demo import build

    root = tmp_path_factory.mktemp("rollups")
    db = root / "demo.duckdb"
    build(root / "exports", db, contacts=3000, seed=5, log=lambda *_: None, end=END)
    con = warehouse.connect(db)
    cat = catalog_module.load_catalog(editor.kpi_dir(), catalog_module.schema_of(con))
    rollups.install(con, cat, (semantics.OPEN_TICKETS,))
    return con, cat, rollups.read(con)


def _same(rolled: pd.DataFrame, detail: pd.DataFrame, keys: list[str], what: str,
          approximate: frozenset[str] = frozenset()) -> None:
    """Equal numbers; the values of the ``approximate`` KPIs (medians from the histograms) within
    the stated bound of the exact ones."""
    merged = rolled.merge(detail, on=keys, how="outer", suffixes=("_r", "_d"), indicator=True)
    assert (merged["_merge"] == "both").all(), (what, merged[merged["_merge"] != "both"].head())
    bound = merged["kpi"].isin(approximate).to_numpy() * quantiles.BOUND + 1e-9
    for column in ("value", "numerator", "denominator", "n"):
        a, b = merged[f"{column}_r"].astype("float64"), merged[f"{column}_d"].astype("float64")
        tolerance = bound if column == "value" else 1e-9
        same = ((a - b).abs() <= tolerance * b.abs().clip(lower=1.0)) | (a.isna() & b.isna())
        assert same.all(), (what, column, merged.loc[~same, [*keys, f"{column}_r",
                                                              f"{column}_d"]].head())


def test_every_kpi_grain_split_and_filter_reads_the_same_from_the_rollups(
        warehouse_with_rollups: tuple[duckdb.DuckDBPyConnection, Catalog,
                                      dict[str, rollups.Rollup]]) -> None:
    con, cat, built = warehouse_with_rollups
    assert set(built) == {"m_contacts", "m_surveys", "m_demand", "m_contacts:quantiles"}
    ids = list(cat.kpis)
    rolled_kpis, sketched = set(), set()
    combos = [*itertools.product(GRAINS, SPLITS, [{}]),  # every grain by every split
              *itertools.product(["month"], SPLITS, FILTERS[1:]),  # every filter at a page's grain
              *itertools.product(["all", "day"], [()], FILTERS[1:])]
    for grain, split, where in combos:
        query = Query.of(ids, grain=grain, start=START, end=END, dimensions=list(split),
                         filters=where)
        sources = {c.kpi: c.source for c in runner.explain(cat, query, built)}
        rolled_kpis |= {k for k, s in sources.items() if s.startswith("r_")}
        histograms = frozenset(k for k, s in sources.items() if s.startswith("q_"))
        sketched |= histograms
        what = f"{grain} by {split} where {where}"
        _same(runner.run(con, cat, query, built), runner.run(con, cat, query),
              ["kpi", "period", *split], what, histograms)
        if grain in ("day", "week") or set(split) - {"channel", "department"}:
            assert not histograms, what  # exact there: the histograms are monthly, by two splits
    # every KPI but the medians came from the rollups: the additive ones of the three models,
    # NPS (promoters minus detractors), the spread (CSAT per channel) and cpx (both scopes); the
    # medians from the histograms where they cover the query
    assert set(ids) - rolled_kpis == {"first_response_time", "resolution_time"} == sketched


def test_the_open_tickets_behind_provisional_come_from_the_rollup_too(
        warehouse_with_rollups: tuple[duckdb.DuckDBPyConnection, Catalog,
                                      dict[str, rollups.Rollup]]) -> None:
    con, _cat, built = warehouse_with_rollups
    aux = Catalog(kpis={semantics.OPEN_TICKETS.id: semantics.OPEN_TICKETS})
    query = Query.of([semantics.OPEN_TICKETS.id], grain="month", start=START, end=END,
                     dimensions=["channel"])
    assert [c.source for c in runner.explain(aux, query, built)] == ["r_m_contacts"]
    _same(runner.run(con, aux, query, built), runner.run(con, aux, query), ["kpi", "period",
                                                                           "channel"], "open")


def test_what_a_rollup_cannot_answer_reads_the_model(
        warehouse_with_rollups: tuple[duckdb.DuckDBPyConnection, Catalog,
                                      dict[str, rollups.Rollup]]) -> None:
    _con, cat, built = warehouse_with_rollups
    base = Query.of(["contacts", "repeat_rate"], grain="month", start=START, end=END)

    def sources(query: Query) -> dict[str, str]:
        return {c.kpi: c.source for c in runner.explain(cat, query, built)}

    assert sources(base) == {"contacts": "r_m_contacts", "repeat_rate": "r_m_contacts"}
    assert "reads r_m_contacts" in str(runner.explain(cat, base, built)[0])
    hours = base.with_(grain="all", dimensions=("weekday", "hour"))
    assert set(sources(hours).values()) == {"m_contacts"}  # the rollup has days, not hours
    changed = base.with_(params=(("repeat_window_days", 3),))
    assert sources(changed) == {"contacts": "r_m_contacts", "repeat_rate": "m_contacts"}
    assert set(sources(base.with_(start=None)).values()) == {"m_contacts"}
    # an edited KPI no longer matches the rollup's fingerprint: the model, until rebuilt
    edited = replace(cat.kpis["contacts"], sql=cat.kpis["contacts"].sql.replace(
        "WHERE inbound)", "WHERE inbound AND known_customer)", 1))
    assert rollups.fingerprint(edited) != rollups.fingerprint(cat.kpis["contacts"])
    assert not rollups.covers(edited, base, built["m_contacts"])
    extra = (semantics.OPEN_TICKETS,)
    assert rollups.stale(replace(cat, kpis={**cat.kpis, "contacts": edited}), built, extra)
    assert not rollups.stale(cat, built, extra)


def test_only_count_or_sum_parts_are_rolled_up(
        warehouse_with_rollups: tuple[duckdb.DuckDBPyConnection, Catalog,
                                      dict[str, rollups.Rollup]]) -> None:
    _con, cat, _built = warehouse_with_rollups
    kpi = cat.kpis["aht"]
    assert rollups.parts(kpi) is not None
    for body in ("avg(handle_seconds) AS numerator, count(*) AS denominator",
                 "count(DISTINCT customer_key) AS numerator, count(*) AS denominator",
                 "sum(a) + sum(b) AS numerator, count(*) AS denominator",  # NULL + x is NULL
                 "count(*) * 2 AS numerator, count(*) AS denominator",
                 "median(handle_seconds) AS value, count(*) AS n"):
        other = replace(kpi, sql=f"SELECT {body} FROM m_contacts")
        assert rollups.parts(other) is None, body
    # a parameter's default (repeat_window_days = 7) is written into the rollup as a value
    stored = {p.column: p for p in rollups.parts(cat.kpis["repeat_rate"]) or ()}
    assert "prev_gap_seconds <= 7 * 86400" in stored["numerator"].sql
    assert "$" not in stored["numerator"].sql and stored["numerator"].counts
    # a difference of counts is summed like a count; a part reading $department_scope is kept
    # for both scopes and the query picks one
    nps = {p.column: p for p in rollups.parts(cat.kpis["nps"]) or ()}
    assert nps["numerator"].counts and " - " in nps["numerator"].sql
    cpx = {p.column: p.scope for p in rollups.parts(cat.kpis["cpx"]) or ()}
    assert cpx == {"numerator": None, "denominator__scoped": True, "denominator__total": False,
                   "n": None}


def test_the_rollup_is_small_and_counts_every_contact_once(
        warehouse_with_rollups: tuple[duckdb.DuckDBPyConnection, Catalog,
                                      dict[str, rollups.Rollup]]) -> None:
    con, _cat, _built = warehouse_with_rollups
    contacts = warehouse.one(con, "SELECT count(*) FROM m_contacts WHERE local_at IS NOT NULL")
    rolled = warehouse.one(con, "SELECT sum(contacts__n), count(*) FROM r_m_contacts")
    assert contacts is not None and rolled is not None
    assert rolled[0] == contacts[0]  # contacts' n counts every row of the model once
    assert rolled[1] < contacts[0]


def test_the_command_line_builds_the_rollups_a_bulk_build_left_out(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from demo_warehouse import demo_db

    from metrics import __main__ as cli

    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(tmp_path_factory), db)
    con = duckdb.connect(str(db), read_only=True)
    before = rollups.read(con)
    con.close()
    assert cli.main(["rollups", "--db", str(db)]) == 0
    with connection.reading(db) as cursor:  # the process's own connection, as the CLI left it
        after = rollups.read(cursor)
    assert not before  # the demo build loads in bulk and leaves the rollups to their first read
    assert {r.table for r in after.values()} == {"r_m_contacts", "r_m_surveys", "r_m_demand",
                                                 "q_m_contacts"}
