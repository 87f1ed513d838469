"""The metrics facade: the ONLY module pages import from ``metrics``.

What it offers (every function takes an optional ``db`` path; default ``SCORECARD_DB`` or
``data/scorecard.duckdb``):

    Query.of(kpis, grain="month", start=None, end=None, dimensions=(), filters=None, params=None)
                                    the frozen, hashable request (re-exported from metrics.query)
    catalog(db=None) -> Catalog     KPIs (``.kpis`` id -> KPI: label, perspective, unit, direction,
                                    params, min_n, target, red_flag, weight, sql...) + ``.problems``
    kpi_table(db=None) -> DataFrame one row per KPI: id, label, perspective, unit, direction,
                                    description, params, min_n, target, red_flag, weight, model,
                                    kind, dimensions, sql (the KPI file's text)
    run(query, db=None) -> DataFrame[kpi, period, <dims>, value, numerator, denominator, n]
    explain(query, db=None) -> list[Compiled]   the exact statements run() executes (.sql, .params)
    approximation(query, db=None) -> str | None   how close the KPI's value is when the query
                                    reads it from a summary (monthly histograms), None when exact
    transpile(kpi_id, dialect, query=None, db=None) -> str   spark | postgres | snowflake | bigquery
    scorecard(query, db=None) -> DataFrame[kpi, period, dimension, <dims>, value, numerator,
                                    denominator, n, target, red_flag, weight, status, score,
                                    change_prev, change_yoy]
    perspective_scores(query, db=None) -> DataFrame[period, dimension, perspective, score, weight,
                                    kpis]   (perspective 'overall' is the weighted total)
    trend(query, db=None) -> DataFrame  scorecard rows of every period in the range (for charts)
    landing(query, grain="month", cmp="prev", db=None) -> dict[str, DataFrame]   the scorecard's
                                    landing view: scored, scores, history, months, attention,
                                    channel, department (computed on two threads; only the
                                    comparison ``cmp`` is computed)
    latest_months(query, db=None) -> DataFrame[kpi, period, value, change, status, n, target,
                                    red_flag, note, provisional]   the newest whole month the data
                                    covers, against the month before (``metrics.briefing``)
    attention(query, cmp="prev", limit=4, db=None) -> DataFrame   the KPIs that turned red or moved
                                    furthest against target, with the channel/department driving it
    first_day(kpi, db=None) -> date | None   the first local date of the KPI's model data
    period_starts(start, end, grain) -> list[date]   the periods of a range at a grain
    freshness(db=None) -> DataFrame[kind, source, records, first, newest]   per source system
    contacts_behind(query, kpi, part="denominator", limit=200, db=None) -> DataFrame
                                    the model rows behind a number, identifiers masked
    journey(masked_contact_id, start=None, end=None, choice=0, limit=200, db=None) -> Journey
                                    one customer's contacts across channels (metrics.journey)
    validate_kpi(file_name, text, db=None, run=False) -> (KPI | None, list[Problem])   for the
                                    metric editor (run=True: also run it on small queries)
    reference_frame(table, db=None) -> DataFrame   reason_map | channel_costs | demand | targets
    save_reference(table, frame_or_csv_bytes, replace=True, db=None) -> ImportSummary
                                    validates, writes in one transaction, rebuilds the models,
                                    clears the caches (raises reference.ReferenceError listing lines)
    clear_caches()                  drop cached results and close the connection (call it after an
                                    import or before opening the same file read-write)

Ownership, customer voice, metric editor and settings (metrics/ownership.py, survey.py,
editor.py, settings.py, roles.py hold the logic; these are thin cached wrappers):

    reason_costs(query, db=None) -> DataFrame[department, reason, reason_label, quadrant,
                                    avoidable, service_caused, contacts, handle_minutes, cost]
    chargeback_statement(query, top=3, cmp=None, db=None) -> DataFrame[department,
                                    avoidable_contacts, handle_minutes, cost, share, top_reasons
                                    (+ cost_before, change, change_pct with cmp)] + a 'Total' row;
                                    share is of every department's avoidable cost in the scope
    department_share(query, cmp="prev", db=None) -> DataFrame[measure, value, all, share, ...]
    statement_lines(query, db=None), statement_months(query, cmp="prev", db=None) -> DataFrame
    avoidable_rate_note(query, db=None) -> str | None   why the rate cannot vary in the scope
    top_reasons(query, limit=10, db=None), reason_matrix(query, db=None) -> DataFrame
    currency(db=None) -> str        the channel cost rates' currency
    survey_intervals(query, db=None) -> run() rows of csat/ces/nps + low, high (95 %), reliable
    verbatims(query, reasons=(), score_field=None, low=None, high=None, limit=200, db=None)
                                    survey comments newest first, response_id masked (untrusted text)
    role() -> str, allowed(action) -> bool     SCORECARD_ROLE: viewer | lead | analyst | admin
    kpi_text(id), kpi_history(id), kpi_version_text(id, name)   the editor's files (SCORECARD_KPI_DIR)
    save_kpi(id, text, db=None) -> SaveResult  validated and run-checked save (a KPI that does not
                                    run is refused), previous text kept in .history/<id>/
    revert_kpi(id, version, db=None) -> SaveResult
    preview_kpi(id, text, query, db=None) -> (DataFrame, Compiled)  run an UNSAVED KPI text
    transpile_kpi_text(id, text, dialect, query=None, db=None) -> str
    settings(db=None) -> dict, save_settings(values, db=None) -> list[changed keys]

Values: percent KPIs are 0..100, NPS -100..100, times in seconds, costs in the cost table's currency.
Statuses: green | amber | red | grey. Periods are the first local date of each period (None at
grain "all"). Results are cached per (function, db, query) in a small LRU dict; every call uses its
own cursor on the process's one read-only connection (``metrics.connection``, external access
disabled), through the gate that lets a write wait for the reads under way; writes go through
``connection.writer``, which clears these caches.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from sqlglot import exp

from connectors import reference
from connectors.base import CHANNELS
from metrics import (
    briefing,
    compiler,
    connection,
    editor,
    imports,
    kpi_errors,
    masking,
    ownership,
    periods,
    quantiles,
    roles,
    rollups,
    runner,
    semantics,
    survey,
    trial,
)
from metrics import catalog as catalog_module
from metrics import journey as journey_module
from metrics import scorecard as scoring
from metrics import settings as settings_module
from metrics import targets as targets_module
from metrics.catalog import KPI, Catalog, Problem
from metrics.compiler import Compiled
from metrics.query import Query, QueryError

__all__ = ["CHANNELS", "Query", "QueryError", "Catalog", "KPI", "Problem", "Compiled", "catalog", "kpi_table",
           "approximation",
           "kpi_problems", "error_headline", "run", "explain", "transpile", "scorecard",
           "comparison_range", "period_starts", "target_row", "monthly_target", "cpx_drivers", "perspective_scores",
           "trend", "latest_months", "attention", "landing", "first_day", "freshness",
           "contacts_behind", "journey", "parse_mask", "validate_kpi", "clear_caches",
           "reference_frame", "save_reference",
           # ownership, customer voice, metric editor, settings (see the docstring's second list)
           "reason_costs", "chargeback_statement", "top_reasons", "reason_matrix", "currency",
           "department_share", "statement_lines", "statement_months", "avoidable_rate_note",
           "COST_METHOD",
           "survey_intervals", "verbatims", "role", "allowed", "kpi_text", "kpi_history",
           "kpi_version_text", "save_kpi", "revert_kpi", "preview_kpi", "transpile_kpi_text",
           "run_problems",
           "settings", "save_settings", "DEFAULT_PERIODS", "EditorError", "SaveResult", "SettingsError",
           "ReferenceDataError"]
EditorError = editor.EditorError
SaveResult = editor.SaveResult
SettingsError = settings_module.SettingsError
DEFAULT_PERIODS = settings_module.DEFAULT_PERIODS
COST_METHOD = ownership.COST_METHOD
ReferenceDataError = reference.ReferenceError

log = logging.getLogger(__name__)
CACHE_SIZE = 256
MASKED_COLUMNS = ("contact_id", "case_id", "customer_key", "agent", "response_id")
_lock = threading.Lock()
_results: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def _key(db: str | Path | None) -> str:
    return str(connection.db_path(db))


def _cached(name: str, db: str | Path | None, args: tuple[Any, ...],
            compute: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
    """``compute(cursor)`` once per (function, db, args); later calls get a copy of the answer."""
    key = (name, _key(db), args)
    with _lock:
        if key in _results:
            _results.move_to_end(key)
            hit = _results[key]
            return hit.copy() if isinstance(hit, pd.DataFrame) else hit
    with connection.reading(db) as cursor:
        value = compute(cursor)
    with _lock:
        _results[key] = value
        while len(_results) > CACHE_SIZE:
            _results.popitem(last=False)
    return value.copy() if isinstance(value, pd.DataFrame) else value


def clear_caches() -> None:
    """Forget every cached result (called automatically after every write through
    ``metrics.connection.writer``: imports, reference edits), the warehouse summary too."""
    with _lock:
        _results.clear()
    imports.forget_summaries()


connection.on_change(clear_caches)


def catalog(db: str | Path | None = None) -> Catalog:
    """The KPI catalog validated against the warehouse's model tables."""
    directory = editor.kpi_dir()  # SCORECARD_KPI_DIR or sql/kpis

    def load(cursor: duckdb.DuckDBPyConnection) -> Catalog:
        schema = catalog_module.schema_of(cursor) or catalog_module.model_schema()
        return catalog_module.load_catalog(directory, schema)
    try:
        return _cached("catalog", db, (str(directory),), load)  # type: ignore[no-any-return]
    except duckdb.Error:  # no warehouse yet: validate against the shipped models' schema
        return catalog_module.load_catalog(directory, catalog_module.model_schema())


