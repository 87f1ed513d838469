"""The board pack: the scorecard as an A4 landscape PDF an executive takes into a meeting.

``collect(filters, db)`` gathers everything from the metrics facade into a ``Pack`` (the only part
that reads data); ``pdf(pack)`` is pure and lays it out with fpdf2 (``pdf_bytes`` does both, for the
Scorecard page's "Board pack" button and for ``python -m metrics boardpack``). Pages:

1. cover: company, period, comparison period, scope, generation time, data freshness, the overall
   and the four perspective scores as coloured boxes, the KPIs per status;
2. what needs attention: the page's own sentences (``briefing_text.attention_sentence``), each with
   its monthly trend and target line;
3. the scorecard (one or two pages): per perspective KPI | value | target | status | change |
   latest month | n | trend | why grey;
4. ownership: avoidable cost by owning department as bars and the charge-back statement.

Every page's footer states the scope (company | channels | departments | period | comparison) and
"page i of n", so a printout never loses it. Text goes through ``chargeback.latin1`` (built-in
Helvetica is Latin-1: <=, >=, -, EUR, |), numbers through ``tiles.format_value`` /
``chargeback.format_row`` so the PDF shows the figures the pages show.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from metrics import facade
from views.ui import pdf_charts
from views.ui.briefing_text import attention_sentence, freshness_text, scope_text
from views.ui.chargeback import HEADERS, format_row, latin1
from views.ui.charts import CELL_TEXT, STATUS_COLORS
from views.ui.pdf_charts import INK, MUTED, fit, rgb
from views.ui.state import COMPARISONS, MEMBER_FILTERS, Filters, scope_parts
from views.ui.tiles import (
    PERSPECTIVES,
    STATUS_WORDS,
    change_tone,
    format_change,
    format_value,
    judged_text,
    missing,
    score_color,
    status_word,
)

TITLE = "Service scorecard"
SCORE_STATUS = {"green": "green", "orange": "amber", "red": "red", "gray": "grey"}
TONE_RGB = {"better": (22, 120, 60), "worse": (190, 40, 40), "same": (110, 110, 110)}
LIGHT: tuple[int, int, int] = (236, 238, 240)
MARGIN, TOP, BOTTOM = 12.0, 12.0, 15.0
WIDTH = 297.0 - 2 * MARGIN
# the scorecard table: (key, heading, width mm, align)
COLUMNS = (("label", "KPI", 52, "L"), ("value", "Value", 24, "R"), ("target", "Target", 24, "R"),
           ("status", "Status", 22, "C"), ("change", "Change", 24, "R"),
           ("month", "Latest month", 45, "L"), ("n", "n", 15, "R"), ("trend", "Trend", 22, "C"),
           ("note", "Why no status", 45, "L"))
ROW_H = 6.0
REASONS = 6  # avoidable reasons in the ownership page's second chart


@dataclass
class Pack:
    """Everything the PDF shows, gathered once (``collect``); ``pdf`` reads nothing else."""
    filters: Filters
    company: str
    currency: str
    generated: datetime
    comparison: tuple[date, date]
    freshness: str
    stale: list[str]
    kpis: pd.DataFrame          # facade.kpi_table rows in page order (perspective, then file)
    scored: pd.DataFrame        # facade.scorecard at grain "all"
    scores: pd.DataFrame        # facade.perspective_scores
    history: pd.DataFrame       # facade.trend by month (charts)
    months: pd.DataFrame        # facade.latest_months
    attention: pd.DataFrame     # facade.attention
    statement: pd.DataFrame     # facade.chargeback_statement
    reasons: pd.DataFrame       # facade.top_reasons (avoidable reasons by cost, with their owner)
    sentences: list[str] = field(default_factory=list)

    @property
    def scope(self) -> str:
        """"Northwind Home · all channels · all departments · 2026-06-01 to 2026-11-30 · vs
        previous period 2025-12-01 to 2026-05-31"."""
        start, end = self.comparison
        return (f"{self.company or TITLE} · {scope_text(self.filters)} · vs "
                f"{COMPARISONS.get(self.filters.cmp, self.filters.cmp)} {start} to {end}")

    @property
    def month(self) -> date | None:
        """The latest whole month the data covers inside the period (None when none)."""
        if self.months.empty:
            return None
        first = self.months["period"].iloc[0]
        return first if isinstance(first, date) else None


