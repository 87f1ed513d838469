"""What an executive reads first: which KPIs need attention, the latest complete month, freshness.

Pure pandas over ``metrics.scorecard`` frames (plus one small read for freshness), so the Scorecard
page and the board pack say the same thing:

* ``attention`` - the KPIs that turned red, or moved furthest against their target, since the
  comparison period (or in the latest complete month against the month before), each with the
  channel or owning department that drives the change. Movements are measured in "bands": the
  distance between the KPI's target and its red flag, so a 2 pp move in abandonment and a 40 s move
  in handle time compare fairly.
* ``latest_months`` - per KPI the newest whole month inside the period that the data covers, its
  value, status and change against the month before (a six-month average hides a bad November).
* ``freshness`` - per source system the newest record, and whether the period ends after it.

A driver of a ratio KPI is the segment whose own change, weighted by its share of the cases, moved
the total most (the "rate effect" of a shift-share split); for additive KPIs (counts, costs) it is
the segment's own change. Its value and change are stated as they are, never as "caused 80 %".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from metrics import periods, targets
from metrics.catalog import KPI, Catalog
from metrics.scorecard import status as status_of

SPLITS = ("channel", "department")
COLUMNS = ["kpi", "label", "unit", "direction", "reason", "status", "was", "value", "change",
           "target", "month", "month_value", "month_change", "month_status", "month_target", "dimension", "driver",
           "driver_value", "driver_change", "severity"]


def _num(value: object) -> float | None:
    number = targets.number(value)
    return None if number is None or math.isinf(number) else number


def band(kpi: KPI, target: float | None, red_flag: float | None) -> float | None:
    """How far the red flag lies from the target (the unit movements are measured in)."""
    if target is None:
        return None
    if red_flag is not None and red_flag != target:
        return abs(red_flag - target)
    return abs(target) or None


def worse_by(change: float | None, direction: str) -> float | None:
    """A change as a movement against the KPI's direction (positive = worse)."""
    if change is None:
        return None
    return -change if direction == "higher" else change


def _earlier_status(kpi: KPI, value: float | None, change: float | None, n: float | None,
                    target: float | None, red_flag: float | None) -> str:
    """The status the comparison value had against today's target ('' when it is not known)."""
    if value is None or change is None:
        return ""
    return status_of(value - change, n, target, red_flag, kpi.direction, kpi.min_n)


@dataclass(frozen=True)
class Driver:
    dimension: str
    member: str
    value: float | None
    change: float | None
    weight: float


def driver(kpi: KPI, splits: Mapping[str, pd.DataFrame], change_column: str,
           skip: tuple[str, ...] = ()) -> Driver | None:
    """The channel or department that moved ``kpi`` most against its direction (see the module
    docstring); None when no split of the KPI moved it the wrong way."""
    best: Driver | None = None
    for dimension, frame in splits.items():
        if dimension in skip or frame.empty or dimension not in frame.columns:
            continue
        rows = frame[(frame["kpi"] == kpi.id) & frame["applicable"].astype(bool)
                     & frame[dimension].notna()]
        rows = rows[rows["n"].fillna(0) >= kpi.min_n]
        total_n = float(rows["n"].fillna(0).sum())
        if rows.empty or total_n <= 0:
            continue
        for row in rows.to_dict("records"):
            moved = worse_by(_num(row[change_column]), kpi.direction)
            if moved is None or moved <= 0:
                continue
            weight = moved if targets.additive(kpi) else moved * float(row["n"]) / total_n
            if best is None or weight > best.weight:
                best = Driver(dimension, str(row[dimension]), _num(row["value"]),
                              _num(row[change_column]), weight)
    return best


def _month_row(months: pd.DataFrame, kpi_id: str) -> dict[str, object] | None:
    rows = months[months["kpi"] == kpi_id] if len(months) else months
    return rows.iloc[0].to_dict() if len(rows) else None


