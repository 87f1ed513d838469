"""What a number means beyond its value (kpis.md "Scorecard semantics"): provisional, not applicable,
built on data an audit flagged, or moved by the channel mix rather than by the channels.

Pure pandas over runner/scorecard frames plus a few small reads of the warehouse (its data span, the
latest audit findings). ``metrics.scorecard`` calls these; pages read the resulting columns:

* ``applicable`` - False when the query splits or filters by a dimension the KPI does not declare
  (``-- dimensions:``): its value is blanked, never shown as 0 % or 100 %.
* ``provisional`` + ``final_on`` - a forward-looking KPI (``-- looks_forward:``) for a period that
  holds contacts opened less than its window before the newest data; ``final_on`` is the first day
  on which data up to the end of that window exists. ``looks_forward: open tickets`` is provisional
  while tickets of the period are open (``final_on`` unknown, the note says how many).
* ``data_issues`` - the latest audit findings whose audit names the KPI (``-- kpis:`` header).
* ``mix_effect`` - the total moved one way while every channel moved the other.
* ``note`` - one line saying why a value gets no status (the first reason that applies).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from metrics import periods, runner
from metrics.catalog import KPI, TIME_OF_WEEK, TIMED_MODELS, Catalog
from metrics.compiler import kpi_params
from metrics.query import Query
from metrics.rollups import Rollup
from sql import warehouse

log = logging.getLogger(__name__)
OPEN_TICKETS = KPI(
    id="_open_tickets", label="Open tickets", perspective="operational", unit="count",
    direction="lower", model="m_contacts", kind="value", has_n=True,
    sql="SELECT count(*) FILTER (WHERE inbound AND is_ticket AND NOT solved) AS value,\n"
        "       count(*) FILTER (WHERE inbound AND is_ticket) AS n\nFROM m_contacts")
_AUDIT_KPIS = re.compile(r"^--\s*kpis:\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Span:
    """The first local day and the newest local timestamp of a model's rows (None when empty)."""

    first: date | None
    newest: datetime | None


def data_span(cursor: duckdb.DuckDBPyConnection) -> dict[str, Span]:
    """Per model, what time its data covers (business time zone)."""
    spans: dict[str, Span] = {}
    for model in ("m_contacts", "m_surveys"):
        row = warehouse.one(cursor, f"SELECT min(local_at), max(local_at) FROM {model}")
        first, newest = (row or (None, None))
        spans[model] = Span(first.date() if first is not None else None, newest)
    spans["m_demand"] = spans["m_contacts"]
    return spans


def not_applicable_dims(kpi: KPI, query: Query) -> list[str]:
    """The dimensions of ``query`` (split or filter) that ``kpi`` cannot be read by. A filter to
    several values of the dimension a spread KPI spreads over keeps it readable (the gap between
    phone and chat); one value, or a split by it, does not. The time of week (weekday, hour) reads
    every KPI over timed rows, and none over monthly demand."""
    asked = list(query.dimensions) + [d for d, values in query.filters
                                      if d not in query.dimensions
                                      and not (d == kpi.spread_over and len(values) > 1)]
    readable = kpi.dimensions + (TIME_OF_WEEK if kpi.model in TIMED_MODELS else ())
    return [d for d in asked if d not in readable]


def mark_applicable(frame: pd.DataFrame, catalog: Catalog, query: Query) -> pd.DataFrame:
    """Add ``applicable``; blank value, numerator and denominator where it is False."""
    frame = frame.copy()
    flags = {k: not not_applicable_dims(catalog.kpis[k], query) for k in frame["kpi"].unique()}
    frame["applicable"] = frame["kpi"].map(flags).astype(bool) if len(frame) else \
        pd.Series(dtype=bool)
    blank = ~frame["applicable"]
    for column in ("value", "numerator", "denominator"):
        frame[column] = frame[column].astype("float64").mask(blank)
    return frame


def _period_end(period: object, query: Query, span: Span) -> date | None:
    """The first local day after a row's period, within the query's range."""
    last = periods.row_range(period, query)[1]
    if last is None:
        return span.newest.date() + timedelta(days=1) if span.newest is not None else None
    return last + timedelta(days=1)


