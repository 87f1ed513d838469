"""The charge-back statement as documents: PDF (fpdf2) and spreadsheet-safe CSV, and the number
formats the page, the CSV and the PDF share. Pure: frames in (``facade.chargeback_statement``,
``statement_lines``, ``statement_months``, ``department_share``), bytes out; no Streamlit, tested
without a browser.

The PDF uses fpdf2's built-in Helvetica (no font files to ship), which covers Latin-1 only, so text
is reduced to Latin-1 (unknown characters become '?') and the currency is written as its code.
Numbers are formatted once (``format_row``, ``money``, ``count``, ``change_text``) with thousands
separators, so the screen and the PDF show the same figures; the CSV keeps plain numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from views.ui.export import safe_csv
from views.ui.tiles import absent

HEADERS = {"department": "Department", "avoidable_contacts": "Avoidable contacts",
           "handle_minutes": "Handle minutes", "cost": "Cost", "share": "Share",
           "top_reasons": "Top reasons"}
TOTAL = "Total"
EVERYONE = "all departments"


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


def money(value: object, digits: int = 2) -> str:
    """12,345.67 ('' when missing)."""
    return "" if absent(value) else f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def count(value: object) -> str:
    """12,345 ('' when missing)."""
    return "" if absent(value) else f"{float(value):,.0f}"  # type: ignore[arg-type]


def percent(value: object, digits: int = 1) -> str:
    """31.2 % ('n/a' when missing: a share of nothing)."""
    return "n/a" if absent(value) else f"{float(value):.{digits}f} %"  # type: ignore[arg-type]


def change_text(change: object, change_pct: object, digits: int = 2) -> str:
    """'+1,234.00 (+5.2 %)', '-8.50 (-100.0 %)', '+3.00 (new)' when there was nothing before,
    '±0' when nothing moved."""
    if absent(change):
        return ""
    c = float(change)  # type: ignore[arg-type]
    if c == 0:
        return "±0"
    pct = "new" if absent(change_pct) else f"{float(change_pct):+.1f} %"  # type: ignore[arg-type]
    return f"{'+' if c > 0 else '-'}{abs(c):,.{digits}f} ({pct})"


def format_row(row: dict[str, object], currency: str) -> dict[str, str]:
    """One statement row as display text: thousands separators, 2 decimals for money."""
    share = row.get("share")
    return {"department": str(row.get("department", "")),
            "avoidable_contacts": count(row.get("avoidable_contacts")),
            "handle_minutes": count(row.get("handle_minutes")),
            "cost": f"{money(row.get('cost'))} {currency}".strip(),
            "share": "" if absent(share) else percent(share),
            "top_reasons": str(row.get("top_reasons") or ""),
            "change": change_text(row.get("change"), row.get("change_pct"))}


def scope_name(departments: tuple[str, ...] | list[str]) -> str:
    """What a statement covers: the departments, or 'all departments'."""
    return ", ".join(departments) if departments else EVERYONE


def file_stem(departments: tuple[str, ...] | list[str], start: date, end: date) -> str:
    """A file-system safe name: chargeback_Finance_20260601_20261130 (several departments joined
    by '+', none: all-departments); only ASCII letters, digits, '-', '+' and '_'."""
    def safe(name: str) -> str:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-")[:40] or "department"
    who = "+".join(safe(d) for d in departments) if departments else "all-departments"
    return f"chargeback_{who[:80]}_{start:%Y%m%d}_{end:%Y%m%d}"


@dataclass(frozen=True)
class Details:
    """What turns the statement into one a department head can act on (all optional)."""
    lines: pd.DataFrame | None = None      # facade.statement_lines
    months: pd.DataFrame | None = None     # facade.statement_months
    shares: pd.DataFrame | None = None     # facade.department_share
    compared: tuple[date, date] | None = None
    compared_words: str = "previous period"
    departments: tuple[str, ...] = ()
    method: str = ""
    rates: list[str] = field(default_factory=list)


def statement_csv(statement: pd.DataFrame, start: date, end: date, currency: str,
                  details: Details | None = None) -> bytes:
    """The statement as one flat CSV (formula-injection safe, plain numbers): a ``section`` column
    says what a row is: department (the statement with its Total), line (per reason: contacts x
    unit_cost = cost), month, share_of_all (the scope's share of every department), cost_method."""
    d = details or Details()
    parts = [statement.assign(section="department")]
    if d.lines is not None and len(d.lines):
        parts.append(d.lines.assign(section="line"))
    if d.months is not None and len(d.months):
        months = d.months.assign(section="month")
        months["month"] = months["month"].map(lambda m: "total" if m is None else m.isoformat())
        months["month_before"] = months["month_before"].map(
            lambda m: "" if m is None or m != m else m.isoformat())
        parts.append(months)
    if d.shares is not None and len(d.shares):
        parts.append(d.shares.rename(columns={"measure": "label", "all": "all_departments"})
                     .assign(section="share_of_all"))
    if d.method:
        parts.append(pd.DataFrame([{"section": "cost_method", "note": d.method}]))
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "section", out.pop("section"))
    out["period_start"], out["period_end"] = start.isoformat(), end.isoformat()
    if d.compared:
        out["compared_start"], out["compared_end"] = (x.isoformat() for x in d.compared)
    out["currency"] = currency
    for column, digits in (("cost", 2), ("unit_cost", 4), ("handle_minutes", 1), ("share", 2),
                           ("cost_before", 2), ("change", 2), ("change_pct", 2)):
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce").round(digits)
    return safe_csv(out)


