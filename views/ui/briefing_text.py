"""The sentences of the executive briefing, as pure functions shared by the Scorecard page and the
board pack: one sentence per KPI that needs attention, the scope line and the freshness line.

Plain text (no markdown), so the PDF and the page say exactly the same words.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from views.ui.state import COMPARISONS, Filters, scope_parts
from views.ui.tiles import STATUS_WORDS, format_change, format_value, missing

SOURCE_NAMES = {"zendesk": "Zendesk", "amazon_connect": "Amazon Connect", "qualtrics": "Qualtrics",
                "salesforce": "Salesforce", "asterisk": "Asterisk", "twilio": "Twilio",
                "freshdesk": "Freshdesk", "genesys": "Genesys", "servicenow": "ServiceNow",
                "generic": "mapped file", "medallia": "Medallia", "hubspot": "HubSpot"}


def month_name(period: object) -> str:
    """"November 2026" for a month's first day ('' when missing)."""
    return period.strftime("%B %Y") if isinstance(period, date) else ""


def _short_month(period: object) -> str:
    return period.strftime("%b") if isinstance(period, date) else ""


def driver_text(row: dict[str, object], currency: str, change_label: str) -> str:
    """"Mostly phone: 21.4 % (+13.7 pp)." ('' when no channel or department drives it)."""
    member = row.get("driver")
    if not member:
        return ""
    unit = str(row["unit"])
    what = f"{member} (owning department)" if row.get("dimension") == "department" else str(member)
    change = row.get("driver_change")
    moved = "" if missing(change) else \
        f" ({format_change(change, unit, currency)}{' ' + change_label if change_label else ''})"
    return f"Mostly {what}: {format_value(row.get('driver_value'), unit, currency)}{moved}."


def attention_sentence(row: dict[str, object], currency: str, cmp: str) -> str:
    """One sentence for a row of ``facade.attention``: what happened, the value and its change,
    the target, and what drives it."""
    unit, label = str(row["unit"]), str(row["label"])
    by_month = row.get("reason") == "turned red in the latest month"
    target = row.get("month_target" if by_month else "target")
    sign = "≥" if row.get("direction") == "higher" else "≤"
    target_text = "" if missing(target) else f", target {sign} {format_value(target, unit, currency)}"
    if by_month:
        month = row.get("month")
        prior = _short_month(month - pd.DateOffset(months=1)) if isinstance(month, date) else ""
        head = (f"{label} beyond its red flag in {_short_month(month)} "
                f"{month.year if isinstance(month, date) else ''}: "
                f"{format_value(row.get('month_value'), unit, currency)} "
                f"({format_change(row.get('month_change'), unit, currency)} on {prior}"
                f"{target_text}).")
        return f"{head} {driver_text(row, currency, '')}".strip()
    change_label = f"vs {COMPARISONS.get(cmp, cmp)}"
    change = row.get("change")
    moved = "" if missing(change) else f" ({format_change(change, unit, currency)} {change_label}"
    moved += target_text + ")" if moved else (f" ({target_text[2:]})" if target_text else "")
    verb = {"turned red": "turned red", "moved against target": "moved away from target",
            "red": "is beyond its red flag"}.get(str(row.get("reason")), str(row.get("reason")))
    status = STATUS_WORDS.get(str(row.get("status")), "")
    head = f"{label} {verb}: {format_value(row.get('value'), unit, currency)}{moved}"
    if row.get("reason") == "moved against target" and status:
        head += f", {status}"
    return f"{head}. {driver_text(row, currency, '')}".strip()


def scope_text(filters: Filters, channels_label: str = "all channels",
               departments_label: str = "all departments") -> str:
    """"All channels · all departments · 2026-06-01 to 2026-11-30 · vs 2025-12-01 to 2026-05-31"
    (the comparison range is passed in by the caller through ``comparison``)."""
    parts = scope_parts(filters, channels_label, departments_label)
    return " · ".join([*parts, f"{filters.start} to {filters.end}"])


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def freshness_text(fresh: pd.DataFrame, end: date) -> tuple[str, list[str]]:
    """("Data: contacts to 03 Dec 2026 (Amazon Connect, Zendesk) · survey responses to ...",
    warnings): the newest day per source, sources of one kind and day together, and one warning
    per source that ends before the period does."""
    if fresh.empty:
        return "", []
    days: dict[str, dict[date, list[str]]] = {}
    warnings = []
    for row in fresh.to_dict("records"):
        day = _day(row["newest"])
        if day is None:
            continue
        name = SOURCE_NAMES.get(str(row["source"]), str(row["source"]))
        kind = "survey responses" if row["kind"] == "surveys" else "contacts"
        days.setdefault(kind, {}).setdefault(day, []).append(name)
        if day < end:
            warnings.append(f"{name} {kind} end on {day:%d %b %Y}, before the period does "
                            f"({end:%d %b %Y}): the KPIs they feed miss the days after.")
    parts = [f"{kind} to " + ", ".join(f"{day:%d %b %Y} ({', '.join(names)})"
                                       for day, names in sorted(by_day.items(), reverse=True))
             for kind, by_day in days.items()]
    return "Data: " + " · ".join(parts), warnings