def attention(total: pd.DataFrame, months: pd.DataFrame, splits: dict[str, pd.DataFrame],
              month_splits: Mapping[str, pd.DataFrame] | Callable[[], Mapping[str, pd.DataFrame]],
              catalog: Catalog, cmp: str = "prev",
              limit: int = 4, filtered: tuple[str, ...] = ()) -> pd.DataFrame:
    """The KPIs to read first (``COLUMNS``), worst first. ``total`` is the scorecard at grain
    "all", ``months`` the ``latest_months`` frame, ``splits`` the scorecard split by channel and by
    department, ``month_splits`` the same for the latest month alone (grain "all", so its
    change_prev is against the month before; or a function giving them, called only when a KPI
    turned red in the latest month alone, so they are computed only then); ``filtered`` names the dimensions narrowed to one
    member (never a driver then). A KPI listed for its latest month gets that month's driver.

    A KPI is listed when it is judged (red or amber, not provisional or not applicable) and either
    turned red (over the period against the comparison period, or in the latest month against the
    month before) or moved against its target; a red KPI with nothing to compare is listed after
    those. Severity: 2 for turning red, 1 for being red, plus the movement in bands."""
    change_column = f"change_{cmp}"
    rows: list[dict[str, object]] = []
    for row in total.to_dict("records") if len(total) else []:
        kpi = catalog.kpis.get(str(row["kpi"]))
        status = str(row.get("status") or "grey")
        if kpi is None or status not in ("red", "amber"):
            continue
        value, n = _num(row["value"]), _num(row["n"])
        target, red_flag = _num(row["target"]), _num(row["red_flag"])
        change = _num(row.get(change_column))
        was = _earlier_status(kpi, value, change, n, target, red_flag)
        moved = worse_by(change, kpi.direction)
        width = band(kpi, target, red_flag)
        month = _month_row(months, kpi.id)
        month_status = str(month["status"]) if month else ""
        month_change = _num(month["change"]) if month else None
        month_was = _earlier_status(kpi, _num(month["value"]), month_change, _num(month["n"]),
                                    _num(month["target"]), _num(month["red_flag"])) if month else ""
        turned = status == "red" and was not in ("", "red")
        month_turned = month_status == "red" and month_was not in ("", "red")
        month_moved = worse_by(month_change, kpi.direction) if month_status in ("red", "amber") \
            else None
        movement = max((m / width for m in (moved, month_moved) if m is not None and width),
                       default=0.0)
        if not (turned or month_turned or movement > 0 or status == "red"):
            continue
        reason = ("turned red" if turned else "turned red in the latest month" if month_turned
                  else "moved against target" if movement > 0 else "red")
        if month_turned and not turned:
            if callable(month_splits):  # asked for only when a KPI turned red in the month
                month_splits = dict(month_splits())
            found = driver(kpi, month_splits, "change_prev", filtered)
        else:
            found = driver(kpi, splits, change_column, filtered)
        rows.append({
            "kpi": kpi.id, "label": kpi.label, "unit": kpi.unit, "direction": kpi.direction,
            "reason": reason, "status": status, "was": was, "value": value, "change": change,
            "target": target, "month": month["period"] if month else None,
            "month_value": _num(month["value"]) if month else None, "month_change": month_change,
            "month_status": month_status,
            "month_target": _num(month["target"]) if month else None, "dimension": found.dimension if found else "",
            "driver": found.member if found else "", "driver_value": found.value if found else None,
            "driver_change": found.change if found else None,
            "severity": 2.0 * (turned or month_turned) + 1.0 * (status == "red") + movement})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values("severity", ascending=False, kind="stable").head(limit) \
        .reset_index(drop=True)


def latest_month(start: date, end: date, newest: datetime | date | None) -> date | None:
    """The first day of the newest whole calendar month inside [start, end] that the data covers
    to its last day (None when there is none)."""
    if newest is None:
        return None
    newest_day = newest.date() if isinstance(newest, datetime) else newest
    last = min(end, newest_day)
    month = last.replace(day=1)
    if periods.last_day(month) > last:  # the month is not over in the data: take the one before
        month = periods.shift(month, "month", -1)
    return month if month >= start.replace(day=1) else None


def latest_months(monthly: pd.DataFrame, month: date | None, cmp_column: str = "change_prev"
                  ) -> pd.DataFrame:
    """Per KPI the row of ``month`` in a monthly scorecard trend (total rows only): period, value,
    change (against the month before), status, n, target, red_flag, note, provisional."""
    columns = ["kpi", "period", "value", "change", "status", "n", "target", "red_flag", "note",
               "provisional"]
    if month is None or monthly.empty:
        return pd.DataFrame(columns=columns)
    rows = monthly[monthly["period"].map(lambda p: p == month)]
    out = rows.rename(columns={cmp_column: "change"})
    return out[columns].reset_index(drop=True)


def freshness(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per source system (contacts and survey responses): kind, records, first and newest local
    timestamp (UTC as stored; the page shows dates)."""
    return cursor.execute("""
        SELECT 'contacts' AS kind, source, count(*) AS records, min(opened_at) AS first,
               max(opened_at) AS newest
        FROM contacts GROUP BY source
        UNION ALL
        SELECT 'surveys', source, count(*), min(responded_at), max(responded_at)
        FROM survey_responses GROUP BY source
        ORDER BY kind, source""").fetchdf()


def stale_sources(fresh: pd.DataFrame, end: date) -> list[tuple[str, str, date]]:
    """(kind, source, newest day) of each source whose newest record is before the period's last
    day: the KPIs it feeds miss the rest of the period."""
    out = []
    for row in fresh.to_dict("records") if len(fresh) else []:
        newest = row["newest"]
        if newest is None or newest != newest:
            continue
        day = newest.date() if isinstance(newest, datetime) else newest
        if day < end:
            out.append((str(row["kind"]), str(row["source"]), day))
    return out