def collect(filters: Filters, db: str | Path | None = None) -> Pack:
    """Read what the board pack shows for ``filters`` from the facade (cached like the pages)."""
    kpis = facade.kpi_table(db)
    order = [k for p in PERSPECTIVES for k in kpis.loc[kpis["perspective"] == p, "id"]] \
        if len(kpis) else []
    kpis = kpis.set_index("id", drop=False).loc[order].reset_index(drop=True) if order else kpis
    query = facade.Query.of(order, grain="all", start=filters.start, end=filters.end,
                            filters=filters.as_filter_map())
    currency = facade.currency(db)
    attention = facade.attention(query, filters.cmp, db=db)
    line, stale = freshness_text(facade.freshness(db), filters.end)
    return Pack(
        filters=filters, company=str(facade.settings(db).get("company_name", "") or "").strip(),
        currency=currency, generated=datetime.now(),
        comparison=facade.comparison_range(filters.start, filters.end, filters.cmp),
        freshness=line, stale=stale, kpis=kpis, scored=facade.scorecard(query, db, (filters.cmp,)),
        scores=facade.perspective_scores(query, db, (filters.cmp,)),
        history=facade.trend(query.with_(grain="month"), db),
        months=facade.latest_months(query, db), attention=attention,
        statement=facade.chargeback_statement(query, db=db),
        reasons=facade.top_reasons(query, limit=REASONS, db=db),
        sentences=[attention_sentence(row, currency, filters.cmp)
                   for row in attention.to_dict("records")])


def pdf_bytes(filters: Filters, db: str | Path | None = None) -> bytes:
    """The board pack PDF for ``filters`` (the Scorecard page's download button)."""
    return pdf(collect(filters, db))


def _slug(values: tuple[str, ...]) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", v.lower()).strip("-") for v in values)


def file_name(filters: Filters) -> str:
    """"scorecard-2026-06-01-to-2026-11-30-finance.pdf": the scope in the name (channels as
    "channel-phone-chat", then departments, then the comparison when it is the year before); a
    short hash is added when the slug drops characters or gets long, so two scopes never share a
    name."""
    parts = [f"scorecard-{filters.start}-to-{filters.end}"]
    exact = True
    for prefix, values in (("channel-", filters.channels), ("", filters.departments),
                           *((f"{m.key}-", filters.members(m.dimension)) for m in MEMBER_FILTERS
                             if m.dimension not in ("channel", "department"))):
        if values:
            parts.append(prefix + _slug(values))
            exact &= all(re.fullmatch(r"[A-Za-z0-9]+( [A-Za-z0-9]+)*", v) is not None
                         for v in values)
    if filters.cmp != "prev":
        parts.append(f"vs-{filters.cmp}")
    name = "-".join(p for p in parts if p)
    if not exact or len(name) > 120:
        raw = "|".join(",".join(filters.members(m.dimension)) for m in MEMBER_FILTERS)
        name = name[:110] + "-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:8]
    return name + ".pdf"


# --- pure view models (tested without drawing) --------------------------------------------------

def status_fill(status: str) -> str:
    """The status cell's fill (the pages' palette, dark text on it)."""
    return STATUS_COLORS.get(status, STATUS_COLORS["grey"])


@dataclass(frozen=True)
class Row:
    """One KPI line of the scorecard table, every text formatted."""
    kpi: str
    perspective: str
    label: str
    value: str
    grey: bool
    target: str
    status: str
    word: str
    fill: str
    change: str
    tone: str
    month_value: str
    month_change: str
    month_status: str
    month_tone: str
    n: str
    low_n: bool
    note: str
    spark: tuple[float, ...]
    spark_targets: tuple[float, ...]


