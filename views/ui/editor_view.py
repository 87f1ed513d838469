"""Pure helpers of the Metric editor page (no Streamlit): where a problem is, saved vs edited
values side by side, their chart (HTML lines, ``views.ui.timecharts``), the diff of two versions
of a KPI file, the KPI's own SQL and parameters, and the target in force with where it comes from.

The target rule is the scorecard's own (``facade.target_row``): the most specific row of the targets
table that is valid on the day wins, the KPI file's ``target``/``red_flag`` header is the fallback.
The editor shows the winning ROW (its scope and dates), not only its numbers.
"""

from __future__ import annotations

import difflib
import math
import textwrap
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import facade
from views.ui import htmlcharts, timecharts
from views.ui.charts import COMPARISON, NEUTRAL
from views.ui.tiles import format_value

NEW_KPI_TEMPLATE = """-- label: My new KPI
-- perspective: operational
-- description: What it counts and why.
-- unit: percent
-- direction: higher
-- min_n: 30
-- target: 80
-- red_flag: 60
-- weight: 1
SELECT
    count(*) FILTER (WHERE inbound AND handled) AS numerator,
    count(*) FILTER (WHERE inbound) AS denominator
FROM m_contacts
"""


def excerpt(text: str, line: int, column: int) -> str:
    """The offending line with a caret under the column (``line N | ...``), for a code block."""
    lines = text.splitlines() or [""]
    number = min(max(line, 1), len(lines))
    source = lines[number - 1]
    gutter = f"{number:>3} | "
    caret = " " * (len(gutter) + max(column, 1) - 1) + "^"
    return f"{gutter}{source}\n{caret}"


def problem_block(problem: str, text: str, line: int, column: int, width: int = 92) -> str:
    """A problem for a code block: ``file:line:col: message`` wrapped to ``width`` (a DuckDB
    message is long, and a code block scrolls instead of wrapping: the cause would be out of
    sight), then the file's line with a caret, never wrapped, so the caret stays under it."""
    wrapped = textwrap.fill(problem, width=width, subsequent_indent="    ",
                            break_long_words=False, break_on_hyphens=False)
    return f"{wrapped}\n" + excerpt(text, line, column)


def compare(saved: pd.DataFrame, edited: pd.DataFrame) -> pd.DataFrame:
    """Saved and edited values per period side by side: period, saved, edited, difference,
    saved_n, edited_n (a period present in only one side has an empty cell on the other)."""
    def side(frame: pd.DataFrame, name: str) -> pd.DataFrame:
        if frame.empty:
            return pd.DataFrame(columns=["period", name, f"{name}_n"])
        return frame[["period", "value", "n"]].rename(columns={"value": name, "n": f"{name}_n"})
    both = side(saved, "saved").merge(side(edited, "edited"), on="period", how="outer")
    both["saved"] = pd.to_numeric(both["saved"], errors="coerce")
    both["edited"] = pd.to_numeric(both["edited"], errors="coerce")
    both["difference"] = both["edited"] - both["saved"]
    ordered = ["period", "saved", "edited", "difference", "saved_n", "edited_n"]
    return both[ordered].sort_values("period", na_position="first").reset_index(drop=True)


def compare_chart(comparison: pd.DataFrame, label: str, unit: str = "", grain: str = "month",
                  currency: str = "EUR") -> str:
    """Saved (thick grey, under) and edited (blue, over) values per period as HTML lines
    (``views.ui.timecharts``, no Plotly): where the edit changes nothing the blue line lies on
    the grey one; the hover of a period lists both values in the KPI's unit."""
    def fmt(value: float) -> str:  # seconds as seconds: round ticks, and the table's numbers
        return f"{value:,.4g} s" if unit == "seconds" else format_value(value, unit, currency)

    series = [timecharts.Series(name="saved version", color=COMPARISON, style="thick",
                                values=[htmlcharts.number(v) for v in comparison["saved"]]),
              timecharts.Series(name="edited text", color=NEUTRAL,
                                values=[htmlcharts.number(v) for v in comparison["edited"]])]
    return timecharts.lines([timecharts.period_label(p, grain) for p in comparison["period"]],
                            series, title=f"{label}: saved vs edited", note=compare_note(comparison),
                            height=240,
                            axis=timecharts.Axis(fmt=fmt, zero=unit in ("count", "currency")))


def compare_note(comparison: pd.DataFrame) -> str:
    """How many periods the edit changes, in words (the lines lie on each other where none)."""
    saved, edited = comparison["saved"], comparison["edited"]
    same = (saved.isna() & edited.isna()) | ((saved - edited).abs() <= 1e-9)
    changed = int((~same).sum())
    if not changed:
        return ("The edited text gives the saved version's value in every period: the blue line "
                "lies on the grey one.")
    return f"The edited text changes {changed} of {len(comparison)} periods."


