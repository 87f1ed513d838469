"""The generic mapping connector: any CSV, described by a small YAML file (docs/generic-mapping.md).

Tools without a connector of their own (a home-grown helpdesk, a BI extract, a survey tool nobody wrote
a connector for) are read through a mapping: canonical field -> source column, optional value maps,
constants, the date format and the time zone. It is never sniffed (``sniff`` is 0): it runs only with
``--format generic`` or ``--mapping FILE``. ``load_mapping`` checks the whole YAML before any file is
read, so a typo in a field name is reported once, by name, instead of as thousands of rejected rows.

Kinds: ``contacts`` (CONTACT_COLUMNS), ``surveys`` (SURVEY_COLUMNS) and ``both``: a contact log that
also carries the customer's rating (CSAT, NPS, CES, resolved, comment). ``both`` stores every row as a
contact and, where the row holds a rating or comment, a survey response linked to that contact (same
record id; responded at = the mapped ``responded_at``, else closed_at, else opened_at).

Values: durations as ``HH:MM:SS``, ``MM:SS`` or plain seconds; booleans yes/no, true/false, 1/0, ja/nein;
numbers with either decimal separator; channel words (Telefon, E-Mail, Live Chat...) are recognised,
others need a value map, and a contact whose channel or direction stays unknown is rejected naming the
value. Timestamps use ``date_format`` (one strftime format, or one per field) or have their day/month
order decided once per column (``connectors.dates``; ``dates: dmy|mdy|ymd`` or ``dayfirst`` for columns
of only ambiguous dates); naive ones are read in ``timezone`` (which wins over ``--tz``, because the
mapping describes the source). YAML reads unquoted Yes/No/On/Off as booleans: quote them in value maps.

What real files need: ``header: false`` with columns by position (1 = first column); a list of columns
(``opened_at: [Date, Time]`` joins a date and a time column; ``source_record_id: [Call, Leg]`` builds an
id from several columns, joined with ``|``); ``source_record_id: "#row"`` numbers the rows by their line
when a file has no id (a warning says such rows cannot be de-duplicated); ``csat_scale: 2`` for
good/bad ratings (1 good, 0 bad; a map onto 1/2 is read as bad = 1, good = 2); a rating value that maps
to nothing is counted in ``Parsed.warnings``, never dropped silently.
"""

from __future__ import annotations

import pandas as pd

from connectors import values as v
from connectors.base import (
    CHANNELS,
    CONTACT_COLUMNS,
    SURVEY_COLUMNS,
    Connector,
    FormatError,
    Parsed,
    ReadOptions,
    Reject,
)
from connectors.dates import Dates
from connectors.mapping import (
    DIRECTION_WORDS,
    EMPTY_WORDS,
    RATINGS,
    ROW_NUMBER,
    TWO_POINT,
    TYPES,
)
from connectors.mapping import load_mapping as load_mapping  # the mapping's API, re-exported
from connectors.mapping import validate as validate
from connectors.survey import measures
from connectors.textfile import checked_text, records, sniff_delimiter


def _convert(field: str, s: pd.Series, kind: str) -> pd.Series:
    """Every field but timestamps and CSAT (those are read per column and per scale in ``read``)."""
    typ = TYPES[kind][field]
    if field.endswith("_seconds"):
        return v.hms_seconds(s)
    if field in ("nps", "ces", "resolved"):
        return getattr(measures, field)(s)
    if field == "channel":
        return measures.channel(s, unknown=None if kind != "surveys" else "other")
    if field == "direction":
        low = v.blank_to_na(s).str.lower()
        return low.map(DIRECTION_WORDS).where(low.map(DIRECTION_WORDS).notna(), low)
    if typ == "BOOLEAN":
        return v.booleans(s)
    if typ == "INTEGER":
        return v.numbers(s).round().astype("Int64")
    if typ == "DOUBLE":
        return v.numbers(s)
    return v.text(s)


def _resolve(header: list[str], columns: dict[str, list[str | int]], origin: str,
             named: bool) -> dict[str, list[str]]:
    """Field -> the frame's column names (positions and names resolved; ``#row`` kept)."""
    low = {h.strip().lower(): h for h in reversed(header)}
    found: dict[str, list[str]] = {}
    missing = []
    for field, parts in columns.items():
        hits: list[str] = []
        for part in parts:
            if part == ROW_NUMBER:
                hits.append(ROW_NUMBER)
            elif isinstance(part, int):
                if part > len(header):
                    missing.append(f"position {part} (for {field}; the file has {len(header)} columns)")
                else:
                    hits.append(header[part - 1])
            else:
                hit = part if part in header else low.get(part.strip().lower())
                if hit is None:
                    missing.append(f"'{part}' (for {field})")
                else:
                    hits.append(hit)
        found[field] = hits
    if missing:
        has = f"the file has: {', '.join(header)}" if named else f"the file has {len(header)} columns"
        raise FormatError(f"generic ({origin}): column(s) not in the file: {', '.join(missing)}; {has}",
                          1 if named else None)
    return found