def _sign(direction: str) -> str:
    return ">=" if direction == "higher" else "<="


def table_rows(pack: Pack) -> list[Row]:
    """The scorecard table's rows in page order (``pdf`` draws exactly these)."""
    by_kpi = pack.scored.set_index("kpi") if len(pack.scored) else pd.DataFrame()
    month_of = pack.months.set_index("kpi") if len(pack.months) else pd.DataFrame()
    cmp_column = f"change_{pack.filters.cmp}"
    out = []
    for meta in pack.kpis.to_dict("records"):
        kpi_id, unit, direction = str(meta["id"]), str(meta["unit"]), str(meta["direction"])
        row: dict[str, Any] = by_kpi.loc[kpi_id].to_dict() if kpi_id in by_kpi.index else {}
        status = str(row.get("status") or "grey")
        note = str(row.get("note") or "") if status == "grey" else ""
        applicable = bool(row.get("applicable", True))
        target = row.get("target", meta.get("target"))
        judged = not bool(row.get("provisional"))
        month: dict[str, Any] = month_of.loc[kpi_id].to_dict() if kpi_id in month_of.index else {}
        spark = pack.history[pack.history["kpi"] == kpi_id] if len(pack.history) else pack.history
        n = row.get("n")
        out.append(Row(
            kpi=kpi_id, perspective=str(meta["perspective"]), label=str(meta["label"]),
            value=format_value(row.get("value"), unit, pack.currency) if applicable else "n/a",
            grey=status == "grey",
            target="-" if missing(target) else
            f"{_sign(direction)} {format_value(target, unit, pack.currency)}",
            status=status, word=status_word(status, note), fill=status_fill(status),
            change=format_change(row.get(cmp_column), unit, pack.currency),
            tone=change_tone(row.get(cmp_column), direction, unit) if judged else "same",
            month_value=format_value(month.get("value"), unit, pack.currency) if month else "",
            month_change=format_change(month.get("change"), unit, pack.currency) if month else "",
            month_status=str(month.get("status") or "grey") if month else "",
            month_tone=change_tone(month.get("change"), direction, unit)
            if month and not bool(month.get("provisional")) else "same",
            n="-" if missing(n) else f"{int(float(n)):,}",  # type: ignore[arg-type]
            low_n=not missing(n) and float(n) < float(meta.get("min_n") or 0),  # type: ignore[arg-type]
            note=note,
            spark=tuple(float("nan") if missing(v) else float(v) for v in spark["value"])
            if len(spark) else (),
            spark_targets=tuple(float("nan") if missing(v) else float(v) for v in spark["target"])
            if len(spark) else ()))
    return out


def score_boxes(pack: Pack) -> list[tuple[str, str, str, str]]:
    """(title, "7.1", "20 of 23 KPIs judged", status colour) for overall and each perspective."""
    out = []
    for key, title in [("overall", "Overall score"), *PERSPECTIVES.items()]:
        rows = pack.scores[pack.scores["perspective"] == key] if len(pack.scores) else pack.scores
        score = None if rows.empty or missing(rows["score"].iloc[0]) else float(rows["score"].iloc[0])
        judged = "no KPIs" if rows.empty else judged_text(rows["kpis"].iloc[0], rows["of"].iloc[0])
        out.append((title.split(":")[0], "-" if score is None else f"{score:.1f}", judged,
                    SCORE_STATUS[score_color(score)]))
    return out


def attention_color(row: dict[str, Any]) -> str:
    """Red for a KPI that is or turned red, amber for one that moved against its target."""
    return "red" if "red" in str(row.get("reason")) or row.get("status") == "red" else "amber"


# --- the document -------------------------------------------------------------------------------