def diff(old: str, new: str, old_name: str = "saved", new_name: str = "edited") -> str:
    """A unified diff of two texts ('' when they are equal)."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), old_name, new_name))


def header_and_body(text: str) -> tuple[str, str]:
    """A KPI file split into its header (the leading ``--`` and blank lines) and its SQL body."""
    lines = text.splitlines(keepends=True)
    count = 0
    for line in lines:
        if line.strip() and not line.strip().startswith("--"):
            break
        count += 1
    return "".join(lines[:count]), "".join(lines[count:])


def parameter_rows(defaults: dict[str, object], bound: dict[str, object]) -> pd.DataFrame:
    """The values a statement runs with, one row each: the KPI's own parameters (header default
    and the value used) first, then what the page binds (date range, filter values)."""
    rows = [{"parameter": f"${name}", "value": str(bound.get(name, default)),
             "from": "KPI header (default)" if bound.get(name, default) == default
             else f"this page (default {default})"} for name, default in defaults.items()]
    for name, value in bound.items():
        if name in defaults:
            continue
        source = "date range" if name in ("period_start", "period_end") else "filter"
        rows.append({"parameter": f"${name}", "value": str(value), "from": source})
    return pd.DataFrame(rows, columns=["parameter", "value", "from"])


@dataclass(frozen=True)
class TargetInForce:
    """The target and red flag that judge a KPI in one scope, and the row they come from (None:
    the KPI file's header)."""

    target: float | None
    red_flag: float | None
    file_target: float | None
    file_red_flag: float | None
    row: dict[str, object] | None
    channel: str
    department: str
    day: date


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _day(value: object) -> date:
    return value if isinstance(value, date) and not isinstance(value, pd.Timestamp) \
        else date.fromisoformat(str(value)[:10])


def target_in_force(targets: pd.DataFrame, kpi_id: str, file_target: float | None,
                    file_red_flag: float | None, channel: str = "*", department: str = "*",
                    day: date | None = None) -> TargetInForce:
    """The targets row that applies to ``kpi_id`` in (channel, department) on ``day`` (most
    specific, then latest valid_from), else the file's header values."""
    day = day or date.today()
    chosen = facade.target_row(targets, kpi_id, channel, department, day)
    if chosen is None:
        return TargetInForce(file_target, file_red_flag, file_target, file_red_flag, None,
                             channel, department, day)
    return TargetInForce(_number(chosen["target"]), _number(chosen["red_flag"]), file_target,
                         file_red_flag, chosen, channel, department, day)


UNIT_SUFFIX = {"seconds": " s", "percent": " %", "points": " pts"}


def amount(value: float | None, unit: str, currency: str = "EUR") -> str:
    """A target as written (420 s, 85 %, EUR 2.5), unrounded: it is a setting, not a measure."""
    if value is None:
        return "none"
    text = f"{value:,.10g}"
    return f"{currency} {text}" if unit == "currency" else text + UNIT_SUFFIX.get(unit, "")


def _scope(value: str, plural: str) -> str:
    return f"all {plural}" if value == "*" else value


def target_sentence(t: TargetInForce, unit: str, currency: str = "EUR",
                    per_month: bool = False) -> str:
    """What judges this KPI and why: "Target in force: 420 s, red flag 600 s (targets table, all
    channels, all departments, from 2024-01-01); the file's default 360 s is overridden". Targets
    of sums and counts are monthly (the scorecard prorates them): ``per_month`` says so."""
    sentence = _sentence(t, unit, currency)
    if per_month and t.target is not None:
        sentence += " Targets of sums and counts are per month; other periods are prorated."
    return sentence


def _sentence(t: TargetInForce, unit: str, currency: str) -> str:
    scope = f"{_scope(t.channel, 'channels')}, {_scope(t.department, 'departments')}"
    if t.row is None:
        if t.target is None:
            return (f"No target in force ({scope}, {t.day}): neither the targets table nor the "
                    "file's header gives one, so this KPI is not scored.")
        return (f"Target in force: {amount(t.target, unit, currency)}, red flag "
                f"{amount(t.red_flag, unit, currency)} (the file's header: no row of the targets "
                f"table applies to {scope} on {t.day}).")
    row = t.row
    valid_from, valid_to = _day(row["valid_from"]), _day(row["valid_to"])
    dates = " ".join(filter(None, (
        f"from {valid_from}" if valid_from > date(1900, 1, 1) else "",
        f"to {valid_to}" if valid_to < date(9999, 12, 31) else ""))) or "no start or end date"
    row_scope = (f"{_scope(str(row['channel']), 'channels')}, "
                 f"{_scope(str(row['department']), 'departments')}")
    return (f"Target in force: {amount(t.target, unit, currency)}, red flag "
            f"{amount(t.red_flag, unit, currency)} (targets table, {row_scope}, {dates}); "
            f"{_overridden(t, unit, currency)}.")


def _overridden(t: TargetInForce, unit: str, currency: str) -> str:
    """What the targets row overrides in the file's header, in words."""
    if t.file_target is None and t.file_red_flag is None:
        return "the file's header has no default"
    changed = [f"{label} {amount(file, unit, currency)}" for label, file, used in (
        ("default", t.file_target, t.target), ("red flag", t.file_red_flag, t.red_flag))
        if file != used]
    if not changed:
        return "the file's header says the same"
    return "the file's " + " and ".join(changed) + (" are" if len(changed) > 1 else " is") \
        + " overridden"
