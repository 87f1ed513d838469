"""The charge-back statement on screen, as pure functions (no Streamlit): HTML tables that stay
readable on a phone, the rates behind the cost, and the links into Channels.

``st.dataframe`` always scrolls sideways on a narrow screen, so the statement is an HTML table
(``st.html``): on a screen narrower than 640 px every row becomes a small card (each cell on a
line of its own, with its column's name before it), so the cost is never off screen and long
reason lists wrap. Text from the warehouse (department and reason names) is escaped; links are
relative to the app (``channels?...``) and open in the same tab.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from views.ui.chargeback import TOTAL, change_text, count, money, percent

NARROW_PX = 640
BASE_STYLE = """
.stmt-wrap {container-type: inline-size; width: 100%}
.stmt {width: 100%; border-collapse: collapse; font-size: 0.9rem; margin: 0 0 0.5rem 0}
.stmt th, .stmt td {padding: 0.3rem 0.5rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid rgba(128, 128, 128, 0.28)}
.stmt th {font-weight: 600; border-bottom-width: 2px}
.stmt .n {text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums}
.stmt tr.total td {font-weight: 600}
.stmt a {color: inherit; text-decoration: underline; text-decoration-style: dotted}
.stmt .sub {opacity: 0.75; font-size: 0.82rem; margin-left: 0.4rem; white-space: nowrap}
"""
# Below its width the table becomes cards: each cell on a line, its column's name before it.
STACKED = """
@container (max-width: {px}px) {{
  table.{cls} thead {{display: none}}
  table.{cls}, table.{cls} tbody, table.{cls} tr, table.{cls} td {{display: block; width: 100%;
    box-sizing: border-box}}
  table.{cls} tr {{border-bottom: 1px solid rgba(128, 128, 128, 0.4); padding: 0.3rem 0}}
  table.{cls} td {{border: 0; padding: 0.1rem 0.2rem; display: flex; justify-content: space-between;
    gap: 0.8rem; text-align: right; white-space: normal}}
  table.{cls} td::before {{content: attr(data-label); font-weight: 600; text-align: left;
    flex: 0 0 auto}}
  table.{cls} td.head {{display: block; text-align: left; font-weight: 600}}
  table.{cls} td.head::before {{content: none}}
  table.{cls} td:empty {{display: none}}
}}
"""
# (``table.`` outranks the base rules, which every table repeats after it.)
# Below its width the table keeps its rows but drops the columns a phone can do without.
COMPACT = """
@container (max-width: {px}px) {{
  table.{cls} .wide {{display: none}}
  table.{cls} th, table.{cls} td {{padding: 0.3rem 0.3rem}}
}}
"""


def style(css_class: str, narrow: int, stacked: bool) -> str:
    """The CSS of one table: the base rules and its narrow-screen rule. The rule looks at the
    width the table has (a container query), not at the window: at 800 px with the sidebar open
    the page's column is narrower than a phone held sideways."""
    rule = (STACKED if stacked else COMPACT).format(px=narrow, cls=css_class)
    return f"<style>{BASE_STYLE}{rule}</style>"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = False
    phone: bool = True  # kept on a narrow screen by a compact (not stacked) table


Cell = str | tuple[str, str]  # text, or (text, link)


def _cell(column: Column, value: Cell, first: bool) -> str:
    text, href = (value if isinstance(value, tuple) else (value, ""))
    body = html.escape(text)
    if href:
        body = f'<a href="{html.escape(href)}" target="_self">{body}</a>'
    classes = " ".join(c for c in ("n" if column.numeric else "", "head" if first else "",
                                   "" if column.phone else "wide") if c)
    return (f'<td data-label="{html.escape(column.header)}"'
            + (f' class="{classes}"' if classes else "") + f">{body}</td>")