class _Document(FPDF):
    def __init__(self, pack: Pack, total: int | None = None) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.pack = pack
        self.total = total  # pages of the document (known after a first layout)
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(auto=True, margin=BOTTOM)
        self.set_title(latin1(f"{TITLE}: {pack.scope}"))
        self.set_author(latin1(pack.company or TITLE))
        self.set_creator(TITLE)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_draw_color(*pdf_charts.GRID)
        self.set_line_width(0.2)
        self.line(MARGIN, self.get_y() - 1, 297 - MARGIN, self.get_y() - 1)
        self.set_font("Helvetica", "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(WIDTH - 30, 5, fit(self, self.pack.scope, WIDTH - 32))
        self.cell(30, 5, f"page {self.page_no()} of {self.total or '{nb}'}", align="R")
        self.set_text_color(*INK)

    # helpers
    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_text_color(*INK)
        self.set_font("Helvetica", "B", 16)
        self.cell(0, 9, latin1(title), new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.set_font("Helvetica", "", 9)
            self.set_text_color(*MUTED)
            self.multi_cell(0, 4.5, latin1(subtitle), new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(*INK)
        self.ln(3)

    def room(self) -> float:
        return self.page_break_trigger - self.get_y()


def _cover(doc: _Document, pack: Pack) -> None:
    doc.add_page()
    f = pack.filters
    c_start, c_end = pack.comparison
    doc.set_y(16)
    doc.set_font("Helvetica", "B", 28)
    doc.cell(0, 13, fit(doc, pack.company or TITLE, WIDTH), new_x="LMARGIN", new_y="NEXT")
    if pack.company:
        doc.set_font("Helvetica", "", 18)
        doc.set_text_color(*MUTED)
        doc.cell(0, 9, TITLE, new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(*INK)
    doc.ln(5)
    doc.set_font("Helvetica", "B", 14)
    doc.cell(0, 8, latin1(f"{f.start:%d %B %Y} to {f.end:%d %B %Y}"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10.5)
    scope = " | ".join(scope_parts(f, departments="all owning departments"))
    lines = [f"Compared with the {COMPARISONS.get(f.cmp, f.cmp)}: {c_start} to {c_end}",
             f"Scope: {scope}",
             f"Generated {pack.generated:%Y-%m-%d %H:%M}"
             + (f" | {pack.freshness}" if pack.freshness else "")]
    for line in lines:
        doc.multi_cell(0, 5.5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(150, 90, 0)
    doc.set_font("Helvetica", "", 9)
    for warning in pack.stale[:2]:
        doc.multi_cell(0, 4.5, latin1(f"Note: {warning}"), new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(*INK)
    # the scores
    doc.ln(6)
    y = doc.get_y()
    gap, big = 4.0, 57.0
    small = (WIDTH - big - 4 * gap) / 4
    x = MARGIN
    for i, (title, score, judged, status) in enumerate(score_boxes(pack)):
        w = big if i == 0 else small
        doc.set_fill_color(*rgb(STATUS_COLORS[status]))
        doc.rect(x, y, w, 40, style="F", round_corners=True, corner_radius=2)
        doc.set_text_color(*rgb(CELL_TEXT))
        doc.set_xy(x + 3, y + 3)
        doc.set_font("Helvetica", "B", 11)
        doc.cell(w - 6, 6, fit(doc, title, w - 6))
        doc.set_xy(x + 3, y + 12)
        doc.set_font("Helvetica", "B", 30 if i == 0 else 26)
        doc.cell(w - 6, 14, score)
        score_w = doc.get_string_width(score)
        doc.set_font("Helvetica", "", 11)
        doc.set_xy(x + 3 + score_w + 1.5, y + 16.5)
        doc.cell(15, 8, "/ 10")
        doc.set_xy(x + 3, y + 31)
        doc.set_font("Helvetica", "", 8.5)
        doc.cell(w - 6, 5, fit(doc, judged, w - 6))
        if i:  # the perspective's question under its box
            doc.set_text_color(*MUTED)
            doc.set_xy(x, y + 41.5)
            doc.multi_cell(w, 4, latin1(PERSPECTIVES[list(PERSPECTIVES)[i - 1]].split(": ")[1]))
        x += w + gap
    doc.set_text_color(*INK)
    doc.set_xy(MARGIN, y + 52)
    counts = pack.scored["status"].value_counts() if len(pack.scored) else pd.Series(dtype=int)
    parts = [f"{int(counts.get(s, 0))} {STATUS_WORDS[s]}" for s in ("green", "amber", "red")]
    judged_count = sum(int(counts.get(s, 0)) for s in ("green", "amber", "red"))
    doc.set_font("Helvetica", "", 10)
    doc.multi_cell(0, 5, latin1(
        f"{len(pack.kpis)} KPIs: {judged_count} judged ({', '.join(parts)}), "
        f"{int(counts.get('grey', 0))} not judged (too few cases, no target or provisional). "
        f"Scores are 0-10, weighted by each KPI's weight: green from 7, amber from 4."),
        new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    _chips(doc, pack)


def _lines(doc: _Document, text: object, width: float, most: int) -> str:
    """``text`` wrapped to ``width`` in the current font, at most ``most`` lines (the last one cut
    with '...' when more would be needed)."""
    found = doc.multi_cell(width, 3, latin1(text), dry_run=True, output="LINES")
    lines = [str(line) for line in found] if isinstance(found, list) else [latin1(text)]
    if len(lines) <= most:
        return "\n".join(lines)
    return "\n".join(lines[:most - 1] + [fit(doc, " ".join(lines[most - 1:]), width)])


def _chips(doc: _Document, pack: Pack) -> None:
    """Every KPI as a status-coloured chip, one line per perspective."""
    rows = table_rows(pack)
    lines = sum(any(r.perspective == k for r in rows) for k in PERSPECTIVES)
    head_w, gap = 34.0, 1.5
    chip_h = max(5.0, min(8.5, (doc.room() - 6) / max(lines, 1) - gap))
    most = max((sum(r.perspective == k for r in rows) for k in PERSPECTIVES), default=1)
    chip_w = (WIDTH - head_w - gap * (most - 1)) / max(most, 1)
    for key, title in PERSPECTIVES.items():
        mine = [r for r in rows if r.perspective == key]
        if not mine:
            continue
        y = doc.get_y()
        doc.set_font("Helvetica", "B", 8)
        doc.set_text_color(*INK)
        doc.cell(head_w, chip_h, fit(doc, title.split(":")[0], head_w - 2))
        doc.set_font("Helvetica", "", 6.5)
        for i, r in enumerate(mine):
            x = MARGIN + head_w + i * (chip_w + gap)
            doc.set_fill_color(*rgb(r.fill))
            doc.rect(x, y, chip_w, chip_h, style="F", round_corners=True, corner_radius=1)
            doc.set_text_color(*rgb(CELL_TEXT))
            text = _lines(doc, r.label, chip_w - 2, 2 if chip_h >= 7 else 1)
            doc.set_xy(x + 1, y + chip_h / 2 - 1.5 * (text.count("\n") + 1))
            doc.multi_cell(chip_w - 2, 3, text, align="C")
        doc.set_xy(MARGIN, y + chip_h + gap)
    doc.set_font("Helvetica", "", 7.5)
    doc.set_text_color(*MUTED)
    legend = ", ".join(f"{s} {STATUS_WORDS[s]}" for s in ("green", "amber", "red", "grey"))
    doc.cell(0, 4, latin1(f"The status of every KPI over the period: {legend}."),
             new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(*INK)


def _series(pack: Pack, kpi_id: str) -> pd.DataFrame:
    frame = pack.history[pack.history["kpi"] == kpi_id] if len(pack.history) else pack.history
    return frame.sort_values("period") if len(frame) else frame


def _kpi_meta(pack: Pack, kpi_id: str) -> dict[str, Any]:
    found = pack.kpis[pack.kpis["id"] == kpi_id]
    return found.iloc[0].to_dict() if len(found) else {"unit": "", "label": kpi_id}


def _attention(doc: _Document, pack: Pack) -> None:
    doc.add_page()
    c_start, c_end = pack.comparison
    month = pack.month
    doc.title_block("What needs attention", (
        f"KPIs that turned red or moved furthest against their target: over the period against the "
        f"{COMPARISONS.get(pack.filters.cmp, pack.filters.cmp)} ({c_start} to {c_end})"
        + (f", or in the latest whole month ({month:%B %Y}) against the month before" if month else "")
        + ". Each with the channel or owning department driving it; the chart shows the months of "
          "the period, the dashed line the target."))
    if pack.attention.empty:
        doc.set_font("Helvetica", "I", 11)
        doc.multi_cell(0, 6, "No KPI turned red or moved against its target since the comparison "
                             "period.", new_x="LMARGIN", new_y="NEXT")
        return
    rows = pack.attention.to_dict("records")
    item_h = min(40.0, (doc.room() - 2) / len(rows))
    text_w, chart_w = 132.0, WIDTH - 132.0 - 10
    for row, sentence in zip(rows, pack.sentences, strict=True):
        if doc.room() < item_h:
            doc.add_page()
            doc.title_block("What needs attention (continued)")
        y = doc.get_y()
        color = rgb(STATUS_COLORS[attention_color(row)])
        doc.set_fill_color(*color)
        doc.rect(MARGIN, y + 1, 1.6, item_h - 6, style="F")
        meta = _kpi_meta(pack, str(row["kpi"]))
        unit = str(meta.get("unit", ""))
        doc.set_xy(MARGIN + 4, y + 1)
        doc.set_font("Helvetica", "B", 11)
        doc.cell(text_w, 6, fit(doc, meta.get("label", row["kpi"]), text_w),
                 new_x="LMARGIN", new_y="NEXT")
        doc.set_x(MARGIN + 4)
        doc.set_font("Helvetica", "", 10)
        text = _lines(doc, sentence, text_w, max(1, int((item_h - 14) // 5)))
        doc.multi_cell(text_w, 5, text, new_x="LMARGIN", new_y="NEXT")
        series = _series(pack, str(row["kpi"]))
        pdf_charts.trend(doc, MARGIN + text_w + 10, y + 1, chart_w, item_h - 6,
                         list(series["period"]) if len(series) else [],
                         list(series["value"]) if len(series) else [],
                         list(series["target"]) if len(series) else [],
                         [str(s) for s in series["status"]] if len(series) else [],
                         label=lambda v, u=unit: format_value(v, u, pack.currency))
        doc.set_draw_color(*pdf_charts.GRID)
        doc.set_line_width(0.15)
        doc.line(MARGIN, y + item_h - 2, 297 - MARGIN, y + item_h - 2)
        doc.set_y(y + item_h)


def _table_head(doc: _Document, month: date | None, cmp: str) -> None:
    doc.set_font("Helvetica", "B", 7.5)
    doc.set_text_color(*MUTED)
    heads = {"change": "vs last year" if cmp == "yoy" else "vs previous",
             "month": f"{month:%b %Y} vs month before" if month else "Latest month"}
    for key, head, width, align in COLUMNS:
        doc.cell(width, 5, fit(doc, heads.get(key, head), width - 1), align=align)
    doc.ln(5)
    doc.set_text_color(*INK)


def _table_row(doc: _Document, r: Row) -> None:
    y = doc.get_y()
    x = MARGIN
    doc.set_draw_color(*pdf_charts.GRID)
    doc.set_line_width(0.15)
    doc.line(MARGIN, y + ROW_H, 297 - MARGIN, y + ROW_H)
    for key, _, width, align in COLUMNS:
        doc.set_xy(x, y)
        doc.set_font("Helvetica", "", 8.5)
        doc.set_text_color(*INK)
        if key == "label":
            doc.set_font("Helvetica", "B", 8.5)
            doc.cell(width, ROW_H, fit(doc, r.label, width - 2), align=align)
        elif key == "value":
            if r.grey:
                doc.set_text_color(*MUTED)
            doc.cell(width, ROW_H, fit(doc, r.value, width - 1), align=align)
        elif key == "target":
            doc.cell(width, ROW_H, fit(doc, r.target, width - 1), align=align)
        elif key == "status":
            doc.set_fill_color(*rgb(r.fill))
            doc.rect(x + 1.5, y + 0.8, width - 3, ROW_H - 1.6, style="F", round_corners=True,
                     corner_radius=1.2)
            doc.set_text_color(*rgb(CELL_TEXT))
            doc.set_font("Helvetica", "B", 7.5)
            doc.cell(width, ROW_H, fit(doc, r.word, width - 4), align="C")
        elif key == "change":
            doc.set_text_color(*TONE_RGB[r.tone])
            doc.cell(width, ROW_H, fit(doc, r.change, width - 1), align=align)
        elif key == "month" and r.month_value:
            doc.set_fill_color(*rgb(status_fill(r.month_status)))
            doc.circle(x + 3, y + ROW_H / 2, 1.2, style="F")
            doc.set_xy(x + 5, y)
            doc.cell(21, ROW_H, fit(doc, r.month_value, 21), align="R")
            doc.set_text_color(*TONE_RGB[r.month_tone])
            doc.cell(width - 26, ROW_H, fit(doc, r.month_change, width - 27), align="R")
        elif key == "n":
            doc.set_text_color(*(TONE_RGB["worse"] if r.low_n else MUTED))
            doc.cell(width, ROW_H, fit(doc, r.n, width - 1), align=align)
        elif key == "trend":
            pdf_charts.sparkline(doc, x + 2, y + 1, width - 4, ROW_H - 2, r.spark,
                                 r.spark_targets, r.status)
        elif key == "note":
            doc.set_font("Helvetica", "", 7.5)
            doc.set_text_color(*MUTED)
            if doc.get_string_width(latin1(r.note)) <= width - 1:
                doc.cell(width, ROW_H, latin1(r.note), align=align)
            else:  # two smaller lines rather than a cut date
                doc.set_font("Helvetica", "", 6.5)
                doc.set_xy(x, y + 0.1)
                doc.multi_cell(width, 2.9, _lines(doc, r.note, width - 1, 2), align="L")
        x += width
    doc.set_text_color(*INK)
    doc.set_xy(MARGIN, y + ROW_H)


def _scorecard(doc: _Document, pack: Pack) -> None:
    doc.add_page()
    change = f"the {COMPARISONS.get(pack.filters.cmp, pack.filters.cmp)}"
    subtitle = (f"Each KPI over the whole period against its target, its change against {change} "
                f"({pack.comparison[0]} to {pack.comparison[1]}), the latest whole month against "
                "the month before, n (the cases behind the value) and its monthly trend (dashed: "
                "target). Grey values get no status; the last column says why.")
    doc.title_block("Scorecard", subtitle)
    rows = table_rows(pack)
    boxes = {b[0]: b for b in score_boxes(pack)}
    for key, title in PERSPECTIVES.items():
        mine = [r for r in rows if r.perspective == key]
        if not mine:
            continue
        if doc.room() < 7 + 5 + ROW_H * len(mine):
            doc.add_page()
            doc.title_block("Scorecard (continued)")
        _, score, judged, status = boxes[title.split(":")[0]]
        y = doc.get_y()
        doc.set_fill_color(*LIGHT)
        doc.rect(MARGIN, y, WIDTH, 7, style="F")
        doc.set_fill_color(*rgb(STATUS_COLORS[status]))
        doc.rect(MARGIN, y, 1.6, 7, style="F")
        doc.set_xy(MARGIN + 3, y)
        doc.set_font("Helvetica", "B", 10.5)
        doc.cell(150, 7, fit(doc, title, 150))
        doc.set_font("Helvetica", "", 9)
        doc.cell(WIDTH - 156, 7, latin1(f"{score} / 10 | {judged}"), align="R")
        doc.set_xy(MARGIN, y + 7.5)
        _table_head(doc, pack.month, pack.filters.cmp)
        for r in mine:
            _table_row(doc, r)
        doc.ln(4)


def _ownership(doc: _Document, pack: Pack) -> None:
    doc.add_page()
    doc.title_block("Ownership: who pays for failure demand", (
        "Avoidable contacts per owning department (the department whose product, process or error "
        f"caused the contact), their handle minutes and cost, {pack.filters.start} to "
        f"{pack.filters.end}. Currency: {pack.currency}."))
    statement = pack.statement
    if statement.empty:
        doc.set_font("Helvetica", "I", 11)
        doc.cell(0, 8, "No avoidable contacts in this period.", new_x="LMARGIN", new_y="NEXT")
        return
    body = statement[statement["department"] != "Total"]
    cells = [format_row(r, pack.currency) for r in body.to_dict("records")]
    half = (WIDTH - 10) / 2
    y = doc.get_y()
    doc.set_font("Helvetica", "B", 11)
    doc.cell(half + 10, 6, "Avoidable cost by owning department")
    reasons = pack.reasons
    if len(reasons):
        doc.cell(half, 6, f"Top {len(reasons)} avoidable reasons by cost")
    y += 7
    rows_shown = max(len(body), len(reasons), 1)
    bar_h = min(8.0, 58.0 / rows_shown)
    height = bar_h * rows_shown + 1.6 * (rows_shown - 1)
    pdf_charts.bars(doc, MARGIN, y, half, bar_h * len(body) + 1.6 * (len(body) - 1),
                    list(body["department"]), [float(v) for v in body["cost"]],
                    [f"{c['cost']} ({c['share']})" for c in cells], label_w=34, value_w=44)
    if len(reasons):
        labels = [f"{r['label']} ({r['department']})" for r in reasons.to_dict("records")]
        pdf_charts.bars(doc, MARGIN + half + 10, y, half,
                        bar_h * len(reasons) + 1.6 * (len(reasons) - 1), labels,
                        [float(v) for v in reasons["cost"]],
                        [format_row({"cost": v}, pack.currency)["cost"] for v in reasons["cost"]],
                        color=(120, 150, 190), label_w=72, value_w=26)
    doc.set_xy(MARGIN, y + height + 6)
    doc.set_font("Helvetica", "B", 11)
    doc.cell(0, 6, "Charge-back statement", new_x="LMARGIN", new_y="NEXT")
    doc.ln(1)
    doc.set_font("Helvetica", "", 8.5)
    doc.set_text_color(*INK)
    doc.set_fill_color(255, 255, 255)
    doc.set_draw_color(*pdf_charts.GRID)
    doc.set_line_width(0.2)
    grey = FontFace(emphasis="BOLD", fill_color=LIGHT)
    with doc.table(col_widths=(46, 30, 30, 40, 20, WIDTH - 166),
                   text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
                   headings_style=grey, line_height=5.5, width=WIDTH) as table:
        table.row([HEADERS[c] for c in HEADERS])
        for record in statement.to_dict("records"):
            row = format_row(record, pack.currency)
            style = grey if record.get("department") == "Total" else None
            table.row([latin1(row[c]) for c in HEADERS], style=style)


def pdf(pack: Pack) -> bytes:
    """The board pack as PDF bytes (A4 landscape, scope and page numbers on every page)."""
    total = None
    for _ in range(2):  # lay out once to count the pages, then with "page i of n" filled in
        doc = _Document(pack, total)
        _cover(doc, pack)
        _attention(doc, pack)
        _scorecard(doc, pack)
        _ownership(doc, pack)
        total = doc.page_no()
    return bytes(doc.output())
