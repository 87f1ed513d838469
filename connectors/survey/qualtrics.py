"""Qualtrics response export, CSV or TSV (export-formats.md 3.1).

Quirks handled:
* 3 header rows: column ids, the question text (localised into the export language, e.g. German), and
  ImportId JSON (``{"ImportId":"QID2_TEXT"}``); data starts on row 4. Row 3's ``timeZone``
  (``{"ImportId":"recordedDate","timeZone":"America/Denver"}``) names the zone of the dates; without
  one the dates are read in ``--tz``;
* the legacy form (before 2017): ``V1..V10`` ids plus one label row (so the metadata names are in row 2),
  ``ResponseID`` instead of ``ResponseId``, ``EmailAddress``, a BOM and a trailing comma;
* TSV exports (UTF-16 with a BOM, tab-separated) as well as CSV;
* ``Status`` 1 / Survey Preview, 2 / Survey Test and 8 / Spam are not responses: they become rejects
  with that reason; ``Finished`` 1/0 or True/False: unfinished responses are kept only with a score;
* which question is CSAT / NPS / CES / resolved / comment: ``connectors.survey.measures`` (NPS = the
  column with a ``<col>_NPS_GROUP`` companion; comment = the first ``QIDn_TEXT`` text entry); an explicit
  ``ReadOptions.mapping`` may name columns by id, label or ImportId. Text iQ topic columns are ignored;
* responded at = RecordedDate (else EndDate), record id = ResponseId.
"""

from __future__ import annotations

import csv
import io
import json
import re
from zoneinfo import ZoneInfo

import pandas as pd

from connectors import values as v
from connectors.base import Connector, FormatError, Parsed, ReadOptions, Reject
from connectors.dates import Dates
from connectors.survey import measures as m
from connectors.textfile import BOM, checked_text, records

WHAT = "qualtrics"
NOT_RESPONSES = {"1": "survey preview", "survey preview": "survey preview",
                 "umfragevorschau": "survey preview", "2": "survey test",
                 "survey test": "survey test", "umfragetest": "survey test", "8": "spam",
                 "spam": "spam"}
META = {"startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)",
        "finished", "recordeddate", "responseid", "recipientlastname", "recipientfirstname",
        "recipientemail", "externalreference", "externaldatareference", "locationlatitude",
        "locationlongitude", "locationaccuracy", "distributionchannel", "userlanguage",
        "responseset", "name", "emailaddress"}
SIGNATURE = ("ResponseId", ("StartDate", "RecordedDate"))  # any case; or the legacy V1, V2, V3
QUESTION_ID = re.compile(r"^QID\d+(_\d+)*(_TEXT)?$")


def _head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) - len(head) % 2].decode("utf-16", errors="ignore")
    return head.removeprefix(BOM).decode("utf-8", errors="replace")


def sniff(head: bytes, file_name: str) -> float:
    text = _head(head)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        cells = [c.strip() for c in next(csv.reader(io.StringIO(text), delimiter=delimiter))]
    except (StopIteration, csv.Error):
        return 0.0
    names = {c.lower() for c in cells}
    if cells[:3] == ["V1", "V2", "V3"] and "responseid" in text.lower():
        return 0.95
    if SIGNATURE[0].lower() in names and ({c.lower() for c in SIGNATURE[1]} & names
                                          or "importid" in text.lower()):
        return 0.95
    return 0.0


def _import_ids(row: list[str]) -> tuple[list[str], str | None]:
    """ImportIds of row 3 and the time zone it names (for the recorded/end/start date)."""
    ids, zones = [], {}
    for cell in row:
        try:
            obj = json.loads(cell)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            ids.append("")
            continue
        ids.append(str(obj.get("ImportId", "")))
        if obj.get("timeZone"):
            zones[ids[-1].lower()] = str(obj["timeZone"])
    zone = next((zones[k] for k in ("recordeddate", "enddate", "startdate") if k in zones),
                next(iter(zones.values()), None))
    return ids, zone


