"""Warehouse settings the Data page edits: time zones, opening hours, phone region, service
department.

Settings are rows of the ``settings`` table (key, text value); the models read some of them at
build time (``business_timezone`` buckets periods, ``service_department`` decides which avoidable
contacts the service caused), so a change to those rebuilds the models in the same transaction.
``validate`` is pure and returns every problem as 'key: message', so the page can show them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from sql import warehouse

EDITABLE = ("business_timezone", "import_timezone", "default_phone_region", "opening_hours",
            "service_department", "date_order", "default_period", "company_name")
# date_order: how an import reads a date column of only ambiguous values (08/01/2025) when the format
# has no documented order and no --dates is given (connectors.dates): dmy, mdy or ymd.
DATE_ORDERS = ("dmy", "mdy", "ymd")
# default_period: the range a page opens on when its link names none, in whole months ending with
# the newest month the data covers to its last day (views.ui.state.default_filters).
DEFAULT_PERIODS = {"last_month": "the latest whole month", "last_3_months": "the last 3 whole months",
                   "last_6_months": "the last 6 whole months",
                   "last_12_months": "the last 12 whole months",
                   "year_to_date": "the year to date (whole months)"}
DEFAULTS = {"business_timezone": "UTC", "import_timezone": "UTC", "default_phone_region": "DE",
            "opening_hours": "{}", "service_department": "Customer Service", "date_order": "mdy",
            "default_period": "last_6_months", "company_name": ""}
# company_name: the name on the board pack's cover and footer (views.ui.boardpack); "" = none.
COMPANY_NAME_MAX = 80
REBUILD_ON = ("business_timezone", "service_department")
_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


class SettingsError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def read(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every editable setting (defaults filled in) plus any other key the table holds."""
    rows = con.execute("SELECT key, value FROM settings").fetchall()
    found = {str(k): str(v) for k, v in rows if v is not None}
    return {**DEFAULTS, **found}


def parse_hours(raw: str) -> dict[str, str]:
    """``{"phone": "08:00-20:00"}`` text -> dict (raises ValueError with a readable message)."""
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(value, dict):
        raise ValueError('must be an object such as {"phone": "08:00-20:00"}')
    for channel, span in value.items():
        if not isinstance(span, str) or not _HOURS.match(span):
            raise ValueError(f"{channel}: '{span}' is not HH:MM-HH:MM")
        start, end = span.split("-")
        if end <= start:
            raise ValueError(f"{channel}: closes ({end}) before it opens ({start})")
    return {str(k): str(v) for k, v in value.items()}


def validate(values: Mapping[str, str]) -> list[str]:
    """Problems of the given settings, one 'key: message' each (empty = all good)."""
    problems = []
    for key, raw in values.items():
        value = (raw or "").strip()
        if key not in EDITABLE:
            problems.append(f"{key}: not an editable setting ({', '.join(EDITABLE)})")
        elif key.endswith("_timezone"):
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                problems.append(f"{key}: '{value}' is not an IANA time zone (e.g. Europe/Berlin)")
        elif key == "default_phone_region":
            if not re.fullmatch(r"[A-Z]{2}", value):
                problems.append(f"{key}: '{value}' is not a two-letter region code (e.g. DE, US)")
        elif key == "opening_hours":
            try:
                parse_hours(value)
            except ValueError as exc:
                problems.append(f"{key}: {exc}")
        elif key == "date_order" and value not in DATE_ORDERS:
            problems.append(f"{key}: '{value}' must be one of {', '.join(DATE_ORDERS)} "
                            "(day/month/year order of ambiguous dates such as 08/01/2025)")
        elif key == "default_period" and value not in DEFAULT_PERIODS:
            problems.append(f"{key}: '{value}' must be one of {', '.join(DEFAULT_PERIODS)}")
        elif key == "company_name" and len(value) > COMPANY_NAME_MAX:
            problems.append(f"{key}: at most {COMPANY_NAME_MAX} characters")
        elif key == "service_department" and not value:
            problems.append(f"{key}: must not be empty")
    return problems


def write(con: duckdb.DuckDBPyConnection, values: Mapping[str, str]) -> list[str]:
    """Validate and store ``values`` in one transaction, rebuilding the models when a setting they
    read changed. Returns the keys that changed; raises SettingsError (nothing written)."""
    problems = validate(values)
    if problems:
        raise SettingsError(problems)
    current = read(con)
    changed = [k for k, v in values.items() if current.get(k) != v.strip()]
    if not changed:
        return []
    with warehouse.transaction(con):
        for key in changed:
            warehouse.set_setting(con, key, values[key].strip())
        if any(k in REBUILD_ON for k in changed):
            warehouse.refresh_models(con)
    return changed
