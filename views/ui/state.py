"""The global filters and their URL form: pure functions, tested without Streamlit.

Every view is a link: period, grain, comparison, channel and department live in the query string
(``?from=2026-01-01&to=2026-06-30&grain=month&cmp=prev&channel=phone,chat&dept=Finance``). Unknown
values in a URL are dropped with a notice, never an exception (Datasette's rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

GRAINS = ("day", "week", "month", "quarter")
COMPARISONS = {"prev": "previous period", "yoy": "same period last year"}


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    grain: str = "month"
    cmp: str = "prev"
    channels: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()

    def with_(self, **changes: object) -> Filters:
        return replace(self, **changes)  # type: ignore[arg-type]

    def as_filter_map(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        if self.channels:
            out["channel"] = self.channels
        if self.departments:
            out["department"] = self.departments
        return out


PERIOD_MONTHS = {"last_month": 1, "last_3_months": 3, "last_6_months": 6, "last_12_months": 12}


def _month_shift(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_filters(last_day: date | None, today: date, period: str = "last_6_months") -> Filters:
    """Whole months (``period``: a ``metrics.settings.DEFAULT_PERIODS`` key) ending with the newest
    month the data covers to its last day: data to 3 December opens on June to November, never on a
    December of three days compared with three days of November. Without data: up to today's month."""
    newest = last_day or today
    following = _month_shift(newest, 1)
    if (following - newest).days != 1:  # the newest month is not over in the data
        following = newest.replace(day=1)
    end = date.fromordinal(following.toordinal() - 1)
    if period == "year_to_date":
        return Filters(start=date(end.year, 1, 1), end=end)
    return Filters(start=_month_shift(following, -PERIOD_MONTHS.get(period, 6)), end=end)


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _many(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [v.strip() for item in items for v in item.split(",") if v.strip()]


def decode(params: Mapping[str, str | list[str]], defaults: Filters,
           channels: Iterable[str], departments: Iterable[str]) -> tuple[Filters, list[str]]:
    """URL query parameters -> Filters, plus a notice for every value that was ignored."""
    notices: list[str] = []
    f = defaults
    for key, field in (("from", "start"), ("to", "end")):
        raw = _first(params.get(key))
        if raw:
            try:
                f = f.with_(**{field: date.fromisoformat(raw)})
            except ValueError:
                notices.append(f"ignored {key}={raw!r}: not a date (use YYYY-MM-DD)")
    if f.start > f.end:
        notices.append("ignored a period that ends before it starts")
        f = f.with_(start=defaults.start, end=defaults.end)
    for key, allowed, hint in (("grain", GRAINS, ", ".join(GRAINS)), ("cmp", COMPARISONS, "prev or yoy")):
        value = _first(params.get(key))
        if value and value in allowed:
            f = f.with_(**{key: value})
        elif value:
            notices.append(f"ignored {key}={value!r} (use {hint})")
    for key, field, known in (("channel", "channels", set(channels)),
                              ("dept", "departments", set(departments))):
        values = _many(params.get(key))
        good = tuple(v for v in values if v in known)
        bad = [v for v in values if v not in known]
        if bad:
            notices.append(f"ignored unknown {key}: {', '.join(bad)}")
        f = f.with_(**{field: good})
    return f, notices


def encode(f: Filters) -> dict[str, str]:
    """Filters -> URL query parameters (only what is set)."""
    out = {"from": f.start.isoformat(), "to": f.end.isoformat(), "grain": f.grain, "cmp": f.cmp}
    if f.channels:
        out["channel"] = ",".join(f.channels)
    if f.departments:
        out["dept"] = ",".join(f.departments)
    return out


def link(page: str, f: Filters, **extra: str) -> str:
    """A relative link to ``page`` with the filters (and extra parameters such as kpi=...)."""
    from urllib.parse import urlencode

    return f"/{page}?{urlencode({**encode(f), **extra})}"