def mark_provisional(cursor: duckdb.DuckDBPyConnection, frame: pd.DataFrame, catalog: Catalog,
                     query: Query, spans: dict[str, Span],
                     built: Mapping[str, Rollup] | None = None) -> pd.DataFrame:
    """Add ``provisional``, ``final_on`` and ``open_tickets`` (see the module docstring); the
    open tickets are counted from the rollups when ``built`` holds them."""
    frame = frame.copy()
    provisional: list[bool] = []
    final_on: list[date | None] = []
    for row in frame.to_dict("records"):
        kpi = catalog.kpis[row["kpi"]]
        seconds = kpi.window_seconds(kpi_params(kpi, query))
        span = spans.get(kpi.model, Span(None, None))
        end = _period_end(row["period"], query, span)
        if seconds is None or end is None or span.newest is None:
            provisional.append(False)
            final_on.append(None)
            continue
        window = timedelta(seconds=seconds)
        # contacts opened up to `end` are final once the data reaches end + window
        late = datetime.combine(end, datetime.min.time()) > span.newest - window
        provisional.append(bool(late))
        final_on.append((datetime.combine(end, datetime.min.time()) + window).date()
                        if late else None)
    frame["provisional"] = pd.Series(provisional, index=frame.index, dtype=bool)
    frame["final_on"] = pd.Series(final_on, index=frame.index, dtype=object)
    frame["open_tickets"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    open_ids = [k for k in frame["kpi"].unique() if (catalog.kpis[k].looks_forward or ("", ""))[1]
                == "open"]
    if open_ids:
        frame = _mark_open(cursor, frame, query, open_ids, built)
    return frame


def _mark_open(cursor: duckdb.DuckDBPyConnection, frame: pd.DataFrame, query: Query,
               kpi_ids: list[str], built: Mapping[str, Rollup] | None) -> pd.DataFrame:
    """KPIs final once the period's tickets are solved: provisional while any is still open."""
    aux = Catalog(kpis={OPEN_TICKETS.id: OPEN_TICKETS})
    counts = runner.run(cursor, aux, query.with_(kpis=(OPEN_TICKETS.id,), params=()), built)
    failed = counts[runner.ERROR_COLUMN].dropna() if len(counts) else counts
    if len(failed):  # not knowing is not "final": mark them provisional, say why in the log
        log.error("counting open tickets failed (%s): %s marked provisional", failed.iloc[0],
                  ", ".join(kpi_ids))
        frame.loc[frame["kpi"].isin(kpi_ids), "provisional"] = True
        return frame
    keys = ["period", *query.dimensions]
    lookup = {tuple(r[k] for k in keys): r["value"] for r in counts.to_dict("records")}
    for index, row in frame[frame["kpi"].isin(kpi_ids)].iterrows():
        still_open = lookup.get(tuple(row[k] for k in keys))
        if still_open is not None and not _nan(still_open) and float(still_open) > 0:
            frame.at[index, "provisional"] = True
            frame.at[index, "open_tickets"] = int(still_open)
    return frame


def _nan(value: object) -> bool:
    try:
        return value is None or math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def audit_kpis() -> dict[str, tuple[str, ...]]:
    """Per audit file, the KPI ids its findings touch (its ``-- kpis:`` header line)."""
    out: dict[str, tuple[str, ...]] = {}
    for path in sorted(warehouse.AUDITS_DIR.glob("*.sql")):
        match = _AUDIT_KPIS.search(path.read_text(encoding="utf-8"))
        if match:
            out[path.stem] = tuple(k.strip() for k in match.group(1).split(",") if k.strip())
    return out


def data_issues(cursor: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per KPI, the latest audit findings that touch it, as one line ("12 rows in
    contacts_end_before_start"). Audits look at the whole warehouse, not at one period."""
    rows = cursor.execute(
        "SELECT audit, rows_found FROM audit_findings "
        "QUALIFY row_number() OVER (PARTITION BY audit ORDER BY checked_at DESC) = 1").fetchall()
    touches = audit_kpis()
    found: dict[str, list[str]] = {}
    for audit, rows_found in rows:
        if not rows_found:
            continue
        for kpi_id in touches.get(str(audit), ()):
            found.setdefault(kpi_id, []).append(f"{int(rows_found):,} rows in {audit}")
    return {k: "; ".join(v) for k, v in found.items()}


def mix_effects(total: pd.DataFrame, by_channel: pd.DataFrame, catalog: Catalog,
                change: str = "change_prev") -> dict[tuple[str, object], str]:
    """Per (kpi, period) of a total, a note when it moved against every channel that has enough
    cases (at least two channels): the channel mix moved, not the channels (Simpson's paradox)."""
    notes: dict[tuple[str, object], str] = {}
    if total.empty or by_channel.empty:
        return notes
    period_text = by_channel["period"].map(str)
    parts_of = {(kpi_id, period): by_channel[(by_channel["kpi"] == kpi_id) & (period_text == period)]
                for kpi_id, period in set(zip(by_channel["kpi"], period_text, strict=True))}
    for row in total.to_dict("records"):
        kpi = catalog.kpis.get(row["kpi"])
        moved = row.get(change)
        if kpi is None or _nan(moved) or float(moved) == 0:  # type: ignore[arg-type]
            continue
        parts = parts_of.get((kpi.id, str(row["period"])))
        if parts is None:
            continue
        parts = parts[parts[change].notna() & (parts["n"] >= kpi.min_n)]
        up = float(moved) > 0  # type: ignore[arg-type]
        if len(parts) >= 2 and all((c > 0) != up and c != 0 for c in parts[change]):
            verdict = "worse" if up == (kpi.direction == "lower") else "better"
            channels = "improved" if verdict == "worse" else "got worse"
            notes[(kpi.id, row["period"])] = (
                f"The total got {verdict} while each of its {len(parts)} channels {channels}: "
                "the mix of channels moved, not the channels.")
    return notes


def failed(row: dict) -> str:
    """The row's error text, '' when it computed (None or NaN)."""
    error = row.get(runner.ERROR_COLUMN)
    return error if isinstance(error, str) else ""


def note(row: dict, kpi: KPI) -> str:
    """Why a value gets no status, or '' when it is judged."""
    if failed(row):
        return f"could not be computed: {failed(row)}"
    if row.get("applicable") is False:
        return "not applicable to this selection"
    if row.get("provisional"):
        if row.get("final_on"):
            return f"provisional until {row['final_on']}"
        tickets = row.get("open_tickets")
        if tickets is None or _nan(tickets):
            return "provisional"
        count = int(tickets)  # type: ignore[call-overload]
        return f"provisional: {count:,} {'ticket' if count == 1 else 'tickets'} still open"
    n = row.get("n")
    if _nan(row.get("value")):
        return "no value"
    if _nan(n) or float(n) < kpi.min_n:  # type: ignore[arg-type]
        return f"n below {kpi.min_n}"
    if _nan(row.get("target")):
        return "no target"
    return ""