def _layout(rows: list[tuple[int, list[str]]]) -> tuple[list[str], list[str], list[str], str | None, int]:
    """(names, labels, import ids, time zone, header rows) of a modern, legacy or bare export."""
    row1 = [c.strip() for c in rows[0][1]]
    row2 = [c.strip() for c in rows[1][1]] if len(rows) > 1 else []
    row2 += [""] * (len(row1) - len(row2))
    if len(rows) > 2 and rows[2][1] and rows[2][1][0].lstrip().startswith("{") \
            and "importid" in rows[2][1][0].lower():
        ids, zone = _import_ids(rows[2][1])
        return row1, row2, ids + [""] * (len(row1) - len(ids)), zone, 3
    if row1[:1] == ["V1"]:
        names = [row2[i] if re.fullmatch(r"V\d+", c) else c for i, c in enumerate(row1)]
        return names, row2, [""] * len(row1), None, 2
    rid = next((i for i, c in enumerate(row1) if c.lower() == "responseid"), None)
    if rid is not None and row2[rid].startswith("R_"):
        return row1, row1, [""] * len(row1), None, 1  # label rows deleted (re-saved in Excel)
    return row1, row2, [""] * len(row1), None, 2


def _find(f: pd.DataFrame, *names: str) -> str | None:
    low = {str(c).lower(): str(c) for c in f.columns}
    return next((low[n] for n in names if n in low), None)


def read(data: bytes, opts: ReadOptions) -> Parsed:
    text = checked_text(data, WHAT)
    first = text.split("\n", 1)[0]
    rows = list(records(text, "\t" if first.count("\t") > first.count(",") else ","))
    if len(rows) < 2:
        raise FormatError(f"{WHAT}: expected 2 or 3 header rows, the file has {len(rows)} row(s)")
    names, labels, ids, zone, header_rows = _layout(rows)
    body = rows[header_rows:]
    f = v.frame([r for _, r in body], names)
    line = pd.Series([n for n, _ in body], dtype="int64", index=f.index)
    rid = _find(f, "responseid")
    when = _find(f, "recordeddate", "enddate")
    missing = [n for n, c in (("ResponseId", rid), ("RecordedDate or EndDate", when)) if c is None]
    if missing or rid is None or when is None:
        raise FormatError(f"{WHAT}: missing required column(s): {', '.join(missing)}", 1)
    tz = zone or opts.tz
    try:
        ZoneInfo(tz)
    except (KeyError, ValueError) as exc:
        raise FormatError(f"{WHAT}: unknown time zone '{tz}' in the ImportId row", 3) from exc
    cols = list(f.columns)
    questions, aliases = [], {}
    for i, col in enumerate(cols):
        iid = ids[i] if i < len(ids) else ""
        if iid:
            aliases[iid] = col
        is_question = bool(QUESTION_ID.match(iid)) if any(ids) else (
            col.lower() not in META and not re.fullmatch(r"V\d+", col) and col != "")
        if is_question and not col.endswith(("_NPS_GROUP", "_DO")):
            questions.append(m.Question(col, labels[i] if i < len(labels) else col,
                                        free_text=bool(re.fullmatch(r"QID\d+_TEXT", iid)),
                                        nps=f"{col}_NPS_GROUP" in f.columns))
    override = m.override_of(opts.mapping, WHAT)
    picks = m.pick(f, questions, override, WHAT, aliases)
    out = m.responses(f, picks, override.get("csat_scale"))
    dates = Dates(opts, tz=tz)  # YYYY-MM-DD HH:MM:SS by Qualtrics' doc; other shapes decided per column
    responded = dates.column(f[when], when, line)
    out["source_record_id"] = v.text(f[rid])
    out["responded_at"] = responded
    out["version_at"] = responded
    out["line"] = line
    keep = pd.Series(True, index=f.index)
    rejects: list[Reject] = []
    skipped: list[Reject] = []
    status_col = _find(f, "status")
    if status_col:
        kind = v.blank_to_na(f[status_col]).str.lower().map(NOT_RESPONSES)
        for i in f.index[kind.notna()]:
            skipped.append(Reject(int(line[i]), str(kind[i]), str(f[rid][i])))
        keep &= kind.isna()
    finished_col = _find(f, "finished")
    if finished_col:
        unfinished = (v.booleans(f[finished_col]) == False).fillna(False).astype(bool)  # noqa: E712
        drop = unfinished & ~m.has_score(out) & keep
        for i in f.index[drop]:
            rejects.append(Reject(int(line[i]), "unfinished response without a score",
                                  str(f[rid][i])))
        keep &= ~drop
    return Parsed("qualtrics", len(body), surveys=out[keep].reset_index(drop=True), skipped=skipped,
                  rejects=sorted(rejects, key=lambda r: r.line or 0), notes=dates.notes, warnings=dates.warnings)


CONNECTOR = Connector(
    name="qualtrics",
    kind="survey",
    source="qualtrics",
    description="Qualtrics response export, CSV/TSV, 3 header rows or legacy V1..V10 (ImportId time zone)",
    sniff=sniff,
    read=read,
    extensions=(".csv", ".tsv"),
    columns=SIGNATURE,
)