def table_html(columns: list[Column], rows: list[dict[str, Cell]],
               extra: dict[int, str] | None = None, narrow: int = NARROW_PX,
               stacked: bool = True) -> str:
    """An HTML table with its CSS (see the module docstring): below ``narrow`` px of width it
    turns into cards (``stacked``) or drops its ``phone=False`` columns. A row whose first cell
    reads 'Total' is bold; ``extra`` adds raw, already escaped HTML after the first cell of row
    i (a second link)."""
    css_class = f"stmt-{'s' if stacked else 'c'}{narrow}"

    def head_class(c: Column) -> str:
        names = " ".join(n for n in ("n" if c.numeric else "", "" if c.phone else "wide") if n)
        return f' class="{names}"' if names else ""
    head = "".join(f"<th{head_class(c)}>{html.escape(c.header)}</th>" for c in columns)
    body = []
    for i, row in enumerate(rows):
        first = row.get(columns[0].key, "")
        is_total = (first[0] if isinstance(first, tuple) else first) == TOTAL
        cells = [_cell(c, row.get(c.key, ""), j == 0) for j, c in enumerate(columns)]
        if extra and i in extra:
            cells[0] = cells[0].replace("</td>", f"{extra[i]}</td>", 1)
        total = ' class="total"' if is_total else ""
        body.append(f"<tr{total}>{''.join(cells)}</tr>")
    return (style(css_class, narrow, stacked)
            + f'<div class="stmt-wrap"><table class="stmt {css_class}"><thead><tr>{head}</tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table></div>")


Linker = Callable[..., str]  # link(department=..., reason=...) -> "channels?..."


def statement_rows(statement: pd.DataFrame, currency: str, to_channels: Linker
                   ) -> tuple[list[Column], list[dict[str, Cell]]]:
    """The statement by department: contacts, cost, share of all, change, top reasons."""
    columns = [Column("department", "Department"), Column("contacts", "Avoidable contacts", True),
               Column("cost", f"Cost ({currency})", True), Column("share", "Share of all", True)]
    if "change" in statement.columns:
        columns.append(Column("change", "Change vs before", True))
    columns.append(Column("top", "Top reasons"))
    rows: list[dict[str, Cell]] = []
    for r in statement.to_dict("records"):
        dept = str(r["department"])
        rows.append({"department": dept if dept == TOTAL else (dept, to_channels(department=dept)),
                     "contacts": count(r["avoidable_contacts"]), "cost": money(r["cost"]),
                     "share": percent(r["share"]),
                     "change": change_text(r.get("change"), r.get("change_pct")),
                     "top": str(r.get("top_reasons") or "")})
    return columns, rows


def line_rows(lines: pd.DataFrame, currency: str, to_channels: Linker
              ) -> tuple[list[Column], list[dict[str, Cell]]]:
    """Line items: department, reason (a link), contacts x unit cost = cost, and their Total."""
    several = lines["department"].nunique() > 1
    columns = [Column("reason", "Reason"), *([Column("department", "Department")] if several
                                             else []),
               Column("contacts", "Contacts", True),
               Column("unit", f"× unit cost ({currency})", True),
               Column("cost", f"= cost ({currency})", True)]
    rows: list[dict[str, Cell]] = [
        {"reason": (str(r["label"]), to_channels(department=str(r["department"]),
                                                 reason=str(r["reason"]))),
         "department": str(r["department"]), "contacts": count(r["contacts"]),
         "unit": money(r["unit_cost"]), "cost": money(r["cost"])}
        for r in lines.to_dict("records")]
    rows.append({"reason": TOTAL, "contacts": count(lines["contacts"].sum()),
                 "cost": money(lines["cost"].sum())})
    return columns, rows


def month_rows(months: pd.DataFrame, currency: str) -> tuple[list[Column], list[dict[str, Cell]]]:
    """Months of the period beside the comparison months, with the change."""
    columns = [Column("month", "Month"), Column("contacts", "Contacts", True, phone=False),
               Column("cost", f"Cost ({currency})", True),
               Column("before", "Compared with", phone=False),
               Column("cost_before", f"Cost then ({currency})", True, phone=False),
               Column("change", "Change", True)]
    rows: list[dict[str, Cell]] = []
    for r in months.to_dict("records"):
        month, before = r["month"], r["month_before"]
        rows.append({"month": TOTAL if month is None else f"{month:%b %Y}",
                     "contacts": count(r["contacts"]), "cost": money(r["cost"]),
                     "before": "" if month is None or before is None or before != before
                     else f"{before:%b %Y}",
                     "cost_before": money(r["cost_before"]),
                     "change": change_text(r["change"], r["change_pct"])})
    return columns, rows


def rates_text(costs: pd.DataFrame, start: date, end: date) -> list[str]:
    """The channel cost rates that apply somewhere in [start, end], one line per channel
    ("phone: 1.10 per minute + 0.60 per contact to 2025-12-31, then 1.16 + 0.60 from 2026-01-01")."""
    if costs.empty:
        return ["No channel cost rates yet: every contact costs 0 (add them on the Data page)."]
    out = []
    frame = costs.assign(valid_from=pd.to_datetime(costs["valid_from"]).dt.date)
    for channel, rows in frame.sort_values("valid_from").groupby("channel", sort=True):
        rows = rows.reset_index(drop=True)
        until = list(rows["valid_from"].iloc[1:]) + [None]
        parts = []
        for r, next_from in zip(rows.to_dict("records"), until, strict=True):
            if r["valid_from"] > end or (next_from is not None and next_from <= start):
                continue
            since = f" from {r['valid_from']}" if r["valid_from"] > start else ""
            parts.append(f"{_rate(r.get('cost_per_minute'))} per minute + "
                         f"{_rate(r.get('cost_per_contact'))} per contact{since}")
        if parts:
            out.append(f"{channel}: " + ", then ".join(parts))
    return out


def _rate(value: object) -> str:
    return money(0 if value is None or value != value else value)


def own_statement_links(statement: pd.DataFrame, to_statement: Callable[[str], str]
                        ) -> dict[int, str]:
    """Row index -> a small 'statement' link to that department's own statement (Ownership
    filtered to it), for every department row but the Total."""
    return {i: f' <a class="sub" href="{html.escape(to_statement(str(d)))}" target="_self">'
               "statement</a>"
            for i, d in enumerate(statement["department"]) if d != TOTAL}


def delta_text(change: object, change_pct: object, digits: int = 0) -> str | None:
    """A tile's delta ('+1,234 (+5.2 %)'); None when nothing moved or nothing is known."""
    text = change_text(change, change_pct, digits)
    return None if text in ("", "±0") else text
