"""The charge-back statement as documents: PDF (fpdf2) and spreadsheet-safe CSV. Pure: a statement
frame (``facade.chargeback_statement``) in, bytes out; no Streamlit, tested without a browser.

The PDF uses fpdf2's built-in Helvetica (no font files to ship), which covers Latin-1 only, so text
is reduced to Latin-1 (unknown characters become '?') and the currency is written as its code.
Numbers are formatted once (``format_row``) so the screen, the CSV and the PDF show the same figures.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from views.ui.export import safe_csv

HEADERS = {"department": "Department", "avoidable_contacts": "Avoidable contacts",
           "handle_minutes": "Handle minutes", "cost": "Cost", "share": "Share",
           "top_reasons": "Top reasons"}


# Characters the pages use that Helvetica (Latin-1) lacks, as the nearest Latin-1 text.
PDF_REPLACEMENTS = {"≤": "<=", "≥": ">=", "−": "-", "–": "-", "—": "-", "€": "EUR ", "·": "|",
                    "…": "...", "→": "->", "▲": "+", "▼": "-", "●": "", "‘": "'", "’": "'",
                    "“": '"', "”": '"', "\u00a0": " ", "\u202f": " "}


def latin1(text: object) -> str:
    """Text for fpdf's built-in fonts: the replacements above, then '?' for anything else outside
    Latin-1 (the one helper every PDF of the app writes its text through)."""
    out = str(text)
    for char, replacement in PDF_REPLACEMENTS.items():
        out = out.replace(char, replacement)
    return out.encode("latin-1", errors="replace").decode("latin-1")


def format_row(row: dict[str, object], currency: str) -> dict[str, str]:
    """One statement row as display text: thousands separators, 2 decimals for money."""
    def num(key: str, digits: int) -> str:
        value = row.get(key)
        return "" if value is None or value != value else f"{float(value):,.{digits}f}"  # type: ignore[arg-type]
    share = num("share", 1)
    return {"department": str(row.get("department", "")),
            "avoidable_contacts": num("avoidable_contacts", 0),
            "handle_minutes": num("handle_minutes", 0),
            "cost": f"{num('cost', 2)} {currency}".strip(),
            "share": f"{share} %" if share else "",
            "top_reasons": str(row.get("top_reasons") or "")}


def statement_csv(statement: pd.DataFrame, start: date, end: date, currency: str) -> bytes:
    """The statement as CSV with period and currency columns (formula-injection safe)."""
    out = statement.copy()
    out.insert(0, "period_end", end.isoformat())
    out.insert(0, "period_start", start.isoformat())
    out["currency"] = currency
    out["cost"] = out["cost"].round(2)
    out["handle_minutes"] = out["handle_minutes"].round(1)
    out["share"] = out["share"].round(2)
    return safe_csv(out)


def statement_pdf(statement: pd.DataFrame, start: date, end: date, currency: str,
                  company: str = "", scope: str = "", generated: datetime | None = None) -> bytes:
    """A one-table A4 landscape PDF: title, period, currency, scope, the statement with its total."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title("Charge-back statement")
    pdf.set_creator("Service scorecard")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    title = "Charge-back statement" + (f": {company}" if company else "")
    pdf.cell(0, 10, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    stamp = (generated or datetime.now()).strftime("%Y-%m-%d %H:%M")
    lines = [f"Period: {start.isoformat()} to {end.isoformat()}",
             f"Currency: {currency}",
             "Avoidable contacts per owning department (the department whose product, process or "
             "error caused the contact), their handle minutes and cost.",
             f"Scope: {scope or 'all channels and departments'}. Generated {stamp}."]
    for line in lines:
        pdf.multi_cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if statement.empty:
        pdf.set_font("Helvetica", "I", 11)
        pdf.cell(0, 8, "No avoidable contacts in this period.", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    pdf.set_font("Helvetica", "", 9)
    grey = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
    with pdf.table(col_widths=(40, 28, 28, 36, 18, 117), text_align=(
            "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"), headings_style=grey,
            line_height=6) as table:
        table.row([HEADERS[c] for c in HEADERS])
        for record in statement.to_dict("records"):
            cells = format_row(record, currency)
            is_total = record.get("department") == "Total"
            table.row([latin1(cells[c]) for c in HEADERS], style=grey if is_total else None)
    return bytes(pdf.output())
