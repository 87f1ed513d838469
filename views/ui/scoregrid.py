"""The Scorecard's landing view as one HTML component: scores, what needs attention and one compact
table per perspective (KPI, value, target, status, change, latest month, n, trend). Pure builders
(frames in, escaped HTML out) plus the ``st.components.v2`` component that draws them with the
status matrices below them (``views.ui.statusmatrix``, whose CSS it adds to its own) and sends
clicks back (a row opens its details, a link opens a drill-down).

Why one component: the page used to build ~250 Streamlit elements and 26 Plotly charts, which
took the browser 5-8 s to draw even from cache; one block of HTML with inline SVG trends draws in
milliseconds, prints as it looks and reflows to two-line rows on narrow screens (container
queries), so a phone never scrolls sideways. Every text is escaped: KPI labels and members come
from files and data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import pandas as pd

from views.ui import statusmatrix, tiles
from views.ui.briefing_text import attention_sentence
from views.ui.charts import STATUS_COLORS
from views.ui.htmlcharts import esc
from views.ui.tiles import (
    change_tone,
    format_change,
    format_value,
    judged_text,
    missing,
)

TONE_CLASS = {"better": "up", "worse": "down", "same": "flat"}
SCORE_CLASS = {"green": "green", "orange": "amber", "red": "red", "gray": "grey"}


def status_word(status: str, note: str) -> tuple[str, str]:
    """(css class, word) of a status pill; grey says why in one word."""
    word = tiles.status_word(status, note)
    return {"provisional": "prov", "failed": "fail"}.get(word, status), word


def sparkline_svg(values: Sequence[float], targets: Sequence[float | None] = (),
                  status: str = "grey", width: int = 84, height: int = 20) -> str:
    """A polyline of ``values`` (NaN gaps skipped) with a dotted line through each period's
    target (a monthly budget stays monthly); '' when < 2 points."""
    points = [(i, float(v)) for i, v in enumerate(values) if not missing(v)]
    if len(points) < 2:
        return ""
    marks = [(i, float(t)) for i, t in enumerate(targets) if not missing(t)]
    ys = [y for _, y in points] + [t for _, t in marks]
    low, high = min(ys), max(ys)
    span = (high - low) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)

    def xy(i: float, y: float) -> str:
        return f"{2 + i * step:.1f},{height - 2 - (y - low) / span * (height - 4):.1f}"
    line = " ".join(xy(i, y) for i, y in points)
    color = STATUS_COLORS.get(status, STATUS_COLORS["grey"])
    last_x, last_y = xy(*points[-1]).split(",")
    target_line = ""
    if len(marks) == 1 or (marks and len({t for _, t in marks}) == 1):
        ty = xy(0, marks[0][1]).split(",")[1]
        target_line = f'<line x1="2" x2="{width - 2}" y1="{ty}" y2="{ty}" class="tg"/>'
    elif marks:
        target_line = (f'<polyline points="{" ".join(xy(i, t) for i, t in marks)}" class="tg" '
                       'fill="none"/>')
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-hidden="true">{target_line}<polyline points="{line}" fill="none" '
            f'stroke="{color}" stroke-width="1.6"/><circle cx="{last_x}" cy="{last_y}" r="2.2" '
            f'fill="{color}"/></svg>')


def _change_html(change: object, unit: str, direction: str, currency: str, judged: bool) -> str:
    if missing(change):
        return '<span class="flat">–</span>'
    tone = change_tone(change, direction, unit) if judged else "same"
    c = float(change)  # type: ignore[arg-type]
    arrow = "▲" if c > 0 and tone != "same" else "▼" if c < 0 and tone != "same" else "●"
    return f'<span class="{TONE_CLASS[tone]}">{arrow} {esc(format_change(change, unit, currency))}</span>'


def kpi_rows(kpis: pd.DataFrame, scored: pd.DataFrame, months: pd.DataFrame,
             history: pd.DataFrame, cmp: str, currency: str) -> list[dict[str, Any]]:
    """One view model per KPI (catalog order): every text the table shows, already formatted."""
    by_kpi = scored.set_index("kpi") if len(scored) else pd.DataFrame()
    month_of = months.set_index("kpi") if len(months) else pd.DataFrame()
    out = []
    for meta in kpis.to_dict("records"):
        kpi_id, unit, direction = str(meta["id"]), str(meta["unit"]), str(meta["direction"])
        row = by_kpi.loc[kpi_id].to_dict() if kpi_id in by_kpi.index else {}
        status = str(row.get("status") or "grey")
        note = str(row.get("note") or "")
        applicable = bool(row.get("applicable", True))
        css, word = status_word(status, note)
        target = row.get("target", meta["target"])
        sign = "≥" if direction == "higher" else "≤"
        n = row.get("n")
        month = month_of.loc[kpi_id].to_dict() if kpi_id in month_of.index else {}
        spark = history[history["kpi"] == kpi_id] if len(history) else history
        month_status = str(month.get("status") or "grey")
        out.append({
            "id": kpi_id, "label": str(meta["label"]), "perspective": str(meta["perspective"]),
            "description": str(meta.get("description") or ""),
            "value": format_value(row.get("value"), unit, currency) if applicable else "n/a",
            "grey": status == "grey", "status_class": css, "status_word": word, "note": note,
            "target": "–" if missing(target) else f"{sign} {format_value(target, unit, currency)}",
            "change": _change_html(row.get(f"change_{cmp}"), unit, direction, currency,
                                   judged=not bool(row.get("provisional"))),
            "month_value": format_value(month.get("value"), unit, currency) if month else "",
            "month_status": month_status if month else "",
            "month_change": _change_html(month.get("change"), unit, direction, currency,
                                         judged=not bool(month.get("provisional")))
            if month else "",
            "n": "–" if missing(n) else f"{int(float(n)):,}",
            "low_n": not missing(n) and float(n) < float(meta["min_n"]),
            "issues": str(row.get("data_issues") or ""),
            "spark": sparkline_svg(list(spark["value"]) if len(spark) else [],
                                   list(spark["target"]) if len(spark) else [], status),
        })
    return out


def _score_line(title: str, score: float | None, judged: str, big: bool = False) -> str:
    color = "grey" if score is None else "green" if score >= 7 else "amber" if score >= 4 else "red"
    text = "–" if score is None else f"{score:.1f}"
    return (f'<div class="score{" big" if big else ""}"><span class="st">{esc(title)}</span>'
            f'<span class="sv {color}">{text}<small> / 10</small></span>'
            f'<span class="sj">{esc(judged)}</span></div>')


def scores_html(scores: pd.DataFrame, titles: dict[str, str]) -> str:
    """The overall score and one line per perspective (how many KPIs each stands on)."""
    lines = []
    for key, title in [("overall", "Overall score"), *titles.items()]:
        rows = scores[scores["perspective"] == key] if len(scores) else scores
        value = None if rows.empty or missing(rows["score"].iloc[0]) else float(rows["score"].iloc[0])
        judged = "no KPIs" if rows.empty else judged_text(rows["kpis"].iloc[0], rows["of"].iloc[0])
        lines.append(_score_line(title, value, judged.replace(" KPIs judged", " judged"),
                                 big=key == "overall"))
    return f'<div class="scores">{"".join(lines)}</div>'


def attention_html(items: pd.DataFrame, currency: str, cmp: str,
                   link: Callable[[dict[str, Any]], tuple[str, str]]) -> str:
    """The 'needs attention' list: one sentence per KPI and a drill-down link (``link(row)`` gives
    (label, url))."""
    if items.empty:
        return ('<div class="attn"><div class="ah">What needs attention</div><p class="calm">'
                'No KPI turned red or moved against its target since the comparison period.</p></div>')
    lines = []
    for row in items.to_dict("records"):
        label, url = link(row)
        css = "red" if "red" in str(row["reason"]) or row["status"] == "red" else "amber"
        lines.append(f'<li class="{css}"><span class="dot {css}"></span><span>'
                     f'{esc(attention_sentence(row, currency, cmp))} '
                     f'<a href="#" data-drill="{esc(url)}">{esc(label)} →</a></span></li>')
    return f'<div class="attn"><div class="ah">What needs attention</div><ul>{"".join(lines)}</ul></div>'


def _row_html(r: dict[str, Any]) -> str:
    label = esc(r["label"]) + (' <span class="warn" title="' + esc(r["issues"]) + '">⚠</span>'
                               if r["issues"] else "")
    why = f' title="{esc(r["note"])}"' if r["note"] else ""
    month = (f'<span class="mv"><span class="dot {esc(r["month_status"])}"></span>'
             f'{esc(r["month_value"])}</span> {r["month_change"]}' if r["month_value"] else "–")
    n_class = "n low" if r["low_n"] else "n"
    return (f'<div class="row" role="button" tabindex="0" data-kpi="{esc(r["id"])}" '
            f'title="{esc(r["description"])}"><span class="kl">{label}</span>'
            f'<span class="v{" g" if r["grey"] else ""}">{esc(r["value"])}</span>'
            f'<span class="t">{esc(r["target"])}</span>'
            f'<span class="s"><span class="pill {esc(r["status_class"])}"{why}>'
            f'{esc(r["status_word"])}</span></span>'
            f'<span class="c">{r["change"]}</span><span class="m">{month}</span>'
            f'<span class="{n_class}">{esc(r["n"])}</span><span class="tr">{r["spark"]}</span></div>')


def tables_html(rows: Iterable[dict[str, Any]], titles: dict[str, str], scores: pd.DataFrame,
                change_label: str, month: object) -> str:
    """One table per perspective, its score in the heading."""
    rows = list(rows)
    month_head = f"{month:%b %Y}" if isinstance(month, date) else "Latest month"
    head = (f'<div class="row head"><span class="kl">KPI</span><span class="v">Value</span>'
            f'<span class="t">Target</span><span class="s">Status</span>'
            f'<span class="c">{esc(change_label)}</span><span class="m">{esc(month_head)} '
            f'(vs month before)</span><span class="n">n</span><span class="tr">Trend</span></div>')
    blocks = []
    for key, title in titles.items():
        mine = [r for r in rows if r["perspective"] == key]
        if not mine:
            continue
        found = scores[scores["perspective"] == key] if len(scores) else scores
        score = "" if found.empty or missing(found["score"].iloc[0]) else \
            f'<span class="ps">{float(found["score"].iloc[0]):.1f} / 10</span>'
        blocks.append(f'<section class="persp"><h3>{esc(title)} {score}</h3>'
                      + "".join(_row_html(r) for r in mine) + "</section>")
    return f'<div class="tables">{head}{"".join(blocks)}</div>'


CSS = """
:host, .sc { font-family: var(--st-font, sans-serif); color: var(--st-text-color, #222); }
.sc { font-size: 13px; line-height: 1.3; container-type: inline-size; }
.sc a { color: var(--st-link-color, #1c6fd1); text-decoration: none; white-space: nowrap; }
.sc a:hover { text-decoration: underline; }
.top { display: grid; grid-template-columns: 250px minmax(0, 1fr); gap: 10px; margin-bottom: 4px; }
.scores { border: 1px solid var(--st-border-color, rgba(128,128,128,.3)); border-radius: 8px;
  padding: 3px 8px; }
.score { display: grid; grid-template-columns: minmax(0, 1fr) auto; column-gap: 6px;
  align-items: baseline; }
.score .sj { grid-column: 1 / 3; display: none; }
.score.big .sj { display: block; }
.score.big { border-bottom: 1px solid var(--st-border-color, rgba(128,128,128,.3));
  padding-bottom: 1px; margin-bottom: 1px; }
.st { font-weight: 600; font-size: 12.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.score.big .st { font-size: 13.5px; }
.sv { font-size: 14px; font-weight: 700; white-space: nowrap; }
.score.big .sv { font-size: 20px; }
.sv small { font-size: 11px; font-weight: 400; opacity: .65; }
.sj { font-size: 11px; opacity: .7; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.sv.green { color: #2f9a5c; } .sv.amber { color: #c98a00; } .sv.red { color: #d64545; }
.sv.grey { color: #8a9096; }
.attn { flex: 1 1 auto; min-width: 0; border: 1px solid var(--st-border-color, rgba(128,128,128,.3));
  border-radius: 8px; padding: 4px 10px; }
.ah { font-weight: 700; font-size: 13px; margin-bottom: 2px; }
.attn ul { margin: 0; padding: 0; list-style: none; }
.attn li { display: flex; gap: 6px; align-items: baseline; margin: 1px 0; font-size: 12.5px; }
.calm { margin: 2px 0; opacity: .75; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; flex: 0 0 8px;
  background: #a7adb3; margin-right: 3px; }
.dot.red { background: #e05a5a; } .dot.amber { background: #f0b429; } .dot.green { background: #3fae6e; }
.tables { display: grid; grid-template-columns: minmax(0, 1fr); gap: 2px; }
.persp h3 { font-size: 13.5px; margin: 4px 0 1px; padding: 1px 0;
  border-bottom: 1px solid var(--st-border-color, rgba(128,128,128,.3)); }
.ps { font-weight: 400; opacity: .75; margin-left: 6px; }
.row { display: grid; align-items: center; column-gap: 8px;
  grid-template-columns: minmax(150px, 1fr) 84px 84px 86px 92px 170px 62px 88px;
  grid-template-areas: "kl v t s c m n tr"; padding: 0 4px; border-radius: 4px; min-height: 20px; }
.row:not(.head) { cursor: pointer; }
.row:not(.head):hover, .row:focus { background: var(--st-secondary-background-color, rgba(128,128,128,.1));
  outline: none; }
.row.head { font-size: 11px; opacity: .7; min-height: 16px; }
.row > span { min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.kl { grid-area: kl; } .v { grid-area: v; font-weight: 700; text-align: right; }
.v.g { color: #8a9096; font-weight: 600; }
.t { grid-area: t; text-align: right; opacity: .8; } .s { grid-area: s; }
.c { grid-area: c; } .m { grid-area: m; } .n { grid-area: n; text-align: right; opacity: .8; }
.n.low { color: #c98a00; opacity: 1; } .tr { grid-area: tr; line-height: 0; }
.row.head .v, .row.head .t, .row.head .n { text-align: right; } .row.head .tr { line-height: 1.3; }
.pill { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11.5px;
  color: #111; background: #a7adb3; line-height: 17px; }
.pill.green { background: #3fae6e; } .pill.amber { background: #f0b429; }
.pill.red { background: #e05a5a; } .pill.prov { background: #7fb2e5; } .pill.fail { background: #e05a5a; }
.up { color: #2f9a5c; } .down { color: #d64545; } .flat { color: #8a9096; }
.mv { font-weight: 600; }
.warn { color: #c98a00; }
.tg { stroke: #8c8c8c; stroke-width: 1; stroke-dasharray: 2 2; }
.foot { font-size: 12px; opacity: .75; margin: 4px 0 2px; }
@container (max-width: 860px) {
  .top { grid-template-columns: minmax(0, 1fr); }
}
@container (max-width: 760px) {
  .row { grid-template-columns: minmax(0, 1fr) auto auto auto;
    grid-template-areas: "kl kl s s" "v c m m" "t n tr tr"; row-gap: 0; padding: 3px 4px;
    border-bottom: 1px solid var(--st-border-color, rgba(128,128,128,.2)); }
  .row.head { display: none; }
  .v { text-align: left; } .t, .n { text-align: left; }
  .t::before { content: "target "; opacity: .7; } .n::before { content: "n "; opacity: .7; }
  .m::before { content: "latest month "; opacity: .7; }
  .s { justify-self: end; } .tr { justify-self: end; }
}
@media print {
  .row { break-inside: avoid; } .persp { break-inside: avoid; }
  .attn a[data-drill] { display: none; }
}
"""

JS = """
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  let root = parentElement.querySelector('.sc');
  if (!root) {
    root = document.createElement('div');
    root.className = 'sc';
    parentElement.appendChild(root);
  }
  root.innerHTML = data;
  root.querySelectorAll('[data-kpi]').forEach((row) => {
    row.onclick = () => setTriggerValue('open', row.dataset.kpi);
    row.onkeydown = (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); setTriggerValue('open', row.dataset.kpi); }
    };
  });
  root.querySelectorAll('[data-drill]').forEach((a) => {
    a.onclick = (e) => { e.preventDefault(); e.stopPropagation(); setTriggerValue('drill', a.dataset.drill); };
  });
}
"""

_renderer: list[Any] = []


def draw(markup: str, key: str) -> Any:
    """Mount the component with ``markup``; the result's ``open`` is a clicked KPI id and ``drill``
    a clicked link (each for one rerun)."""
    import streamlit as st

    if not _renderer:
        _renderer.append(st.components.v2.component("scorecard_grid", css=CSS + statusmatrix.CSS,
                                                    js=JS))
    return _renderer[0](data=markup, key=key, on_open_change=lambda: None,
                        on_drill_change=lambda: None)
