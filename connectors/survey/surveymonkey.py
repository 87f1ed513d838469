"""SurveyMonkey "All responses data" CSV export (export-formats.md 3.2).

Quirks handled:
* 2 header rows. Row 1: ``Respondent ID, Collector ID, Start Date, End Date, IP Address, Email Address,
  First Name, Last Name, Custom Data 1``, then one cell per question holding the full question text,
  followed by blank cells for every extra column that question spans. Row 2: sub-labels (``Response``,
  ``Open-Ended Response``, the choice label of each expanded multi-select column, matrix rows). Column
  names are row 1 forward-filled + `` | `` + row 2 (row 1 alone where row 2 is blank);
* question texts with commas, doubled quotes and line breaks, so the header spans several physical
  lines (a real CSV parser; data lines are numbered as an editor shows them);
* dates ``MM/DD/YYYY hh:mm:ss AM/PM`` in the account time zone (``--tz``); the order is decided per
  column (``connectors.dates``): month-first by SurveyMonkey's convention unless the column's own
  values or ``--dates`` say otherwise;
* a zip download (SurveyMonkey delivers CSVs zipped) is refused with a message saying to extract it;
* measures by question text (``connectors.survey.measures``): the question text is the label, an
  ``Open-Ended Response`` column is free text; custom variables named ticket_id / ContactId / ... link to
  the contact. ``Custom Data 1`` has no meaning by itself: name it in ``ReadOptions.mapping``.
"""

from __future__ import annotations

import pandas as pd

from connectors import values as v
from connectors.base import Connector, FormatError, Parsed, ReadOptions
from connectors.dates import Convention, Dates
from connectors.survey import measures as m
from connectors.textfile import checked_text, header_fields, records

WHAT = "surveymonkey"
META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
        "First Name", "Last Name", "Custom Data 1"]
DATE_FORMAT = "%m/%d/%Y %I:%M:%S %p"
SIGNATURE = ("Respondent ID", "Collector ID", "Start Date", "End Date")


def sniff(head: bytes, file_name: str) -> float:
    cells = [c.strip() for c in header_fields(head)]
    if cells[:2] == list(SIGNATURE[:2]):
        return 0.95
    if set(SIGNATURE) <= set(cells):
        return 0.9
    return 0.0


def _names(row1: list[str], row2: list[str]) -> tuple[list[str], list[str]]:
    """Column names (row 1 forward-filled + " | " + row 2) and question texts."""
    width = max(len(row1), len(row2))
    row1 = [c.strip() for c in row1] + [""] * (width - len(row1))
    row2 = [c.strip() for c in row2] + [""] * (width - len(row2))
    names, texts, current = [], [], ""
    for top, sub in zip(row1, row2, strict=True):
        current = top or current
        texts.append(current)
        names.append(f"{current} | {sub}" if sub else current)
    return names, texts


# SurveyMonkey writes MM/DD/YYYY hh:mm:ss AM/PM (export-formats.md 3.2): a column of only ambiguous
# dates is read month-first, unless --dates says otherwise or the column's own values decide.
DATE_CONVENTION = Convention("mdy", "SurveyMonkey exports MM/DD/YYYY")


def read(data: bytes, opts: ReadOptions) -> Parsed:
    if data.startswith(b"PK\x03\x04"):
        raise FormatError(f"{WHAT}: this is a zip archive; extract the CSV file(s) from it first")
    text = checked_text(data, WHAT)
    rows = list(records(text))
    if len(rows) < 2:
        raise FormatError(f"{WHAT}: expected 2 header rows, the file has {len(rows)} row(s)")
    names, texts = _names(rows[0][1], rows[1][1])
    missing = [c for c in ("Respondent ID", "End Date") if c not in names]
    if missing:
        raise FormatError(f"{WHAT}: missing required column(s): {', '.join(missing)}", 1)
    body = rows[2:]
    f = v.frame([r for _, r in body], names)
    questions = [
        m.Question(col, texts[i], free_text=col.lower().endswith("| open-ended response"))
        for i, col in enumerate(f.columns) if col not in META
    ]
    override = m.override_of(opts.mapping, WHAT)
    picks = m.pick(f, questions, override, WHAT)
    out = m.responses(f, picks, override.get("csat_scale"))
    line = pd.Series([n for n, _ in body], dtype="int64", index=f.index)
    dates = Dates(opts, DATE_CONVENTION)
    stamps = dates.columns({c: f[c] for c in ("End Date", "Start Date") if c in f.columns}, line)
    end = stamps["End Date"]
    if "Start Date" in stamps:
        end = end.fillna(stamps["Start Date"])
    out["source_record_id"] = v.text(f["Respondent ID"])
    out["responded_at"] = end
    out["version_at"] = end
    out["line"] = line
    return Parsed("surveymonkey", len(body), surveys=out.reset_index(drop=True), notes=dates.notes, warnings=dates.warnings)


CONNECTOR = Connector(
    name="surveymonkey",
    kind="survey",
    source="surveymonkey",
    description="SurveyMonkey all-responses CSV (2 header rows, multi-line question texts, account tz)",
    sniff=sniff,
    read=read,
    columns=SIGNATURE,
)
