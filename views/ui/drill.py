"""The pure rules of the drill-down (Channels page): which breakdowns a KPI can have, what a
breakdown's bars measure, and where a comparison period is drawn. No Streamlit, tested directly.

* A breakdown by a dimension the KPI file does not declare (``-- dimensions:``) is not drawn: the
  file says why (unreachable attempts never reach a team).
* A breakdown that cannot vary is not drawn either: members reading 0 % and 100 % and nothing in
  between means the member is decided by whether the contact counts (a "(none)" team at 100 %, every
  real team at 0 %), and one member alone compares nothing. Every member at 0 % (a quiet week without
  abandoned calls) is a real result and is drawn.
* The reason Pareto ranks what a KPI adds up: its value for counts and costs (inbound contacts,
  avoidable cost), its numerator for percentages (failed attempts, repeats). A KPI that does not
  add up (a median, an average, a score) gets its value per reason instead, worst first.
* The comparison period is drawn at its counterpart dates: its n-th period (day, week, month or
  quarter) under the current range's n-th period, so December is drawn under June when six months
  are compared with the six before, and a range that does not start on the 1st still pairs month
  with month; each point keeps the dates it really covers for the hover. A period that starts
  before the data does is partial (it would start the line near zero) and is left out, with a
  caption that says so.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import facade

ADDITIVE_UNITS = ("count", "currency")


def amount_column(kind: str, unit: str) -> str | None:
    """The column a Pareto of this KPI ranks (``value`` or ``numerator``), None if it does not add."""
    if kind == "value" and unit in ADDITIVE_UNITS:
        return "value"
    if kind == "ratio" and unit == "percent":
        return "numerator"
    return None


def amount_title(label: str, kind: str, unit: str) -> str:
    """What the Pareto's bars count, in words."""
    if amount_column(kind, unit) == "numerator":
        return f"{label}: contacts counted (numerator)"
    return label


ALL_OR_NOTHING = ("every member reads 0 % or 100 %: the member is decided by whether a contact "
                  "counts, so the split explains nothing")


def all_or_nothing(frame: pd.DataFrame, unit: str, value: str = "value") -> bool:
    """Whether a percentage split reads only 0 % and 100 % (at least one of each)."""
    values = frame[value].dropna()
    return unit == "percent" and values.isin([0.0, 100.0]).all() and values.nunique() == 2


def cannot_vary(frame: pd.DataFrame, unit: str, value: str = "value") -> str | None:
    """Why a breakdown of these rows (one per member, ``n`` > 0) tells nothing, else None."""
    if len(frame[value].dropna()) < 2:
        return "all of it falls in one member"
    return ALL_OR_NOTHING if all_or_nothing(frame, unit, value) else None


def buckets(start: date, end: date, grain: str) -> list[date]:
    """The periods of [start, end] at ``grain`` (their first days), with or without data."""
    return facade.period_starts(start, end, grain)


def aligned_comparison(earlier: pd.DataFrame, current: tuple[date, date],
                       compared: tuple[date, date], grain: str,
                       first_day: date | None = None) -> pd.DataFrame:
    """The comparison period's rows (``period``, ``value``) drawn under the current range: the
    n-th period of the comparison range at the n-th period of the current one (March under March
    when six months are compared with six, a Monday under a Monday, day by day for days). Columns
    period (where it is drawn), value and counterpart (the period it really is, as text); periods
    beyond the current range's last one are left out."""
    data = drop_partial(earlier.dropna(subset=["value"]), first_day)
    there = dict(zip(buckets(*compared, grain), buckets(*current, grain), strict=False))
    data = data[[period in there for period in pd.to_datetime(data["period"]).dt.date]]
    if data.empty:
        return pd.DataFrame(columns=["period", "value", "counterpart"])
    periods = pd.to_datetime(data["period"]).dt.date
    return pd.DataFrame({"period": [there[p] for p in periods], "value": data["value"].to_numpy(),
                         "counterpart": [f"{p:%Y-%m-%d}" for p in periods]})


def drop_partial(frame: pd.DataFrame, first_day: date | None) -> pd.DataFrame:
    """Rows whose period starts before ``first_day`` (the first day with data) left out."""
    if first_day is None or frame.empty:
        return frame
    return frame[pd.to_datetime(frame["period"]) >= pd.Timestamp(first_day)]

