"""The query object: what a page asks for, as a small frozen value.

It holds primitives only (tuples, strings, dates), so it is hashable and is itself the cache key of
the facade; it validates its own vocabulary (grains, dimensions) so a bad URL value fails here, with
a readable message, before any SQL is built. MetricFlow's request object grew into a bag of
parameters; this one stays at seven fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from metrics.catalog import DIMENSIONS, TIME_OF_WEEK, ParamValue

GRAINS = ("day", "week", "month", "quarter", "year", "all")

Filters = tuple[tuple[str, tuple[str, ...]], ...]
Params = tuple[tuple[str, ParamValue], ...]


class QueryError(ValueError):
    """A query asks for something that does not exist (unknown grain, dimension or KPI)."""


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True)
class Query:
    """KPIs at a grain over an inclusive local-date range, grouped by dimensions, filtered.

    ``filters`` is a tuple of ``(dimension, (value, ...))``; ``params`` overrides KPI parameters by
    name (``(("repeat_window_days", 30),)``). Use ``Query.of`` to build one from lists and dicts.
    """

    kpis: tuple[str, ...]
    grain: str = "month"
    start: date | None = None
    end: date | None = None
    dimensions: tuple[str, ...] = ()
    filters: Filters = ()
    params: Params = ()

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise QueryError(f"unknown grain '{self.grain}' (use one of {', '.join(GRAINS)})")
        for dim in self.dimensions:
            if dim not in DIMENSIONS + TIME_OF_WEEK:
                raise QueryError(f"unknown dimension '{dim}' "
                                 f"(use {', '.join(DIMENSIONS + TIME_OF_WEEK)})")
        if len(set(self.dimensions)) != len(self.dimensions):
            raise QueryError("a dimension is given twice")
        for dim, values in self.filters:
            if dim not in DIMENSIONS:
                raise QueryError(f"cannot filter on '{dim}' (use {', '.join(DIMENSIONS)})")
            if not isinstance(values, tuple):
                raise QueryError("filter values must be a tuple")
        if self.start and self.end and self.start > self.end:
            raise QueryError(f"the range starts ({self.start}) after it ends ({self.end})")

    @classmethod
    def of(
        cls,
        kpis: str | Iterable[str],
        grain: str = "month",
        start: date | str | None = None,
        end: date | str | None = None,
        dimensions: Iterable[str] = (),
        filters: Mapping[str, str | Iterable[str]] | None = None,
        params: Mapping[str, ParamValue] | None = None,
    ) -> Query:
        """Build a query from friendly types (lists, dicts, ISO date strings); order-insensitive
        parts (filters, params) are sorted so equal queries hash equal."""
        kpi_ids = (kpis,) if isinstance(kpis, str) else tuple(kpis)
        pairs: list[tuple[str, tuple[str, ...]]] = []
        for dim, values in sorted((filters or {}).items()):
            vals = (values,) if isinstance(values, str) else tuple(sorted(str(v) for v in values))
            if vals:
                pairs.append((dim, vals))
        return cls(kpi_ids, grain, _as_date(start), _as_date(end), tuple(dimensions), tuple(pairs),
                   tuple(sorted((params or {}).items())))

    def with_(self, **changes: object) -> Query:
        """A copy with some fields changed (``q.with_(grain="week")``)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def filter_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.filters)

    @property
    def param_map(self) -> dict[str, ParamValue]:
        return dict(self.params)


def period_start(day: date, grain: str) -> date:
    """The first day of the period ``day`` falls in (weeks start on Monday, as date_trunc)."""
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    return day


def shift(day: date, grain: str, periods: int) -> date:
    """``day`` moved by whole periods of ``grain`` (months keep the first of the month)."""
    if grain == "day":
        return day + timedelta(days=periods)
    if grain == "week":
        return day + timedelta(weeks=periods)
    months = {"month": 1, "quarter": 3, "year": 12}.get(grain)
    if months is None:
        raise QueryError(f"cannot shift by grain '{grain}'")
    total = day.year * 12 + day.month - 1 + months * periods
    return day.replace(year=total // 12, month=total % 12 + 1, day=1)