def _joined(f: pd.DataFrame, parts: list[str], line: pd.Series, typ: str) -> pd.Series:
    """One source: a column, the row's line (``#row``), or several columns joined (a date and a time
    with a space; id parts with ``|``; blank when every part is blank)."""
    cells = [line.astype("string") if p == ROW_NUMBER else f[p].astype("string").str.strip()
             for p in parts]
    if len(cells) == 1:
        return cells[0]
    if typ == "TIMESTAMP":
        out = cells[0]
        for c in cells[1:]:
            out = (out + " " + c).where(c.fillna("") != "", out)
        return out.where(cells[0].fillna("") != "", "")
    filled = pd.concat([c.fillna("") for c in cells], axis=1)
    joined = filled.agg("|".join, axis=1).astype("string")
    return joined.where((filled != "").any(axis=1), "")


def _csat(raw: pd.Series, scale: int | None, mapped_onto: set[str], name: str) -> tuple[pd.Series, int]:
    """CSAT on its scale. On csat_scale 2 good/bad words are 1/0, and a 1/2 numbering (Good=2, Bad=1)
    becomes 1/0, so 'bad' can never count as satisfied; a column mixing 0 and 2 is refused."""
    if scale != 2:
        return measures.csat(raw, scale)
    low = v.blank_to_na(raw).str.lower()
    words = low.map(TWO_POINT).astype("float64")
    number = v.numbers(raw.where(words.isna(), ""))
    seen = set(number.dropna().unique())
    if {0.0, 2.0} <= seen:
        raise FormatError(f"generic ({name}): csat on csat_scale 2 holds 0, 1 and 2: map good to 1 "
                          "and bad to 0 under values: csat")
    shifted = 2.0 in seen or bool(mapped_onto) and mapped_onto <= {"1", "2"} and "2" in mapped_onto
    if shifted:
        number = number - 1
    return words.fillna(number), 2


