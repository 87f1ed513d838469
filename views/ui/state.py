"""The global filters and their URL form: pure functions, tested without Streamlit.

Every view is a link: period, grain, comparison and the member filters (channel, owning
department, reason, queue, team) live in the query string
(``?from=2026-01-01&to=2026-06-30&grain=month&cmp=prev&channel=phone,chat&dept=Finance&reason=x``).
A click on a chart sets the same member filter as the sidebar (``MEMBER_FILTERS`` is the one list of
them). Unknown values in a URL are dropped with a notice, never an exception (Datasette's rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

GRAINS = ("day", "week", "month", "quarter")
COMPARISONS = {"prev": "previous period", "yoy": "same period last year"}


@dataclass(frozen=True)
class MemberFilter:
    """One filter on the members of a dimension: its URL key, ``Filters`` field, the model's
    dimension it filters, its sidebar label and what the sidebar says when nothing is chosen."""
    key: str
    field: str
    dimension: str
    label: str
    everything: str


MEMBER_FILTERS = (
    MemberFilter("channel", "channels", "channel", "Channel", "all channels"),
    MemberFilter("dept", "departments", "department", "Owning department", "all departments"),
    MemberFilter("reason", "reasons", "reason", "Reason", "all reasons"),
    MemberFilter("queue", "queues", "queue", "Queue", "all queues"),
    MemberFilter("team", "teams", "team", "Team", "all teams"),
)
BY_DIMENSION = {m.dimension: m for m in MEMBER_FILTERS}


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    grain: str = "month"
    cmp: str = "prev"
    channels: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    def with_(self, **changes: object) -> Filters:
        return replace(self, **changes)  # type: ignore[arg-type]

    def members(self, dimension: str) -> tuple[str, ...]:
        """The chosen members of ``dimension`` (channel, department, reason, queue, team)."""
        return tuple(getattr(self, BY_DIMENSION[dimension].field))

    def with_member(self, dimension: str, members: Iterable[str]) -> Filters:
        return self.with_(**{BY_DIMENSION[dimension].field: tuple(members)})

    def as_filter_map(self, without: Iterable[str] = ()) -> dict[str, tuple[str, ...]]:
        """dimension -> chosen members, for a ``facade.Query``; ``without`` leaves dimensions out
        (a breakdown by channel shows every channel, the chosen ones highlighted)."""
        skip = set(without)
        return {m.dimension: self.members(m.dimension) for m in MEMBER_FILTERS
                if self.members(m.dimension) and m.dimension not in skip}


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
           known: Mapping[str, Iterable[str]]) -> tuple[Filters, list[str]]:
    """URL query parameters -> Filters, plus a notice for every value that was ignored. ``known``
    maps a dimension (channel, department, ...) to its members in the warehouse; a member filter
    whose dimension is not in ``known`` is taken as it is."""
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
    for member in MEMBER_FILTERS:
        values = list(dict.fromkeys(_many(params.get(member.key))))
        members = set(known[member.dimension]) if member.dimension in known else set(values)
        bad = [v for v in values if v not in members]
        if bad:
            notices.append(f"ignored unknown {member.key}: {', '.join(bad)}")
        f = f.with_(**{member.field: tuple(v for v in values if v in members)})
    return f, notices


def encode(f: Filters) -> dict[str, str]:
    """Filters -> URL query parameters (only what is set)."""
    out = {"from": f.start.isoformat(), "to": f.end.isoformat(), "grain": f.grain, "cmp": f.cmp}
    for member in MEMBER_FILTERS:
        if f.members(member.dimension):
            out[member.key] = ",".join(f.members(member.dimension))
    return out


def scope_parts(f: Filters, channels: str = "all channels",
                departments: str = "all departments") -> list[str]:
    """["phone, chat", "Finance", "reason delivery_status", "team Backoffice"]: the channels and the
    departments always (``channels``/``departments`` when none is chosen), then every other member
    filter that is set, so a header, a file or a PDF never hides a filter it is built under."""
    parts = [", ".join(f.channels) or channels, ", ".join(f.departments) or departments]
    for member in MEMBER_FILTERS:
        if member.dimension not in ("channel", "department") and f.members(member.dimension):
            parts.append(f"{member.key} " + ", ".join(f.members(member.dimension)))
    return parts


def scope_words(f: Filters) -> str:
    """The member filters in words ("phone, chat; Finance; reason delivery_status"), or "all
    channels and departments": what a screenshot, a legend or a file must say it covers."""
    parts = []
    for member in MEMBER_FILTERS:
        chosen = f.members(member.dimension)
        if chosen:
            prefix = "" if member.dimension in ("channel", "department") else f"{member.key} "
            parts.append(prefix + ", ".join(chosen))
    return "; ".join(parts) or "all channels and departments"


def link(page: str, f: Filters, **extra: str) -> str:
    """A relative link to ``page`` with the filters (and extra parameters such as kpi=...)."""
    from urllib.parse import urlencode

    return f"/{page}?{urlencode({**encode(f), **extra})}"
