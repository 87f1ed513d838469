"""Charts for the board pack drawn with fpdf2's own primitives (lines, rectangles, circles): no
image files, no browser, vector output that prints sharply. Pure drawing: values in, strokes on the
given ``FPDF`` page at the given box (millimetres), nothing else.

* ``trend`` - a monthly line with month labels, its lowest and highest value on the axis, the
  target as a dashed step line (targets can change month by month) and one status-coloured dot per
  month.
* ``sparkline`` - the same line without axes, small enough for a table cell.
* ``bars`` - horizontal bars with their label on the left and their value on the right.

Colours are the pages' status palette (``views.ui.charts.STATUS_COLORS``); text goes through
``views.ui.chargeback.latin1`` like every other text of the PDFs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fpdf import FPDF

from views.ui.chargeback import latin1
from views.ui.charts import NEUTRAL, STATUS_COLORS
from views.ui.tiles import missing

RGB = tuple[int, int, int]
INK: RGB = (40, 40, 40)
MUTED: RGB = (110, 110, 110)
GRID: RGB = (215, 215, 215)
TARGET: RGB = (90, 90, 90)


def rgb(hex_color: str) -> RGB:
    """'#3fae6e' -> (63, 174, 110)."""
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def status_rgb(status: object) -> RGB:
    return rgb(STATUS_COLORS.get(str(status), STATUS_COLORS["grey"]))


def fit(pdf: FPDF, text: object, width: float) -> str:
    """``text`` (Latin-1) cut with '...' so it fits ``width`` mm in the current font."""
    out = latin1(text)
    if pdf.get_string_width(out) <= width:
        return out
    while out and pdf.get_string_width(out + "...") > width:
        out = out[:-1]
    return out.rstrip() + "..."


def _points(values: Sequence[object]) -> list[tuple[int, float]]:
    return [(i, float(v)) for i, v in enumerate(values) if not missing(v)]  # type: ignore[arg-type]


def _scale(values: Sequence[object], targets: Sequence[object]) -> tuple[float, float]:
    ys = [y for _, y in _points(values)] + [y for _, y in _points(targets)]
    low, high = min(ys), max(ys)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    return low - pad, high + pad


def sparkline(pdf: FPDF, x: float, y: float, w: float, h: float, values: Sequence[object],
              targets: Sequence[object] = (), status: str = "grey") -> bool:
    """A small line of ``values`` with a dotted line through each period's target (a monthly
    budget stays monthly) and its last point marked; False (nothing drawn) with < 2 values."""
    points = _points(values)
    if len(points) < 2:
        return False
    marks = _points(targets)
    low, high = _scale(values, targets)
    step = w / max(len(values) - 1, 1)

    def at(i: float, v: float) -> tuple[float, float]:
        return x + i * step, y + h - (v - low) / (high - low) * h
    if marks:
        pdf.set_draw_color(*TARGET)
        pdf.set_line_width(0.15)
        pdf.set_dash_pattern(dash=0.6, gap=0.6)
        if len({v for _, v in marks}) == 1:
            ty = at(0, marks[0][1])[1]
            pdf.line(x, ty, x + w, ty)
        else:
            pdf.polyline([at(i, v) for i, v in marks], style="D")
        pdf.set_dash_pattern()
    color = status_rgb(status)
    pdf.set_draw_color(*color)
    pdf.set_fill_color(*color)
    pdf.set_line_width(0.35)
    pdf.polyline([at(i, v) for i, v in points], style="D")
    pdf.circle(*at(*points[-1]), radius=0.6, style="F")
    return True


def trend(pdf: FPDF, x: float, y: float, w: float, h: float, periods: Sequence[object],
          values: Sequence[object], targets: Sequence[object], statuses: Sequence[str],
          label: object = str) -> bool:
    """A monthly trend chart in the box (x, y, w, h): axis labels from ``label(value)``, month
    names under the x axis, the target as a dashed step line, status-coloured dots. False (and a
    'no monthly values' note) when there is nothing to draw."""
    pdf.set_font("Helvetica", "", 6.5)
    points = _points(values)
    if not points:
        pdf.set_text_color(*MUTED)
        pdf.set_xy(x, y + h / 2 - 2)
        pdf.cell(w, 4, "no monthly values in this period", align="C")
        pdf.set_text_color(*INK)
        return False
    axis_w, foot_h = 17.0, 4.0
    cx, cw, ch = x + axis_w, w - axis_w - 2, h - foot_h
    low, high = _scale(values, targets)
    count = len(values)
    step = cw / count  # one slot per month, the point in its middle

    def px(i: float) -> float:
        return cx + (i + 0.5) * step

    def py(v: float) -> float:
        return y + ch - (v - low) / (high - low) * ch
    # frame, gridlines and y labels (lowest and highest shown value)
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.15)
    pdf.rect(cx, y, cw, ch)
    shown = [v for _, v in points] + [v for _, v in _points(targets)]
    pdf.set_text_color(*MUTED)
    for value in sorted({min(shown), max(shown)}):
        pdf.line(cx, py(value), cx + cw, py(value))
        pdf.set_xy(x, py(value) - 1.5)
        pdf.cell(axis_w - 1, 3, fit(pdf, label(value), axis_w - 1), align="R")  # type: ignore[operator]
    for i, period in enumerate(periods):
        text = period.strftime("%b") if isinstance(period, date) else str(period)
        if count > 12 and i % 2:
            continue
        pdf.set_xy(px(i) - step / 2 - 2, y + ch + 0.5)
        pdf.cell(step + 4, 3, latin1(text), align="C")
    # target: a dashed step line across each month's slot
    target_points = _points(targets)
    if target_points:
        pdf.set_draw_color(*TARGET)
        pdf.set_line_width(0.3)
        pdf.set_dash_pattern(dash=1.2, gap=0.8)
        for i, value in target_points:
            pdf.line(cx + i * step, py(value), cx + (i + 1) * step, py(value))
        pdf.set_dash_pattern()
    # the values and their status dots
    pdf.set_draw_color(*rgb(NEUTRAL))
    pdf.set_line_width(0.5)
    if len(points) > 1:
        pdf.polyline([(px(i), py(v)) for i, v in points], style="D")
    for i, v in points:
        color = status_rgb(statuses[i] if i < len(statuses) else "grey")
        pdf.set_fill_color(*color)
        pdf.set_draw_color(255, 255, 255)
        pdf.set_line_width(0.2)
        pdf.circle(px(i), py(v), radius=1.0, style="DF")
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*INK)
    return True


def bars(pdf: FPDF, x: float, y: float, w: float, h: float, labels: Sequence[object],
         values: Sequence[float], value_labels: Sequence[str], color: RGB = (76, 120, 168),
         label_w: float = 42.0, value_w: float = 34.0) -> None:
    """Horizontal bars, longest = the full width between the labels and the values."""
    if not values:
        return
    gap = 1.6
    bar_h = min(8.0, (h - gap * (len(values) - 1)) / len(values))
    top = max(max(values), 0.0) or 1.0
    bar_w = w - label_w - value_w - 4
    pdf.set_font("Helvetica", "", 8.5)
    for i, (name, value, text) in enumerate(zip(labels, values, value_labels, strict=True)):
        row_y = y + i * (bar_h + gap)
        pdf.set_text_color(*INK)
        pdf.set_xy(x, row_y)
        pdf.cell(label_w, bar_h, fit(pdf, name, label_w - 1), align="R")
        length = max(value, 0.0) / top * bar_w
        pdf.set_fill_color(*color)
        if length > 0:
            pdf.rect(x + label_w + 1, row_y + 0.6, length, bar_h - 1.2, style="F")
        pdf.set_xy(x + label_w + 2 + length, row_y)
        pdf.cell(value_w, bar_h, fit(pdf, text, value_w), align="L")
