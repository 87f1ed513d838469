"""Typeform results CSV download (export-formats.md 3.3).

Quirks handled:
* one header row: ``#`` (the response token) first, one column per question titled with the question
  text (recall placeholders such as ``{{field:...}}`` stay literal and do no harm), hidden fields,
  then ``Start Date (UTC)``, ``Submit Date (UTC)``, ``Network ID``; newer exports add ``Response Type``
  (completed / partial), ``Stage Date (UTC)``, ``Tags`` and ``Ending``. Columns are found by name;
* dates are ``YYYY-MM-DD HH:MM:SS`` in UTC whatever ``--tz`` says; responded at = Submit Date, else
  Stage Date (partial responses have no submit date), else Start Date;
* partial responses are kept only when they hold a score (a rejected one says why);
* older exports give a multiple-choice question one column per option, so titles repeat: repeated
  names get ``.1``, ``.2`` suffixes and are never taken for a measure unless their answers read as one;
* measures by question title and links by hidden-field name (``connectors.survey.measures``).
"""

from __future__ import annotations

import pandas as pd

from connectors import values as v
from connectors.base import Connector, FormatError, Parsed, ReadOptions, Reject
from connectors.dates import Dates
from connectors.survey import measures as m
from connectors.textfile import header_fields, read_table

WHAT = "typeform"
META = {"#", "start date (utc)", "submit date (utc)", "network id", "response type",
        "stage date (utc)", "tags", "ending"}
SIGNATURE = ("#", ("Submit Date (UTC)", "Start Date (UTC)"))  # "#" first


def sniff(head: bytes, file_name: str) -> float:
    cells = [c.strip() for c in header_fields(head)]
    if cells[:1] == [SIGNATURE[0]] and set(SIGNATURE[1]) & set(cells):
        return 0.95
    return 0.0


def read(data: bytes, opts: ReadOptions) -> Parsed:
    header, rows = read_table(data, what=WHAT)
    dates = [c for c in ("Submit Date (UTC)", "Stage Date (UTC)", "Start Date (UTC)") if c in header]
    missing = (["#"] if "#" not in header else []) + ([] if dates else ["Submit Date (UTC)"])
    if missing:
        raise FormatError(f"{WHAT}: missing required column(s): {', '.join(missing)}", 1)
    f = v.frame([r for _, r in rows], header)
    line = pd.Series([n for n, _ in rows], dtype="int64", index=f.index)
    questions = [m.Question(col, header[i]) for i, col in enumerate(f.columns)
                 if header[i].lower() not in META]
    override = m.override_of(opts.mapping, WHAT)
    picks = m.pick(f, questions, override, WHAT)
    out = m.responses(f, picks, override.get("csat_scale"))
    responded = pd.Series(pd.NaT, index=f.index, dtype="datetime64[us]")
    decide = Dates(opts, tz="UTC")  # YYYY-MM-DD HH:MM:SS UTC; other shapes decided per column
    stamps = decide.columns({col: f[col] for col in dates}, line)
    for col in dates:
        responded = responded.fillna(stamps[col])
    out["source_record_id"] = v.text(f["#"])
    out["responded_at"] = responded
    out["version_at"] = stamps["Stage Date (UTC)"].fillna(responded) \
        if "Stage Date (UTC)" in f.columns else responded
    out["line"] = line
    keep = pd.Series(True, index=f.index)
    rejects: list[Reject] = []
    if "Response Type" in f.columns:
        partial = (v.blank_to_na(f["Response Type"]).str.lower() == "partial").fillna(False)
        drop = partial.astype(bool) & ~m.has_score(out)
        rejects = [Reject(int(line[i]), "partial response without a score", str(f["#"][i]))
                   for i in f.index[drop]]
        keep &= ~drop
    return Parsed("typeform", len(rows), surveys=out[keep].reset_index(drop=True), rejects=rejects,
                  notes=decide.notes, warnings=decide.warnings)


CONNECTOR = Connector(
    name="typeform",
    kind="survey",
    source="typeform",
    description="Typeform results CSV (# token, question titles, hidden fields, UTC dates, partials)",
    sniff=sniff,
    read=read,
    columns=SIGNATURE,
)