def error_headline(error: Exception) -> str:
    """DuckDB's first line of an error, without its statement excerpt (for a page's failure note)."""
    return kpi_errors.headline(error)


def kpi_problems(db: str | Path | None = None) -> list[str]:
    """Every problem of a KPI file that does not parse or validate (such a KPI is left out of
    every page and of the command line, so they must say so): ``file:line:col: message``."""
    return [str(p) for p in catalog(db).problems]


def kpi_table(db: str | Path | None = None) -> pd.DataFrame:
    """One row per KPI with its metadata (for pickers, glossaries and the metric editor)."""
    rows = [{"id": k.id, "label": k.label, "perspective": k.perspective, "unit": k.unit,
             "direction": k.direction, "description": k.description,
             "params": dict(k.params), "min_n": k.min_n, "target": k.target,
             "red_flag": k.red_flag, "weight": k.weight, "model": k.model, "kind": k.kind,
             "dimensions": k.dimensions, "sql": k.sql}
            for k in catalog(db).kpis.values()]
    return pd.DataFrame(rows)


_installing: set[tuple[str, tuple[tuple[str, str], ...]]] = set()


def rollups_built(db: str | Path | None = None) -> dict[str, rollups.Rollup]:
    """The warehouse's rollups (``metrics.rollups``), rebuilt first when the KPI files changed
    since they were built (once per process and catalog: a failed rebuild is logged and the KPIs it
    concerns read their models, which is slower, never wrong)."""
    cat, extra = catalog(db), (semantics.OPEN_TICKETS,)
    built: dict[str, rollups.Rollup] = _cached("rollups", db, (), rollups.read)
    wanted = (_key(db), tuple(sorted((k.id, rollups.fingerprint(k)) for k in cat.kpis.values())))
    if not rollups.stale(cat, built, extra) or wanted in _installing or connection.busy_reading():
        return built
    _installing.add(wanted)
    try:
        with connection.writer(db) as con:
            rollups.install(con, cat, extra)
    except duckdb.Error:
        log.warning("the rollups were not rebuilt: KPIs they do not hold read their models",
                    exc_info=True)
    return _cached("rollups", db, (), rollups.read)  # type: ignore[no-any-return]


