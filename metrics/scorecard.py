"""Scoring: red/amber/green, 0-10 scores, weighted roll-ups and changes over time.

Spider Impact style: each KPI is judged against the target and red flag ``metrics.targets`` finds for
its scope (and says where from). Status is green at or beyond the target, red at or beyond the red
flag, amber between, grey when n < min_n, no target exists, the value is provisional, not applicable
or failed (``note`` says which). The score is 10 at the target, 0 at the red flag, linear between
and clipped, so it reads the same whichever direction is better. Perspective score = weighted mean
of its KPIs' scores (grey tiles carry no score), overall = weighted mean of the perspectives
(settings weights); each says how many of its KPIs were judged. Everything here is pandas over
frames the runner returns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta

import duckdb
import pandas as pd

from metrics import periods, runner, semantics, targets
from metrics.catalog import PERSPECTIVES, Catalog
from metrics.query import Query
from metrics.rollups import Rollup
from sql import warehouse

COMPARES = ("prev", "yoy")  # the comparisons a scorecard can compute (kpis.md "Previous period")
SCORE_COLUMNS = ["target", "red_flag", "target_source", "weight", "status", "score", "change_prev",
                 "change_yoy"]
SEMANTIC_COLUMNS = ["applicable", "provisional", "final_on", "open_tickets", "data_issues",
                    "mix_effect", "note", runner.ERROR_COLUMN]


def perspective_weights(cursor: duckdb.DuckDBPyConnection) -> dict[str, float]:
    raw = warehouse.get_setting(cursor, "perspective_weights", "{}") or "{}"
    try:
        given = {str(k): float(v) for k, v in json.loads(raw).items()}
    except (ValueError, AttributeError, TypeError):
        given = {}
    return {p: given.get(p, 1.0) for p in PERSPECTIVES}


_num = targets.number


def status(value: float | None, n: float | None, target: float | None, red_flag: float | None,
           direction: str, min_n: int, judged: bool = True) -> str:
    """green / amber / red against target and red flag; grey when n < min_n, no target, or the
    value is not to be judged (provisional, not applicable, failed)."""
    value, n = _num(value), _num(n)
    if not judged or value is None or target is None or (n is not None and n < min_n) or n is None:
        return "grey"
    better = (lambda a, b: a >= b) if direction == "higher" else (lambda a, b: a <= b)
    if better(value, target):
        return "green"
    if red_flag is not None and not better(value, red_flag) or value == red_flag:
        return "red"
    return "amber"


def score(value: float | None, target: float | None, red_flag: float | None,
          direction: str) -> float | None:
    """10 at or beyond the target, 0 at or beyond the red flag, linear between."""
    value = _num(value)
    if value is None or target is None or red_flag is None:
        return None
    if target == red_flag:
        good = value >= target if direction == "higher" else value <= target
        return 10.0 if good else 0.0
    return max(0.0, min(10.0, 10.0 * (value - red_flag) / (target - red_flag)))


def _scope(row: pd.Series | dict, query: Query, dim: str) -> str:
    if dim in query.dimensions:
        return str(row[dim])
    values = query.filter_map.get(dim, ())
    return values[0] if len(values) == 1 else "*"


def dimension_label(frame: pd.DataFrame, query: Query) -> pd.Series:
    if not query.dimensions or frame.empty:
        return pd.Series("All", index=frame.index, dtype="object")
    parts = [frame[d].astype("string").fillna("(none)") for d in query.dimensions]
    label = parts[0]
    for part in parts[1:]:  # vectorised " / ".join (a row-wise agg takes seconds on 20k rows)
        label = label + " / " + part
    return label.astype(object)


def score_rows(frame: pd.DataFrame, catalog: Catalog, table: pd.DataFrame, query: Query,
               spans: dict[str, semantics.Span] | None = None) -> pd.DataFrame:
    """Add target, red_flag, weight, status and score to a runner frame."""
    frame = frame.copy()
    out: dict[str, list[object]] = {c: [] for c in ("target", "red_flag", "target_source", "weight",
                                                    "status", "score")}
    by_kpi: dict[str, list[dict]] = {}
    for record in (table.to_dict("records") if len(table) else []):
        by_kpi.setdefault(str(record["kpi"]), []).append(record)
    matched: dict[tuple[object, ...], targets.Target] = {}  # many rows share one scope
    for row in frame.to_dict("records"):
        kpi = catalog.kpis[row["kpi"]]
        day = row["period"] if isinstance(row["period"], date) else (query.start or date.today())
        scope = (kpi.id, _scope(row, query, "channel"), _scope(row, query, "department"), day)
        t = matched.get(scope)
        if t is None:
            t = targets.match(by_kpi.get(kpi.id, []), kpi, *scope[1:])  # type: ignore[arg-type]
            if targets.additive(kpi) and not targets.budget_fits(t, scope, query):
                t = targets.Target(None, None, t.weight)
            matched[scope] = t
        span = (spans or {}).get(kpi.model, semantics.Span(None, None))
        factor = targets.prorate(kpi, row["period"], query, span.first,
                                 span.newest.date() if span.newest is not None else None)
        target = None if t.target is None or factor is None else t.target * factor
        red_flag = None if t.red_flag is None or factor is None else t.red_flag * factor
        judged = (row.get("applicable", True) is not False and not row.get("provisional")
                  and not semantics.failed(row))
        st = status(row["value"], row["n"], target, red_flag, kpi.direction, kpi.min_n, judged)
        out["target"].append(target)
        out["red_flag"].append(red_flag)
        out["target_source"].append(t.source if t.target is not None else "")
        out["weight"].append(t.weight)
        out["status"].append(st)
        out["score"].append(None if st == "grey" else score(row["value"], target, red_flag,
                                                             kpi.direction))
    for column, values in out.items():
        text = column in ("status", "target_source")
        frame[column] = pd.Series(values, index=frame.index, dtype="object" if text else "float64")
    return frame


def with_changes(cursor: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query,
                 frame: pd.DataFrame, spans: dict[str, semantics.Span] | None = None,
                 built: Mapping[str, Rollup] | None = None,
                 compare: tuple[str, ...] = COMPARES) -> pd.DataFrame:
    """Add change_prev and change_yoy (value minus the comparison period's value, in the KPI's
    unit) for the comparisons in ``compare`` (the others stay empty, and nothing is run for them:
    a page computes the one it shows). The comparison periods follow kpis.md
    (``metrics.periods``). A comparison period that starts before the KPI's data does, or holds no
    cases (n = 0), gives no change: never "+298,110 vs previous" against an empty month."""
    frame = frame.copy()
    for name in ("change_prev", "change_yoy"):
        frame[name] = pd.Series(float("nan"), index=frame.index, dtype="float64")
    if not compare:
        return frame
    spans = spans if spans is not None else semantics.data_span(cursor)
    keys = ["kpi", *query.dimensions]
    firsts = {k: spans.get(catalog.kpis[k].model, semantics.Span(None, None)).first
              for k in frame["kpi"].unique()} if len(frame) else {}
    if query.grain == "all":
        for cmp in compare:
            name = f"change_{cmp}"
            if not (query.start and query.end) or frame.empty:
                continue
            start, end = periods.comparison_range(query.start, query.end, cmp)
            other = runner.run(cursor, catalog, query.with_(start=start, end=end), built)
            if other.empty:
                continue
            merged = frame[keys].merge(other[[*keys, "value", "n"]], on=keys, how="left")
            earlier = merged["value"].to_numpy(dtype="float64")
            covered = frame["kpi"].map({k: f is not None and f <= start
                                        for k, f in firsts.items()}).to_numpy(dtype=bool)
            usable = covered & (merged["n"].fillna(0).to_numpy(dtype="float64") > 0)
            frame[name] = (frame["value"].to_numpy(dtype="float64") - earlier)
            frame.loc[~usable, name] = float("nan")
        return frame
    history = frame
    if query.start is not None:
        back = periods.history_start(query.start, query.grain, compare)
        earlier = runner.run(cursor, catalog, query.with_(start=back,
                                                          end=query.start - timedelta(days=1)),
                             built)
        history = pd.concat([earlier, frame], ignore_index=True) if not earlier.empty else frame
    lookup = {tuple(r[k] for k in [*keys, "period"]): (r["value"], r["n"])
              for r in history.to_dict("records")}
    changes: dict[str, list[float | None]] = {cmp: [] for cmp in compare}
    for row in frame.to_dict("records"):
        period = row["period"]
        base = tuple(row[k] for k in keys)
        first = firsts.get(row["kpi"])
        for cmp, out in changes.items():
            then = periods.comparison_period(period, query.grain, cmp)
            value, n = lookup.get((*base, then), (None, None))
            usable = first is not None and then >= first and (_num(n) or 0) > 0
            out.append(_minus(row["value"], value) if usable else None)
    for cmp, values in changes.items():
        frame[f"change_{cmp}"] = pd.Series(values, index=frame.index, dtype="float64")
    return frame


def _minus(a: object, b: object) -> float | None:
    x, y = _num(a), _num(b)
    return None if x is None or y is None else x - y


def scorecard(cursor: duckdb.DuckDBPyConnection, catalog: Catalog, query: Query,
              built: Mapping[str, Rollup] | None = None,
              compare: tuple[str, ...] = COMPARES) -> pd.DataFrame:
    """Runner rows plus dimension label, target (and where it comes from), red flag, weight, status,
    score, changes (the ``compare`` ones) and what the value means (``SEMANTIC_COLUMNS``, see
    ``metrics.semantics``); ``built``: the warehouse's rollups, which answer the KPIs they cover."""
    spans = semantics.data_span(cursor)
    frame = runner.run(cursor, catalog, query, built)
    if query.dimensions and len(frame):
        # a breakdown member that is no member (every dimension NULL) with nothing counted: the
        # company demand rows of cpx under a department split, not a "(none)" with a value
        empty = frame[list(query.dimensions)].isna().all(axis=1) & frame["n"].fillna(0).eq(0) \
            & frame["value"].isna() & frame[runner.ERROR_COLUMN].isna()
        frame = frame[~empty].reset_index(drop=True)
    frame = semantics.mark_applicable(frame, catalog, query)
    frame = with_changes(cursor, catalog, query, frame, spans, built, compare)
    frame = semantics.mark_provisional(cursor, frame, catalog, query, spans, built)
    issues = semantics.data_issues(cursor)
    frame["data_issues"] = frame["kpi"].map(lambda k: issues.get(k, "")).astype(object)
    frame["mix_effect"] = ""
    frame = score_rows(frame, catalog, targets.read(cursor), query, spans)
    frame["note"] = [semantics.note(row, catalog.kpis[row["kpi"]])
                     for row in frame.to_dict("records")]
    frame.insert(2, "dimension", dimension_label(frame, query))
    ordered = ["kpi", "period", "dimension", *query.dimensions, *runner.VALUE_COLUMNS,
               *SCORE_COLUMNS, *SEMANTIC_COLUMNS]
    return frame[ordered]