class _Statement(FPDF):
    """A4 landscape with the scope and 'page i of n' in every page's footer."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("Helvetica", "", 7.5)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, latin1(f"{self.footer_text} | page {self.page_no()} of {{nb}}"),
                  align="R")
        self.set_text_color(0, 0, 0)


GREY = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))


ROW_MM = 5.5


def _heading(pdf: FPDF, text: str, rows: int = 0) -> None:
    """A section heading; a new page first when the heading and the first ``rows`` rows of its
    table (all of them, up to 12) would not fit, so no table starts or ends with a lone row."""
    if pdf.get_y() + 10 + (min(rows, 12) + 1) * ROW_MM > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)


def _table(pdf: FPDF, widths: tuple[float, ...], aligns: tuple[str, ...], headers: list[str],
           rows: list[tuple[list[str], bool]]) -> None:
    """A table whose rows are (cells, is_total); headings repeat on a new page."""
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(col_widths=widths, text_align=aligns, headings_style=GREY, line_height=ROW_MM,
                   width=sum(widths), align="LEFT") as table:
        table.row([latin1(h) for h in headers])
        for cells, is_total in rows:
            table.row([latin1(c) for c in cells], style=GREY if is_total else None)


def _shares(pdf: FPDF, d: Details, currency: str) -> None:
    """The scope's share of every department's avoidable contacts and cost, now and before."""
    if d.shares is None or d.shares.empty or not d.departments:
        return
    who = scope_name(d.departments)
    _heading(pdf, f"{who}: share of all avoidable contact", len(d.shares))
    rows = []
    for r in d.shares.to_dict("records"):
        is_cost = r["measure"] == "avoidable_cost"
        fmt = money if is_cost else count
        rows.append(([("Avoidable cost (" + currency + ")") if is_cost else "Avoidable contacts",
                      fmt(r["value"]), fmt(r["all"]), percent(r["share"]), fmt(r["value_before"]),
                      percent(r["share_before"]),
                      change_text(r["change"], r["change_pct"], 2 if is_cost else 0),
                      "" if absent(r["share_change"]) else f"{r['share_change']:+.1f} pp"],
                     False))
    _table(pdf, (44, 32, 34, 22, 32, 24, 44, 24), ("LEFT",) + ("RIGHT",) * 7,
           ["", who, "All departments", "Share", d.compared_words.capitalize(), "Share then",
            "Change", "Share change"], rows)


def _statement_table(pdf: FPDF, statement: pd.DataFrame, currency: str) -> None:
    with_change = "change" in statement.columns
    headers = ["Department", "Avoidable contacts", "Handle minutes", f"Cost ({currency})",
               "Share of all", *(["Change vs before"] if with_change else []), "Top reasons"]
    widths = (40, 32, 28, 30, 22, *((40,) if with_change else ()), 85 if with_change else 125)
    aligns = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", *(("RIGHT",) if with_change else ()),
              "LEFT")
    rows = []
    for record in statement.to_dict("records"):
        c = format_row(record, "")
        rows.append(([c["department"], c["avoidable_contacts"], c["handle_minutes"], c["cost"],
                      c["share"], *([c["change"]] if with_change else []), c["top_reasons"]],
                     record.get("department") == TOTAL))
    _table(pdf, widths, aligns, headers, rows)


def _lines(pdf: FPDF, lines: pd.DataFrame | None, currency: str) -> None:
    if lines is None or lines.empty:
        return
    _heading(pdf, "Line items: avoidable contacts x unit cost = cost, per reason", len(lines) + 1)
    rows = [([str(r["department"]), str(r["label"]), count(r["contacts"]),
              money(r["unit_cost"]), money(r["cost"]), count(r["handle_minutes"])], False)
            for r in lines.to_dict("records")]
    rows.append((["Total", "", count(lines["contacts"].sum()), "",
                  money(lines["cost"].sum()), count(lines["handle_minutes"].sum())], True))
    _table(pdf, (44, 90, 30, 34, 40, 30), ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
           ["Department", "Reason", "Contacts", f"x unit cost ({currency})",
            f"= cost ({currency})", "Handle minutes"], rows)


def _months(pdf: FPDF, months: pd.DataFrame | None, currency: str, words: str) -> None:
    if months is None or months.empty:
        return
    _heading(pdf, f"By month, against the {words}", len(months))
    rows = []
    for r in months.to_dict("records"):
        total = r["month"] is None
        rows.append((["Total" if total else f"{r['month']:%b %Y}", count(r["contacts"]),
                      money(r["cost"]),
                      "" if total or absent(r["month_before"]) else f"{r['month_before']:%b %Y}",
                      count(r["contacts_before"]), money(r["cost_before"]),
                      change_text(r["change"], r["change_pct"])], total))
    _table(pdf, (30, 30, 36, 30, 30, 36, 48), ("LEFT",) + ("RIGHT",) * 6,
           ["Month", "Contacts", f"Cost ({currency})", "Compared month", "Contacts then",
            f"Cost then ({currency})", "Change"], rows)


def statement_pdf(statement: pd.DataFrame, start: date, end: date, currency: str,
                  company: str = "", scope: str = "", generated: datetime | None = None,
                  details: Details | None = None) -> bytes:
    """An A4 landscape PDF: title, period and comparison, currency, scope, the department's share
    of all avoidable contact, the statement with its total, line items, months, the cost method."""
    d = details or Details()
    who = scope_name(d.departments)
    stamp = (generated or datetime.now()).strftime("%Y-%m-%d %H:%M")
    pdf = _Statement(f"{company + ' | ' if company else ''}{who} | {start} to {end}")
    pdf.set_title(f"Charge-back statement: {who}")
    pdf.set_creator("Service scorecard")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, latin1(f"Charge-back statement: {who}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    compared = (f", compared with the {d.compared_words} {d.compared[0]} to {d.compared[1]}"
                if d.compared else "")
    lines = [*([company] if company else []),
             f"Period: {start.isoformat()} to {end.isoformat()}{compared}",
             f"Currency: {currency}",
             "Avoidable contacts per owning department (the department whose product, process or "
             "error caused the contact), their handle minutes and cost; shares are of every "
             "department's avoidable contact in the same period and scope.",
             f"Scope: {scope or 'all channels and departments'}. Generated {stamp}."]
    for line in lines:
        pdf.multi_cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    if statement.empty:
        pdf.ln(3)
        pdf.set_font("Helvetica", "I", 11)
        pdf.cell(0, 8, "No avoidable contacts in this period.", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    _shares(pdf, d, currency)
    _heading(pdf, "Statement by owning department", len(statement))
    _statement_table(pdf, statement, currency)
    _lines(pdf, d.lines, currency)
    _months(pdf, d.months, currency, d.compared_words)
    if d.method:
        _heading(pdf, "How cost is computed", 4 + len(d.rates))
        rates = ["Rates in this period, per channel:", *(f"    {r}" for r in d.rates)]
        for text in [d.method, *(rates if d.rates else [])]:
            pdf.multi_cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