def approximation(query: Query, db: str | Path | None = None) -> str | None:
    """How far the value of the query's (first) KPI may be from the exact one, in words, when
    it is read from a summary for this query (a median from monthly histograms:
    ``metrics.quantiles``); None when it is exact."""
    statements = explain(query.with_(kpis=query.kpis[:1]), db)
    table = statements[0].source if statements else ""
    return quantiles.NOTE if table.startswith(quantiles.table_name("")) else None


def run(query: Query, db: str | Path | None = None) -> pd.DataFrame:
    """KPI values: columns kpi, period, <query.dimensions>, value, numerator, denominator, n."""
    cat, built = catalog(db), rollups_built(db)
    return _cached("run", db, (query,), lambda c: runner.run(c, cat, query, built))  # type: ignore[no-any-return]


def explain(query: Query, db: str | Path | None = None) -> list[Compiled]:
    """The exact SQL and parameters ``run(query)`` executes, one statement per KPI; each says the
    table it reads (a rollup, or the model)."""
    return runner.explain(catalog(db), query, rollups_built(db))


def transpile(kpi_id: str, dialect: str, query: Query | None = None,
              db: str | Path | None = None) -> str:
    """The KPI's SQL (or, with a query, its compiled statement) in another engine's dialect."""
    cat = catalog(db)
    kpi = runner.kpis_of(cat, [kpi_id])[0]
    sql = compiler.compile_kpi(kpi, query).sql if query is not None else compiler.body(kpi).sql(
        dialect=catalog_module.DIALECT)
    return compiler.transpile(sql, dialect)


