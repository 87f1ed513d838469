"""The Scorecard's "where it happens" matrices: KPI x channel and KPI x owning department, each cell
coloured by the KPI's status for that member and a drill-down link to it, a row that cannot say
anything by the dimension replaced by the sentence why. Markup and CSS for the Scorecard grid's
component (``views.ui.scoregrid``, which draws it with its rows and sends a cell's click back as
a drill-down); kept apart because the matrix is a chart of its own with its own narrow-screen
layout (status-only cells, vertical headers).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from views.ui import drill
from views.ui.htmlcharts import esc
from views.ui.tiles import format_value


def matrix_html(frame: pd.DataFrame, dimension: str, order: list[str], labels: dict[str, str],
                units: dict[str, str], currency: str, link: Callable[[str, str], str]) -> str:
    """KPI x channel (or owning department): status-coloured cells, each a drill-down link."""
    if frame.empty:
        return ""
    members = sorted(frame[dimension].dropna().astype(str).unique())
    cells = {(str(r["kpi"]), str(r[dimension])): r for r in frame.to_dict("records")}
    head = "".join(f"<th>{esc(m)}</th>" for m in members)
    body = []
    for kpi_id in order:
        why = _split_says_nothing(frame[frame["kpi"].astype(str) == kpi_id], units.get(kpi_id, ""))
        if why:
            body.append(f'<tr><th class="rl">{esc(labels.get(kpi_id, kpi_id))}</th>'
                        f'<td class="why" colspan="{len(members)}">{esc(why)}</td></tr>')
            continue
        tds = []
        for m in members:
            r = cells.get((kpi_id, m))
            if r is None:
                tds.append("<td></td>")
                continue
            ok = bool(r["applicable"])
            text = format_value(r["value"], units.get(kpi_id, ""), currency) if ok else "n/a"
            if ok and bool(r["provisional"]):
                text += " (prov.)"
            tip = f"{labels.get(kpi_id, kpi_id)} · {m}: {text}"
            tds.append(f'<td class="{esc(r["status"])}" title="{esc(tip)}"><a href="#" '
                       f'data-drill="{esc(link(kpi_id, m))}">{esc(text)}</a></td>')
        body.append(f'<tr><th class="rl">{esc(labels.get(kpi_id, kpi_id))}</th>{"".join(tds)}</tr>')
    wide = " wide" if len(members) > 5 else ""  # turns compact at a wider width
    return (f'<div class="mx{wide}"><p class="mxs">Too narrow for the values: each cell shows its '
            "status; its value is in the hover and behind the click.</p><table><thead><tr><th></th>"
            f'{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def _split_says_nothing(rows: pd.DataFrame, unit: str) -> str | None:
    """Why one KPI's cells by this dimension are not shown: every member reads 0 % or 100 %
    (whether a contact counts decides its member), e.g. avoidable contact rate by owning department
    when each department owns only avoidable or only unavoidable reasons."""
    read = rows[rows["applicable"].astype(bool) & (rows["n"].fillna(0) > 0)]
    return drill.ALL_OR_NOTHING if drill.all_or_nothing(read, unit) else None


# The matrix's rules of the grid component's CSS (``scoregrid.draw`` adds them): its heading and
# caption, coloured cells, and on a narrow screen (a wide matrix sooner) status-only cells under
# vertical member names, with a sentence saying where the values went.
CSS = """
.mx { overflow-x: auto; margin-top: 4px; }
.mx table { border-collapse: separate; border-spacing: 2px; font-size: 12px; }
.mx th { font-weight: 600; text-align: center; padding: 2px 6px; white-space: nowrap; }
.mx th.rl { text-align: left; }
.mx td { padding: 1px 6px; text-align: right; border-radius: 3px; white-space: nowrap;
  background: #a7adb3; }
.mx td a { color: #111; }
.mx td.green { background: #3fae6e; } .mx td.amber { background: #f0b429; } .mx td.red { background: #e05a5a; }
.mx td:empty { background: transparent; }
.mx td.why { background: transparent; text-align: left; white-space: normal; font-size: 11.5px;
  opacity: .75; }
.mxh { font-weight: 700; font-size: 13.5px; margin: 12px 0 0; }
.mxc { font-size: 12px; opacity: .75; margin: 0 0 2px; }
.mxs { display: none; font-size: 11.5px; opacity: .75; margin: 2px 0; }
@container (max-width: 940px) {
  .mx.wide .mxs { display: block; }
  .mx.wide td { font-size: 0; width: 20px; min-width: 20px; height: 16px; padding: 0; }
  .mx.wide td a { display: block; width: 100%; height: 16px; }
  .mx.wide thead th { writing-mode: vertical-rl; transform: rotate(180deg); font-size: 11px;
    font-weight: 500; padding: 2px 0; text-align: left; }
  .mx.wide td.why { font-size: 11px; width: auto; height: auto; padding: 1px 4px; }
  .mx.wide th.rl { white-space: normal; font-size: 11.5px; min-width: 120px; }
}
@container (max-width: 620px) {
  .mx .mxs { display: block; }
  .mx td { font-size: 0; width: 20px; min-width: 20px; height: 16px; padding: 0; }
  .mx td a { display: block; width: 100%; height: 16px; }
  .mx thead th { writing-mode: vertical-rl; transform: rotate(180deg); font-size: 11px;
    font-weight: 500; padding: 2px 0; text-align: left; }
  .mx td.why { font-size: 11px; width: auto; height: auto; padding: 1px 4px; }
  .mx th.rl { white-space: normal; font-size: 11.5px; min-width: 120px; }
}
@media print { .mx tr { break-inside: avoid; } }
"""
