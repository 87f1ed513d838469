"""Comparison periods and period arithmetic (kpis.md "Previous period", "Same period last year").

* Previous period: a range of whole calendar months (so also whole quarters and years) is compared
  with the same number of whole months just before it (March -> February, Q2 -> Q1); any other
  range with the same number of days just before (a week Monday-Sunday is seven days, so whole
  weeks follow this rule too).
* Same period last year: the same dates a year earlier; a range of whole months takes the same whole
  months (February 2025 -> 1-29 February 2024). 29 February of a single date becomes the 28th.
* At a grain (a trend), each period is compared with the period before it, or with the same period a
  year earlier (52 weeks for weeks).
"""

from __future__ import annotations

from datetime import date, timedelta

from metrics.query import Query, period_start, shift


def period_starts(start: date, end: date, grain: str) -> list[date]:
    """The first day of every ``grain`` period (day, week from Monday, month, quarter, year) that
    [start, end] touches, in order: the periods a trend of that range has, with or without data."""
    out, day = [], period_start(start, grain)
    while day <= end:
        out.append(day)
        day = shift(day, grain, 1)
    return out


def last_day(day: date) -> date:
    return shift(day, "month", 1) - timedelta(days=1)


def whole_months(start: date, end: date) -> int:
    """How many whole calendar months [start, end] covers exactly, 0 if it is not whole months."""
    if start.day != 1 or end != last_day(end):
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _year_back(day: date) -> date:
    return day.replace(year=day.year - 1, day=28) if (day.month, day.day) == (2, 29) \
        else day.replace(year=day.year - 1)


def comparison_range(start: date, end: date, cmp: str) -> tuple[date, date]:
    """The range ``[start, end]`` is compared with: ``prev`` or ``yoy``."""
    months = whole_months(start, end)
    if cmp == "yoy":
        if months:
            return shift(start, "month", -12), last_day(shift(end, "month", -12))
        return _year_back(start), _year_back(end)
    if months:
        return shift(start, "month", -months), start - timedelta(days=1)
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def comparison_period(period: date, grain: str, cmp: str) -> date:
    """The first day of the period a trend's ``period`` is compared with."""
    if cmp == "yoy":
        if grain == "week":
            return period - timedelta(weeks=52)
        if grain in ("month", "quarter", "year"):
            return shift(period, "month", -12)
        return _year_back(period)
    return shift(period, grain, -1)


def history_start(start: date, grain: str, compare: tuple[str, ...] = ("prev", "yoy")) -> date:
    """The first day a trend starting at ``start`` needs for its comparisons (``compare``: prev,
    yoy or both; none needs no earlier day)."""
    first = period_start(start, grain)
    return min((comparison_period(first, grain, cmp) for cmp in compare), default=start)


def row_range(period: object, query: Query) -> tuple[date | None, date | None]:
    """The inclusive local dates a result row covers: its period within the query's range (grain
    "all": the query's range, None where it is open)."""
    if isinstance(period, date) and query.grain != "all":
        start, end = period, shift(period, query.grain, 1) - timedelta(days=1)
        if query.start is not None:
            start = max(start, query.start)
        if query.end is not None:
            end = min(end, query.end)
        return start, end
    return query.start, query.end


def months_in(start: date, end: date) -> float:
    """The length of ``[start, end]`` in months: each calendar month counts the share of its days
    the range covers (15 days of January = 15/31, all of February = 1)."""
    total = 0.0
    first = start.replace(day=1)
    while first <= end:
        last = last_day(first)
        covered = (min(end, last) - max(start, first)).days + 1
        total += covered / last.day
        first = shift(first, "month", 1)
    return total