def scorecard(query: Query, db: str | Path | None = None,
              compare: tuple[str, ...] = scoring.COMPARES) -> pd.DataFrame:
    """``run`` plus dimension label, target, red_flag, target_source, weight, status, score,
    change_prev and change_yoy (value minus the comparison period's value, ``comparison_range``;
    only those in ``compare`` are computed, the others are empty), and what each value means:
    applicable, provisional, final_on, open_tickets, data_issues, mix_effect, note, error
    (``metrics.semantics``). ``mix_effect`` is filled for totals (no dimension, not narrowed to one
    channel): the total moved against every channel."""
    cat, built = catalog(db), rollups_built(db)
    totals = not query.dimensions and len(query.filter_map.get("channel", ())) != 1

    def compute(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        frame = scoring.scorecard(cursor, cat, query, built, compare)
        if totals and compare and not frame.empty:  # the split it is compared with is cached on its own
            by_channel = scorecard(query.with_(dimensions=("channel",)), db, compare)
            for change in (f"change_{cmp}" for cmp in compare):
                notes = semantics.mix_effects(frame, by_channel, cat, change)
                for (kpi_id, period), text in notes.items():
                    at = (frame["kpi"] == kpi_id) & (frame["period"].map(str) == str(period))
                    frame.loc[at & (frame["mix_effect"] == ""), "mix_effect"] = text
        return frame
    return _cached("scorecard", db, (query, compare), compute)  # type: ignore[no-any-return]


def target_row(targets: pd.DataFrame, kpi_id: str, channel: str = "*", department: str = "*",
               day: date | None = None) -> dict[str, Any] | None:
    """The row of a targets frame (``reference_frame("targets")``) that judges ``kpi_id`` in that
    scope, by the scorecard's own rule; None when the KPI file's header applies."""
    rows = targets[targets["kpi"] == kpi_id].to_dict("records") if len(targets) else []
    return targets_module.best_row(rows, channel, department, day)


def cpx_drivers(driver: str, db: str | Path | None = None) -> dict[str, str]:
    """Per owning department with demand of its own, the driver ``cpx`` divides its contacts by
    when split or filtered by department (``sql/kpis/cpx.sql``): its only driver, else ``driver``
    when it lists several (departments listing several but not ``driver`` have no value)."""
    demand = reference_frame("demand", db)
    own = demand[demand["department"].astype(str) != "*"] if len(demand) else demand
    out: dict[str, str] = {}
    for department, rows in (own.groupby("department") if len(own) else []):
        listed = sorted(rows["driver"].astype(str).unique())
        if len(listed) == 1:
            out[str(department)] = listed[0]
        elif driver in listed:
            out[str(department)] = driver
    return out


def monthly_target(kpi: KPI) -> bool:
    """True when the KPI's targets are monthly budgets, prorated to the period shown (sums and
    counts: ``metrics.targets``)."""
    return targets_module.additive(kpi)


def period_starts(start: date, end: date, grain: str) -> list[date]:
    """The first day of every period of ``grain`` that [start, end] touches (``metrics.periods``)."""
    return periods.period_starts(start, end, grain)


def comparison_range(start: date, end: date, cmp: str) -> tuple[date, date]:
    """The range a period is compared with (``prev`` or ``yoy``, kpis.md "Previous period")."""
    return periods.comparison_range(start, end, cmp)


def perspective_scores(query: Query, db: str | Path | None = None,
                       compare: tuple[str, ...] = scoring.COMPARES) -> pd.DataFrame:
    """Weighted 0-10 score per perspective and 'overall', per period and dimension label (of the
    scorecard computed with ``compare``, so the page's call shares its cached scorecard)."""
    cat = catalog(db)
    scored = scorecard(query, db, compare)

    def compute(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        return scoring.perspective_scores(scored, cat, scoring.perspective_weights(cursor))
    return _cached("perspectives", db, (query,), compute)  # type: ignore[no-any-return]


def trend(query: Query, db: str | Path | None = None, compare: tuple[str, ...] = ()) -> pd.DataFrame:
    """Scorecard rows per period (grain 'all' is treated as 'month'), sorted for line charts;
    changes only for ``compare`` (a chart draws values: by default none, so no earlier periods
    are read)."""
    if query.grain == "all":
        query = query.with_(grain="month")
    frame = scorecard(query, db, compare)
    return frame.sort_values(["kpi", "dimension", "period"], kind="stable").reset_index(drop=True)


def latest_months(query: Query, db: str | Path | None = None) -> pd.DataFrame:
    """Per KPI the newest whole calendar month of ``query``'s range that the data covers, its
    value, status and change against the month before; empty when the range holds none."""
    if query.start is None or query.end is None:
        return briefing.latest_months(pd.DataFrame(), None)
    newest = _cached("span", db, (), semantics.data_span)["m_contacts"].newest
    month = briefing.latest_month(query.start, query.end, newest)
    if month is None:
        return briefing.latest_months(pd.DataFrame(), None)
    monthly = query.with_(grain="month", dimensions=(), start=month, end=periods.last_day(month))
    return _cached("latest", db, (monthly,),  # type: ignore[no-any-return]
                   lambda _c: briefing.latest_months(trend(monthly, db, ("prev",)), month))


def _month_query(total: Query, db: str | Path | None) -> Query | None:
    """The query of the latest whole month inside ``total``'s range (None when there is none)."""
    if total.start is None or total.end is None:
        return None
    newest = _cached("span", db, (), semantics.data_span)["m_contacts"].newest
    month = briefing.latest_month(total.start, total.end, newest)
    return None if month is None else total.with_(start=month, end=periods.last_day(month))


def attention(query: Query, cmp: str = "prev", limit: int = 4,
              db: str | Path | None = None) -> pd.DataFrame:
    """The KPIs to read first (``metrics.briefing.attention``) for ``query`` at grain "all"."""
    total_query = query.with_(grain="all", dimensions=())

    def compute(_cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        splits = {d: scorecard(total_query.with_(dimensions=(d,)), db, (cmp,))
                  for d in briefing.SPLITS}
        months = latest_months(total_query, db)
        month_query = _month_query(total_query, db)

        def month_splits() -> dict[str, pd.DataFrame]:  # only when a KPI turned red in the month
            if month_query is None or not len(months):
                return {}
            return {d: scorecard(month_query.with_(dimensions=(d,)), db, ("prev",))
                    for d in briefing.SPLITS}
        filtered = tuple(d for d, values in total_query.filter_map.items() if len(values) == 1)
        return briefing.attention(scorecard(total_query, db, (cmp,)), months, splits,
                                  month_splits, catalog(db), cmp, limit, filtered)
    return _cached("attention", db, (total_query, cmp, limit), compute)  # type: ignore[no-any-return]


def landing(query: Query, grain: str = "month", cmp: str = "prev",
            db: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Everything the Scorecard's landing view and the board pack read for ``query``: scored,
    scores, history (at ``grain``), months, attention, channel and department (the splits).
    The independent statements run on two threads (DuckDB and the scoring in pandas overlap);
    each result lands in the cache, so the answer is the same as calling the functions one by
    one, and a second call costs nothing."""
    total = query.with_(grain="all", dimensions=())
    shown = (cmp,)
    lanes: list[list[Callable[[], object]]] = [
        [lambda: scorecard(total.with_(dimensions=("channel",)), db, shown),  # the total's mix needs it
         lambda: scorecard(total, db, shown), lambda: trend(total.with_(grain=grain), db)],
        [lambda: scorecard(total.with_(dimensions=("department",)), db, shown),
         lambda: latest_months(total, db)]]  # the month's splits: in attention, when needed
    def run_lane(jobs: list[Callable[[], object]]) -> None:
        for job in jobs:
            job()
    with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        for done in [pool.submit(run_lane, jobs) for jobs in lanes]:
            done.result()
    return {"scored": scorecard(total, db, shown), "scores": perspective_scores(total, db, shown),
            "history": trend(total.with_(grain=grain), db), "months": latest_months(total, db),
            "attention": attention(total, cmp, db=db),
            **{d: scorecard(total.with_(dimensions=(d,)), db, shown) for d in briefing.SPLITS}}


def first_day(kpi_id: str, db: str | Path | None = None) -> date | None:
    """The first local date the KPI's model holds data for (None when it holds none): a period
    that starts before it is partial (charts leave it out rather than draw a line from zero)."""
    kpi = runner.kpis_of(catalog(db), [kpi_id])[0]
    spans = _cached("span", db, (), semantics.data_span)
    span = spans.get(kpi.model)
    return span.first if span is not None else None


def freshness(db: str | Path | None = None) -> pd.DataFrame:
    """Per source system the number of records and the first and newest timestamp."""
    return _cached("freshness", db, (), briefing.freshness)  # type: ignore[no-any-return]


def mask(value: object) -> object:
    """A stable pseudonym for an identifier: same input, same mask; not reversible (the one
    definition, shared with the SQL that finds a contact by its mask: ``metrics.masking``)."""
    return masking.mask(value)


def contacts_behind(query: Query, kpi: str, part: str = "denominator", limit: int = 200,
                    db: str | Path | None = None) -> pd.DataFrame:
    """The model rows counted in ``kpi``'s ``part`` (numerator | denominator | value | n) under
    the query's range and filters, newest first, at most ``limit``; identifiers are masked and
    free text is left out."""
    cat = catalog(db)
    found = runner.kpis_of(cat, [kpi])[0]
    select, params = compiler.rows_behind(found, query, part)
    select = select.order_by(exp.Ordered(this=exp.column("local_at"), desc=True)).limit(
        exp.Placeholder(this="row_limit"))
    params = {**params, "row_limit": int(limit)}
    sql = select.sql(dialect=catalog_module.DIALECT)

    def compute(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        frame = cursor.execute(sql, params).fetchdf()
        frame = frame.drop(columns=[c for c in ("comment",) if c in frame.columns])
        for column in MASKED_COLUMNS:
            if column in frame.columns:
                frame[column] = frame[column].map(mask)
        return frame
    return _cached("behind", db, (query, kpi, part, limit), compute)  # type: ignore[no-any-return]


def parse_mask(text: object) -> str | None:
    """A masked id as linked or typed, in its canonical form; None when it cannot be one."""
    return masking.parse(text)


def journey(masked_contact_id: str, start: date | None = None, end: date | None = None,
            choice: int = 0, limit: int = journey_module.LIMIT,
            db: str | Path | None = None) -> journey_module.Journey:
    """The customer journey behind one masked contact id (``metrics.journey``): the customer's
    contacts across channels in time order (the ``limit`` nearest to it), repeats with the contact
    they repeat, transfers, survey responses; comments only for a role that may read verbatims.
    ``start``/``end`` (the page's period) put matching contacts inside it first when the short
    mask matches several; ``choice`` picks one of them. Raises QueryError for a malformed id."""
    window = journey_module.window_days(catalog(db))
    comments = roles.allowed("read_verbatims")
    args = (masked_contact_id, start, end, choice, limit, window, comments)
    found = _cached("journey", db, args, lambda c: journey_module.journey(
        c, masked_contact_id, window, limit, comments, start, end, choice))
    return found.copy()  # type: ignore[no-any-return]


def validate_kpi(file_name: str, text: str, db: str | Path | None = None,
                 run: bool = False) -> tuple[KPI | None, list[Problem]]:
    """Parse and validate an edited KPI file against the warehouse's models (nothing is saved).
    With ``run``, a text that validates is also run on small queries (``trial.trial``): a KPI
    that does not run gets its problems and no KPI, so nobody calls it valid."""
    kpi, problems = catalog_module.parse_kpi(file_name, text, _schema(db))
    if not run or kpi is None or problems:
        return kpi, problems
    failures = run_problems(kpi, db)
    return (None, failures) if failures else (kpi, [])


def reference_frame(table: str, db: str | Path | None = None) -> pd.DataFrame:
    """A reference table (reason_map, channel_costs, demand, targets) as a frame for editors."""
    return _cached("reference", db, (table,),  # type: ignore[no-any-return]
                   lambda c: reference.read(c, table))


def save_reference(table: str, data: pd.DataFrame | bytes, replace: bool = True,
                   db: str | Path | None = None) -> reference.ImportSummary:
    """Replace (or append to) a reference table from a frame or CSV bytes in one transaction and
    rebuild the models; the caches are cleared by the writer."""
    with connection.writer(db) as con:
        if isinstance(data, bytes):
            return reference.import_csv(con, table, data, replace=replace)
        return reference.write(con, table, data, replace=replace)


# --- ownership -------------------------------------------------------------------------------

def reason_costs(query: Query, db: str | Path | None = None) -> pd.DataFrame:
    """Inbound contacts, handle minutes and cost per owning department x reason (the query's
    range and filters; its KPIs, grain and dimensions are ignored)."""
    return _cached("reason_costs", db, (query,),  # type: ignore[no-any-return]
                   lambda c: ownership.reason_costs(c, query))


def chargeback_statement(query: Query, top: int = 3, cmp: str | None = None,
                         db: str | Path | None = None) -> pd.DataFrame:
    """Avoidable contacts, handle minutes, cost, share of every department's avoidable cost (same
    period and scope without the department filter) and top reasons per owning department, plus a
    'Total' row that is their exact sum; with ``cmp`` (prev | yoy) also cost_before, change and
    change_pct against the comparison period."""
    statement = ownership.statement(reason_costs(query, db), top=top,
                                    everyone=reason_costs(ownership.every_department(query), db))
    if cmp is None:
        return statement
    return ownership.with_change(statement, chargeback_statement(_compared(query, cmp), top,
                                                                 None, db))


def _compared(query: Query, cmp: str) -> Query:
    """The query over its comparison range (it needs a start and an end)."""
    if query.start is None or query.end is None:
        raise QueryError("a comparison needs a period with a start and an end")
    start, end = comparison_range(query.start, query.end, cmp)
    return query.with_(start=start, end=end)


def department_share(query: Query, cmp: str = "prev", db: str | Path | None = None) -> pd.DataFrame:
    """The scope's avoidable contacts and cost as a share of every department's (same period and
    scope without the department filter), now and in the comparison period, with the changes."""
    before = _compared(query, cmp)
    return ownership.shares(*(reason_costs(q, db) for q in (
        query, ownership.every_department(query), before, ownership.every_department(before))))


def statement_lines(query: Query, db: str | Path | None = None) -> pd.DataFrame:
    """The statement's line items: per department and avoidable reason, contacts x unit cost = cost."""
    return ownership.line_items(reason_costs(query, db))


def statement_months(query: Query, cmp: str = "prev", db: str | Path | None = None) -> pd.DataFrame:
    """Avoidable contacts and cost per month of the period beside the comparison period's months,
    with a 'Total' row (month None)."""
    before = _compared(query, cmp)
    now, then = (_month_costs(q, db) for q in (query, before))
    return ownership.monthly(now, then, ownership.months_of(query), ownership.months_of(before),
                             paired=ownership.same_months(query, before))


def _month_costs(query: Query, db: str | Path | None) -> pd.DataFrame:
    return _cached("month_costs", db, (query,),  # type: ignore[no-any-return]
                   lambda c: ownership.month_costs(c, query))


def avoidable_rate_note(query: Query, db: str | Path | None = None) -> str | None:
    """Why the avoidable contact rate cannot vary in this scope (only avoidable reasons, or none),
    else None."""
    return ownership.one_sided(reason_costs(query, db))


def top_reasons(query: Query, limit: int = 10, db: str | Path | None = None) -> pd.DataFrame:
    """Avoidable reasons ranked by cost, with their owning department."""
    return ownership.top_reasons(reason_costs(query, db), limit=limit)


def reason_matrix(query: Query, db: str | Path | None = None) -> pd.DataFrame:
    """One row per reason with its value/irritant quadrant, contacts and cost."""
    return ownership.matrix(reason_costs(query, db))


def currency(db: str | Path | None = None) -> str:
    return _cached("currency", db, (), ownership.currency)  # type: ignore[no-any-return]


# --- customer voice ----------------------------------------------------------------------------

def survey_intervals(query: Query, db: str | Path | None = None) -> pd.DataFrame:
    """``run`` rows of the query's survey KPIs (csat, ces, nps) with 95 % intervals: Wilson for
    the proportions, the promoter-detractor standard error for NPS; ``reliable`` = n >= min_n."""
    frame = run(query, db)
    cat = catalog(db)
    split = _cached("nps_split", db, (query,), lambda c: survey.nps_split(c, query))
    min_n = {k: cat.kpis[k].min_n for k in query.kpis if k in cat.kpis}
    return survey.with_intervals(frame, split, min_n, query.dimensions)


def verbatims(query: Query, reasons: tuple[str, ...] = (), score_field: str | None = None,
              low: float | None = None, high: float | None = None, limit: int = 200,
              db: str | Path | None = None) -> pd.DataFrame:
    """Survey comments in the query's scope, newest first, response_id masked. The comment is
    untrusted free text: show it as text, never as HTML."""
    def compute(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        frame = survey.verbatims(cursor, query, tuple(reasons), score_field, low, high, limit)
        frame["response_id"] = frame["response_id"].map(mask)
        return frame
    return _cached("verbatims", db,  # type: ignore[no-any-return]
                   (query, tuple(reasons), score_field, low, high, limit), compute)


# --- roles, metric editor, settings ------------------------------------------------------------

def role() -> str:
    return roles.current_role()


def allowed(action: str) -> bool:
    """edit_kpis | edit_reference | read_verbatims for the configured role."""
    return roles.allowed(action)


def kpi_text(kpi_id: str) -> str:
    return editor.read_text(kpi_id)


def kpi_history(kpi_id: str) -> list[editor.Version]:
    return editor.history(kpi_id)


def kpi_version_text(kpi_id: str, name: str) -> str:
    return editor.version_text(kpi_id, name)


def _schema(db: str | Path | None) -> dict[str, dict[str, str]]:
    try:
        with connection.reading(db) as cursor:
            schema = catalog_module.schema_of(cursor)
    except duckdb.Error:
        schema = {}
    return schema or catalog_module.model_schema()


def run_problems(kpi: KPI, db: str | Path | None = None) -> list[Problem]:
    """Why a parsed (unsaved) KPI does not run on the warehouse, at its file's line and column:
    ``trial.trial`` on the read-only connection (by month over the newest data's month and the
    one before, without and with a dimension), one problem per distinct failure. Cached per
    text until the next write."""
    def compute(cursor: duckdb.DuckDBPyConnection) -> list[Problem]:
        columns = catalog_module.schema_of(cursor).get(kpi.model, {})
        problems: list[Problem] = []
        for failure in trial.trial(cursor, kpi, columns):
            problem = Problem(kpi.file, failure.line, failure.column,
                              f"does not run ({failure.scope}): {failure.message}")
            if not any((p.line, p.column) == (problem.line, problem.column)
                       and p.message.endswith(failure.message) for p in problems):
                problems.append(problem)
        return problems
    return _cached("trial", db, (kpi,), compute)  # type: ignore[no-any-return]


def save_kpi(kpi_id: str, text: str, db: str | Path | None = None) -> editor.SaveResult:
    """Save an edited KPI file only if it validates AND runs on the warehouse (never over a
    working one otherwise); the previous text is kept in the history; caches are cleared after
    a save."""
    result = editor.save(kpi_id, text, _schema(db), check=lambda kpi: run_problems(kpi, db))
    if result.saved:
        clear_caches()
    return result


def revert_kpi(kpi_id: str, version: str, db: str | Path | None = None) -> editor.SaveResult:
    """Make a version current again, validated and run-checked like a save."""
    result = editor.revert(kpi_id, version, _schema(db), check=lambda kpi: run_problems(kpi, db))
    if result.saved:
        clear_caches()
    return result


def _edited(kpi_id: str, text: str, db: str | Path | None) -> KPI:
    kpi, problems = catalog_module.parse_kpi(f"{kpi_id}.sql", text, _schema(db))
    if kpi is None or problems:
        raise QueryError(f"{kpi_id}: the edited text has {len(problems)} problem(s)")
    return kpi


def preview_kpi(kpi_id: str, text: str, query: Query,
                db: str | Path | None = None) -> tuple[pd.DataFrame, Compiled]:
    """Run an edited, UNSAVED KPI text for ``query`` (only after it validates; read-only
    connection): the frame ``run`` would return for it, and its compiled statement. A text that
    does not run raises QueryError "<id>.sql:<line>:<column>: does not run: <DuckDB headline>"."""
    kpi = _edited(kpi_id, text, db)
    compiled = compiler.compile_kpi(kpi, query.with_(kpis=(kpi_id,)))

    def compute(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        try:
            frame = runner.execute(cursor, compiled)
        except duckdb.Error as error:  # readable, at the file's line: not the compiled one's
            line, column = kpi_errors.where_in_file(cursor, kpi, error, compiled.sql)
            raise QueryError(f"{kpi.file}:{line}:{column}: does not run: "
                             f"{kpi_errors.headline(error)}") from error
        if not frame.empty:
            frame["period"] = None if query.grain == "all" else pd.to_datetime(
                frame["period"]).dt.date
        return frame
    frame = _cached("preview", db, (compiled.sql, compiled.params), compute)
    return frame, compiled


def compile_kpi_text(kpi_id: str, text: str, query: Query,
                     db: str | Path | None = None) -> Compiled:
    """The statement an edited, unsaved KPI text (validated first) runs for ``query``."""
    return compiler.compile_kpi(_edited(kpi_id, text, db), query.with_(kpis=(kpi_id,)))


def transpile_kpi_text(kpi_id: str, text: str, dialect: str, query: Query | None = None,
                       db: str | Path | None = None) -> str:
    """Like ``transpile`` for an edited, unsaved text (validated first)."""
    sql = compile_kpi_text(kpi_id, text, query, db).sql if query is not None \
        else compiler.body(_edited(kpi_id, text, db)).sql(dialect=catalog_module.DIALECT)
    return compiler.transpile(sql, dialect)


def settings(db: str | Path | None = None) -> dict[str, str]:
    """The warehouse settings (time zones, opening hours JSON, phone region, service department)."""
    return _cached("settings", db, (), settings_module.read)  # type: ignore[no-any-return]


def save_settings(values: dict[str, str], db: str | Path | None = None) -> list[str]:
    """Validate and store settings (raises SettingsError listing every problem, nothing written);
    models are rebuilt when the business time zone or service department changes."""
    problems = settings_module.validate(values)
    if problems:
        raise settings_module.SettingsError(problems)
    with connection.writer(db) as con:
        return settings_module.write(con, values)
