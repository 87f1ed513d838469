"""The pure rules of the drill-down (Channels page): which breakdowns a KPI can have, what a
breakdown's bars measure, and where a comparison period is drawn. No Streamlit, tested directly.

* A breakdown by a dimension the KPI file does not declare (``-- dimensions:``) is not drawn: the
  file says why (unreachable attempts never reach a team).
* A breakdown that cannot vary is not drawn either: every member reading 0 % or 100 % means the
  member is decided by whether the contact counts (a "(none)" team at 100 %), and one member alone
  compares nothing.
* The reason Pareto ranks what a KPI adds up: its value for counts and costs (inbound contacts,
  avoidable cost), its numerator for percentages (failed attempts, repeats). A KPI that does not
  add up (a median, an average, a score) gets its value per reason instead, worst first.
* The comparison period is drawn at its counterpart dates: a previous period of whole months is
  moved by whole months (December under June when comparing six months with the six before), any
  other range by its length in days; each point keeps the dates it really covers for the hover. A
  period that starts before the data does is partial (it would start the line near zero) and is
  left out, with a caption that says so.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

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


def cannot_vary(frame: pd.DataFrame, unit: str, value: str = "value") -> str | None:
    """Why a breakdown of these rows (one per member, ``n`` > 0) tells nothing, else None."""
    values = frame[value].dropna()
    if len(values) < 2:
        return "all of it falls in one member"
    if unit == "percent" and values.isin([0.0, 100.0]).all():
        return ("every member reads 0 % or 100 %: the member is decided by whether a contact "
                "counts, so the split explains nothing")
    return None


def months_between(later: date, earlier: date) -> int | None:
    """Whole months from ``earlier`` to ``later`` when both are the first of a month, else None."""
    if later.day != 1 or earlier.day != 1:
        return None
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def aligned_comparison(earlier: pd.DataFrame, start: date, c_start: date,
                       first_day: date | None = None) -> pd.DataFrame:
    """The comparison period's rows (``period``, ``value``) moved onto the current range: columns
    period (where it is drawn), value and counterpart (the period it really is, as text)."""
    data = drop_partial(earlier.dropna(subset=["value"]), first_day)
    if data.empty:
        return pd.DataFrame(columns=["period", "value", "counterpart"])
    periods = pd.to_datetime(data["period"])
    months = months_between(start, c_start)
    if months is not None:
        moved = periods + pd.DateOffset(months=months)
    else:
        moved = periods + pd.Timedelta(days=(start - c_start).days)
    return pd.DataFrame({"period": moved.dt.date.to_numpy(), "value": data["value"].to_numpy(),
                         "counterpart": periods.dt.strftime("%Y-%m-%d").to_numpy()})


def drop_partial(frame: pd.DataFrame, first_day: date | None) -> pd.DataFrame:
    """Rows whose period starts before ``first_day`` (the first day with data) left out."""
    if first_day is None or frame.empty:
        return frame
    return frame[pd.to_datetime(frame["period"]) >= pd.Timestamp(first_day)]

