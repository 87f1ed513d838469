"""The Ownership page's value/irritant matrix: reasons as bubbles in the quadrant the reason map
gives them, frame in, escaped HTML out, drawn by ``views.ui.figure`` like the page's other charts
(``views.ui.ownership_charts``, whose department colours, legend and clicks it shares).

It follows Price & Jaffe (*The Best Service is No Service*): x = value to the customer, y = value
to the company; eliminate (neither), simplify (the company's, irritating to customers), automate
(customers', costly to the company), leverage (both). Reasons have no coordinates of their own, only
a quadrant, so each quadrant is a box of bubbles (area = contacts), biggest first, that wraps on a
narrow screen.
"""

from __future__ import annotations

import math

import pandas as pd

from views.ui.htmlcharts import esc, number, pick_attrs, tip_attrs
from views.ui.ownership_charts import AVOIDABLE_COST, department_legend, pick, reason_label
from views.ui.palette import UNMAPPED as GREY

# Grid order of the matrix: the top row is high value to the company, the left column low value
# to the customer.
QUADRANTS = ("simplify", "leverage", "eliminate", "automate")
QUADRANT_TEXT = {"eliminate": ("Eliminate", "irritant to both"),
                 "automate": ("Automate", "customers value it"),
                 "simplify": ("Simplify", "the company needs it"),
                 "leverage": ("Leverage", "value to both")}
SMALLEST, LARGEST = 10.0, 44.0  # bubble diameters (px) of no contacts and of the most

# The matrix's CSS beyond the figure component's classes (scoped to this chart's shadow root):
# a 2 x 2 grid of quadrant boxes with their axis titles, and bubbles that wrap inside a box.
STYLE = """<style>
.o-mx { display: grid; grid-template-columns: 16px 16px minmax(0, 1fr) minmax(0, 1fr); gap: 6px; }
.o-vt { writing-mode: vertical-rl; transform: rotate(180deg); text-align: center; font-size: 11px;
  opacity: .75; white-space: nowrap; align-self: center; justify-self: center; }
.o-yt { grid-column: 1; grid-row: 1 / span 2; }
.o-ht { text-align: center; font-size: 11px; opacity: .75; }
.o-xt { grid-column: 3 / span 2; text-align: center; font-size: 11px; opacity: .75; }
.o-q { border: 1px dashed rgba(128,128,128,.5); border-radius: 4px; padding: 6px;
  background: rgba(128,128,128,.05); min-height: 120px; min-width: 0; }
.o-qh { font-weight: 600; font-size: 12.5px; text-align: center; }
.o-qh span { font-weight: 400; opacity: .75; }
.o-qb { display: flex; flex-wrap: wrap; justify-content: center; align-items: flex-start;
  gap: 6px 6px; margin-top: 6px; }
.o-bu { display: flex; flex-direction: column; align-items: center; width: 96px;
  text-align: center; border-radius: 4px; padding: 2px 0; }
.o-bu.pk:hover { background: var(--st-secondary-background-color, rgba(128,128,128,.12)); }
.o-bx { height: 46px; display: flex; align-items: center; justify-content: center; }
.o-bx b { display: block; border-radius: 50%; opacity: .85; box-sizing: border-box;
  border: 1px solid rgba(255,255,255,.7); }
.o-bu span { font-size: 11.5px; line-height: 1.2; overflow-wrap: anywhere; margin-top: 2px; }
.o-em { font-size: 11.5px; opacity: .6; text-align: center; margin-top: 10px; }
@container (max-width: 560px) {
  .o-bu { width: 66px; }
}
</style>"""


def bubble_size(contacts: object, biggest: float) -> float:
    """A bubble's diameter in px: its area grows with the contacts, from ``SMALLEST`` (none) to
    ``LARGEST`` (the most of the matrix)."""
    share = (number(contacts) or 0.0) / biggest if biggest > 0 else 0.0
    return SMALLEST + (LARGEST - SMALLEST) * math.sqrt(max(0.0, min(1.0, share)))


def value_irritant(matrix: pd.DataFrame, colors: dict[str, str], currency: str) -> str:
    """Reasons as bubbles (size = contacts, colour = owning department) in the quadrant the reason
    map gives them; reasons without one are left out (the page names them). A click opens the
    reason on the Channels page, on its avoidable cost (or its contacts when not avoidable)."""
    placed = matrix[matrix["quadrant"].isin(list(QUADRANTS))]
    placed = placed.assign(_n=pd.to_numeric(placed["contacts"], errors="coerce").fillna(0))
    biggest = float(placed["_n"].max()) if len(placed) else 0.0
    boxes = []
    for quadrant in QUADRANTS:
        rows = placed[placed["quadrant"] == quadrant]
        rows = rows.sort_values(["_n", "reason"], ascending=[False, True])
        bubbles = []
        for rec in rows.to_dict("records"):
            reason, dept = str(rec["reason"]), str(rec["department"])
            label = reason_label(rec, reason)
            avoidable = bool(rec["avoidable"])
            size = bubble_size(rec["_n"], biggest)
            tip = (f"{label}\n{dept}\n{rec['_n']:,.0f} contacts · "
                   f"{number(rec['cost']) or 0.0:,.0f} {currency}\n"
                   f"{'avoidable' if avoidable else 'not avoidable'}\nclick: open in Channels")
            bubbles.append(
                f'<div class="o-bu pk"{pick_attrs(pick("reason", reason, AVOIDABLE_COST if avoidable else "contacts"))}'
                f'{tip_attrs(tip)}><span class="o-bx"><b style="width:{size:.1f}px;height:'
                f'{size:.1f}px;background:{colors.get(dept, GREY)}"></b></span>'
                f'<span>{esc(label)}</span></div>')
        name, words = QUADRANT_TEXT[quadrant]
        inside = "".join(bubbles) or '<div class="o-em">no reasons</div>'
        boxes.append(f'<div class="o-q" data-quadrant="{quadrant}"><div class="o-qh">{esc(name)}'
                     f' <span>· {esc(words)}</span></div><div class="o-qb">{inside}</div></div>')
    grid = (f'<div class="o-mx"><span class="o-vt o-yt">Value to the company</span>'
            f'<span class="o-vt" style="grid-column:2;grid-row:1">high</span>{boxes[0]}{boxes[1]}'
            f'<span class="o-vt" style="grid-column:2;grid-row:2">low</span>{boxes[2]}{boxes[3]}'
            f'<span class="o-ht" style="grid-column:3">low</span>'
            f'<span class="o-ht" style="grid-column:4">high</span>'
            f'<span class="o-xt">Value to the customer</span></div>')
    legend = department_legend(sorted({str(d) for d in placed["department"]}), colors)
    return (f'{STYLE}<div class="hc"><div class="ht">Value / irritant matrix</div>'
            f'<div class="hn">Bubble area = contacts; colour = owning department</div>'
            f'{grid}{legend}</div>')