def perspective_scores(scored: pd.DataFrame, catalog: Catalog,
                       weights: dict[str, float]) -> pd.DataFrame:
    """Weighted mean score per perspective and overall, per period and dimension label. ``kpis`` is
    how many KPIs were judged (have a score), ``of`` how many count (weight > 0): a perspective
    whose KPIs have no target or too few cases is not scored (score NaN), never a flattering 10."""
    columns = ["period", "dimension", "perspective", "score", "weight", "kpis", "of"]
    rows: list[dict[str, object]] = []
    if scored.empty:
        return pd.DataFrame(columns=columns)
    scored = scored.assign(perspective=scored["kpi"].map(lambda k: catalog.kpis[k].perspective))
    counted = scored[scored["weight"] > 0]
    for (period, label), group in counted.groupby(["period", "dimension"], dropna=False, sort=True):
        parts: dict[str, tuple[float, int]] = {}
        for perspective in PERSPECTIVES:
            sub = group[group["perspective"] == perspective]
            if sub.empty:
                continue
            live = sub[sub["score"].notna()]
            value = float((live["score"] * live["weight"]).sum() / live["weight"].sum()) \
                if len(live) else float("nan")
            rows.append({"period": period, "dimension": label, "perspective": perspective,
                         "score": value, "weight": weights.get(perspective, 1.0),
                         "kpis": len(live), "of": len(sub)})
            if len(live):
                parts[perspective] = (value, len(live))
        total = sum(weights.get(p, 1.0) for p in parts)
        overall = (sum(v * weights.get(p, 1.0) for p, (v, _) in parts.items()) / total
                   if parts and total > 0 else float("nan"))
        rows.append({"period": period, "dimension": label, "perspective": "overall",
                     "score": overall, "weight": total,
                     "kpis": sum(k for _, k in parts.values()), "of": len(group)})
    return pd.DataFrame(rows, columns=columns)