def read(data: bytes, opts: ReadOptions) -> Parsed:
    if not opts.mapping:
        raise FormatError("generic: no mapping given; describe the file with --mapping FILE "
                          "(see docs/generic-mapping.md)")
    mp = dict(opts.mapping) if opts.mapping.get("generic_mapping") else validate(opts.mapping)
    name, kind = mp["name"], mp["kind"]
    if kind == "questions":
        raise FormatError(f"generic ({name}): this mapping (kind questions) only names survey "
                          "questions; load the file with --format qualtrics, surveymonkey or typeform")
    text = checked_text(data, f"generic ({name})")
    named = mp.get("header", True)
    rows = list(records(text, mp["delimiter"] or sniff_delimiter(text.split("\n", 1)[0])))
    if named:
        header, body = [h.strip() for h in rows[0][1]], rows[1:]
    else:
        width = max((len(r) for _, r in rows), default=0)
        header, body = [f"column {i}" for i in range(1, width + 1)], rows
    f = v.frame([r for _, r in body], header)
    columns = {k: (c if isinstance(c, list) else [c]) for k, c in mp["columns"].items()}
    cols = _resolve(list(f.columns), columns, name, named)
    line = pd.Series([n for n, _ in body], dtype="int64", index=f.index)
    tz = mp["timezone"] or opts.tz
    explicit = mp.get("dates") or ("dmy" if mp["dayfirst"] else "mdy" if mp["dayfirst"] is False
                                   else None)
    dates = Dates(opts, tz=tz, explicit=explicit)
    if explicit is not None:
        dates.explicit_from = f"the mapping (dates: {explicit})"
    warnings: list[str] = []
    types = TYPES[kind]
    raws: dict[str, pd.Series] = {}
    for field in dict.fromkeys([*cols, *mp["defaults"]]):
        raw = _joined(f, cols[field], line, types[field]) if field in cols \
            else pd.Series("", index=f.index, dtype="string")
        if field in mp["values"]:
            raw = v.mapped(raw, mp["values"][field]).fillna("")
        if field in mp["defaults"]:
            raw = raw.mask(v.blank_to_na(raw).isna(), mp["defaults"][field])
        raws[field] = raw
    fmt = mp["date_format"]
    stamps = [k for k in raws if types[k] == "TIMESTAMP"]
    lenient = {k: raws[k] for k in stamps if (fmt.get(k) if isinstance(fmt, dict) else fmt) is None}
    labels: dict[str, str] = {}  # field -> how notes name it (unique: two fields may share a column)
    for k in lenient:
        label = _label(cols, k)
        labels[k] = label if label not in labels.values() else f"{label} ({k})"
    parsed = dates.columns({labels[k]: s for k, s in lenient.items()}, line) if lenient else {}
    out = pd.DataFrame(index=f.index)
    for field, raw in raws.items():
        if field in lenient:
            out[field] = parsed[labels[field]]
        elif field in stamps:
            one = fmt.get(field) if isinstance(fmt, dict) else fmt
            out[field] = v.timestamps(raw, fmt=one, tz=tz)
        elif field == "csat":
            scale = mp["defaults"].get("csat_scale")
            onto = {x.strip() for x in mp["values"].get("csat", {}).values()}
            out["csat"], found = _csat(raw, int(float(scale)) if scale else None, onto, name)
            out["csat_scale"] = pd.Series(found, index=f.index).where(out["csat"].notna())
        elif field != "csat_scale":
            out[field] = _convert(field, raw, kind)
        if field in RATINGS and field != "comment":
            warnings += _unmapped(field, raw, out[field], line, _label(cols, field))
    if cols.get("source_record_id") == [ROW_NUMBER]:
        warnings.append(f"no record id: each row's id is its line number ({ROW_NUMBER}), so rows "
                        "could not be de-duplicated (a row exported twice, or the same file edited "
                        "and loaded again, gives contacts twice)")
    out["line"] = line
    if kind == "surveys":
        return Parsed(name, len(body), surveys=out, notes=dates.notes,
                      warnings=warnings + dates.warnings)
    rejects: list[Reject] = []
    keep = pd.Series(True, index=f.index)
    for field, canon in (("channel", CHANNELS), ("direction", ("inbound", "outbound"))):
        bad = out[field].notna() & ~out[field].isin(canon) & keep
        for i in f.index[bad.fillna(False).astype(bool)]:
            rejects.append(Reject(int(out["line"][i]), f"unknown {field} '{out[field][i]}' "
                                  f"(add it under values: {field})", str(out.get(
                                      "source_record_id", pd.Series(""))[i])))
        keep &= ~bad.fillna(False).astype(bool)
    out = out[keep]
    contacts = out[[c for c in out.columns if c in CONTACT_COLUMNS]].reset_index(drop=True)
    surveys = pd.DataFrame()
    if kind == "both":
        surveys = _ratings(out)
    return Parsed(name, len(body), contacts=contacts, surveys=surveys,
                  rejects=sorted(rejects, key=lambda r: r.line or 0), notes=dates.notes,
                  warnings=warnings + dates.warnings)


def _label(cols: dict[str, list[str]], field: str) -> str:
    """How notes and warnings name a field's source: its column(s), or the field."""
    parts = [p for p in cols.get(field, []) if p != ROW_NUMBER]
    return " + ".join(parts) if parts else field


def _unmapped(field: str, raw: pd.Series, got: pd.Series, line: pd.Series, source: str) -> list[str]:
    """A rating cell with text that maps to nothing is counted and named, never dropped silently."""
    text = v.blank_to_na(raw)
    lost = text.notna() & ~text.str.lower().isin(EMPTY_WORDS).fillna(False) & got.isna()
    lost = lost.fillna(False).astype(bool)
    if not lost.any():
        return []
    counts = text[lost].value_counts()
    shown = ", ".join(f"'{val}' x{n}" for val, n in counts.head(5).items())
    more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
    first = int(line[lost].iloc[0])
    return [f"{field} ({source}): {int(lost.sum())} value(s) map to no {field} and were left empty: "
            f"{shown}{more} (first on line {first}); add them under values: {field}"]


def _ratings(out: pd.DataFrame) -> pd.DataFrame:
    """kind both: a survey response, linked to its contact, for every row with a rating or comment."""
    rated = out[[c for c in RATINGS if c in out.columns]].notna().any(axis=1)
    rows = out[rated]
    when = rows["responded_at"] if "responded_at" in rows else pd.Series(pd.NaT, index=rows.index)
    for fallback in ("closed_at", "opened_at"):
        if fallback in rows:
            when = when.fillna(rows[fallback])
    surveys = rows[[c for c in rows.columns if c in SURVEY_COLUMNS]].copy()
    surveys["contact_record_id"] = rows["source_record_id"]
    surveys["responded_at"] = when
    return surveys.reset_index(drop=True)


CONNECTOR = Connector(
    name="generic",
    kind="generic",
    source="generic",
    description="any CSV described by a YAML mapping (--mapping FILE, docs/generic-mapping.md)",
    sniff=lambda head, file_name: 0.0,
    read=read,
)
